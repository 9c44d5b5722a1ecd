package io.ringtrace.bench;

import io.ringtrace.protocol.CpuCounter;
import io.ringtrace.protocol.TraceClock;
import io.ringtrace.protocol.event.EventRecorder;
import io.ringtrace.protocol.event.EventWriter;
import io.ringtrace.protocol.event.SavedCmdlines;
import io.ringtrace.protocol.ring.RingBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.TimeUnit;

/**
 * Where the time of one recorded event goes (one thread, ns/op): the clocks alone, the ring's
 * reserve/commit and the whole EventRecorder path with the production clock (local: the CPU
 * counter), with System.nanoTime (what a JVM without the jdk.jfr export gets) and with no clock at
 * all (a plain counter). The last two replace the ring's time source through its test hook; the
 * code path is otherwise the production one.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ProfileBench {

    @State(Scope.Thread)
    public static class S {
        /** local: the production clock (CpuCounter); nanoTime: System.nanoTime; none: a counter, no clock. */
        @Param({"local"})
        public String clock;
        Rings.Fixture fx;
        RingBuffer ring;
        EventRecorder recorder;
        EventWriter writer;
        final byte[] payload = new byte[24];
        int typeId;
        int pid;
        long n;
        long fake;

        @Setup(Level.Trial)
        public void setup() {
            fx = new Rings.Fixture(2, Rings.DEFAULT_PAGES);
            ring = fx.buffer.cpu(0);
            switch (clock) {
                case "local":
                    if (!CpuCounter.AVAILABLE) {
                        throw new IllegalStateException(CpuCounter.UNAVAILABLE_REASON);
                    }
                    break;
                case "nanoTime":
                    for (int c = 0; c < 2; c++) {
                        Rings.setTimeSource(fx.buffer.cpu(c), System::nanoTime);
                    }
                    break;
                case "none":
                    for (int c = 0; c < 2; c++) {
                        Rings.setTimeSource(fx.buffer.cpu(c), () -> fake += 3);
                    }
                    break;
                default:
                    throw new IllegalArgumentException(clock);
            }
            recorder = new EventRecorder(new SavedCmdlines(), 0);
            writer = recorder.writer(fx.rec);
            typeId = fx.rec.id();
            pid = recorder.pid();
        }
    }

    @Benchmark
    public long nanoTime() {
        return System.nanoTime();
    }

    @Benchmark
    public long traceClockLocal() {
        return TraceClock.LOCAL.now();
    }

    @Benchmark
    public long cpuCounter() {
        return CpuCounter.ticks();
    }

    @Benchmark
    public boolean ringWrite(S s) {
        return s.ring.write(s.payload, 0, 24);
    }

    @Benchmark
    public boolean recorder(S s) {
        return s.recorder.record(s.fx.rec, 0, 0, s.n++);
    }

    @Benchmark
    public boolean writer(S s) {
        return s.writer.record(0, s.n++);
    }

    /** The ring's guard alone, as a writer takes and releases it: an uncontended CAS and a release store. */
    @State(Scope.Thread)
    public static class Guard {
        static final VarHandle WORD;

        static {
            try {
                WORD = MethodHandles.lookup().findVarHandle(Guard.class, "word", int.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        volatile int word;
    }

    @Benchmark
    public boolean guard(Guard g) {
        boolean got = Guard.WORD.compareAndSet(g, 0, 1);
        Guard.WORD.setRelease(g, 0);
        return got;
    }

    /** The JDK Flight Recorder event of RecordBench, same fields, in a running recording to disk. */
    @Benchmark
    public void jfr(RecordBench.Counter c, RecordBench.Jfr rec) {
        JfrRec e = new JfrRec();
        e.cpu = 0;
        e.value = c.n++;
        e.commit();
    }
}
