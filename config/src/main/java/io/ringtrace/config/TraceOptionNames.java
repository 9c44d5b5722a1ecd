package io.ringtrace.config;

import java.util.List;

/**
 * The option names a 6.18 kernel lists in the top level's {@code trace_options}, in bit order:
 * the core flags (section 7.6 of the tracefs notes), then the configuration-dependent ones and the
 * nop tracer's two test options. {@code trace_options=} on the command line accepts these names.
 */
public final class TraceOptionNames {

    /** Every name, in the order {@code trace_options} prints them. */
    public static final List<String> ALL = List.of(
            "print-parent", "sym-offset", "sym-addr", "verbose", "raw", "hex", "bin", "block",
            "fields", "trace_printk", "annotate", "userstacktrace", "sym-userobj",
            "printk-msg-only", "context-info", "latency-format", "record-cmd", "record-tgid",
            "overwrite", "disable_on_free", "irq-info", "markers", "event-fork",
            "trace_printk_dest", "copy_trace_marker", "pause-on-trace", "hash-ptr",
            "function-trace", "function-fork", "stacktrace", "test_nop_accept",
            "test_nop_refuse");

    private TraceOptionNames() {
    }

    /** True for a name in {@link #ALL} (exact, case-sensitive, as the kernel compares). */
    public static boolean isKnown(String name) {
        return ALL.contains(name);
    }
}
