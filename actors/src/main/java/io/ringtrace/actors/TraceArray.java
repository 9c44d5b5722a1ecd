package io.ringtrace.actors;

import io.ringtrace.protocol.Errno;
import io.ringtrace.protocol.ErrnoException;
import io.ringtrace.protocol.TraceClock;
import io.ringtrace.protocol.ring.PageFormat;
import io.ringtrace.protocol.ring.RingBuffer;
import io.ringtrace.protocol.ring.TraceBuffer;

/**
 * The state of one trace instance, the kernel's {@code struct trace_array}: flags, reference
 * counts, buffer, tracer, clock, cpumask and sizes, with the kernel's operations on them
 * (resize, reset, update_last_data). Confined to its {@link TraceInstance} actor; only the
 * {@link TraceBuffer} is shared with producer threads.
 */
public final class TraceArray {
    /** Per-CPU data size the kernel uses by default (trace_buf_size): 1441792 bytes. */
    public static final long DEFAULT_BUFFER_BYTES = 1441792L;

    private final String name;
    private final int cpus;
    private int flags;
    private final TraceBuffer buffer;
    private TraceClock clock = TraceClock.LOCAL;
    private String tracer = "nop";
    private long cpumask;
    private int bufferPercent = 50;
    private int subbufSize = PageFormat.DEFAULT_SUBBUF_SIZE;
    /** ref starts at 1 (the instance's own), raised by every reference-holding open. */
    int ref = 1;
    /** Open consuming readers (trace_pipe, trace_pipe_raw). */
    int traceRef;
    /** Set by update_last_data on a backup: no new opens, removal after the last close. */
    boolean freeOnClose;
    /** CPUs whose trace_pipe is open (pipe_cpumask). */
    long pipeCpumask;
    /** Description of the boot whose data the buffer holds, for last_boot_info. */
    private String lastBootInfo = "# Current\n";
    private Runnable onLastDataDropped = () -> { };
    /**
     * Per CPU, the size buffer_size_kb shows, in bytes (the kernel's array_buffer.data->entries):
     * set when the buffer is made and resized (update_buffer_entries), not when the sub-buffer
     * size changes, which recomputes the number of sub-buffers but leaves the shown size alone.
     */
    private final long[] shownBytes;

    public TraceArray(String name, int cpus, long bufferBytes, int flags) {
        this(name, cpus, pagesFor(bufferBytes, PageFormat.DEFAULT_SUBBUF_SIZE), flags, true);
    }

    private TraceArray(String name, int cpus, int nrPages, int flags, boolean unused) {
        this.name = name;
        this.cpus = cpus;
        this.flags = flags;
        this.cpumask = cpus >= 64 ? -1L : (1L << cpus) - 1;
        this.buffer = new TraceBuffer(cpus, subbufSize, nrPages, true, clock);
        this.shownBytes = new long[cpus];
        noteSizes(-1);
    }

    /** update_buffer_entries: what buffer_size_kb shows becomes the CPU's (or every CPU's) size. */
    private void noteSizes(int cpu) {
        for (int c = 0; c < cpus; c++) {
            if (cpu < 0 || cpu == c) {
                RingBuffer r = buffer.cpu(c);
                shownBytes[c] = (long) r.nrPages() * PageFormat.capacity(r.subbufSize());
            }
        }
    }

    /**
     * A range-mapped array (persistent or backup) whose size is fixed by the reserved region:
     * {@code nrPages} data sub-buffers per CPU.
     */
    public static TraceArray ranged(String name, int cpus, int nrPages, int flags) {
        return new TraceArray(name, cpus, Math.max(2, nrPages), flags, true);
    }

    /** Sets the clock without erasing (the clock a previous boot recorded with, kept in scratch). */
    void restoreClock(TraceClock c) {
        clock = c;
        buffer.setClock(c);
    }

    /** A memmap instance (@ADDR:SIZE) holds an extra permanent reference: it can never be removed. */
    void pin() {
        ref++;
    }

    public String name() {
        return name;
    }

    public int cpus() {
        return cpus;
    }

    public TraceBuffer buffer() {
        return buffer;
    }

    public boolean has(int flag) {
        return (flags & flag) != 0;
    }

    public int flags() {
        return flags;
    }

    void setFlag(int flag, boolean on) {
        flags = on ? flags | flag : flags & ~flag;
    }

    /** Range-mapped (persistent or backup): fixed size, last_boot_info, no snapshot. */
    public boolean isRange() {
        return has(InstanceFlags.BOOT);
    }

    public boolean isReadOnly() {
        return has(InstanceFlags.RDONLY);
    }

    public TraceClock clock() {
        return clock;
    }

    public String tracer() {
        return tracer;
    }

    /** A mask with a bit for every CPU of this instance. */
    public long cpumaskAll() {
        return cpus >= 64 ? -1L : (1L << cpus) - 1;
    }

    public long cpumask() {
        return cpumask;
    }

    public int bufferPercent() {
        return bufferPercent;
    }

    public int subbufSize() {
        return subbufSize;
    }

    public String lastBootInfo() {
        return has(InstanceFlags.LAST_BOOT) ? lastBootInfo : "# Current\n";
    }

    /** Sets the text last_boot_info shows while LAST_BOOT is set. */
    public void setLastBootInfo(String text) {
        this.lastBootInfo = text;
    }

    /** Called after update_last_data dropped the previous boot's data (persistence hooks in). */
    public void onLastDataDropped(Runnable hook) {
        this.onLastDataDropped = hook;
    }

    // ------------------------------------------------------------------ sizes

    /** Number of sub-buffers for a per-CPU size in bytes: ceil(bytes / capacity), at least 2. */
    public static int pagesFor(long bytes, int subbufSize) {
        long cap = PageFormat.capacity(subbufSize);
        long pages = (bytes + cap - 1) / cap;
        return (int) Math.max(2, Math.min(pages, Integer.MAX_VALUE / 2));
    }

    /**
     * buffer_size_kb of one CPU: nr_pages * capacity >> 10 as of the last resize (a change of
     * buffer_subbuf_size_kb since does not show, as in the kernel).
     */
    public long sizeKb(int cpu) {
        return shownBytes[cpu] >> 10;
    }

    /** buffer_size_kb of the instance: the per-CPU size, or "X" when CPUs differ. */
    public String sizeKbText() {
        long first = sizeKb(0);
        for (int c = 1; c < cpus; c++) {
            if (sizeKb(c) != first) {
                return "X\n";
            }
        }
        return first + "\n";
    }

    public long totalSizeKb() {
        long sum = 0;
        for (int c = 0; c < cpus; c++) {
            sum += sizeKb(c);
        }
        return sum;
    }

    /**
     * Resizes one CPU or all (cpu &lt; 0) to {@code kb} KiB (tracing_resize_ring_buffer):
     * EINVAL for 0, EBUSY on range instances. Tracing pauses during the resize.
     */
    public void resize(long kb, int cpu) throws ErrnoException {
        if (kb == 0) {
            throw new ErrnoException(Errno.EINVAL);
        }
        if (isRange()) {
            throw new ErrnoException(Errno.EBUSY);
        }
        if (kb > (1L << 40)) {
            throw new ErrnoException(Errno.ENOMEM);
        }
        int pages = pagesFor(kb << 10, subbufSize);
        long bytesPerCpu = (long) pages * subbufSize;
        if (bytesPerCpu > Runtime.getRuntime().maxMemory() / 4) {
            throw new ErrnoException(Errno.ENOMEM);
        }
        resizePages(pages, cpu);
    }

    /** free_buffer on close: shrink to the minimum (2 pages per CPU); range buffers are left alone. */
    public void freeBuffer() {
        if (!isRange()) {
            resizePages(2, -1);
        }
    }

    private void resizePages(int pages, int cpu) {
        boolean on = buffer.tracingOn();
        buffer.setTracingOn(false);
        try {
            for (int c = 0; c < cpus; c++) {
                if (cpu < 0 || cpu == c) {
                    buffer.cpu(c).resize(pages);
                }
            }
            noteSizes(cpu);
        } finally {
            buffer.setTracingOn(on);
        }
    }

    /**
     * buffer_subbuf_size_kb: rounds the KiB up to a power-of-two number of pages (1..128 pages);
     * EINVAL outside, EBUSY on range instances; the content is lost and the total size kept.
     */
    public void setSubbufKb(long kb) throws ErrnoException {
        long pages = (kb * 1024 + 4095) / 4096;
        if (kb <= 0 || pages <= 0 || pages > 128) {
            throw new ErrnoException(Errno.EINVAL);
        }
        int order = 64 - Long.numberOfLeadingZeros(pages - 1);
        if (isRange()) {
            throw new ErrnoException(Errno.EBUSY);
        }
        int size = 4096 << order;
        if (size == subbufSize) {
            return;
        }
        boolean on = buffer.tracingOn();
        buffer.setTracingOn(false);
        try {
            for (int c = 0; c < cpus; c++) {
                RingBuffer r = buffer.cpu(c);
                long bytes = (long) r.nrPages() * PageFormat.capacity(r.subbufSize());
                r.setSubbufSize(size);
                r.resize(pagesFor(bytes, size));
            }
            subbufSize = size;
        } finally {
            buffer.setTracingOn(on);
        }
    }

    // ------------------------------------------------------------------ control

    public void setBufferPercent(long v) throws ErrnoException {
        if (v > 100) {
            throw new ErrnoException(Errno.EINVAL);
        }
        bufferPercent = (int) v;
    }

    /** tracing_on: does not clear and does not call update_last_data (kernel quirk kept). */
    public void setTracingOn(boolean on) {
        buffer.setTracingOn(on);
    }

    public void setCpumask(long mask) {
        for (int c = 0; c < cpus; c++) {
            buffer.cpu(c).setRecordOn((mask & (1L << c)) != 0);
        }
        cpumask = mask;
    }

    /** trace_clock: clears the buffer, then update_last_data_if_empty; a persistent instance saves it. */
    public void setClock(TraceClock c) {
        clock = c;
        buffer.setClock(c);
        resetBuffers();
        updateLastDataIfEmpty();
        if (!has(InstanceFlags.LAST_BOOT)) {
            onClockSet.accept(c);
        }
    }

    private java.util.function.Consumer<TraceClock> onClockSet = c -> { };

    /** Called when the clock changes while the buffer holds this boot's data (scratch clock_id). */
    public void onClockSet(java.util.function.Consumer<TraceClock> hook) {
        this.onClockSet = hook;
    }

    /**
     * current_tracer: update_last_data first; an unknown tracer is EINVAL; the same tracer is a
     * no-op; a change with consuming readers open is EBUSY; a change clears the buffer.
     */
    public void setTracer(String t) throws ErrnoException {
        updateLastData();
        if (!"nop".equals(t)) {
            throw new ErrnoException(Errno.EINVAL);
        }
        if (t.equals(tracer)) {
            return;
        }
        if (traceRef > 0) {
            throw new ErrnoException(Errno.EBUSY);
        }
        tracer = t;
        resetBuffers();
        updateLastDataIfEmpty();
    }

    /** Erases every CPU (trace O_TRUNC on the top file, clock and tracer changes). */
    public void resetBuffers() {
        buffer.reset();
    }

    /**
     * update_last_data (section 6.4): only with BOOT and LAST_BOOT. A backup copy (VMALLOC) gets
     * free_on_close; a persistent instance drops the previous boot's data and records from now on.
     */
    public void updateLastData() {
        if (!has(InstanceFlags.BOOT) || !has(InstanceFlags.LAST_BOOT)) {
            return;
        }
        setFlag(InstanceFlags.LAST_BOOT, false);
        if (has(InstanceFlags.VMALLOC)) {
            freeOnClose = true;
        }
        resetBuffers();
        onLastDataDropped.run();
    }

    /** update_last_data_if_empty: only when LAST_BOOT is set and no CPU holds data. */
    public void updateLastDataIfEmpty() {
        if (has(InstanceFlags.LAST_BOOT) && buffer.isEmpty()) {
            updateLastData();
        }
    }
}
