package io.ringtrace.bench;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.ringtrace.actors.Ringtrace;
import io.ringtrace.actors.TraceFs;
import io.ringtrace.actors.TraceSystem;
import io.ringtrace.actors.Tracer;
import io.ringtrace.actors.fs.OpenFlags;
import io.ringtrace.persistence.Geometry;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Recovery: a first engine run fills the 12 MB persistent instance of
 * {@code reserve_mem=12M:4096:trace trace_instance=boot_map@trace trace_instance=backup=boot_map}
 * (every page of both CPUs, trace_marker events) and stops; the second start on the same data is
 * timed from ActorSystem creation until the first read of {@code instances/backup/trace} returns
 * text. Baseline: opening a raw LevelDB JNI database holding the same number of page bytes and
 * reading every value. Both are measured warm (in this JVM, classes loaded) and cold (a fresh JVM:
 * process start to done, JVM start-up included on both sides).
 */
final class RecoveryMeasure {

    record Result(long pageBytes, long warmReadableNs, long warmBootNs, long warmRawNs,
                  long coldReadableNs, long coldRawNs, long coldReadableInJvmNs, long coldRawInJvmNs,
                  long backupLines, long backupFullReadNs, long warmEmptyEngineNs,
                  long coldCdsReadableNs, long coldCdsReadableInJvmNs, Floor floor) {
    }

    /**
     * What a fresh JVM takes before any recovery can start, each from process start: a typed
     * ActorSystem alone (Pekko, no ringtrace; {@code ConfigFactory.load()}, an empty guardian) and a
     * ringtrace engine without persistent instances until a first read ({@code tracing_on}); both
     * also with an AppCDS archive of their own (training run, then the timed run).
     */
    record Floor(long actorSystemNs, long engineNs, long actorSystemCdsNs, long engineCdsNs, long noPekkoNs,
                 long noPekkoInJvmNs, long noPekkoWarmNs) {
    }

    private RecoveryMeasure() {
    }

    static Config config(Path data) {
        return Engines.config(2, data, Engines.PERSISTENT_CMDLINE, Map.of());
    }

    static Result run(Path work) throws Exception {
        Path pristine = work.resolve("recovery-data");
        Engines.deleteTree(pristine);
        Files.createDirectories(pristine);
        int nr = new Geometry(PersistenceMeasure.RESERVED, 2, 4096).nrPages();
        fill(pristine, nr);
        long pageBytes = 2L * nr * 4096;

        // warm: this JVM has run an engine already; first an engine without persistent instances
        long e0 = System.nanoTime();
        Engines.stop(Engines.start("EmptyEngine", 2));
        long emptyNs = System.nanoTime() - e0;
        Path d2 = copy(pristine, work.resolve("recovery-warm"));
        long t0 = System.nanoTime();
        ActorSystem<TraceSystem.Command> system = Engines.start("RecoveryWarm", config(d2));
        long tBoot = System.nanoTime();
        long tReadable;
        long lines = 0;
        long fullNs;
        try {
            TraceFs fs = Ringtrace.fs(system);
            try (TraceFs.Handle h = fs.open("instances/backup/trace", OpenFlags.O_RDONLY)) {
                byte[] first = h.read(65536);
                tReadable = System.nanoTime();
                if (first.length == 0) {
                    throw new IllegalStateException("instances/backup/trace is empty");
                }
                lines += count(first);
                while (true) {
                    byte[] b = h.read(1 << 20);
                    if (b.length == 0) {
                        break;
                    }
                    lines += count(b);
                }
                fullNs = System.nanoTime() - t0;
            }
        } finally {
            Engines.stop(system);
        }
        Engines.deleteTree(d2);

        // raw LevelDB holding the same page bytes (real page images)
        Rings.Fixture fx = new Rings.Fixture(1, 64);
        try (Producers p = Producers.of(1, fx.rec, null)) {
            Thread.sleep(200);
        }
        List<byte[]> images = PersistenceMeasure.pageImages(fx, 64);
        Path raw = work.resolve("recovery-raw");
        Engines.deleteTree(raw);
        RawLevelDb.fill(raw, images, 2 * nr);
        long bestRaw = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            long r0 = System.nanoTime();
            long got = RawLevelDb.readAll(raw);
            long r1 = System.nanoTime();
            if (got != pageBytes) {
                throw new IllegalStateException("raw read " + got + " bytes, expected " + pageBytes);
            }
            bestRaw = Math.min(bestRaw, r1 - r0);
        }

        // cold: fresh JVMs
        Path d3 = copy(pristine, work.resolve("recovery-cold"));
        long[] coldEngine = child("recover", d3, List.of());
        long[] coldRaw = child("rawread", raw, List.of());
        Engines.deleteTree(d3);
        // cold with class-data sharing, as bin/ringtrace boots: a first fresh JVM recovers and writes
        // the archive at exit (the training run), a second one maps it and is timed
        Path jsa = work.resolve("recovery.jsa");
        Files.deleteIfExists(jsa);
        child("recover", copy(pristine, work.resolve("recovery-cds")), List.of("-XX:ArchiveClassesAtExit=" + jsa,
                "-Xlog:cds=off", "-Xlog:cds+dynamic=off"));
        long[] coldCds = child("recover", copy(pristine, work.resolve("recovery-cds")),
                List.of("-Xshare:on", "-XX:SharedArchiveFile=" + jsa));
        Engines.deleteTree(work.resolve("recovery-cds"));
        Files.deleteIfExists(jsa);
        long[] noPekko = child("rawserve", raw, List.of());
        long noPekkoWarm = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            long r0 = System.nanoTime();
            RawLevelDb.serveFirstRead(raw, nr);
            noPekkoWarm = Math.min(noPekkoWarm, System.nanoTime() - r0);
        }
        Floor floor = new Floor(child("actorsystem", work, List.of())[0], child("engine", work, List.of())[0],
                withArchive("actorsystem", work, jsa), withArchive("engine", work, jsa), noPekko[0], noPekko[1],
                noPekkoWarm);
        Engines.deleteTree(raw);
        Engines.deleteTree(raw);
        Engines.deleteTree(pristine);
        return new Result(pageBytes, tReadable - t0, tBoot - t0, bestRaw, coldEngine[0], coldRaw[0],
                coldEngine[1], coldRaw[1], lines, fullNs, emptyNs, coldCds[0], coldCds[1], floor);
    }

    /** First run: every page of boot_map on both CPUs holds trace_marker events; stop (flush). */
    static void fill(Path data, int nr) throws Exception {
        ActorSystem<TraceSystem.Command> system = Engines.start("RecoveryFill", config(data));
        try {
            Tracer tracer = Ringtrace.tracer(system);
            // a 1-character marker is a 24-byte event: 170 per 4 KiB page; write 20% more than fit
            int perCpu = (int) (nr * 170L * 12 / 10);
            ReadingMeasure.fill(tracer, "boot_map", perCpu, i -> String.valueOf((char) ('a' + i % 26)));
            Thread.sleep(300); // more than commit-interval; the shutdown flush persists the rest
        } finally {
            Engines.stop(system);
        }
    }

    private static long count(byte[] b) {
        long n = 0;
        for (byte x : b) {
            if (x == '\n') {
                n++;
            }
        }
        return n;
    }

    static Path copy(Path from, Path to) throws IOException {
        Engines.deleteTree(to);
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path d = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(d);
                } else {
                    Files.copy(p, d);
                }
            }
        }
        return to;
    }

    /** A training run of {@code kind} that writes an AppCDS archive, then the timed run that maps it. */
    private static long withArchive(String kind, Path dir, Path jsa) throws Exception {
        Files.deleteIfExists(jsa);
        child(kind, dir, List.of("-XX:ArchiveClassesAtExit=" + jsa, "-Xlog:cds=off", "-Xlog:cds+dynamic=off"));
        long ns = child(kind, dir, List.of("-Xshare:on", "-XX:SharedArchiveFile=" + jsa))[0];
        Files.deleteIfExists(jsa);
        return ns;
    }

    /**
     * Runs {@code Suite --child KIND DIR} in a fresh JVM with {@code jvmOptions}; returns {process start to "DONE",
     * main() to done as the child measured it} in ns.
     */
    private static long[] child(String kind, Path dir, List<String> jvmOptions) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                Suite.ADD_EXPORTS));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Suite.class.getName(), "--child", kind,
                dir.toString()));
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        long inJvm = -1;
        long tDone = -1;
        StringBuilder out = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith("DONE ")) {
                    tDone = System.nanoTime();
                    inJvm = Long.parseLong(line.substring(5).trim());
                } else {
                    out.append(line).append('\n');
                }
            }
        }
        if (!p.waitFor(120, TimeUnit.SECONDS) || tDone < 0) {
            p.destroyForcibly();
            throw new IllegalStateException("child " + kind + " failed:\n" + out);
        }
        return new long[] {tDone - t0, inJvm};
    }

    /** The child side of {@link #child}: prints "DONE <ns from main() to done>". */
    static void childMain(String kind, Path dir, long mainStart) throws Exception {
        switch (kind) {
            case "recover" -> inEngine(Engines.start("RecoveryCold", config(dir)), mainStart, fs -> {
                try (TraceFs.Handle h = fs.open("instances/backup/trace", OpenFlags.O_RDONLY)) {
                    return h.read(65536).length > 0;
                }
            });
            case "engine" -> inEngine(Engines.start("FloorEngine", 2), mainStart, fs -> !fs.read("tracing_on").isEmpty());
            case "actorsystem" -> {
                ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "Floor", ConfigFactory.load());
                done(true, mainStart);
                system.terminate();
            }
            // what-if: the backup served with no ActorSystem and no persistence plugin
            case "rawserve" -> done(RawLevelDb.serveFirstRead(dir,
                    new Geometry(PersistenceMeasure.RESERVED, 2, 4096).nrPages()).length > 0, mainStart);
            case "rawread" -> done(RawLevelDb.readAll(dir) > 0, mainStart);
            default -> throw new IllegalArgumentException(kind);
        }
    }

    private interface Ready {
        boolean test(TraceFs fs) throws Exception;
    }

    /** Prints DONE once {@code ready} says the engine answered with content, then stops the engine. */
    private static void inEngine(ActorSystem<TraceSystem.Command> system, long mainStart, Ready ready) throws Exception {
        try {
            done(ready.test(Ringtrace.fs(system)), mainStart);
        } finally {
            system.terminate();
        }
    }

    private static void done(boolean gotContent, long mainStart) {
        if (!gotContent) {
            throw new IllegalStateException("nothing to read");
        }
        System.out.println("DONE " + (System.nanoTime() - mainStart));
        System.out.flush();
    }
}
