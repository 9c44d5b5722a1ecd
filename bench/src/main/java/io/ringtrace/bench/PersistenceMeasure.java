package io.ringtrace.bench;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.ringtrace.persistence.Geometry;
import io.ringtrace.persistence.JournalSettings;
import io.ringtrace.persistence.JournalSetup;
import io.ringtrace.persistence.PersistentCpuBuffer;
import io.ringtrace.protocol.event.EventRecorder;
import io.ringtrace.protocol.event.SavedCmdlines;
import io.ringtrace.protocol.ring.RingBuffer;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Persistent recording: producers record bench/rec at full speed into the rings of a 12 MB
 * persistent instance (2 CPUs, the geometry of reserve_mem=12M) whose {@link PersistentCpuBuffer}s
 * commit to the LevelDB JNI journal with the shipped defaults (commit-interval 100ms, fsync on,
 * journal-slack 0.5, compaction-every 4). The producers run for a window, then a Flush waits
 * for every commit the journal still owes; persisted bytes/s = page bytes committed / (window +
 * drain). Compared with raw LevelDB JNI batch writes of the same page images, batch size and sync
 * in the same run, and the producers' events/s with the same threads and rings without persistence
 * (before and after). The data directory is sampled every 50 ms (largest size seen, and its size
 * at the end). What-ifs in the same run: the journal without compaction
 * (journal-slack 1, compaction-every 10^6 buffers), with a compaction per buffer of deleted pages
 * (compaction-every 1), and the producer next to a plain busy thread
 * (the CPU share a second runnable thread takes on this machine).
 */
final class PersistenceMeasure {
    static final long RESERVED = 12L << 20;
    static final int CPUS = 2;

    record Run(double persistedBytesPerSec, double avgBatchPages, double diskWriteBytesPerSec,
               double eventsPerSec, long commits, long deletes, double drainMs, double gcMs, double seconds,
               long maxDiskBytes, long endDiskBytes, long bufferBytes, long processCpuNs, long producerCpuNs) {

        /** CPU time of everything but the producers (journal, LevelDB, GC, actors) per MB persisted, in ms. */
        double journalCpuMsPerMB() {
            return (processCpuNs - producerCpuNs) / 1e6 / (persistedBytesPerSec * seconds / 1e6);
        }
    }

    record Result(int producers, Run defaults, Run noCompaction, Run compactEveryBuffer, Run directSlots,
                  Run directBackToBack, Run mappedSlots,
                  double rawBytesPerSec,
                  double eventsPerSecPlain, double eventsPerSecNextToBusyThread, double eventsPerSecNextToCopyPage,
                  boolean fsync) {
        double ratio() {
            return defaults.persistedBytesPerSec / rawBytesPerSec;
        }

        double producerRatio() {
            return defaults.eventsPerSec / eventsPerSecPlain;
        }
    }

    /** CPU per thread of the last {@link #persistent} run (window + drain), for the profile. */
    static volatile String lastThreadCpu = "";

    private PersistenceMeasure() {
    }

    static Result run(Path work, int producers, long windowMs) throws Exception {
        int nr = new Geometry(RESERVED, CPUS, 4096).nrPages();
        boolean fsync = ConfigFactory.load().getBoolean("ringtrace.persistence.fsync");
        double plain1 = plainRate(nr, producers, windowMs, false);
        Run defaults = persistent(work, nr, producers, windowMs, Map.of());
        Run tuned = persistent(work, nr, producers, windowMs, Map.of(
                "ringtrace.persistence.journal-slack", 1.0,
                "ringtrace.persistence.compaction-every", 1_000_000.0));
        Run everyBuffer = persistent(work, nr, producers, windowMs, Map.of(
                "ringtrace.persistence.compaction-every", 1.0));
        Run direct = directSlots(work, nr, producers, windowMs, fsync, 100_000_000L);
        Run backToBack = directSlots(work, nr, producers, windowMs, fsync, 0L);
        Run mapped = directSlots(work, nr, producers, windowMs, fsync, 0L, true);
        double plain2 = plainRate(nr, producers, windowMs, false);
        double busy = plainRate(nr, producers, windowMs, true);
        double copying = nextToCopyPage(nr, producers, windowMs);
        Rings.Fixture fx = new Rings.Fixture(CPUS, 64);
        try (Producers p = Producers.of(1, fx.rec, null)) {
            Thread.sleep(100);
        }
        double raw;
        try {
            raw = RawLevelDb.batchWriteRate(work.resolve("raw-write"), pageImages(fx, 64),
                    (int) Math.max(1, Math.round(defaults.avgBatchPages)), fsync, windowMs);
        } finally {
            Engines.deleteTree(work.resolve("raw-write"));
        }
        return new Result(producers, defaults, tuned, everyBuffer, direct, backToBack, mapped, raw, (plain1 + plain2) / 2, busy, copying,
                fsync);
    }

    static Run persistent(Path work, int nr, int producers, long windowMs, Map<String, Object> overrides)
            throws Exception {
        Path data = Files.createDirectories(work.resolve("persist"));
        Config base = ConfigFactory.parseMap(overrides)
                .withValue("pekko.loglevel", ConfigValueFactory.fromAnyRef("WARNING"))
                .withValue("pekko.coordinated-shutdown.run-by-jvm-shutdown-hook", ConfigValueFactory.fromAnyRef("off"))
                .withFallback(ConfigFactory.load());
        Config config = JournalSetup.config(data, base);
        Quiet.logs();
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "PersistBench", config);
        Rings.Fixture fx = new Rings.Fixture(CPUS, nr);
        List<ActorRef<PersistentCpuBuffer.Command>> journals = new ArrayList<>();
        try {
            JournalSettings settings = JournalSettings.create(config);
            for (int c = 0; c < CPUS; c++) {
                journals.add(system.systemActorOf(PersistentCpuBuffer.create("bench", c, fx.buffer.cpu(c), settings),
                        "journal-cpu" + c, Props.empty()));
            }
            for (var j : journals) {
                AskPattern.<PersistentCpuBuffer.Command, PersistentCpuBuffer.Recovered>ask(j,
                        PersistentCpuBuffer.GetRecovered::new, Duration.ofSeconds(60), system.scheduler())
                        .toCompletableFuture().get(70, TimeUnit.SECONDS);
            }
            SavedCmdlines cmdlines = new SavedCmdlines();
            long[] maxDisk = {0};
            boolean[] sampling = {true};
            Thread sampler = new Thread(() -> {
                while (isSet(sampling)) {
                    long d = JournalSetup.diskUsage(data);
                    synchronized (maxDisk) {
                        maxDisk[0] = Math.max(maxDisk[0], d);
                    }
                    try {
                        Thread.sleep(50);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "disk-sampler");
            sampler.setDaemon(true);
            sampler.start();
            long io0 = diskWriteBytes();
            long gc0 = gcMillis();
            long cpu0 = processCpuNanos();
            var threads0 = ThreadCpu.snapshot();
            var java0 = ThreadCpu.javaThreads();
            long t0 = System.nanoTime();
            long events;
            long tStop;
            long producerCpu;
            try (Producers p = new Producers(producers, fx.rec, () -> new EventRecorder(cmdlines, 0))) {
                Thread.sleep(windowMs);
                events = p.count();
                tStop = System.nanoTime();
                producerCpu = p.cpuNanos();
            }
            for (var j : journals) {
                AskPattern.<PersistentCpuBuffer.Command, Done>ask(j, PersistentCpuBuffer.Flush::new,
                        Duration.ofSeconds(300), system.scheduler()).toCompletableFuture().get(310, TimeUnit.SECONDS);
            }
            long tFlushed = System.nanoTime();
            long cpu1 = processCpuNanos();
            lastThreadCpu = "producer " + String.format(java.util.Locale.ROOT, "%.2f", producerCpu / 1e9 / ((tFlushed - t0) / 1e9))
                    + "; " + ThreadCpu.javaDiff(java0, ThreadCpu.javaThreads(), cpu1 - cpu0, producerCpu, threads0,
                    ThreadCpu.snapshot(), (tFlushed - t0) / 1e9);
            synchronized (sampling) {
                sampling[0] = false;
            }
            sampler.join();
            long io1 = diskWriteBytes();
            long commits = 0;
            long pages = 0;
            long bytes = 0;
            long deletes = 0;
            for (var j : journals) {
                PersistentCpuBuffer.Stats st = AskPattern.<PersistentCpuBuffer.Command, PersistentCpuBuffer.Stats>ask(j,
                        PersistentCpuBuffer.GetStats::new, Duration.ofSeconds(60), system.scheduler())
                        .toCompletableFuture().get(70, TimeUnit.SECONDS);
                commits += st.commits();
                pages += st.pagesCommitted();
                bytes += st.bytesCommitted();
                deletes += st.deletes();
            }
            for (var j : journals) {
                AskPattern.<PersistentCpuBuffer.Command, Done>ask(j, PersistentCpuBuffer.Stop::new,
                        Duration.ofSeconds(60), system.scheduler()).toCompletableFuture().get(70, TimeUnit.SECONDS);
            }
            Thread.sleep(500); // background compaction of the last deletes
            long endDisk = JournalSetup.diskUsage(data);
            double secs = (tFlushed - t0) / 1e9;
            return new Run(bytes / secs, commits == 0 ? 1 : (double) pages / commits,
                    io0 < 0 ? -1 : (io1 - io0) / secs, events * 1e9 / (tStop - t0), commits, deletes,
                    (tFlushed - tStop) / 1e6, gcMillis() - gc0, secs, Math.max(maxDisk[0], endDisk), endDisk,
                    (long) CPUS * nr * 4096, cpu1 - cpu0, producerCpu);
        } finally {
            Engines.stop(system);
            Engines.deleteTree(data);
        }
    }

    /**
     * What-if: the persistence data plane without the Pekko journal. Every commit-interval (fixed rate,
     * back to back when behind, like the actor's timer) a thread
     * copies the pages changed since the last commit (RingBuffer.copyPage, as PersistentCpuBuffer
     * does) and writes them with one synchronous raw LevelDB batch, keyed by CPU and ring slot
     * (seq mod slots), so the database holds exactly the ring: no serialization, no snapshots, no
     * deletes, no compaction. The actor would keep the control plane (reset, recovery, stats).
     */
    private static Run directSlots(Path work, int nr, int producers, long windowMs, boolean fsync, long intervalNs)
            throws Exception {
        return directSlots(work, nr, producers, windowMs, fsync, intervalNs, false);
    }

    /**
     * {@link #directSlots} with {@code mapped}: the pages go to a memory-mapped file of the buffers'
     * size instead (each CPU's slots one after the other, the page at its slot's place; with fsync,
     * {@code MappedByteBuffer.force()} after each commit's pages): a data plane that writes each
     * page once, with no log, no table and no compaction.
     */
    private static Run directSlots(Path work, int nr, int producers, long windowMs, boolean fsync, long intervalNs,
            boolean mapped) throws Exception {
        Path dir = work.resolve("direct-slots");
        Rings.Fixture fx = new Rings.Fixture(CPUS, nr);
        SavedCmdlines cmdlines = new SavedCmdlines();
        long[] totals = new long[2]; // bytes, commits
        boolean[] stop = {false};
        long gc0 = gcMillis();
        long io0 = diskWriteBytes();
        Files.createDirectories(dir);
        long fileBytes = (long) CPUS * (nr + 1) * 4096;
        try (org.iq80.leveldb.DB db = mapped ? null : RawLevelDb.open(dir);
             java.nio.channels.FileChannel ch = !mapped ? null : java.nio.channels.FileChannel.open(
                     dir.resolve("pages"), java.nio.file.StandardOpenOption.CREATE,
                     java.nio.file.StandardOpenOption.READ, java.nio.file.StandardOpenOption.WRITE)) {
            org.iq80.leveldb.WriteOptions wo = new org.iq80.leveldb.WriteOptions().sync(fsync);
            java.nio.MappedByteBuffer map = !mapped ? null
                    : ch.map(java.nio.channels.FileChannel.MapMode.READ_WRITE, 0, fileBytes);
            long[] scanFrom = new long[CPUS];
            for (int c = 0; c < CPUS; c++) {
                scanFrom[c] = fx.buffer.cpu(c).writePageSeq();
            }
            Thread committer = new Thread(() -> {
                byte[] scratch = new byte[4096];
                long next = System.nanoTime();
                try {
                    while (true) {
                        boolean last;
                        synchronized (stop) {
                            last = stop[0];
                        }
                        // fixed rate, as the actor's timer: no pause when the last batch took longer
                        next += intervalNs;
                        long wait = next - System.nanoTime();
                        if (!last && wait > 0) {
                            Thread.sleep(wait / 1_000_000L, (int) (wait % 1_000_000L));
                        } else if (wait <= 0) {
                            next = System.nanoTime();
                        }
                        try (org.iq80.leveldb.WriteBatch b = mapped ? null : db.createWriteBatch()) {
                            int n = 0;
                            for (int c = 0; c < CPUS; c++) {
                                RingBuffer r = fx.buffer.cpu(c);
                                long w = r.writePageSeq();
                                for (long sq = Math.max(scanFrom[c], w - nr); sq <= w; sq++) {
                                    if (r.copyPage(sq, scratch) < 0) {
                                        continue;
                                    }
                                    if (mapped) {
                                        map.put((int) ((c * (nr + 1L) + sq % (nr + 1)) * 4096), scratch);
                                        n++;
                                        continue;
                                    }
                                    long key = ((long) c << 32) | (sq % (nr + 1));
                                    byte[] k = new byte[8];
                                    for (int i = 0; i < 8; i++) {
                                        k[i] = (byte) (key >>> (56 - 8 * i));
                                    }
                                    b.put(k, scratch.clone());
                                    n++;
                                }
                                scanFrom[c] = w;
                            }
                            if (n > 0) {
                                if (!mapped) {
                                    db.write(b, wo);
                                } else if (fsync) {
                                    map.force();
                                }
                                totals[0] += n * 4096L;
                                totals[1]++;
                            }
                        }
                        if (last) {
                            return;
                        }
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, "direct-slots");
            long t0 = System.nanoTime();
            committer.start();
            long events;
            long tStop;
            try (Producers p = new Producers(producers, fx.rec, () -> new EventRecorder(cmdlines, 0))) {
                Thread.sleep(windowMs);
                events = p.count();
                tStop = System.nanoTime();
            }
            synchronized (stop) {
                stop[0] = true;
            }
            committer.join();
            long t1 = System.nanoTime();
            double secs = (t1 - t0) / 1e9;
            return new Run(totals[0] / secs, totals[1] == 0 ? 0 : totals[0] / 4096.0 / totals[1],
                    io0 < 0 ? -1 : (diskWriteBytes() - io0) / secs, events * 1e9 / (tStop - t0), totals[1], 0,
                    (t1 - tStop) / 1e6, gcMillis() - gc0, secs, -1, -1, (long) CPUS * nr * 4096, -1, -1);
        } finally {
            Engines.deleteTree(dir);
        }
    }

    /**
     * Control: the producer while another thread copies pages of the same ring in a loop with
     * RingBuffer.copyPage (what the persistence actor does at every commit, here without pause):
     * the cost of the ring guard that copyPage holds for each 4 KiB copy.
     */
    private static double nextToCopyPage(int nr, int producers, long windowMs) throws InterruptedException {
        byte[] scratch = new byte[4096];
        return rateNextTo(nr, producers, windowMs, fx -> {
            RingBuffer r = fx.buffer.cpu(0);
            long w = r.writePageSeq();
            for (long sq = Math.max(0, w - 64); sq <= w; sq++) {
                r.copyPage(sq, scratch);
            }
        });
    }

    /** CPU time of this process so far (ns), or -1. */
    static long processCpuNanos() {
        var os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean o ? o.getProcessCpuTime() : -1;
    }

    static long gcMillis() {
        long t = 0;
        for (var gc : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
            t += Math.max(0, gc.getCollectionTime());
        }
        return t;
    }

    /** Producers into the same geometry without persistence; optionally next to a busy-spinning thread. */
    private static double plainRate(int nr, int producers, long windowMs, boolean busyNeighbour)
            throws InterruptedException {
        long[] x = {0};
        return rateNextTo(nr, producers, windowMs, busyNeighbour ? fx -> x[0] += System.identityHashCode(fx) : null);
    }

    /**
     * Producers into a ring of the same geometry without persistence, while a neighbour thread runs
     * {@code neighbourStep} in a loop (none when null).
     */
    private static double rateNextTo(int nr, int producers, long windowMs,
            java.util.function.Consumer<Rings.Fixture> neighbourStep) throws InterruptedException {
        Rings.Fixture fx = new Rings.Fixture(CPUS, nr);
        SavedCmdlines cmdlines = new SavedCmdlines();
        boolean[] stop = {false};
        Thread neighbour = null;
        if (neighbourStep != null) {
            neighbour = new Thread(() -> {
                while (!isSet(stop)) {
                    neighbourStep.accept(fx);
                }
            }, "neighbour");
            neighbour.setDaemon(true);
            neighbour.start();
        }
        try (Producers p = new Producers(producers, fx.rec, () -> new EventRecorder(cmdlines, 0))) {
            Thread.sleep(500);
            return p.rate(windowMs);
        } finally {
            synchronized (stop) {
                stop[0] = true;
            }
            if (neighbour != null) {
                neighbour.join();
            }
        }
    }

    /** A flag shared with a sampling or neighbour thread (read under its monitor). */
    private static boolean isSet(boolean[] flag) {
        synchronized (flag) {
            return flag[0];
        }
    }

    /** Full page images of a ring that holds bench/rec events (what the journal persists). */
    static List<byte[]> pageImages(Rings.Fixture fx, int max) {
        RingBuffer r = fx.buffer.cpu(0);
        List<byte[]> out = new ArrayList<>();
        long w = r.writePageSeq();
        for (long s = Math.max(r.oldestPageSeq(), w - max); s < w; s++) {
            byte[] b = new byte[4096];
            if (r.copyPage(s, b) > 0) {
                out.add(b);
            }
        }
        if (out.isEmpty()) {
            throw new IllegalStateException("no page images");
        }
        return out;
    }

    /** write_bytes of /proc/self/io (bytes this process caused to be sent to storage), or -1. */
    static long diskWriteBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/io"))) {
                if (line.startsWith("write_bytes:")) {
                    return Long.parseLong(line.substring(12).trim());
                }
            }
        } catch (Exception e) {
            return -1;
        }
        return -1;
    }
}
