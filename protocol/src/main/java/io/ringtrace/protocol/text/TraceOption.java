package io.ringtrace.protocol.text;

/**
 * The options of {@code trace_options} and {@code options/}: the core flags in the kernel's bit
 * order (trace_iterator_flags, with the function and stack flags of a 6.18 x86-64 build), then
 * tracer options ({@code nop}'s test options, {@code function}'s options).
 */
public enum TraceOption {
    PRINT_PARENT("print-parent", true, true),
    SYM_OFFSET("sym-offset", false, false),
    SYM_ADDR("sym-addr", false, false),
    VERBOSE("verbose", false, false),
    RAW("raw", false, false),
    HEX("hex", false, false),
    BIN("bin", false, false),
    BLOCK("block", false, false),
    FIELDS("fields", false, false),
    TRACE_PRINTK("trace_printk", true, true),
    ANNOTATE("annotate", true, true),
    USERSTACKTRACE("userstacktrace", false, false),
    SYM_USEROBJ("sym-userobj", false, false),
    PRINTK_MSG_ONLY("printk-msg-only", false, false),
    CONTEXT_INFO("context-info", true, true),
    LATENCY_FORMAT("latency-format", false, false),
    RECORD_CMD("record-cmd", true, true),
    RECORD_TGID("record-tgid", false, false),
    OVERWRITE("overwrite", true, true),
    DISABLE_ON_FREE("disable_on_free", false, false),
    IRQ_INFO("irq-info", true, true),
    MARKERS("markers", true, true),
    EVENT_FORK("event-fork", false, false),
    TRACE_PRINTK_DEST("trace_printk_dest", true, false),
    COPY_TRACE_MARKER("copy_trace_marker", true, false),
    PAUSE_ON_TRACE("pause-on-trace", false, false),
    HASH_PTR("hash-ptr", true, true),
    FUNCTION_TRACE("function-trace", true, true),
    FUNCTION_FORK("function-fork", false, false),
    STACKTRACE("stacktrace", false, false),
    // tracer options
    TEST_NOP_ACCEPT("test_nop_accept", "nop"),
    TEST_NOP_REFUSE("test_nop_refuse", "nop"),
    FUNC_STACK_TRACE("func_stack_trace", "function"),
    FUNC_NO_REPEATS("func-no-repeats", "function");

    private final String optionName;
    private final boolean defaultTop;
    private final boolean defaultInstance;
    private final String tracer;

    TraceOption(String name, boolean defaultTop, boolean defaultInstance) {
        this.optionName = name;
        this.defaultTop = defaultTop;
        this.defaultInstance = defaultInstance;
        this.tracer = null;
    }

    TraceOption(String name, String tracer) {
        this.optionName = name;
        this.defaultTop = false;
        this.defaultInstance = false;
        this.tracer = tracer;
    }

    /** The name as {@code trace_options} and {@code options/} spell it. */
    public String optionName() {
        return optionName;
    }

    /** Set by default at the top level. */
    public boolean defaultTop() {
        return defaultTop;
    }

    /** Set by default in a new instance (the top-level defaults minus event-fork, function-fork, trace_printk_dest, copy_trace_marker). */
    public boolean defaultInstance() {
        return defaultInstance;
    }

    /** True for a core option (not a tracer's). */
    public boolean isCore() {
        return tracer == null;
    }

    /** The tracer owning a tracer option, null for core options. */
    public String tracer() {
        return tracer;
    }

    /** Core options that exist only at the top level (no file in an instance's options/). */
    public boolean topLevelOnly() {
        return this == TRACE_PRINTK || this == PRINTK_MSG_ONLY || this == RECORD_CMD;
    }

    /** The option named {@code name}, or null. */
    public static TraceOption byName(String name) {
        for (TraceOption o : values()) {
            if (o.optionName.equals(name)) {
                return o;
            }
        }
        return null;
    }
}
