package io.ringtrace.bench;

import io.ringtrace.protocol.TraceClock;
import io.ringtrace.protocol.event.ErrorLog;
import io.ringtrace.protocol.event.EventRegistry;
import io.ringtrace.protocol.event.EventSet;
import io.ringtrace.protocol.event.EventType;
import io.ringtrace.protocol.ring.TraceBuffer;

import java.lang.management.ManagementFactory;

/**
 * Bytes held per recorded event: the Java heap retained by an instance's buffer (2 CPUs of 64 MiB,
 * every sub-buffer full of bench/rec events after wrapping) divided by the events it holds,
 * against the kernel's encoding of the same event: a 4-byte ring buffer event header plus the
 * 24-byte entry (common fields 8, u32 cpu at 8, s64 value at 16), 28 bytes.
 */
final class MemoryMeasure {
    static final int KERNEL_EVENT_BYTES = 4 + 24;

    record Result(long heapBytes, long events, int eventBytesInRing) {
        double bytesPerEvent() {
            return (double) heapBytes / events;
        }

        double ratio() {
            return bytesPerEvent() / KERNEL_EVENT_BYTES;
        }
    }

    private MemoryMeasure() {
    }

    static Result run() throws Exception {
        EventRegistry registry = EventRegistry.createDefault();
        EventType rec = registry.define("bench", "rec").u32("cpu").s64("value").register();
        int pages = 16384;
        long before = usedAfterGc();
        TraceBuffer buffer = new TraceBuffer(2, 4096, pages, true, TraceClock.LOCAL);
        EventSet events = new EventSet(registry, buffer, new ErrorLog());
        events.file(rec).writeEnable("1");
        try (Producers p = Producers.of(2, rec, null)) {
            long target = 2L * pages * 4096 / KERNEL_EVENT_BYTES * 2;
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (p.count() < target && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
        }
        long held = 0;
        long bytes = 0;
        for (int c = 0; c < 2; c++) {
            held += buffer.cpu(c).entries();
            bytes += buffer.cpu(c).bytes();
        }
        long after = usedAfterGc();
        if (buffer.cpus() != 2 || events.registry() != registry) {
            throw new AssertionError();
        }
        return new Result(after - before, held, (int) Math.round((double) bytes / held));
    }

    static long usedAfterGc() throws InterruptedException {
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
            best = Math.min(best, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return best;
    }
}
