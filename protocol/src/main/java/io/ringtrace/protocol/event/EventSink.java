package io.ringtrace.protocol.event;

import io.ringtrace.protocol.ring.PageFormat;
import io.ringtrace.protocol.ring.RingBuffer;
import io.ringtrace.protocol.ring.TraceBuffer;

/**
 * Where an instance's events go: its per-CPU rings. {@link #of(TraceBuffer)} is the real one;
 * tests may supply their own.
 *
 * <p>Implementations must be callable from any producer thread and allocation-free.
 */
public interface EventSink {

    /** tracing_on: false makes every write fail (the kernel's disabled ring buffer). */
    boolean tracingOn();

    /**
     * Records one complete payload into CPU {@code cpu}'s ring. Returns false when it was not
     * recorded (CPU recording off, too large, full in producer/consumer mode). It does not look at
     * {@link #tracingOn()}: callers check it first, at the point where the kernel reserves.
     */
    boolean write(int cpu, byte[] payload, int offset, int length);

    /** The largest payload one event can carry on CPU {@code cpu} (ring_buffer_max_event_size). */
    int maxPayload(int cpu);

    /**
     * The ring a payload for CPU {@code cpu} goes to, for writers that reserve and fill the event
     * in place ({@link RingBuffer#reserve}); null when this sink is not backed by rings (every
     * write then goes through {@link #write}).
     */
    default RingBuffer ring(int cpu) {
        return null;
    }

    /** The instance buffer behind {@link #ring}, or null when this sink is not backed by rings. */
    default TraceBuffer buffer() {
        return null;
    }

    /** The sink writing into {@code buffer}: CPU numbers wrap modulo its CPU count. */
    static EventSink of(TraceBuffer buffer) {
        return new EventSink() {
            @Override
            public boolean tracingOn() {
                return buffer.tracingOn();
            }

            @Override
            public boolean write(int cpu, byte[] payload, int offset, int length) {
                return ring(cpu).write(payload, offset, length);
            }

            @Override
            public int maxPayload(int cpu) {
                return PageFormat.maxPayload(ring(cpu).subbufSize());
            }

            @Override
            public TraceBuffer buffer() {
                return buffer;
            }

            @Override
            public RingBuffer ring(int cpu) {
                int n = buffer.cpus();
                int c = cpu >= 0 && cpu < n ? cpu : Math.floorMod(cpu, n);
                return buffer.cpu(c);
            }
        };
    }
}
