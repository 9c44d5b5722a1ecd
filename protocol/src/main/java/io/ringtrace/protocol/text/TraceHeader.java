package io.ringtrace.protocol.text;

/**
 * The header of the {@code trace} file (s_show with no entry, trace_default_header): the tracer
 * line, then with {@code context-info} either the latency-format block (only when the buffer has
 * events) or, unless {@code verbose}, the entries line and the column legend of
 * print_func_help_header[_irq] (with a TGID column under {@code record-tgid}).
 */
public final class TraceHeader {

    private static final String SPACE12 = "            ";
    private static final String TGID_HEAD = "     TGID   ";
    private static final String TGID_BAR = "       |    ";

    private TraceHeader() {
    }

    /** Appends the header. */
    public static void write(TraceSeq out, TraceOptions o, TraceFile.Info info, long entries, long written,
            boolean empty) {
        out.puts("# tracer: ").puts(info.tracer).puts("\n#\n");
        if (!o.isSet(TraceOption.CONTEXT_INFO)) {
            return;
        }
        if (o.isSet(TraceOption.LATENCY_FORMAT)) {
            if (empty) {
                return;
            }
            latencyHeader(out, info, entries, written);
            if (!o.isSet(TraceOption.VERBOSE)) {
                latencyLegend(out);
            }
            return;
        }
        if (o.isSet(TraceOption.VERBOSE)) {
            return;
        }
        boolean tgid = o.isSet(TraceOption.RECORD_TGID);
        eventInfo(out, entries, written, info.onlineCpus);
        if (o.isSet(TraceOption.IRQ_INFO)) {
            String sp = tgid ? SPACE12 : SPACE12.substring(0, 2);
            String head = tgid ? TGID_HEAD : TGID_HEAD.substring(0, 2);
            String bar = tgid ? TGID_BAR : TGID_BAR.substring(0, 2);
            out.puts("#                            ").puts(sp).puts("  _-----=> irqs-off/BH-disabled\n");
            out.puts("#                            ").puts(sp).puts(" / _----=> need-resched\n");
            out.puts("#                            ").puts(sp).puts("| / _---=> hardirq/softirq\n");
            out.puts("#                            ").puts(sp).puts("|| / _--=> preempt-depth\n");
            out.puts("#                            ").puts(sp).puts("||| / _-=> migrate-disable\n");
            out.puts("#                            ").puts(sp).puts("|||| /     delay\n");
            out.puts("#           TASK-PID  ").puts(head).puts(" CPU#  |||||  TIMESTAMP  FUNCTION\n");
            out.puts("#              | |    ").puts(bar).puts("   |   |||||     |         |\n");
        } else {
            out.puts("#           TASK-PID    ").puts(tgid ? "   TGID   " : "").puts(" CPU#     TIMESTAMP  FUNCTION\n");
            out.puts("#              | |      ").puts(tgid ? "     |    " : "").puts("   |         |         |\n");
        }
    }

    /** print_event_info. */
    static void eventInfo(TraceSeq out, long entries, long written, int cpus) {
        out.puts("# entries-in-buffer/entries-written: ").puts(Long.toUnsignedString(entries)).put('/')
                .puts(Long.toUnsignedString(written)).puts("   #P:").dec(cpus).puts("\n#\n");
    }

    /** print_trace_header. */
    private static void latencyHeader(TraceSeq out, TraceFile.Info info, long entries, long written) {
        out.puts("# ").puts(info.tracer).puts(" latency trace v1.1.5 on ").puts(info.release).put('\n');
        out.puts("# --------------------------------------------------------------------\n");
        out.puts("# latency: 0 us, #").puts(Long.toUnsignedString(entries)).put('/')
                .puts(Long.toUnsignedString(written)).puts(", CPU#0 | (M:").puts(info.preemptModel)
                .puts(" VP:0, KP:0, SP:0 HP:0 #P:").dec(info.onlineCpus).puts(")\n");
        out.puts("#    -----------------\n");
        out.puts("#    | task: -0 (uid:0 nice:0 policy:0 rt_prio:0)\n");
        out.puts("#    -----------------\n");
        out.puts("#\n");
    }

    /** print_lat_help_header. */
    private static void latencyLegend(TraceSeq out) {
        out.puts("#                    _------=> CPU#            \n");
        out.puts("#                   / _-----=> irqs-off/BH-disabled\n");
        out.puts("#                  | / _----=> need-resched    \n");
        out.puts("#                  || / _---=> hardirq/softirq \n");
        out.puts("#                  ||| / _--=> preempt-depth   \n");
        out.puts("#                  |||| / _-=> migrate-disable \n");
        out.puts("#                  ||||| /     delay           \n");
        out.puts("#  cmd     pid     |||||| time  |   caller     \n");
        out.puts("#     \\   /        ||||||  \\    |    /       \n");
    }
}
