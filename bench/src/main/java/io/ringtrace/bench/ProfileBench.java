package io.ringtrace.bench;

import io.ringtrace.protocol.TraceClock;
import io.ringtrace.protocol.event.EventRecorder;
import io.ringtrace.protocol.event.SavedCmdlines;
import io.ringtrace.protocol.ring.PageFormat;
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

import java.util.concurrent.TimeUnit;

/**
 * Where the time of one recorded event goes (one thread, ns/op): the clock alone, the ring's
 * reserve/commit with the real clock, with no clock (a plain counter) and with the proposed TSC
 * clock, and the whole EventRecorder path with each clock. The what-if variants replace the ring's
 * time source through its test hook; the code path is otherwise the production one.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ProfileBench {

    @State(Scope.Thread)
    public static class S {
        /** system: System.nanoTime (production); counter: no clock at all; tsc: TscClock. */
        @Param({"system"})
        public String clock;
        Rings.Fixture fx;
        RingBuffer ring;
        EventRecorder recorder;
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
                case "system":
                    break;
                case "counter":
                    for (int c = 0; c < 2; c++) {
                        Rings.setTimeSource(fx.buffer.cpu(c), () -> fake += 3);
                    }
                    break;
                case "tsc":
                    if (!TscClock.AVAILABLE) {
                        throw new IllegalStateException("TscClock needs --add-exports jdk.jfr/jdk.jfr.internal=ALL-UNNAMED");
                    }
                    for (int c = 0; c < 2; c++) {
                        Rings.setTimeSource(fx.buffer.cpu(c), TscClock::nanos);
                    }
                    break;
                default:
                    throw new IllegalArgumentException(clock);
            }
            recorder = new EventRecorder(new SavedCmdlines(), 0);
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
    public long tscClock() {
        return TscClock.nanos();
    }

    @Benchmark
    public boolean ringWrite(S s) {
        return s.ring.write(s.payload, 0, 24);
    }

    @Benchmark
    public boolean recorder(S s) {
        return s.recorder.record(s.fx.rec, 0, 0, s.n++);
    }

    /**
     * The proposed zero-copy fast path of EventRecorder.record for an event whose only enabled
     * file has no filter, trigger or pid list: reserve in the ring, write the fields in place at
     * precomputed offsets, commit (no staging buffer, no Arrays.fill, no per-field List lookups).
     * Same bytes in the ring as {@link #recorder}.
     */
    @Benchmark
    public boolean reserveInPlace(S s) {
        if (s.fx.rec.enabledFiles().length == 0) {
            return false;
        }
        RingBuffer r = s.ring;
        int off = r.reserve(24);
        if (off < 0) {
            return false;
        }
        byte[] p = r.writePage();
        PageFormat.putInt(p, off, s.typeId);        // common_type (u16), common_flags 0, preempt 0
        PageFormat.putInt(p, off + 4, s.pid);       // common_pid
        PageFormat.putInt(p, off + 8, 0);           // cpu (u32)
        PageFormat.putInt(p, off + 12, 0);          // padding before the s64
        PageFormat.putLong(p, off + 16, s.n++);     // value (s64)
        r.commit();
        return true;
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
