package io.ringtrace.bench;

import io.ringtrace.actors.Ringtrace;
import io.ringtrace.actors.TraceFs;
import io.ringtrace.actors.TraceSystem;
import io.ringtrace.actors.Tracer;
import io.ringtrace.actors.fs.OpenFlags;
import io.ringtrace.protocol.Errno;
import io.ringtrace.protocol.ErrnoException;
import io.ringtrace.protocol.event.EventType;
import org.apache.pekko.actor.typed.ActorSystem;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Reading through the full engine (TraceFs: every read is a message to the instance actor):
 * <ul>
 *   <li>static: an instance filled with trace_marker events (the same 1-character texts and
 *       per-CPU counts as the kernel baseline), {@code trace} read to EOF in 128 KiB reads: the
 *       first read timed on its own, then up to 3 s of warm-up reads, then the timed reads;</li>
 *   <li>live: while a producer records bench/rec at full speed into the instance, {@code trace}
 *       read to EOF again and again, {@code trace_pipe} and {@code per_cpu/cpu0/trace_pipe_raw}
 *       read with O_NONBLOCK for a fixed window.</li>
 * </ul>
 */
final class ReadingMeasure {

    record Result(long lines, long bytes, long medianNs, long bestNs, long firstNs, long entries, long entryBytes,
                  double liveTraceLinesPerSec, double liveTraceBytesPerSec, double livePipeLinesPerSec,
                  double livePipeBytesPerSec, double liveRawBytesPerSec, double producerEventsPerSec) {
        double linesPerSec() {
            return lines * 1e9 / medianNs;
        }

        double bytesPerSec() {
            return bytes * 1e9 / medianNs;
        }

        double firstLinesPerSec() {
            return lines * 1e9 / firstNs;
        }
    }

    /** Reading time before the timed reads of the filled instance. */
    static final long WARMUP_NS = 3_000_000_000L;

    private ReadingMeasure() {
    }

    static Result run(int perCpu, int reps, long windowMs) throws Exception {
        ActorSystem<TraceSystem.Command> system = Engines.start("ReadingBench", 2);
        try {
            TraceFs fs = Ringtrace.fs(system);
            Tracer tracer = Ringtrace.tracer(system);
            EventType rec = tracer.define("bench", "rec").u32("cpu").s64("value").register();

            // ---- static: trace_marker fill, then cat trace
            fs.mkdir("instances/read");
            fill(tracer, "read", perCpu);
            long[] count = new long[2];
            long f0 = System.nanoTime();
            readToEof(fs, "instances/read/trace", count); // the first read after the fill (cold code)
            long firstNs = System.nanoTime() - f0;
            long lines = count[0];
            long bytes = count[1];
            // warm-up, as JMH's iterations before it measures: the reading path reaches its compiled
            // steady state after 10-15 reads (0.6 M lines/s at the first, 2-2.7 M from the 15th)
            long warmEnd = System.nanoTime() + WARMUP_NS;
            for (int i = 0; i < 40 && System.nanoTime() < warmEnd; i++) {
                readToEof(fs, "instances/read/trace", count);
            }
            long[] t = new long[reps];
            for (int i = 0; i < reps; i++) {
                long t0 = System.nanoTime();
                readToEof(fs, "instances/read/trace", count);
                t[i] = System.nanoTime() - t0;
            }
            Arrays.sort(t);
            long entries = 0;
            long entryBytes = 0;
            for (int c = 0; c < 2; c++) {
                for (String l : fs.read("instances/read/per_cpu/cpu" + c + "/stats").split("\n")) {
                    if (l.startsWith("entries: ")) {
                        entries += Long.parseLong(l.substring(9).trim());
                    } else if (l.startsWith("bytes: ")) {
                        entryBytes += Long.parseLong(l.substring(7).trim());
                    }
                }
            }
            fs.rmdir("instances/read");

            // ---- live: a producer records into the instance being read
            fs.mkdir("instances/live");
            fs.write("instances/live/events/bench/rec/enable", "1");
            double traceLines;
            double traceBytes;
            double pipeLines;
            double pipeBytes;
            double rawBytes;
            long events0;
            long events1;
            long tp0;
            long tp1;
            try (Producers p = new Producers(1, rec, tracer::recorder)) {
                Thread.sleep(300);
                events0 = p.count();
                tp0 = System.nanoTime();
                // trace, again and again
                long[] c = new long[2];
                long tl = 0;
                long tb = 0;
                long s0 = System.nanoTime();
                long end = s0 + windowMs * 1_000_000L;
                long s1;
                do {
                    readToEof(fs, "instances/live/trace", c);
                    tl += c[0];
                    tb += c[1];
                    s1 = System.nanoTime();
                } while (s1 < end);
                traceLines = tl * 1e9 / (s1 - s0);
                traceBytes = tb * 1e9 / (s1 - s0);
                // trace_pipe
                double[] pipe = drain(fs, "instances/live/trace_pipe", 65536, windowMs);
                pipeLines = pipe[0];
                pipeBytes = pipe[1];
                // trace_pipe_raw of the producer's CPU
                double[] raw = drain(fs, "instances/live/per_cpu/cpu0/trace_pipe_raw", 65536, windowMs);
                rawBytes = raw[1];
                events1 = p.count();
                tp1 = System.nanoTime();
            }
            fs.rmdir("instances/live");
            return new Result(lines, bytes, t[reps / 2], t[0], firstNs, entries, entryBytes, traceLines, traceBytes,
                    pipeLines, pipeBytes, rawBytes, (events1 - events0) * 1e9 / (tp1 - tp0));
        } finally {
            Engines.stop(system);
        }
    }

    /** trace_marker writes on each CPU: the kernel baseline's texts and counts. */
    static void fill(Tracer tracer, String instance, int perCpu) throws Exception {
        fill(tracer, instance, perCpu, KernelTracefs::markerText);
    }

    /** {@code perCpu} trace_marker writes of {@code text(i)} on each of the 2 CPUs, one thread per CPU. */
    static void fill(Tracer tracer, String instance, int perCpu, java.util.function.IntFunction<String> text)
            throws Exception {
        CountDownLatch done = new CountDownLatch(2);
        List<Throwable> errors = new ArrayList<>();
        for (int c = 0; c < 2; c++) {
            final int cpu = c;
            Thread th = new Thread(() -> {
                try {
                    for (int i = 0; i < perCpu; i++) {
                        tracer.marker(instance, cpu, text.apply(i));
                    }
                } catch (Throwable e) {
                    synchronized (errors) {
                        errors.add(e);
                    }
                } finally {
                    done.countDown();
                }
            }, "filler-" + c);
            th.start();
        }
        done.await(120, TimeUnit.SECONDS);
        if (!errors.isEmpty()) {
            throw new IllegalStateException("fill failed", errors.get(0));
        }
    }

    /** cat: open, read(128 KiB) until EOF, close; out = {lines, bytes}. */
    static void readToEof(TraceFs fs, String path, long[] out) throws ErrnoException {
        long lines = 0;
        long bytes = 0;
        try (TraceFs.Handle h = fs.open(path, OpenFlags.O_RDONLY)) {
            while (true) {
                byte[] b = h.read(1 << 17);
                if (b.length == 0) {
                    break;
                }
                bytes += b.length;
                lines += newlines(b);
            }
        }
        out[0] = lines;
        out[1] = bytes;
    }

    /** Non-blocking reads of a pipe for {@code windowMs}: {lines/s, bytes/s}. */
    private static double[] drain(TraceFs fs, String path, int count, long windowMs) throws ErrnoException {
        long lines = 0;
        long bytes = 0;
        try (TraceFs.Handle h = fs.open(path, OpenFlags.O_RDONLY | OpenFlags.O_NONBLOCK)) {
            long t0 = System.nanoTime();
            long end = t0 + windowMs * 1_000_000L;
            long t1;
            do {
                try {
                    byte[] b = h.read(count);
                    bytes += b.length;
                    lines += newlines(b);
                } catch (ErrnoException e) {
                    if (e.errno() != Errno.EAGAIN) {
                        throw e;
                    }
                }
                t1 = System.nanoTime();
            } while (t1 < end);
            return new double[] {lines * 1e9 / (t1 - t0), bytes * 1e9 / (t1 - t0)};
        }
    }

    static long newlines(byte[] b) {
        long n = 0;
        for (byte x : b) {
            if (x == '\n') {
                n++;
            }
        }
        return n;
    }
}
