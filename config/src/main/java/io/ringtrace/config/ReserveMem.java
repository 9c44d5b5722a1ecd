package io.ringtrace.config;

import java.util.Objects;

/**
 * One {@code reserve_mem=SIZE:ALIGN:LABEL} reservation that was made. ringtrace has no physical
 * memory; it models memblock's top-down allocation so that every reservation gets a stable
 * simulated start address (used for the kernel's page-alignment check and log lines only, never
 * as a storage key: the label is the key, as {@code range_name} is in the kernel).
 *
 * @param label the name trace_instance uses after {@code @}; 1 to 15 characters, unique
 * @param start simulated physical start: {@code size} bytes below the previous reservation,
 *     rounded down to {@code align}
 * @param size bytes reserved, at least 1
 * @param align alignment in bytes as given, raised to at least {@link #MIN_ALIGN}
 */
public record ReserveMem(String label, long start, long size, long align) {

    /** memblock's floor for the alignment ({@code SMP_CACHE_BYTES} on x86-64). */
    public static final long MIN_ALIGN = 64;

    public ReserveMem {
        Objects.requireNonNull(label, "label");
        if (label.isEmpty() || size <= 0 || align < MIN_ALIGN || start < 0) {
            throw new IllegalArgumentException("bad reserve_mem " + label);
        }
    }
}
