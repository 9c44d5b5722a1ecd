package io.ringtrace.protocol.text;

import io.ringtrace.protocol.ring.EventCursor;
import io.ringtrace.protocol.ring.RingSnapshot;

import java.util.List;

/**
 * The text of the non-consuming {@code trace} file: {@code # tracer: <name>}, the header the
 * options ask for (entries line and column legend, the latency-format block, nothing with
 * {@code verbose} or without {@code context-info}), then every event of every CPU merged by
 * timestamp (equal stamps: lower CPU first), with lost-events lines and, when the buffer had
 * overruns, {@code ##### CPU N buffer started ####} annotations.
 *
 * <p>Rendered as it is read, like the kernel's seq_file: a {@link Reader} walks the per-CPU
 * snapshots and prints only the lines a read needs, keeping the rest of a partly returned line
 * for the next read. {@link #render} is the whole text at once.
 */
public final class TraceFile {

    /** Facts the headers print that the formatter does not know. */
    public static final class Info {
        String tracer = "nop";
        int onlineCpus = 1;
        long timeStart;
        String release = "6.18.0-ringtrace";
        String preemptModel = "PREEMPT(none)";

        public static Info of(String tracer, int onlineCpus) {
            Info i = new Info();
            i.tracer = tracer;
            i.onlineCpus = onlineCpus;
            return i;
        }

        /** The time of the buffer's last reset (latency-format timestamps count from it). */
        public Info timeStart(long ts) {
            this.timeStart = ts;
            return this;
        }

        /** The "release" the latency header names. */
        public Info release(String r) {
            this.release = r;
            return this;
        }

        /** The preemption model the latency header names. */
        public Info preemptModel(String m) {
            this.preemptModel = m;
            return this;
        }
    }

    private TraceFile() {
    }

    /**
     * Renders the whole {@code trace} file of the CPUs in {@code cpus} (index = CPU; null entries
     * are skipped).
     */
    public static byte[] render(TraceFormatter f, List<RingSnapshot> cpus, Info info) {
        return open(f, cpus, info).readAll();
    }

    /**
     * An iterator over the {@code trace} text of the CPUs in {@code cpus} (index = CPU; null
     * entries are skipped): the header is printed now (its counts come from the snapshots'
     * counters), events as {@link Reader#read} asks for them. The snapshots then belong to the
     * reader.
     */
    public static Reader open(TraceFormatter f, List<RingSnapshot> cpus, Info info) {
        return new Reader(f, cpus, info);
    }

    /**
     * The iterator state of one open {@code trace} file (the kernel's trace_iterator behind its
     * seq_file): per-CPU cursors over the snapshots, the formatter's line state and the text
     * printed but not yet returned. Each {@link #read} prints lines until it has {@code count}
     * bytes (or the events end) and returns exactly that many; the rest of the last line waits
     * for the next read. Any sequence of read sizes returns the same bytes as {@link #render}.
     *
     * <p>Not thread-safe: one reader (the owning actor) at a time.
     */
    public static final class Reader {
        private static final byte[] EMPTY = new byte[0];

        private final TraceFormatter f;
        /** The snapshots being walked; dropped at the end of the events (their pages can go). */
        private List<RingSnapshot> cpus;
        private final EventCursor[] heads;
        private final boolean[] has;
        private EventCursor spare = new EventCursor();
        private final TraceFormatter.IteratorState st;
        /** Printed text; {@code out[0 .. pos)} is already returned. */
        private final TraceSeq out = new TraceSeq(4096);
        private int pos;
        private boolean eventsDone;

        Reader(TraceFormatter f, List<RingSnapshot> cpus, Info info) {
            this.f = f;
            this.cpus = cpus;
            long entries = 0;
            long written = 0;
            boolean overrun = false;
            for (RingSnapshot s : cpus) {
                if (s == null) {
                    continue;
                }
                entries += s.entries();
                written += s.entries() + s.overrun();
                overrun |= s.hadOverrun() || s.overrun() > 0;
            }
            int n = cpus.size();
            heads = new EventCursor[n];
            has = new boolean[n];
            boolean empty = true;
            for (int i = 0; i < n; i++) {
                heads[i] = new EventCursor();
                RingSnapshot s = cpus.get(i);
                has[i] = s != null && s.next(heads[i]);
                if (has[i]) {
                    heads[i].cpu = i;
                    empty = false;
                }
            }
            if (empty) {
                endOfEvents();
            }
            TraceHeader.write(out, f.options(), info, entries, written, empty);
            st = TraceFormatter.IteratorState.forTrace(overrun, info.timeStart);
        }

        /**
         * One read(2) of at most {@code count} bytes: exactly {@code count} unless the text ends
         * first; an empty array at the end.
         */
        public byte[] read(int count) {
            if (count <= 0) {
                return EMPTY;
            }
            fill(count);
            int n = Math.min(count, out.length() - pos);
            if (n == 0) {
                return EMPTY;
            }
            byte[] b = new byte[n];
            out.copyTo(pos, b, 0, n);
            pos += n;
            out.discardFront(pos);
            pos = 0;
            return b;
        }

        /** The rest of the text at once. */
        public byte[] readAll() {
            while (printNext()) {
                // all of it
            }
            byte[] b = new byte[out.length() - pos];
            out.copyTo(pos, b, 0, b.length);
            out.clear();
            pos = 0;
            return b;
        }

        /** True when every byte has been returned. */
        public boolean atEnd() {
            return eventsDone && pos >= out.length();
        }

        private void endOfEvents() {
            eventsDone = true;
            cpus = null;
        }

        /** Prints lines until {@code count} bytes wait to be returned or the events end. */
        private void fill(int count) {
            while (out.length() - pos < count && printNext()) {
                // one line (event) per step
            }
        }

        /** Prints the next event (with its lost-events and annotation lines); false at the end. */
        private boolean printNext() {
            if (eventsDone) {
                return false;
            }
            int best = next(heads, has);
            if (best < 0) {
                endOfEvents();
                return false;
            }
            EventCursor cur = heads[best];
            // refill this CPU's head from a spare cursor so we can look at the next timestamp
            heads[best] = spare;
            has[best] = cpus.get(best).next(spare);
            if (has[best]) {
                spare.cpu = best;
            }
            spare = cur;
            long nextTs = cur.timestamp;
            if (f.options().isSet(TraceOption.LATENCY_FORMAT)) {
                // only the latency format prints the gap to the next event
                int after = next(heads, has);
                nextTs = after < 0 ? cur.timestamp : heads[after].timestamp;
            }
            f.formatLine(cur, nextTs, st, out);
            return true;
        }
    }

    private static int next(EventCursor[] heads, boolean[] has) {
        int best = -1;
        for (int i = 0; i < heads.length; i++) {
            if (!has[i]) {
                continue;
            }
            if (best < 0 || Long.compareUnsigned(heads[i].timestamp, heads[best].timestamp) < 0) {
                best = i;
            }
        }
        return best;
    }
}
