package io.ringtrace.bench;

import io.ringtrace.protocol.ErrnoException;
import io.ringtrace.protocol.event.EventRecorder;
import io.ringtrace.protocol.event.EventType;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.concurrent.TimeUnit;

/**
 * The producer's cost of one call site in the three states an event can be in for an instance
 * (issue "Events"): enabled and recorded, disabled, and enabled but rejected by a filter
 * ({@code value == -1}, which no call matches). One thread, ns/op, same run.
 *
 * <pre>java -cp bench/target-bench/benchmarks.jar org.openjdk.jmh.Main EventCostBench -f 1 -wi 2 -w 1s -i 3 -r 1s</pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class EventCostBench {

    @State(Scope.Thread)
    public static class S {
        Rings.Fixture fx;
        EventType filtered;
        EventRecorder recorder;
        long n;

        @Setup(Level.Trial)
        public void setup() throws ErrnoException {
            fx = new Rings.Fixture(2, 1024);
            filtered = fx.registry.define("bench", "filtered").u32("cpu").s64("value").register();
            fx.events.file(filtered).writeFilter("value == -1");
            fx.events.file(filtered).writeEnable("1");
            recorder = new EventRecorder(null, 0);
        }
    }

    @Benchmark
    public boolean enabled(S s) {
        return s.recorder.record(s.fx.rec, 0, 0, s.n++);
    }

    @Benchmark
    public boolean disabled(S s) {
        return s.recorder.record(s.fx.off, 0, 0, s.n++);
    }

    @Benchmark
    public boolean filteredOut(S s) {
        return s.recorder.record(s.filtered, 0, 0, s.n++);
    }
}
