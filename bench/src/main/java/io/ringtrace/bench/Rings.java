package io.ringtrace.bench;

import io.ringtrace.protocol.TraceClock;
import io.ringtrace.protocol.event.ErrorLog;
import io.ringtrace.protocol.event.EventRegistry;
import io.ringtrace.protocol.event.EventSet;
import io.ringtrace.protocol.event.EventType;
import io.ringtrace.protocol.ring.RingBuffer;
import io.ringtrace.protocol.ring.TraceBuffer;

import java.lang.reflect.Method;
import java.util.function.LongSupplier;

/** Protocol-level fixtures: an instance made of a TraceBuffer and an EventSet, without actors. */
final class Rings {
    private Rings() {
    }

    /** The kernel's default per-CPU buffer: 1408 KiB of 4 KiB sub-buffers. */
    static final int DEFAULT_PAGES = 1408 / 4;

    /** A registry with the kernel's events and bench/rec (u32 cpu, s64 value) plus bench/off (never enabled). */
    static final class Fixture {
        final EventRegistry registry = EventRegistry.createDefault();
        final EventType rec = registry.define("bench", "rec").u32("cpu").s64("value").register();
        final EventType off = registry.define("bench", "off").u32("cpu").s64("value").register();
        final TraceBuffer buffer;
        final EventSet events;

        Fixture(int cpus, int pages) {
            buffer = new TraceBuffer(cpus, 4096, pages, true, TraceClock.LOCAL);
            events = new EventSet(registry, buffer, new ErrorLog());
            try {
                events.file(rec).writeEnable("1");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /**
     * Replaces a ring's clock by {@code source} through the ring's package-private test hook
     * (RingBuffer.setTimeSource): what-if measurements of a cheaper clock, never used for the
     * headline figures.
     */
    static void setTimeSource(RingBuffer ring, LongSupplier source) {
        try {
            Method m = RingBuffer.class.getDeclaredMethod("setTimeSource", LongSupplier.class);
            m.setAccessible(true);
            m.invoke(ring, source);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("RingBuffer.setTimeSource is not available", e);
        }
    }
}
