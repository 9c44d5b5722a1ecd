package io.ringtrace.bench;

import io.ringtrace.actors.Ringtrace;
import io.ringtrace.actors.TraceSystem;
import io.ringtrace.actors.Tracer;
import io.ringtrace.protocol.event.EventRecorder;
import io.ringtrace.protocol.event.EventType;
import io.ringtrace.protocol.event.EventWriter;
import org.apache.pekko.actor.typed.ActorSystem;

import java.lang.management.ManagementFactory;

/**
 * Heap allocated per recorded event on the hot path, counted exactly: the bytes the producer
 * thread itself allocated (HotSpot's per-thread allocation counter) while it recorded 20 million
 * bench/rec events through the event's writer, then 20 million through the recorder's one-call
 * record, into a non-persistent instance of the full engine. JMH's -prof gc figure of
 * RecordBench.ringtrace divides the allocation of every thread of the JVM (the engine's idle
 * actors and scheduler included) by the events; this one is the recording thread only.
 */
final class AllocationMeasure {

    /** {@code events} through the event's writer and as many through the recorder's one-call record. */
    record Result(long events, long bytes, long recorderBytes) {
        double perEvent() {
            return (double) Math.max(bytes, recorderBytes) / events;
        }
    }

    private AllocationMeasure() {
    }

    static Result run() throws Exception {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        ActorSystem<TraceSystem.Command> system = Engines.start("AllocBench", 2);
        try {
            Tracer tracer = Ringtrace.tracer(system);
            EventType rec = Engines.benchRecInto(tracer, Ringtrace.fs(system), "alloc");
            long[] out = new long[3];
            Thread t = new Thread(() -> {
                EventRecorder r = tracer.recorder();
                r.setCpu(0);
                EventWriter w = r.writer(rec);
                for (int i = 0; i < 5_000_000; i++) { // warm-up: JIT, first-use allocations
                    w.record(0, i);
                    r.record(rec, 0, 0, i);
                }
                long id = Thread.currentThread().getId();
                long a0 = mx.getThreadAllocatedBytes(id);
                long n = 20_000_000;
                for (long i = 0; i < n; i++) {
                    w.record(0, i);
                }
                long a1 = mx.getThreadAllocatedBytes(id);
                for (long i = 0; i < n; i++) {
                    r.record(rec, 0, 0, i);
                }
                out[0] = n;
                out[1] = a1 - a0;
                out[2] = mx.getThreadAllocatedBytes(id) - a1;
            }, "alloc-producer");
            t.start();
            t.join();
            return new Result(out[0], out[1], out[2]);
        } finally {
            Engines.stop(system);
        }
    }
}
