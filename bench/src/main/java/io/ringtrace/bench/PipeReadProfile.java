package io.ringtrace.bench;

import io.ringtrace.actors.Ringtrace;
import io.ringtrace.actors.TraceFs;
import io.ringtrace.actors.TraceSystem;
import io.ringtrace.actors.Tracer;
import io.ringtrace.actors.fs.OpenFlags;
import io.ringtrace.protocol.ErrnoException;
import io.ringtrace.protocol.event.EventType;
import org.apache.pekko.actor.typed.ActorSystem;

import java.util.Locale;

/**
 * The consuming reads of "Reading while a producer records", one by one: a producer records
 * {@code bench/rec} at full speed into {@code instances/live} while {@code trace_pipe}, then
 * {@code per_cpu/cpu0/trace_pipe_raw}, then {@code trace_pipe} again are read with O_NONBLOCK and
 * 64 KiB reads for 2 s each; prints how many reads returned data, their average time and size,
 * and how many returned EAGAIN.
 * {@code java --add-exports=jdk.jfr/jdk.jfr.internal=ALL-UNNAMED -cp benchmarks.jar io.ringtrace.bench.ProfileMain pipe}
 */
final class PipeReadProfile {
    private PipeReadProfile() {
    }

    static String run() throws Exception {
        ActorSystem<TraceSystem.Command> system = Engines.start("PipeReadProfile", 2);
        StringBuilder sb = new StringBuilder();
        try {
            Tracer tracer = Ringtrace.tracer(system);
            TraceFs fs = Ringtrace.fs(system);
            EventType rec = Engines.benchRecInto(tracer, fs, "live");
            try (Producers p = new Producers(1, rec, tracer::recorder)) {
                Thread.sleep(300);
                for (String path : new String[] {"instances/live/trace_pipe",
                    "instances/live/per_cpu/cpu0/trace_pipe_raw", "instances/live/trace_pipe"}) {
                    long data = 0;
                    long again = 0;
                    long bytes = 0;
                    long dataNs = 0;
                    long againNs = 0;
                    try (TraceFs.Handle h = fs.open(path, OpenFlags.O_RDONLY | OpenFlags.O_NONBLOCK)) {
                        long end = System.nanoTime() + 2_000_000_000L;
                        for (long t0 = System.nanoTime(); t0 < end; t0 = System.nanoTime()) {
                            try {
                                bytes += h.read(65536).length;
                                data++;
                                dataNs += System.nanoTime() - t0;
                            } catch (ErrnoException e) {
                                again++;
                                againNs += System.nanoTime() - t0;
                            }
                        }
                    }
                    sb.append(String.format(Locale.ROOT, "%s: %d reads with data (%.0f us, %.0f B each), %d EAGAIN (%.0f us each)%n",
                            path, data, data == 0 ? 0 : dataNs / 1e3 / data, data == 0 ? 0 : (double) bytes / data, again,
                            again == 0 ? 0 : againNs / 1e3 / again));
                }
            }
        } finally {
            Engines.stop(system);
        }
        return sb.toString();
    }
}
