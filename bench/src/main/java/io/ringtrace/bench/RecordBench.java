package io.ringtrace.bench;

import io.ringtrace.actors.Ringtrace;
import io.ringtrace.actors.TraceFs;
import io.ringtrace.actors.TraceSystem;
import io.ringtrace.actors.Tracer;
import io.ringtrace.protocol.event.EventRecorder;
import io.ringtrace.protocol.event.EventType;
import io.ringtrace.protocol.event.EventWriter;
import jdk.jfr.Recording;
import org.apache.pekko.actor.typed.ActorSystem;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.ThreadParams;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Recording throughput (events/s per run, all threads together): one enabled event with an int
 * and a long field. Run with 1 and 2 threads (-t). Each producer thread records on its own CPU
 * ring (thread index = CPU), as the kernel's per-CPU buffers are written by the CPU they belong to.
 *
 * <ul>
 *   <li>{@link #ringtrace}: the full engine (ActorSystem, instances/bench with bench/rec enabled
 *       through tracefs, 2 CPUs, default 1408 KiB per CPU, overwrite), through the event's
 *       {@link EventWriter} on the thread's {@link EventRecorder} ({@link Tracer#recorder()}), the
 *       writer a hot call site holds as JFR code holds its event class;</li>
 *   <li>{@link #ringtraceRecorder}: reference, the same event through the recorder's one-call
 *       {@code record(type, cpu, v0, v1)} (no writer held: the route and layout found per event);</li>
 *   <li>{@link #jfr}: a custom {@code jdk.jfr.Event} with the same two fields, {@code @StackTrace(false)},
 *       in a started {@link Recording} to disk;</li>
 *   <li>{@link #longRing}: reference upper bound, two stores into a pre-sized per-thread long[] ring;</li>
 *   <li>{@link #arrayBlockingQueue}: reference, one shared pre-sized ArrayBlockingQueue of small
 *       event objects (cleared when full).</li>
 * </ul>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class RecordBench {

    /** The ringtrace engine with one non-persistent instance that has bench/rec enabled. */
    @State(Scope.Benchmark)
    public static class Engine {
        ActorSystem<TraceSystem.Command> system;
        Tracer tracer;
        EventType rec;

        @Setup(Level.Trial)
        public void start() throws Exception {
            system = Engines.start("RecordBench", 2);
            tracer = Ringtrace.tracer(system);
            rec = Engines.benchRecInto(tracer, Ringtrace.fs(system), "bench");
        }

        @TearDown(Level.Trial)
        public void stop() throws Exception {
            TraceFs fs = Ringtrace.fs(system);
            String stats = fs.read("instances/bench/per_cpu/cpu0/stats");
            if (!stats.contains("entries: ") || stats.startsWith("entries: 0\n")) {
                throw new IllegalStateException("nothing was recorded: " + stats);
            }
            Engines.stop(system);
        }
    }

    /** A producer thread of the engine: its own recorder, on CPU = thread index. */
    @State(Scope.Thread)
    public static class Producer {
        EventRecorder recorder;
        EventWriter writer;
        EventType type;
        int cpu;
        long n;

        @Setup(Level.Trial)
        public void setup(Engine engine, ThreadParams tp) {
            cpu = tp.getThreadIndex() % 2;
            recorder = engine.tracer.recorder(); // runs on the benchmark thread: its ThreadLocal recorder
            recorder.setCpu(cpu);
            type = engine.rec;
            writer = recorder.writer(type);
        }
    }

    @State(Scope.Benchmark)
    public static class Jfr {
        Recording recording;
        Path file;

        @Setup(Level.Trial)
        public void start() throws Exception {
            file = Files.createTempFile("ringtrace-bench", ".jfr");
            recording = new Recording();
            recording.enable(JfrRec.class).withoutStackTrace();
            recording.setToDisk(true);
            recording.setDestination(file);
            recording.start();
        }

        @TearDown(Level.Trial)
        public void stop() throws Exception {
            recording.stop();
            recording.close();
            long size = Files.size(file);
            Files.deleteIfExists(file);
            if (size == 0) {
                throw new IllegalStateException("JFR recorded nothing");
            }
        }
    }

    /** Per-thread counters of the baselines. */
    @State(Scope.Thread)
    public static class Counter {
        int cpu;
        long n;
        long[] ring;
        int idx;
        int pid;

        @Setup(Level.Trial)
        public void setup(ThreadParams tp) {
            cpu = tp.getThreadIndex() % 2;
            pid = (int) Thread.currentThread().getId();
            ring = new long[1 << 18]; // 2 MiB: as much memory per thread as ringtrace's per-CPU ring
        }
    }

    /** A small event object for the queue baseline. */
    static final class QEvent {
        final int cpu;
        final long value;

        QEvent(int cpu, long value) {
            this.cpu = cpu;
            this.value = value;
        }
    }

    @State(Scope.Benchmark)
    public static class Queue {
        final ArrayBlockingQueue<QEvent> q = new ArrayBlockingQueue<>(1 << 16);
    }

    // void, as jfr() and a real call site: the events land in the engine's rings (TearDown checks)
    @Benchmark
    public void ringtrace(Producer p) {
        p.writer.record(p.cpu, p.n++); // on the recorder's CPU, set to p.cpu
    }

    @Benchmark
    public void ringtraceRecorder(Producer p) {
        p.recorder.record(p.type, p.cpu, p.cpu, p.n++);
    }

    @Benchmark
    public void jfr(Jfr s, Counter c) {
        JfrRec e = new JfrRec();
        e.cpu = c.cpu;
        e.value = c.n++;
        e.commit();
    }

    @Benchmark
    public void longRing(Counter c) {
        long[] r = c.ring;
        int i = c.idx;
        int mask = r.length - 1;
        r[i & mask] = c.cpu;
        r[(i + 1) & mask] = c.n++;
        c.idx = i + 2;
    }

    @Benchmark
    public void arrayBlockingQueue(Queue s, Counter c) {
        QEvent e = new QEvent(c.cpu, c.n++);
        if (!s.q.offer(e)) {
            s.q.clear();
        }
    }
}
