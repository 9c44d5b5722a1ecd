package io.ringtrace.config;

/**
 * A physical range given directly on the command line, the {@code @ADDR:SIZE} form of
 * {@code trace_instance=} (x86 {@code memmap=} style).
 *
 * @param start first byte, non-zero
 * @param size length in bytes, non-zero
 */
public record MemoryRange(long start, long size) {

    public MemoryRange {
        if (start <= 0 || size <= 0) {
            throw new IllegalArgumentException("start and size must be positive");
        }
    }

    /** Exclusive end, saturated at {@link Long#MAX_VALUE}. */
    public long end() {
        long e = start + size;
        return e < 0 ? Long.MAX_VALUE : e;
    }

    /** True when the two ranges share at least one byte. */
    public boolean overlaps(MemoryRange other) {
        return start < other.end() && other.start < end();
    }
}
