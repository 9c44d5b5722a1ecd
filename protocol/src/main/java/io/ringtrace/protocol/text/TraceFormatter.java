package io.ringtrace.protocol.text;

import io.ringtrace.protocol.TraceClock;
import io.ringtrace.protocol.event.EventField;
import io.ringtrace.protocol.event.EventRegistry;
import io.ringtrace.protocol.event.EventType;
import io.ringtrace.protocol.event.SavedCmdlines;
import io.ringtrace.protocol.ring.EventCursor;
import io.ringtrace.protocol.ring.PageFormat;

import java.util.Arrays;
import java.util.BitSet;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Formats recorded events as the {@code trace} and {@code trace_pipe} files print them
 * (print_trace_line): lost-events lines, then one of the bin, hex, raw or normal formats chosen by
 * the options, the normal one being the context ({@code comm-pid [cpu] flags timestamp: }, or the
 * latency-format context) and the event text: the event's print fmt, {@code tracing_mark_write:
 * <msg>} for markers, {@code # <id> buf: ..} for raw markers, or every field with option
 * {@code fields}.
 *
 * <p>Reads options at each call. Thread-safe (iteration state lives in {@link IteratorState}).
 */
public final class TraceFormatter {

    /** What one reader (an open trace or trace_pipe file) carries from line to line. */
    public static final class IteratorState {
        /** TRACE_FILE_ANNOTATE: the buffer had overruns when the file was opened. */
        boolean annotate;
        /** CPUs whose first event was seen. */
        final BitSet started = new BitSet();
        /** iter->idx: index of the entry being printed (first entry 0). */
        long idx = -1;
        /** array_buffer->time_start, for latency-format timestamps. */
        long timeStart;
        /** Scratch for the comm of the line being printed. */
        final byte[] comm = new byte[SavedCmdlines.COMM_LEN];
        /**
         * The {@code %16s-%-7d } text of the last pid printed and the comm it was made with
         * (consecutive lines mostly come from the same task): reused while both are the same.
         */
        private int prefixPid = -1;
        private int prefixCommLen = -1;
        private final byte[] prefixComm = new byte[SavedCmdlines.COMM_LEN];
        private final TraceSeq prefix = new TraceSeq(32);
        /** The {@code %5llu} seconds text of the last timestamp printed, for {@code prefixSec}. */
        private long prefixSec = -1;
        private final TraceSeq secText = new TraceSeq(24);

        /** State for a {@code trace_pipe} reader (no annotations). */
        public static IteratorState forPipe() {
            return new IteratorState();
        }

        /**
         * State for a {@code trace} reader: {@code hadOverrun} enables the
         * {@code ##### CPU N buffer started ####} annotations; {@code timeStart} is the time of
         * the buffer's last reset (latency-format timestamps count from it).
         */
        public static IteratorState forTrace(boolean hadOverrun, long timeStart) {
            IteratorState s = new IteratorState();
            s.annotate = hadOverrun;
            s.timeStart = timeStart;
            return s;
        }
    }

    private final EventRegistry registry;
    private final SavedCmdlines cmdlines;
    private final TraceOptions options;
    private volatile TraceClock clock;
    private final Map<EventType, EventPrinter> printers;

    public TraceFormatter(EventRegistry registry, SavedCmdlines cmdlines, TraceClock clock, TraceOptions options) {
        this(registry, cmdlines, clock, options, new ConcurrentHashMap<>());
    }

    private TraceFormatter(EventRegistry registry, SavedCmdlines cmdlines, TraceClock clock, TraceOptions options,
            Map<EventType, EventPrinter> printers) {
        this.registry = registry;
        this.cmdlines = cmdlines;
        this.clock = clock;
        this.options = options;
        this.printers = printers;
    }

    /**
     * A formatter printing with a copy of the current options and with {@code clock}, sharing this
     * one's registry, comm cache and compiled printers: the output settings of one open
     * {@code trace} file, fixed when its text starts (later option writes do not change it).
     */
    public TraceFormatter frozen(TraceClock clock) {
        return new TraceFormatter(registry, cmdlines, clock, options.copy(), printers);
    }

    public TraceOptions options() {
        return options;
    }

    public TraceClock clock() {
        return clock;
    }

    public void setClock(TraceClock clock) {
        this.clock = clock;
    }

    public EventRegistry registry() {
        return registry;
    }

    public SavedCmdlines cmdlines() {
        return cmdlines;
    }

    /** The printer of a TRACE_EVENT type (compiled once). */
    public EventPrinter printer(EventType t) {
        return printers.computeIfAbsent(t, EventPrinter::compile);
    }

    /**
     * Appends the line(s) of the event in {@code c}. {@code nextTs} is the timestamp of the event
     * that follows (latency format shows the gap); pass {@code c.timestamp} when unknown.
     */
    public void formatLine(EventCursor c, long nextTs, IteratorState st, TraceSeq out) {
        st.idx++;
        if (c.lostEvents != 0) {
            out.puts("CPU:").dec(c.cpu);
            if (c.lostEvents == -1) {
                out.puts(" [LOST EVENTS]\n");
            } else {
                out.puts(" [LOST ").decUnsigned(c.lostEvents).puts(" EVENTS]\n");
            }
        }
        int typeId = c.type();
        EventType t = registry.byId(typeId);
        if (t != null && t.kind() == EventType.Kind.FTRACE_PRINT && options.isSet(TraceOption.TRACE_PRINTK)
                && options.isSet(TraceOption.PRINTK_MSG_ONLY)) {
            out.putCString(c.data, c.offset + 16, Math.max(0, c.length - 16));
            return;
        }
        if (options.isSet(TraceOption.BIN)) {
            binFmt(c, t, out);
        } else if (options.isSet(TraceOption.HEX)) {
            hexFmt(c, t, out);
        } else if (options.isSet(TraceOption.RAW)) {
            rawFmt(c, t, out);
        } else {
            traceFmt(c, t, nextTs, st, out);
        }
    }

    /** Formats one event as a pipe reader without latency format would (convenience). */
    public byte[] line(EventCursor c) {
        TraceSeq s = new TraceSeq();
        formatLine(c, c.timestamp, IteratorState.forPipe(), s);
        return s.toBytes();
    }

    // ---------------------------------------------------------------- formats

    private void binFmt(EventCursor c, EventType t, TraceSeq out) {
        if (options.isSet(TraceOption.CONTEXT_INFO)) {
            byte[] b = new byte[16];
            PageFormat.putInt(b, 0, c.pid());
            PageFormat.putInt(b, 4, c.cpu);
            PageFormat.putLong(b, 8, c.timestamp);
            out.put(b);
        }
        if (t != null) {
            nopPrint(c, out);
        }
    }

    private void hexFmt(EventCursor c, EventType t, TraceSeq out) {
        if (options.isSet(TraceOption.CONTEXT_INFO)) {
            out.hex(c.pid() & 0xffffffffL, 8).put(' ');
            out.hex(c.cpu & 0xffffffffL, 8).put(' ');
            out.hex(c.timestamp, 16).put(' ');
        }
        if (t != null) {
            nopPrint(c, out);
        }
        out.put('\n');
    }

    private void rawFmt(EventCursor c, EventType t, TraceSeq out) {
        if (options.isSet(TraceOption.CONTEXT_INFO)) {
            out.dec(c.pid()).put(' ').dec(c.cpu).put(' ').decUnsigned(c.timestamp).put(' ');
        }
        if (t == null) {
            out.dec(c.type()).puts(" ?\n");
            return;
        }
        switch (t.kind()) {
            case FTRACE_PRINT:
                out.puts("# ").hex(PageFormat.getLong(c.data, c.offset + 8), 0).put(' ');
                out.putCString(c.data, c.offset + 16, Math.max(0, c.length - 16));
                break;
            case FTRACE_RAW_DATA:
                rawData(c, out);
                break;
            default:
                nopPrint(c, out);
                break;
        }
    }

    private static void nopPrint(EventCursor c, TraceSeq out) {
        out.puts("type: ").dec(c.type()).put('\n');
    }

    private void traceFmt(EventCursor c, EventType t, long nextTs, IteratorState st, TraceSeq out) {
        testCpuBuffStart(c, st, out);
        if (options.isSet(TraceOption.CONTEXT_INFO)) {
            if (options.isSet(TraceOption.LATENCY_FORMAT)) {
                latContext(c, nextTs, st, out);
            } else {
                context(c, st, out);
            }
        }
        if (t == null) {
            out.puts("Unknown type ").dec(c.type()).put('\n');
            return;
        }
        if (options.isSet(TraceOption.FIELDS)) {
            eventFields(c, t, out);
            return;
        }
        eventText(c, t, out);
    }

    /** The event text alone (what follows {@code ": "} in a normal line), newline included. */
    public void eventText(EventCursor c, EventType t, TraceSeq out) {
        switch (t.kind()) {
            case FTRACE_PRINT: {
                long ip = PageFormat.getLong(c.data, c.offset + 8);
                printIpSym(ip, out);
                out.put(':').put(' ');
                out.putCString(c.data, c.offset + 16, Math.max(0, c.length - 16));
                break;
            }
            case FTRACE_RAW_DATA:
                rawData(c, out);
                break;
            default:
                printer(t).print(c.data, c.offset, c.length, out);
                break;
        }
    }

    /** seq_print_ip_sym with the sym-offset and sym-addr options. */
    private void printIpSym(long ip, TraceSeq out) {
        if (ip == 0) {
            out.put('0');
            return;
        }
        byte[] name = KernelSymbols.nameBytes(ip, options.isSet(TraceOption.SYM_OFFSET));
        if (name != null) {
            out.put(name);
        } else {
            out.puts("0x").hex(ip, 8);
        }
        if (options.isSet(TraceOption.SYM_ADDR)) {
            out.puts(" <").hex(ip, 16).put('>');
        }
    }

    private static void rawData(EventCursor c, TraceSeq out) {
        int id = PageFormat.getInt(c.data, c.offset + 8);
        out.puts("# ").hex(id & 0xffffffffL, 0).puts(" buf:");
        for (int i = 12; i < c.length; i++) {
            out.put(' ').hex(c.data[c.offset + i] & 0xff, 2);
        }
        out.put('\n');
    }

    /** print_event_fields. */
    private void eventFields(EventCursor c, EventType t, TraceSeq out) {
        if (t.isFtraceInternal()) {
            out.puts("UNKNOWN TYPE ").dec(t.id()).put('\n');
            return;
        }
        out.puts(t.name()).put(':');
        if (t.fields().isEmpty()) {
            out.puts("No fields found\n");
            return;
        }
        byte[] d = c.data;
        int off = c.offset;
        int len = c.length;
        for (EventField f : t.fields()) {
            out.put(' ').puts(f.name()).put('=');
            if (f.offset() + f.size() > len) {
                out.puts("<OVERFLOW>");
                continue;
            }
            switch (f.filterType()) {
                case STATIC_STRING:
                    out.putCString(d, off + f.offset(), f.size());
                    break;
                case DYN_STRING: {
                    long item = EventPrinter.read(d, off, len, f) & 0xffffffffL;
                    int loc = (int) (item & 0xffff);
                    int n = (int) (item >>> 16);
                    if (loc + n > len) {
                        out.puts("<OVERFLOW>");
                        break;
                    }
                    out.putCString(d, off + loc, n);
                    break;
                }
                default:
                    otherField(d, off, len, f, out);
                    break;
            }
        }
        out.put('\n');
    }

    private static void otherField(byte[] d, int off, int len, EventField f, TraceSeq out) {
        int p = off + f.offset();
        switch (f.size()) {
            case 1: {
                int v = d[p] & 0xff;
                if ((v >= 0x20 && v < 0x7f) || v >= 0xa0) { // the kernel's ctype: Latin-1 is printable
                    out.put('\'').put(v).put('\'');
                }
                out.put('(').dec(v).put(')');
                break;
            }
            case 2: {
                int v = PageFormat.getShort(d, p) & 0xffff;
                out.puts("0x").hex(v & 0xffffffffL, 0).puts(" (").dec(v).put(')');
                break;
            }
            case 4: {
                int v = PageFormat.getInt(d, p);
                if (f.type().contains("__data_loc")) {
                    int loc = v & 0xffff;
                    int n = (v >>> 16) & 0xffff;
                    if (loc + n > len) {
                        out.puts("<OVERFLOW>");
                        break;
                    }
                    for (int i = 0; i < n; i++) {
                        if (i > 0) {
                            out.put(',');
                        }
                        out.hex(d[off + loc + i] & 0xff, 2);
                    }
                    break;
                }
                out.puts("0x").hex(v & 0xffffffffL, 0).puts(" (").dec(v).put(')');
                break;
            }
            case 8: {
                long v = PageFormat.getLong(d, p);
                out.puts(KernelSymbols.symbol(v, true)).puts(" (").dec(v).put(')');
                break;
            }
            default:
                out.puts("<INVALID-SIZE>");
                break;
        }
    }

    // ---------------------------------------------------------------- context

    /** trace_print_context: {@code %16s-%-7d [%03d] flags timestamp: }. */
    private void context(EventCursor c, IteratorState st, TraceSeq out) {
        int pid = c.pid();
        int n = cmdlines.findBytes(pid, st.comm);
        if (pid != st.prefixPid || n != st.prefixCommLen || !Arrays.equals(st.comm, 0, n, st.prefixComm, 0, n)) {
            st.prefix.clear();
            st.prefix.padded(st.comm, 0, n, 16).put('-').dec(pid, -7).put(' ');
            System.arraycopy(st.comm, 0, st.prefixComm, 0, n);
            st.prefixCommLen = n;
            st.prefixPid = pid;
        }
        out.put(st.prefix);
        if (options.isSet(TraceOption.RECORD_TGID)) {
            int tgid = cmdlines.findTgid(pid);
            if (tgid == 0) {
                out.puts("(-------) ");
            } else {
                out.put('(').dec(tgid, 7).puts(") ");
            }
        }
        if (c.cpu >= 0 && c.cpu < CPU_COLUMNS) {
            out.put(CPU_COLUMN, c.cpu * 6, 6);
        } else {
            out.put('[').decZero(c.cpu, 3).puts("] ");
        }
        if (options.isSet(TraceOption.IRQ_INFO)) {
            latFmt(c.flags(), c.preemptCount(), out);
        }
        TraceClock ck = clock;
        if (ck.nanos()) {
            out.put(' ');
            long ts = c.timestamp;
            if (ts >= 0 && ts <= Long.MAX_VALUE - 500) {
                // %5llu.%06lu with the seconds text kept from the previous line
                long us = (ts + 500) / 1000;
                long sec = us / 1_000_000L;
                if (sec != st.prefixSec) {
                    st.secText.clear();
                    st.secText.dec(sec, 5);
                    st.prefixSec = sec;
                }
                out.put(st.secText).put('.').decZero(us - sec * 1_000_000L, 6);
            } else {
                out.nanosTimestamp(ts);
            }
        } else if (c.timestamp >= 0) {
            out.put(' ').dec(c.timestamp, 12);
        } else {
            out.put(' ').padded(Long.toUnsignedString(c.timestamp), 12);
        }
        out.put(':').put(' ');
    }

    private static final char[] HEX_DIGITS = "0123456789abcdef".toCharArray();

    /** {@code [%03d] } of CPUs 0 .. CPU_COLUMNS-1, 6 bytes each. */
    private static final int CPU_COLUMNS = 256;
    private static final byte[] CPU_COLUMN = new byte[CPU_COLUMNS * 6];

    static {
        TraceSeq s = new TraceSeq(CPU_COLUMN.length);
        for (int cpu = 0; cpu < CPU_COLUMNS; cpu++) {
            s.put('[').decZero(cpu, 3).puts("] ");
        }
        s.copyTo(0, CPU_COLUMN, 0, CPU_COLUMN.length);
    }

    /** The three flag characters of {@link #latFmt} for every common_flags byte. */
    private static final byte[] LAT_FLAGS = new byte[256 * 3];

    static {
        for (int f = 0; f < 256; f++) {
            TraceSeq s = new TraceSeq(8);
            latFlags(f, s);
            for (int i = 0; i < 3; i++) {
                LAT_FLAGS[3 * f + i] = s.byteAt(i);
            }
        }
    }

    /** trace_print_lat_fmt: the five flag characters. */
    static void latFmt(int flags, int preempt, TraceSeq out) {
        out.put(LAT_FLAGS, 3 * (flags & 0xff), 3);
        out.put((preempt & 0xf) != 0 ? HEX_DIGITS[preempt & 0xf] : '.');
        out.put((preempt & 0xf0) != 0 ? HEX_DIGITS[(preempt >> 4) & 0xf] : '.');
    }

    /** The irqs-off, need-resched and hardirq/softirq characters of trace_print_lat_fmt. */
    private static void latFlags(int flags, TraceSeq out) {
        boolean nmi = (flags & 0x40) != 0;
        boolean hardirq = (flags & 0x08) != 0;
        boolean softirq = (flags & 0x10) != 0;
        boolean bhOff = (flags & 0x80) != 0;
        boolean irqsOff = (flags & 0x01) != 0;
        char irq = irqsOff && bhOff ? 'D' : irqsOff ? 'd' : bhOff ? 'b' : '.';
        char nr;
        switch (flags & (0x04 | 0x02 | 0x20)) {
            case 0x04 | 0x02 | 0x20:
                nr = 'B';
                break;
            case 0x04 | 0x20:
                nr = 'N';
                break;
            case 0x02 | 0x20:
                nr = 'L';
                break;
            case 0x04 | 0x02:
                nr = 'b';
                break;
            case 0x04:
                nr = 'n';
                break;
            case 0x20:
                nr = 'p';
                break;
            case 0x02:
                nr = 'l';
                break;
            default:
                nr = '.';
                break;
        }
        char hs = nmi && hardirq ? 'Z' : nmi ? 'z' : hardirq && softirq ? 'H' : hardirq ? 'h' : softirq ? 's' : '.';
        out.put(irq).put(nr).put(hs);
    }

    /** trace_print_lat_context. */
    private void latContext(EventCursor c, long nextTs, IteratorState st, TraceSeq out) {
        int pid = c.pid();
        boolean verbose = options.isSet(TraceOption.VERBOSE);
        int n = cmdlines.findBytes(pid, st.comm);
        if (verbose) {
            out.padded(st.comm, 0, n, 16).put(' ').dec(pid, 7).put(' ').dec(c.cpu, 3).put(' ')
                    .dec(c.flags()).put(' ').hex(c.preemptCount() & 0xf, 8).put(' ').hex(st.idx, 8).put(' ');
        } else {
            out.padded(st.comm, 0, Math.min(n, 8), 8).put('-').dec(pid, -7).put(' ').dec(c.cpu, 3);
            latFmt(c.flags(), c.preemptCount(), out);
        }
        TraceClock ck = clock;
        boolean inNs = ck.nanos();
        long abs = c.timestamp - st.timeStart;
        long rel = nextTs - c.timestamp;
        if (inNs) {
            abs = (abs + 500) / 1000;
            rel = (rel + 500) / 1000;
        }
        if (verbose && inNs) {
            long tsUs = (c.timestamp + 500) / 1000;
            out.put('[').hex(tsUs, 8).puts("] ")
                    .dec(abs / 1000).put('.').decZero(abs % 1000, 3).puts("ms (+")
                    .dec(rel / 1000).put('.').decZero(rel % 1000, 3).puts("ms): ");
        } else if (verbose) {
            out.put('[').hex(c.timestamp, 16).puts("] ").dec(abs).puts(" (+").dec(rel).puts("): ");
        } else if (inNs) {
            out.put(' ').dec(abs, 4).puts("us").put(mark(rel * 1000)).puts(": ");
        } else {
            out.put(' ').dec(abs, 4).puts(": ");
        }
    }

    /** trace_find_mark. */
    static char mark(long d) {
        if (d > 1_000_000_000L) {
            return '$';
        }
        if (d > 100_000_000L) {
            return '@';
        }
        if (d > 10_000_000L) {
            return '*';
        }
        if (d > 1_000_000L) {
            return '#';
        }
        if (d > 100_000L) {
            return '!';
        }
        if (d > 10_000L) {
            return '+';
        }
        return ' ';
    }

    /** test_cpu_buff_start: {@code ##### CPU N buffer started ####} before a CPU's first event. */
    private void testCpuBuffStart(EventCursor c, IteratorState st, TraceSeq out) {
        if (!options.isSet(TraceOption.ANNOTATE) || !st.annotate) {
            return;
        }
        if (st.started.get(c.cpu)) {
            return;
        }
        st.started.set(c.cpu);
        if (st.idx > 1) {
            out.puts("##### CPU ").dec(c.cpu).puts(" buffer started ####\n");
        }
    }
}
