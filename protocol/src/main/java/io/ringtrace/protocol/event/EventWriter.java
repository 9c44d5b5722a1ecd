package io.ringtrace.protocol.event;

import io.ringtrace.protocol.ring.PageFormat;
import io.ringtrace.protocol.ring.RingBuffer;
import io.ringtrace.protocol.ring.TraceBuffer;

/**
 * One event type's writer on one recorder: the call site of a hot event, as the kernel's
 * {@code trace_<event>()} is one per TRACE_EVENT and JFR's writer one per event class. Made once
 * by {@link EventRecorder#writer(EventType)} and held by the code that records the event; its
 * {@code record} methods write the same bytes as {@link EventRecorder#record(EventType, int, long, long)}
 * and take the same decisions, with what the recorder finds again on every event fixed when the
 * writer is made (the field offsets and sizes, the padding to zero) or when the event's route
 * changes (the ring of the one instance that takes the event as is).
 *
 * <pre>{@code
 * EventWriter gcPause = tracer.recorder().writer(gcPauseType);   // once, on the producer thread
 * gcPause.record(1, 1_500_000);                                   // per event: gen, pause_ns
 * gcPause.recordOn(3, 1, 1_500_000);                              // the same on CPU 3
 * }</pre>
 *
 * <p>The route is checked on every event with two volatile reads: the type's enabled instances
 * ({@link EventType#enabledFiles()}, an array published again whenever an instance starts or stops
 * looking at the event's payload first) and that instance's {@code tracing_on}. Whenever the event
 * goes to no instance or to several, or to one with a filter, trigger, pid list or soft-disable,
 * the writer hands it to its recorder, which handles every case; so does a call with more values
 * than the event has number fields, or for an event with string or array fields.
 *
 * <p>Not thread-safe: a writer belongs to its recorder's thread.
 */
public final class EventWriter {
    private final EventRecorder rec;
    private final EventType type;
    private final int size;
    private final int typeBits;
    /** Number fields of the type (0 when it has a string or array field: never written in place). */
    private final int fields;
    private final int slot0;
    private final int slot1;
    private final int slot2;
    private final int slot3;
    /**
     * For n = 0 .. 4 given fields: bit i set when the word at 8 + 4i must be zeroed (padding and
     * fields not given); -1 when the struct is too large for a mask (the type's word list is used).
     */
    private final long[] zeroMasks;

    // the route the last in-place event took; files == null: none cached
    private EventFile[] files;
    /** An enabled-files array for which the recorder takes every event (none, several, or a look first). */
    private EventFile[] recorderFiles;
    private TraceBuffer buffer;
    private RingBuffer ring;
    private int ringCpu;

    EventWriter(EventRecorder rec, EventType type) {
        this.rec = rec;
        this.type = type;
        this.size = type.structSize();
        this.typeBits = type.id() & 0xffff;
        int[] layout = type.numberLayout();
        this.fields = layout == null ? 0 : layout.length;
        this.slot0 = slot(layout, 0);
        this.slot1 = slot(layout, 1);
        this.slot2 = slot(layout, 2);
        this.slot3 = slot(layout, 3);
        long[] z = new long[5];
        for (int n = 0; layout != null && n <= Math.min(4, fields); n++) {
            long m = 0;
            for (int w : type.zeroWords(n)) {
                int bit = (w - EventType.HEADER_SIZE) >> 2;
                if (bit >= 64) {
                    m = -1;
                    break;
                }
                m |= 1L << bit;
            }
            z[n] = m;
        }
        this.zeroMasks = z;
    }

    private static int slot(int[] layout, int i) {
        return layout != null && i < layout.length ? layout[i] : 0;
    }

    public EventType type() {
        return type;
    }

    /** The recorder whose thread, pid, comm, CPU and context this writer's events carry. */
    public EventRecorder recorder() {
        return rec;
    }

    /** True when some instance wants the event: callers may skip computing arguments otherwise. */
    public boolean isEnabled() {
        return type.enabledFiles().length != 0;
    }

    // ---------------------------------------------------------------- recording

    /** Records the event on the recorder's CPU with its first field set (the rest zero or empty). */
    public boolean record(long v0) {
        return recordOn(rec.defaultCpu(), v0);
    }

    /** Records the event on the recorder's CPU with its first two fields set. */
    public boolean record(long v0, long v1) {
        return recordOn(rec.defaultCpu(), v0, v1);
    }

    public boolean record(long v0, long v1, long v2) {
        return recordOn(rec.defaultCpu(), v0, v1, v2);
    }

    public boolean record(long v0, long v1, long v2, long v3) {
        return recordOn(rec.defaultCpu(), v0, v1, v2, v3);
    }

    /** Records the event on {@code cpu} with its first field set. */
    public boolean recordOn(int cpu, long v0) {
        return recordOn(cpu, 1, v0, 0, 0, 0);
    }

    /** Records the event on {@code cpu} with its first two fields set. */
    public boolean recordOn(int cpu, long v0, long v1) {
        return recordOn(cpu, 2, v0, v1, 0, 0);
    }

    public boolean recordOn(int cpu, long v0, long v1, long v2) {
        return recordOn(cpu, 3, v0, v1, v2, 0);
    }

    public boolean recordOn(int cpu, long v0, long v1, long v2, long v3) {
        return recordOn(cpu, 4, v0, v1, v2, v3);
    }

    /**
     * The first {@code n} fields (n is a constant of each caller, so the unused stores fold away):
     * into the cached ring, or through the recorder when the route is not plain.
     */
    private boolean recordOn(int cpu, int n, long v0, long v1, long v2, long v3) {
        RingBuffer r = n <= fields ? route(cpu) : null;
        if (r == null) {
            return rec.record(type, cpu, n, v0, v1, v2, v3);
        }
        int off = r.reserve(size);
        if (off < 0) {
            return false;
        }
        byte[] p = header(r, off, n);
        EventRecorder.putField(p, off, slot0, v0);
        if (n > 1) {
            EventRecorder.putField(p, off, slot1, v1);
        }
        if (n > 2) {
            EventRecorder.putField(p, off, slot2, v2);
        }
        if (n > 3) {
            EventRecorder.putField(p, off, slot3, v3);
        }
        if (!r.tryCommit()) {
            r.commit();
        }
        rec.noteRecorded(cpu);
        return true;
    }

    // ---------------------------------------------------------------- the route

    /**
     * The ring the event goes straight into, or null when the recorder must take it (no instance
     * or several, a filter, trigger, pid list or soft-disable, tracing off). The cached ring stands
     * while the type's enabled instances are the same array (the array is published again when the
     * instance starts or stops looking at the payload, see {@link EventType#reroute}) and the
     * instance has tracing on.
     */
    private RingBuffer route(int cpu) {
        EventFile[] f = type.enabledFiles();
        if (f == files && cpu == ringCpu && buffer.tracingOn()) {
            return ring;
        }
        return f == recorderFiles ? null : reroute(f, cpu);
    }

    private RingBuffer reroute(EventFile[] f, int cpu) {
        files = null;
        if (f.length != 1 || !f[0].plain()) {
            recorderFiles = f; // stands until the array is published again
            return null;
        }
        TraceBuffer b = f[0].owner().buffer();
        if (b == null || !b.tracingOn()) {
            return null; // looked at again on the next event: tracing_on does not republish the array
        }
        RingBuffer r = b.ringOf(cpu);
        buffer = b;
        ring = r;
        ringCpu = cpu;
        files = f;
        return r;
    }

    /** The common header and the zero words of an event reserved at {@code off}; the page. */
    private byte[] header(RingBuffer r, int off, int n) {
        byte[] p = r.writePage();
        PageFormat.putInt(p, off, typeBits | rec.contextBits());
        PageFormat.putInt(p, off + 4, rec.pid());
        long m = zeroMasks[n];
        if (m == -1) {
            for (int w : type.zeroWords(n)) {
                PageFormat.putInt(p, off + w, 0);
            }
        } else {
            for (; m != 0; m &= m - 1) {
                PageFormat.putInt(p, off + EventType.HEADER_SIZE + 4 * Long.numberOfTrailingZeros(m), 0);
            }
        }
        return p;
    }
}
