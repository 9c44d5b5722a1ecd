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
 * <p>Stateless; each call reads the snapshots to their end.
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
     * Renders the {@code trace} file of the CPUs in {@code cpus} (index = CPU; null entries are
     * skipped).
     */
    public static byte[] render(TraceFormatter f, List<RingSnapshot> cpus, Info info) {
        TraceSeq out = new TraceSeq(4096);
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
        EventCursor[] heads = new EventCursor[n];
        boolean[] has = new boolean[n];
        for (int i = 0; i < n; i++) {
            heads[i] = new EventCursor();
            RingSnapshot s = cpus.get(i);
            has[i] = s != null && s.next(heads[i]);
            if (has[i]) {
                heads[i].cpu = i;
            }
        }
        boolean empty = true;
        for (boolean h : has) {
            empty &= !h;
        }
        TraceHeader.write(out, f.options(), info, entries, written, empty);
        TraceFormatter.IteratorState st = TraceFormatter.IteratorState.forTrace(overrun, info.timeStart);
        EventCursor spare = new EventCursor();
        while (true) {
            int best = next(heads, has);
            if (best < 0) {
                break;
            }
            EventCursor cur = heads[best];
            // refill this CPU's head from a spare cursor so we can look at the next timestamp
            heads[best] = spare;
            has[best] = cpus.get(best).next(spare);
            if (has[best]) {
                spare.cpu = best;
            }
            spare = cur;
            int after = next(heads, has);
            long nextTs = after < 0 ? cur.timestamp : heads[after].timestamp;
            f.formatLine(cur, nextTs, st, out);
        }
        return out.toBytes();
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
