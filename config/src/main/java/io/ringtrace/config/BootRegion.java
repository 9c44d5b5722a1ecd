package io.ringtrace.config;

import java.util.Objects;
import java.util.Optional;

/**
 * The memory a persistent boot instance lives in: a {@code reserve_mem} region found by label
 * ({@code trace_instance=NAME@LABEL}), or a range given by address ({@code @ADDR:SIZE}, the
 * kernel's {@code TRACE_ARRAY_FL_MEMMAP} case: such an instance can never be removed). Start and
 * size are page aligned. In ringtrace the data lives in the journal, not at an address: the
 * {@link #key()} names it across restarts, the start only reproduces the kernel's checks and
 * messages.
 *
 * @param label the reserve_mem label, empty for an address range
 * @param start physical start (simulated for labels, see {@link ReserveMem})
 * @param size bytes, split evenly across the CPU buffers
 * @param align the reservation's alignment; the page size for an address range
 */
public record BootRegion(Optional<String> label, long start, long size, long align) {

    public BootRegion {
        Objects.requireNonNull(label, "label");
        if (start <= 0 || size <= 0 || start % BootPlan.PAGE_SIZE != 0
                || size % BootPlan.PAGE_SIZE != 0 || align <= 0) {
            throw new IllegalArgumentException("region must be page aligned and non-empty");
        }
    }

    static BootRegion of(ReserveMem mem) {
        return new BootRegion(Optional.of(mem.label()), mem.start(), mem.size(), mem.align());
    }

    static BootRegion of(MemoryRange range) {
        return new BootRegion(Optional.empty(), range.start(), range.size(), BootPlan.PAGE_SIZE);
    }

    /** True for an {@code @ADDR:SIZE} range: the instance holds an extra reference, rmdir is EBUSY. */
    public boolean memmap() {
        return label.isEmpty();
    }

    /**
     * A stable name for the region's data: the label, or {@code memmap@0x<start>} for an address
     * range. Two instances of one boot never share a key.
     */
    public String key() {
        return label.orElseGet(() -> "memmap@0x" + Long.toHexString(start));
    }
}
