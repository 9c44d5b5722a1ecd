package io.ringtrace.protocol.text;

import io.ringtrace.protocol.event.Markers;

/**
 * The few kernel text addresses ringtrace records, with the names the kernel prints for them
 * (kallsyms): the {@code ip} of marker events is {@code tracing_mark_write+0x8a/0x170}. Any other
 * address prints as the kernel prints an unknown one.
 */
public final class KernelSymbols {

    static final String MARK_NAME = "tracing_mark_write";
    static final long MARK_OFFSET = 0x8a;
    static final long MARK_SIZE = 0x170;

    private KernelSymbols() {
    }

    /**
     * The /proc/kallsyms lines of these addresses (what trace-cmd extract saves, so that
     * {@code trace-cmd report} prints a marker's ip as the kernel's file shows it:
     * {@code print: tracing_mark_write: text}). The symbol after it (trace.c's next function)
     * ends it, at the size the kernel prints ({@code /0x170}): a reader of kallsyms finds a
     * function only below the next one's address.
     */
    public static String kallsyms() {
        long start = Markers.MARK_IP - MARK_OFFSET;
        return String.format("%016x T %s\n%016x t tracing_mark_raw_write\n", start, MARK_NAME, start + MARK_SIZE);
    }

    /** {@code %ps} (name) or {@code %pS} (name+off/size); {@code 0x...} when unknown. */
    static String symbol(long addr, boolean withOffset) {
        if (addr == Markers.MARK_IP) {
            return withOffset ? MARK_NAME + "+0x" + Long.toHexString(MARK_OFFSET) + "/0x" + Long.toHexString(MARK_SIZE)
                    : MARK_NAME;
        }
        return "0x" + Long.toHexString(addr);
    }

    private static final byte[] MARK_NAME_BYTES = bytes(symbol(Markers.MARK_IP, false));
    private static final byte[] MARK_NAME_OFFSET_BYTES = bytes(symbol(Markers.MARK_IP, true));

    private static byte[] bytes(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    /** {@link #name} as bytes, without allocating (shared arrays: do not modify). */
    static byte[] nameBytes(long addr, boolean withOffset) {
        if (addr == Markers.MARK_IP) {
            return withOffset ? MARK_NAME_OFFSET_BYTES : MARK_NAME_BYTES;
        }
        return null;
    }

    /** trace_seq_print_sym's name, or null when unknown. */
    static String name(long addr, boolean withOffset) {
        if (addr == Markers.MARK_IP) {
            return symbol(addr, withOffset);
        }
        return null;
    }
}
