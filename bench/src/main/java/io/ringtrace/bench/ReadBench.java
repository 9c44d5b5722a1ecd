package io.ringtrace.bench;

import io.ringtrace.protocol.TraceClock;
import io.ringtrace.protocol.event.Markers;
import io.ringtrace.protocol.event.SavedCmdlines;
import io.ringtrace.protocol.ring.RingSnapshot;
import io.ringtrace.protocol.text.TraceFile;
import io.ringtrace.protocol.text.TraceFormatter;
import io.ringtrace.protocol.text.TraceOptions;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The {@code trace} text without actors: snapshot of both CPUs of an instance filled with
 * trace_marker events (as the reading measurement), then {@link TraceFile#render}. Used to profile
 * the reading path (ms per whole file; lines/s = lines / time).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class ReadBench {

    @State(Scope.Benchmark)
    public static class S {
        Rings.Fixture fx;
        TraceFormatter formatter;
        SavedCmdlines cmdlines = new SavedCmdlines();

        @Setup(Level.Trial)
        public void setup() throws Exception {
            fx = new Rings.Fixture(2, Rings.DEFAULT_PAGES);
            formatter = new TraceFormatter(fx.registry, cmdlines, TraceClock.LOCAL, TraceOptions.forInstance());
            for (int cpu = 0; cpu < 2; cpu++) {
                for (int i = 0; i < 70_000; i++) {
                    byte[] b = KernelTracefs.markerText(i).getBytes(StandardCharsets.UTF_8);
                    Markers.writeMarker(fx.events, cpu, 4242, cmdlines, "filler-" + cpu, b, 0, b.length, true);
                }
            }
        }
    }

    /** Timestamp text of every trace line today: TraceClock.format, i.e. String.format("%5d.%06d"). */
    @Benchmark
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public String timestampFormat(Ts t) {
        return TraceClock.LOCAL.format(t.next());
    }

    /** The same text by hand (digits into a byte[]), as proposed for TraceFormatter.context. */
    @Benchmark
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public int timestampManual(Ts t) {
        return formatTimestamp(t.next(), t.out, 0);
    }

    @State(Scope.Thread)
    public static class Ts {
        long ts = 123_456_789_012L;
        final byte[] out = new byte[32];

        long next() {
            return ts += 1_234_567;
        }
    }

    /** %5llu.%06lu of the microseconds rounded to nearest; returns the length (same text as TraceClock.format). */
    static int formatTimestamp(long ns, byte[] out, int pos) {
        long us = (ns + 500) / 1000;
        long sec = us / 1_000_000L;
        int frac = (int) (us % 1_000_000L);
        int digits = 1;
        for (long v = sec; v >= 10; v /= 10) {
            digits++;
        }
        int p = pos;
        for (int i = digits; i < 5; i++) {
            out[p++] = ' ';
        }
        int end = p + digits;
        long v = sec;
        for (int i = end - 1; i >= p; i--) {
            out[i] = (byte) ('0' + (v % 10));
            v /= 10;
        }
        p = end;
        out[p++] = '.';
        for (int i = p + 5; i >= p; i--) {
            out[i] = (byte) ('0' + frac % 10);
            frac /= 10;
        }
        return p + 6 - pos;
    }

    @Benchmark
    public List<RingSnapshot> snapshot(S s) {
        List<RingSnapshot> snaps = new ArrayList<>();
        for (int c = 0; c < 2; c++) {
            snaps.add(s.fx.buffer.cpu(c).snapshot());
        }
        return snaps;
    }

    @Benchmark
    public byte[] render(S s) {
        return TraceFile.render(s.formatter, snapshot(s), TraceFile.Info.of("nop", 2));
    }
}
