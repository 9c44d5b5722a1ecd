package io.ringtrace.bench;

import io.ringtrace.protocol.event.EventRecorder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.CompilerControl;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.concurrent.TimeUnit;

/**
 * Cost of a call site whose event no instance has enabled, against an empty method call with the
 * same arguments in the same run (one thread, ns/op). JFR's disabled event is given for reference.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class DisabledBench {

    @State(Scope.Thread)
    public static class S {
        Rings.Fixture fx;
        EventRecorder recorder;
        long n;

        @Setup(Level.Trial)
        public void setup() {
            fx = new Rings.Fixture(2, 4);
            recorder = new EventRecorder(null, 0);
        }
    }

    /** The empty method the disabled call is compared with (same signature as record). */
    static boolean empty(Object type, int cpu, long v0, long v1) {
        return false;
    }

    @CompilerControl(CompilerControl.Mode.DONT_INLINE)
    static boolean emptyNotInlined(Object type, int cpu, long v0, long v1) {
        return false;
    }

    @Benchmark
    public boolean emptyCall(S s) {
        return empty(s.fx.off, 0, 0, s.n++);
    }

    @Benchmark
    public boolean emptyCallNotInlined(S s) {
        return emptyNotInlined(s.fx.off, 0, 0, s.n++);
    }

    @Benchmark
    public boolean ringtraceDisabled(S s) {
        return s.recorder.record(s.fx.off, 0, 0, s.n++);
    }

    /**
     * What-if: the guard proposed for the top of EventRecorder.record (test the type's enabled
     * files before anything else), written at the call site: the disabled cost then no longer
     * depends on whether the JIT inlines begin().
     */
    @Benchmark
    public boolean guardedDisabled(S s) {
        return EventRecorder.isEnabled(s.fx.off) && s.recorder.record(s.fx.off, 0, 0, s.n++);
    }

    @Benchmark
    public void jfrDisabled(S s) {
        JfrRec e = new JfrRec(); // no recording has it enabled
        e.cpu = 0;
        e.value = s.n++;
        e.commit();
    }
}
