package io.ringtrace.persistence;

import io.ringtrace.protocol.CborSerializable;

/**
 * The layout of a reserved region as a persistent instance uses it (the kernel's
 * {@code ring_buffer_meta}: total size, and per CPU the sub-buffer size and count). A persistent
 * instance stores the geometry it was created with; when the next boot asks for another one the
 * old data is dropped, as rb_meta_init does on "Ring buffer boot meta mismatch".
 *
 * @param reservedSize bytes of the {@code reserve_mem} region
 * @param cpus         number of CPU buffers the region is split across
 * @param subbufSize   sub-buffer (page) size in bytes
 */
public record Geometry(long reservedSize, int cpus, int subbufSize) implements CborSerializable {

    /** sizeof(struct ring_buffer_meta): magic, struct_sizes, total_size, buffers_offset. */
    static final int RANGE_META_SIZE = 24;
    /** The tracing scratch area: clock_id, text_addr, nr_entries and 128 module entries of 64 bytes. */
    static final int SCRATCH_SIZE = 24 + 128 * 64;
    /** sizeof(struct ring_buffer_cpu_meta) without its buffers[] array (64-bit, 2026 layout). */
    static final int CPU_META_SIZE = 40;

    public Geometry {
        if (reservedSize <= 0 || cpus <= 0 || subbufSize <= 0 || Integer.bitCount(subbufSize) != 1) {
            throw new IllegalArgumentException("bad geometry: size " + reservedSize + ", cpus " + cpus
                    + ", subbuf " + subbufSize);
        }
    }

    /**
     * Data sub-buffers per CPU (the reader page not counted), following the kernel's sizing of a
     * range-mapped buffer (section 6.1): the range starts with the range meta and the scratch
     * area; the rest is split across CPUs; each CPU holds its cpu_meta with one {@code int} per
     * sub-buffer, aligned up to the sub-buffer size, then its sub-buffers; the count is lowered
     * until every CPU fits; one sub-buffer is then the reader page. Returns 0 when fewer than
     * three sub-buffers fit (the kernel refuses such a range).
     */
    public int nrPages() {
        long buffersStart = align(RANGE_META_SIZE, 8) + align(SCRATCH_SIZE, 8);
        long perCpu = (reservedSize - buffersStart) / cpus;
        long nr = (perCpu - CPU_META_SIZE) / (subbufSize + 4L);
        if (nr < 3) {
            return 0;
        }
        while (true) {
            long ptr = buffersStart;
            for (int c = 0; c < cpus; c++) {
                ptr += CPU_META_SIZE + 4L * nr;
                ptr = align(ptr, subbufSize);
                ptr += (long) subbufSize * nr;
            }
            if (ptr <= reservedSize) {
                break;
            }
            if (nr <= 3) {
                return 0;
            }
            nr--;
        }
        return (int) (nr - 1);
    }

    /**
     * The first field that differs from {@code other}, in the words of the kernel's
     * "Ring buffer boot meta mismatch of ..." message, or null when they are equal.
     */
    public String mismatch(Geometry other) {
        if (reservedSize != other.reservedSize) {
            return "total size";
        }
        if (cpus != other.cpus) {
            return "cpus";
        }
        if (subbufSize != other.subbufSize) {
            return "subbuf size";
        }
        return null;
    }

    private static long align(long v, long a) {
        return (v + a - 1) / a * a;
    }
}
