package io.ringtrace.bench;

import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.profile.StackProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The whole performance suite in one run (bench/run.sh): the JMH benchmarks (each in its own
 * forked JVM) and the end-to-end measurements in this JVM, every baseline beside the figure it is
 * compared with, then the table of ratios against the targets of BENCHMARKS.md.
 *
 * <pre>
 * java -jar bench/target/benchmarks.jar [--out DIR] [--update-md BENCHMARKS.md] [--skip-jmh] [--only NAME,...]
 * java -jar bench/target/benchmarks.jar --jmh [JMH options]      # plain JMH command line
 * </pre>
 */
public final class Suite {
    static final String TABLE_BEGIN = "<!-- BEGIN GENERATED TABLE (bench/run.sh) -->";
    static final String TABLE_END = "<!-- END GENERATED TABLE -->";
    static final String ADD_EXPORTS = "--add-exports=jdk.jfr/jdk.jfr.internal=ALL-UNNAMED";

    private final Map<String, RunResult> jmh = new LinkedHashMap<>();
    private final List<String> rows = new ArrayList<>();
    private final List<String> refRows = new ArrayList<>();
    private final List<String> profileRows = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private Path out = Path.of("bench/results");
    private int forks = 1;
    /** Runs of ringtrace and JFR side by side in the recording comparison. */
    private static final int RATIO_PAIRS = 3;
    private int warmups = 4; // C2 settles the recording path after about 3 s (seen in the iteration logs)
    private int iterations = 3;
    private String only = "";
    private String stackProfile = "";
    private long readLines;

    public static void main(String[] args) throws Exception {
        long mainStart = System.nanoTime();
        if (args.length > 0 && args[0].equals("--jmh")) {
            String[] rest = new String[args.length - 1];
            System.arraycopy(args, 1, rest, 0, rest.length);
            org.openjdk.jmh.Main.main(rest);
            return;
        }
        if (args.length == 3 && args[0].equals("--child")) {
            int rc = 0;
            try {
                RecoveryMeasure.childMain(args[1], Path.of(args[2]), mainStart);
            } catch (Throwable t) {
                t.printStackTrace();
                rc = 1;
            }
            System.exit(rc);
        }
        Suite s = new Suite();
        Path md = null;
        boolean skipJmh = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--out":
                    s.out = Path.of(args[++i]);
                    break;
                case "--update-md":
                    md = Path.of(args[++i]);
                    break;
                case "--skip-jmh":
                    skipJmh = true;
                    break;
                case "--only":
                    s.only = args[++i];
                    break;
                case "--iterations":
                    s.iterations = Integer.parseInt(args[++i]);
                    break;
                default:
                    throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Files.createDirectories(s.out);
        Quiet.logs();
        int rc = s.run(skipJmh, md);
        System.exit(rc);
    }

    private boolean wanted(String part) {
        return only.isEmpty() || (',' + only + ',').contains(',' + part + ',');
    }

    private int run(boolean skipJmh, Path md) throws Exception {
        long t0 = System.nanoTime();
        String startLoad = loadAverage();
        Path work = Files.createTempDirectory("ringtrace-bench");
        if (!skipJmh) {
            runJmh();
        }
        recording();
        disabled();
        allocation();
        if (wanted("persistence")) {
            step("persistence");
            persistence(work);
        }
        if (wanted("recovery")) {
            step("recovery");
            recovery(work);
        }
        if (wanted("reading")) {
            step("reading");
            reading();
        }
        if (wanted("memory")) {
            step("memory");
            memory();
        }
        if (wanted("autoremove")) {
            step("autoremove");
            autoremove(work);
        }
        profile();
        readingProfile();
        Engines.deleteTree(work);
        double minutes = (System.nanoTime() - t0) / 60e9;
        String report = report(startLoad, loadAverage(), minutes);
        System.out.println();
        System.out.println(report);
        Files.writeString(out.resolve("latest.md"), report, StandardCharsets.UTF_8);
        if (md != null) {
            splice(md, report);
            System.out.println("updated " + md);
        }
        return 0;
    }

    private static void step(String what) {
        System.out.println("# " + ZonedDateTime.now().format(DateTimeFormatter.ofPattern("HH:mm:ss")) + " " + what);
    }

    // ------------------------------------------------------------------ JMH

    private ChainedOptionsBuilder base() {
        return new OptionsBuilder()
                .forks(forks)
                .warmupIterations(warmups)
                .warmupTime(TimeValue.seconds(1))
                .measurementIterations(iterations)
                .measurementTime(TimeValue.seconds(1))
                .shouldFailOnError(true);
    }

    private void jmhRun(String key, ChainedOptionsBuilder opts) throws Exception {
        jmhRun(key, key, opts);
    }

    /** Runs {@code opts}, its results keyed KEY.BENCHMARK[:PARAM...], its output in jmh-LOG.log. */
    private void jmhRun(String key, String log, ChainedOptionsBuilder opts) throws Exception {
        step("jmh " + log);
        Collection<RunResult> results = new Runner(opts.output(out.resolve("jmh-" + log + ".log").toString()).build()).run();
        for (RunResult r : results) {
            String name = r.getParams().getBenchmark();
            name = name.substring(name.lastIndexOf('.') + 1);
            StringBuilder k = new StringBuilder(key).append('.').append(name);
            for (String p : r.getParams().getParamsKeys()) {
                k.append(':').append(r.getParams().getParam(p));
            }
            jmh.put(k.toString(), r);
            Result pr = r.getPrimaryResult();
            System.out.printf(Locale.ROOT, "  %-40s %14.3f ± %.3f %s%n", k, pr.getScore(), pr.getScoreError(),
                    pr.getScoreUnit());
        }
    }

    private void runJmh() throws Exception {
        String rb = RecordBench.class.getName();
        if (wanted("recording")) {
            for (int t : new int[] {1, 2}) {
                // ringtrace and JFR side by side, RATIO_PAIRS times in a row: on this machine one JVM's
                // figure alone can be 2x another's (see BENCHMARKS.md), so the ratio is the pairs' median
                for (int pair = 0; pair < RATIO_PAIRS; pair++) {
                    ChainedOptionsBuilder o = base().include(rb + "\\.(ringtrace|jfr)$").threads(t).jvmArgsAppend(ADD_EXPORTS);
                    jmhRun(recKey(t, pair), "rec" + t + "-pair" + pair, pair == 0 ? o.addProfiler(GCProfiler.class) : o);
                }
                jmhRun("rec" + t, "rec" + t + "-references", base().include(rb + "\\.(longRing|arrayBlockingQueue|ringtraceRecorder)$")
                        .threads(t).addProfiler(GCProfiler.class).jvmArgsAppend(ADD_EXPORTS));
            }
            // the same, in a JVM without the jdk.jfr export: the local clock falls back to System.nanoTime
            jmhRun("recnano", base().include(rb + "\\.(ringtrace)$").threads(1));
        }
        if (wanted("disabled")) {
            jmhRun("off", base().include(DisabledBench.class.getName() + "\\."));
        }
        if (wanted("reading")) {
            jmhRun("read", base().include(ReadBench.class.getName() + "\\.(render|timestampFormat|timestampManual)$"));
        }
        if (wanted("profile")) {
            jmhRun("prof", base().include(ProfileBench.class.getName() + "\\.")
                    .param("clock", "local", "nanoTime", "none")
                    .jvmArgsAppend(ADD_EXPORTS));
            // where one recorded event spends its time (JMH's sampling stack profiler)
            Path stackLog = out.resolve("profile-stack.txt");
            new Runner(base().include(ProfileBench.class.getName() + "\\.recorder$")
                    .param("clock", "local")
                    .jvmArgsAppend(ADD_EXPORTS)
                    .measurementIterations(2)
                    .addProfiler(StackProfiler.class, "lines=6;top=12;detailLine=true")
                    .output(stackLog.toString()).build()).run();
            stackProfile = extractStack(stackLog);
        }
    }

    private static String extractStack(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log);
        StringBuilder sb = new StringBuilder();
        boolean in = false;
        for (String l : lines) {
            if (l.startsWith("Secondary result") && l.contains(":stack")) {
                in = true;
            }
            if (in) {
                sb.append(l).append('\n');
            }
            if (in && l.contains("....[Thread state: TIMED_WAITING]")) {
                break;
            }
        }
        return sb.toString();
    }

    private RunResult r(String key) {
        return jmh.get(key);
    }

    private static String pm(RunResult r, double scale, String fmt) {
        if (r == null) {
            return "n/a";
        }
        Result p = r.getPrimaryResult();
        double err = Double.isNaN(p.getScoreError()) ? 0 : p.getScoreError();
        return String.format(Locale.ROOT, fmt + " ± " + fmt, p.getScore() * scale, err * scale);
    }

    private static double score(RunResult r) {
        return r == null ? Double.NaN : r.getPrimaryResult().getScore();
    }

    private static double alloc(RunResult r) {
        if (r == null) {
            return Double.NaN;
        }
        Result a = r.getSecondaryResults().get("gc.alloc.rate.norm");
        return a == null ? Double.NaN : a.getScore();
    }

    // ------------------------------------------------------------------ rows

    private void row(String metric, String ours, String baseline, double ratio, String ratioFmt, String target,
                     Boolean pass) {
        rows.add("| " + metric + " | " + ours + " | " + baseline + " | "
                + (Double.isNaN(ratio) ? "n/a" : String.format(Locale.ROOT, ratioFmt, ratio)) + " | " + target
                + " | " + (pass == null ? "–" : pass ? "**met**" : "**missed**") + " |");
    }

    /** Results of the recording pair {@code pair} with {@code t} threads: rec1, rec1p1, rec1p2, ... */
    private static String recKey(int t, int pair) {
        return "rec" + t + (pair == 0 ? "" : "p" + pair);
    }

    private void recording() {
        for (int t : new int[] {1, 2}) {
            if (r(recKey(t, 0) + ".ringtrace") == null) {
                continue;
            }
            // the median pair decides (and gives the references row); every pair is shown
            List<double[]> pairs = new ArrayList<>();
            for (int pair = 0; pair < RATIO_PAIRS && r(recKey(t, pair) + ".ringtrace") != null; pair++) {
                double ours = score(r(recKey(t, pair) + ".ringtrace"));
                double theirs = score(r(recKey(t, pair) + ".jfr"));
                pairs.add(new double[] {ours / theirs, ours, theirs, pair});
            }
            pairs.sort((a, b) -> Double.compare(a[0], b[0]));
            double[] median = pairs.get(pairs.size() / 2);
            RunResult rt = r(recKey(t, (int) median[3]) + ".ringtrace");
            RunResult jfr = r(recKey(t, (int) median[3]) + ".jfr");
            StringBuilder each = new StringBuilder();
            for (double[] p : pairs) {
                each.append(each.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.2f/%.2f = %.2f",
                        p[1] / 1e6, p[2] / 1e6, p[0]));
            }
            double ratio = median[0];
            row("Recording, " + t + " thread" + (t > 1 ? "s" : "") + " (M events/s; median of " + pairs.size()
                            + " ringtrace/JFR pairs)",
                    String.format(Locale.ROOT, "%.2f (pairs: %s)", median[1] / 1e6, each),
                    String.format(Locale.ROOT, "JFR %.2f", median[2] / 1e6), ratio, "%.2f", "≥ 1.5", ratio >= 1.5);
            refRows.add("| Recording, " + t + " thread" + (t > 1 ? "s" : "") + " (M events/s; the median pair) | "
                    + pm(rt, 1e-6, "%.2f") + " | " + pm(jfr, 1e-6, "%.2f") + " | "
                    + pm(r("rec" + t + ".longRing"), 1e-6, "%.1f") + " | "
                    + pm(r("rec" + t + ".arrayBlockingQueue"), 1e-6, "%.2f") + " |");
            if (r("rec" + t + ".ringtraceRecorder") != null) {
                refRows.add("| Recording, " + t + " thread" + (t > 1 ? "s" : "") + ", the one-call "
                        + "`EventRecorder.record(type, cpu, v0, v1)` instead of the event's writer (M events/s; the "
                        + "references' JVM) | " + pm(r("rec" + t + ".ringtraceRecorder"), 1e-6, "%.2f") + " | | | |");
            }
            if (t == 1 && r("recnano.ringtrace") != null) {
                RunResult nano = r("recnano.ringtrace");
                refRows.add(String.format(Locale.ROOT, "| Recording, 1 thread, JVM without the jdk.jfr export "
                                + "(local clock on System.nanoTime) | %s (%.2f× JFR) | | | |",
                        pm(nano, 1e-6, "%.2f"), score(nano) / score(jfr)));
            }
        }
    }

    private void disabled() {
        RunResult off = r("off.ringtraceDisabled");
        RunResult empty = r("off.emptyCall");
        if (off == null) {
            return;
        }
        double diff = score(off) - score(empty);
        rows.add("| Disabled event (ns/call) | " + pm(off, 1, "%.2f") + " | empty call " + pm(empty, 1, "%.2f")
                + " | " + String.format(Locale.ROOT, "+%.2f ns", diff) + " | ≤ +2 ns | "
                + (diff <= 2 ? "**met**" : "**missed**") + " |");
        refRows.add("| Disabled call (ns) | " + pm(off, 1, "%.2f") + "; what-if with the enabled test first: "
                + pm(r("off.guardedDisabled"), 1, "%.2f") + " | JFR disabled " + pm(r("off.jfrDisabled"), 1, "%.2f")
                + " | not-inlined empty call " + pm(r("off.emptyCallNotInlined"), 1, "%.2f") + " | |");
    }

    private void allocation() throws Exception {
        if (!wanted("recording")) {
            return;
        }
        AllocationMeasure.Result a = AllocationMeasure.run();
        RunResult r1 = r("rec1.ringtrace");
        RunResult r2 = r("rec2.ringtrace");
        rows.add(String.format(Locale.ROOT, "| Heap allocated per recorded event on the hot path (B) | %.6f (%d B over %d events"
                        + " through the event's writer, %d B over as many through the recorder's one-call record;"
                        + " producer thread's allocation counter) | JMH -prof gc, whole JVM incl. the engine's idle actors:"
                        + " ringtrace %.3f / %.3f, JFR %.3f / %.3f (1 / 2 threads) | – | 0 | %s |",
                a.perEvent(), a.bytes(), a.events(), a.recorderBytes(), alloc(r1), alloc(r2), alloc(r("rec1.jfr")),
                alloc(r("rec2.jfr")),
                a.perEvent() < 0.001 ? "**met**" : "**missed**"));
    }

    private void persistence(Path work) throws Exception {
        PersistenceMeasure.Result p = PersistenceMeasure.run(work, 1, 3000);
        PersistenceMeasure.Run d = p.defaults();
        PersistenceMeasure.Run t = p.noCompaction();
        row("Persistent recording (MB/s of pages persisted, 1 producer at full speed)",
                String.format(Locale.ROOT, "%.1f", d.persistedBytesPerSec() / 1e6),
                String.format(Locale.ROOT, "raw LevelDB JNI %.1f (batches of %.0f pages, sync=%s)",
                        p.rawBytesPerSec() / 1e6, d.avgBatchPages(), p.fsync()),
                p.ratio(), "%.2f", "≥ 0.8", p.ratio() >= 0.8);
        row("Producer side, persistent vs not (M events/s, 1 producer)",
                String.format(Locale.ROOT, "%.2f", d.eventsPerSec() / 1e6),
                String.format(Locale.ROOT, "non-persistent %.2f", p.eventsPerSecPlain() / 1e6),
                p.producerRatio(), "%.2f", "≥ 0.95 (no slower; 5% noise band)", p.producerRatio() >= 0.95);
        refRows.add(String.format(Locale.ROOT,
                "| Persistence, defaults | %d commits of %.0f pages, %d journal deletes; journal busy %.0f ms after the"
                        + " producer stopped; GC %.0f ms in %.1f s | disk writes (/proc/self/io) %.1f MB/s = %.1f× the page"
                        + " bytes; data directory at most %.1f MB, %.1f MB at the end (buffers %.1f MB) | | |",
                d.commits(), d.avgBatchPages(), d.deletes(), d.drainMs(), d.gcMs(), d.seconds(),
                d.diskWriteBytesPerSec() / 1e6, d.diskWriteBytesPerSec() / d.persistedBytesPerSec(),
                d.maxDiskBytes() / 1e6, d.endDiskBytes() / 1e6, d.bufferBytes() / 1e6));
        refRows.add(String.format(Locale.ROOT,
                "| Persistence what-if: journal-slack 1, no range compaction (compaction-every 10^6) | %.1f MB/s persisted (%.2f of raw);"
                        + " producer %.2f M events/s | disk writes %.1f MB/s; data directory at most %.1f MB | | |",
                t.persistedBytesPerSec() / 1e6, t.persistedBytesPerSec() / p.rawBytesPerSec(), t.eventsPerSec() / 1e6,
                t.diskWriteBytesPerSec() / 1e6, t.maxDiskBytes() / 1e6));
        PersistenceMeasure.Run e = p.compactEveryBuffer();
        refRows.add(String.format(Locale.ROOT,
                "| Persistence what-if: compaction-every 1 (a range compaction per buffer of deleted pages) | %.1f MB/s"
                        + " persisted (%.2f of raw); producer %.2f M events/s | disk writes %.1f MB/s; data directory at"
                        + " most %.1f MB | | |",
                e.persistedBytesPerSec() / 1e6, e.persistedBytesPerSec() / p.rawBytesPerSec(), e.eventsPerSec() / 1e6,
                e.diskWriteBytesPerSec() / 1e6, e.maxDiskBytes() / 1e6));
        for (PersistenceMeasure.Run ds : new PersistenceMeasure.Run[] {p.directSlots(), p.directBackToBack()}) {
            refRows.add(String.format(Locale.ROOT,
                    "| Persistence what-if: direct slot writes (copyPage + one raw LevelDB batch %s, no journal) |"
                            + " %.1f MB/s persisted (%.2f of raw), batches of %.0f pages; producer %.2f M events/s (%.2f of"
                            + " non-persistent) | GC %.0f ms in %.1f s | | |",
                    ds == p.directSlots() ? "per 100 ms" : "back to back",
                    ds.persistedBytesPerSec() / 1e6, ds.persistedBytesPerSec() / p.rawBytesPerSec(), ds.avgBatchPages(),
                    ds.eventsPerSec() / 1e6, ds.eventsPerSec() / p.eventsPerSecPlain(), ds.gcMs(), ds.seconds()));
        }
        PersistenceMeasure.Run mm = p.mappedSlots();
        refRows.add(String.format(Locale.ROOT,
                "| Persistence what-if: direct slot writes into a memory-mapped file of the buffers' size (copyPage +"
                        + " a put at the slot's place, `force()` after each commit's pages%s, back to back; no journal,"
                        + " no LevelDB) | %.1f MB/s persisted (%.2f of raw LevelDB), %.0f pages per commit; producer %.2f"
                        + " M events/s (%.2f of non-persistent) | disk writes %.1f MB/s | | |",
                p.fsync() ? "" : " (fsync off: no force)",
                mm.persistedBytesPerSec() / 1e6, mm.persistedBytesPerSec() / p.rawBytesPerSec(), mm.avgBatchPages(),
                mm.eventsPerSec() / 1e6, mm.eventsPerSec() / p.eventsPerSecPlain(), mm.diskWriteBytesPerSec() / 1e6));
        refRows.add(String.format(Locale.ROOT,
                "| Controls, no persistence: producer next to one busy-spinning thread / next to a thread copying"
                        + " its ring's pages with copyPage in a loop | %.2f M events/s (%.2f of alone) / %.2f M events/s"
                        + " (%.2f of alone) | | | |",
                p.eventsPerSecNextToBusyThread() / 1e6, p.eventsPerSecNextToBusyThread() / p.eventsPerSecPlain(),
                p.eventsPerSecNextToCopyPage() / 1e6, p.eventsPerSecNextToCopyPage() / p.eventsPerSecPlain()));
    }

    private void recovery(Path work) throws Exception {
        RecoveryMeasure.Result r = RecoveryMeasure.run(work);
        double warm = (double) r.warmReadableNs() / r.warmRawNs();
        double cold = (double) r.coldReadableNs() / r.coldRawNs();
        row(String.format(Locale.ROOT, "Recovery, %.1f MB persistent buffer, warm JVM (ms to backup/trace readable)",
                        r.pageBytes() / 1048576.0),
                String.format(Locale.ROOT, "%.0f (engine booted at %.0f)", r.warmReadableNs() / 1e6, r.warmBootNs() / 1e6),
                String.format(Locale.ROOT, "raw LevelDB open + read all %.0f", r.warmRawNs() / 1e6),
                warm, "%.1f×", "≤ 1000 ms and ≤ 2×", r.warmReadableNs() <= 1_000_000_000L && warm <= 2);
        row("Recovery, fresh JVM (ms, process start to readable)",
                String.format(Locale.ROOT, "%.0f (%.0f after main())", r.coldReadableNs() / 1e6, r.coldReadableInJvmNs() / 1e6),
                String.format(Locale.ROOT, "raw LevelDB in a fresh JVM %.0f (%.0f after main())", r.coldRawNs() / 1e6,
                        r.coldRawInJvmNs() / 1e6),
                cold, "%.1f×", "≤ 1000 ms and ≤ 2×", r.coldReadableNs() <= 1_000_000_000L && cold <= 2);
        refRows.add(String.format(Locale.ROOT, "| Recovery, fresh JVM with a class-data sharing archive (AppCDS, as"
                        + " `bin/ringtrace boot` starts) | %.0f ms (%.0f after main()); %.1f× raw | | | |",
                r.coldCdsReadableNs() / 1e6, r.coldCdsReadableInJvmNs() / 1e6, (double) r.coldCdsReadableNs() / r.coldRawNs()));
        RecoveryMeasure.Floor f = r.floor();
        refRows.add(String.format(Locale.ROOT, "| Before any recovery, fresh JVM (ms, process start to ready): a typed"
                        + " Pekko ActorSystem alone (no ringtrace) / a ringtrace engine without persistent instances"
                        + " (first read of tracing_on) | %.0f / %.0f; with an AppCDS archive of each: %.0f / %.0f |"
                        + " raw LevelDB read in a fresh JVM %.0f | | |",
                f.actorSystemNs() / 1e6, f.engineNs() / 1e6, f.actorSystemCdsNs() / 1e6, f.engineCdsNs() / 1e6,
                r.coldRawNs() / 1e6));
        refRows.add(String.format(Locale.ROOT, "| Recovery what-if, fresh JVM: the backup served without Pekko (the raw"
                        + " LevelDB's %d page images read, restored into an in-memory 2-CPU buffer with RingBuffer.restore,"
                        + " first 64 KiB of its trace text) | %.0f ms (%.0f after main()); %.1f× raw; warm (best of 3):"
                        + " %.0f ms, %.1f× raw | | | |",
                r.pageBytes() / 4096, f.noPekkoNs() / 1e6, f.noPekkoInJvmNs() / 1e6, (double) f.noPekkoNs() / r.coldRawNs(),
                f.noPekkoWarmNs() / 1e6, (double) f.noPekkoWarmNs() / r.warmRawNs()));
        refRows.add(String.format(Locale.ROOT, "| Backup trace read in full (warm) | %d lines, %.0f ms from start | | | |",
                r.backupLines(), r.backupFullReadNs() / 1e6));
        refRows.add(String.format(Locale.ROOT, "| Warm start and stop of an engine without persistent instances | %.0f ms | | | |",
                r.warmEmptyEngineNs() / 1e6));
    }

    private void reading() throws Exception {
        int perCpu = 70_000;
        KernelTracefs.Result k = KernelTracefs.catTrace(2, perCpu, 5);
        ReadingMeasure.Result m = ReadingMeasure.run(perCpu, 5, 2000);
        readLines = m.lines();
        String ours = String.format(Locale.ROOT, "%.2f M lines/s, %.0f MB/s (%d lines; median of 5 reads after "
                        + "3 s of warm-up reads; the first read after the fill: %.2f M lines/s)", m.linesPerSec() / 1e6,
                m.bytesPerSec() / 1e6, m.lines(), m.firstLinesPerSec() / 1e6);
        if (k.ok()) {
            double ratio = m.linesPerSec() / k.linesPerSec();
            row("trace text, filled instance (TraceFs read vs kernel `cat trace`)", ours,
                    String.format(Locale.ROOT, "kernel %.2f M lines/s, %.0f MB/s (%d lines)", k.linesPerSec() / 1e6,
                            k.bytesPerSec() / 1e6, k.lines()),
                    ratio, "%.1f×", "≥ 3×", ratio >= 3);
            refRows.add(String.format(Locale.ROOT, "| Encoding of the same markers (bytes/event in the ring) | %.2f | kernel %.2f | | |",
                    (double) m.entryBytes() / m.entries(), (double) k.entryBytes() / k.entries()));
        } else {
            row("trace text, filled instance", ours, "kernel: " + k.why(), Double.NaN, "%.1f", "≥ 3×", null);
        }
        rows.add(String.format(Locale.ROOT,
                "| Reading while a producer records (%.1f M events/s meanwhile) | trace %.2f M lines/s (%.0f MB/s); "
                        + "trace_pipe %.2f M lines/s (%.0f MB/s); trace_pipe_raw %.0f MB/s | – | – | report | – |",
                m.producerEventsPerSec() / 1e6, m.liveTraceLinesPerSec() / 1e6, m.liveTraceBytesPerSec() / 1e6,
                m.livePipeLinesPerSec() / 1e6, m.livePipeBytesPerSec() / 1e6, m.liveRawBytesPerSec() / 1e6));
    }

    private void memory() throws Exception {
        MemoryMeasure.Result m = MemoryMeasure.run();
        row("Memory held per recorded event (B)",
                String.format(Locale.ROOT, "%.2f (%d MB heap / %d events; %d B each in the ring)",
                        m.bytesPerEvent(), m.heapBytes() >> 20, m.events(), m.eventBytesInRing()),
                "kernel encoding " + MemoryMeasure.KERNEL_EVENT_BYTES, m.ratio(), "%.3f", "≤ 1.1", m.ratio() <= 1.1);
    }

    private void autoremove(Path work) throws Exception {
        AutoremoveMeasure.Result a = AutoremoveMeasure.run(work, 4, 25);
        rows.add(String.format(Locale.ROOT,
                "| Autoremove: last close → gone from `ls instances` (ms, %d samples) | p50 %.2f, p99 %.2f, max %.2f | – | – | report | – |",
                a.sortedNs().length, a.p(0.50) / 1e6, a.p(0.99) / 1e6, a.p(1.0) / 1e6));
    }

    private void profile() {
        RunResult nano = r("prof.nanoTime");
        if (nano == null) {
            return;
        }
        profileRows.add("| System.nanoTime() | " + pm(nano, 1, "%.1f") + " |");
        profileRows.add("| TraceClock.LOCAL.now() (the ring's clock: CPU counter scaled to ns) | "
                + pm(r("prof.traceClockLocal"), 1, "%.1f") + " |");
        profileRows.add("| CpuCounter.ticks() (HotSpot's intrinsic counter, raw) | " + pm(r("prof.cpuCounter"), 1, "%.1f")
                + " |");
        for (String c : new String[] {"local", "nanoTime", "none"}) {
            profileRows.add("| RingBuffer.write, 24-byte payload, clock=" + c + " | " + pm(r("prof.ringWrite:" + c), 1, "%.1f")
                    + " |");
        }
        RunResult jf = r("prof.jfr");
        profileRows.add("| JFR event commit (same run) | " + pm(jf, 1, "%.1f")
                + String.format(Locale.ROOT, " (= %.1f M events/s) |", 1e3 / score(jf)));
        for (String c : new String[] {"local", "nanoTime", "none"}) {
            RunResult rr = r("prof.recorder:" + c);
            profileRows.add("| EventRecorder.record (whole hot path), clock=" + c + " | " + pm(rr, 1, "%.1f")
                    + String.format(Locale.ROOT, " (= %.1f M events/s) |", 1e3 / score(rr)));
        }
        for (String c : new String[] {"local", "nanoTime", "none"}) {
            RunResult rr = r("prof.writer:" + c);
            profileRows.add("| EventWriter.record (the event's writer, whole hot path), clock=" + c + " | "
                    + pm(rr, 1, "%.1f") + String.format(Locale.ROOT, " (= %.1f M events/s) |", 1e3 / score(rr)));
        }
        profileRows.add("| the ring's guard alone: uncontended compareAndSet + setRelease of an int | "
                + pm(r("prof.guard"), 1, "%.1f") + " |");
    }

    /** Reading profile: the timestamp formatting that dominates trace text, and the render it projects. */
    private void readingProfile() {
        RunResult fmt = r("read.timestampFormat");
        RunResult man = r("read.timestampManual");
        RunResult render = r("read.render");
        if (fmt == null || render == null || readLines == 0) {
            return;
        }
        double renderNs = score(render) * 1e6;
        double saved = readLines * (score(fmt) - score(man));
        profileRows.add("| trace timestamp text, TraceClock.format (String result) | " + pm(fmt, 1, "%.1f") + " |");
        profileRows.add("| the same text as digits into a byte[] (no String) | " + pm(man, 1, "%.1f") + " |");
        profileRows.add(String.format(Locale.ROOT, "| TraceFile.render of the %d-line instance, no actor (ms) | %s ="
                        + " %.2f M lines/s; with byte[] timestamps ≈ %.0f ms = %.2f M lines/s (projected) |",
                readLines, pm(render, 1, "%.0f"), readLines / renderNs * 1e3, (renderNs - saved) / 1e6,
                readLines / (renderNs - saved) * 1e3));
    }

    // ------------------------------------------------------------------ report

    private String report(String loadStart, String loadEnd, double minutes) {
        StringBuilder sb = new StringBuilder();
        sb.append(TABLE_BEGIN).append('\n');
        sb.append("Run of ").append(ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME))
                .append(String.format(Locale.ROOT, " (%.1f min)", minutes)).append(".\n\n");
        sb.append("Machine: ").append(Runtime.getRuntime().availableProcessors()).append(" CPUs (nproc), ")
                .append(cpuModel()).append(", ").append(System.getProperty("java.vm.name")).append(' ')
                .append(System.getProperty("java.runtime.version")).append(", Linux ")
                .append(System.getProperty("os.version")).append(", load average at start ").append(loadStart)
                .append(", at end ").append(loadEnd).append(".\n");
        sb.append("JMH: -f ").append(forks).append(" (the recording comparison with JFR: ").append(RATIO_PAIRS)
                .append(" runs of the pair) -wi ").append(warmups).append(" -w 1s -i ").append(iterations)
                .append(" -r 1s; ± is JMH's 99.9% error.\n\n");
        sb.append("| Metric | ringtrace | Baseline (same run) | Ratio | Target | |\n");
        sb.append("|---|---|---|---|---|---|\n");
        rows.forEach(r -> sb.append(r).append('\n'));
        if (!refRows.isEmpty()) {
            sb.append("\nReferences (same run):\n\n");
            sb.append("| | ringtrace | JFR | long[] ring | ArrayBlockingQueue |\n|---|---|---|---|---|\n");
            refRows.forEach(r -> sb.append(r).append('\n'));
        }
        if (!profileRows.isEmpty()) {
            sb.append("\nHot-path profile (1 thread, ns/op; clock=local is production, clock=nanoTime and "
                    + "clock=none replace the ring's time source through its test hook, everything else is the "
                    + "production path):\n\n");
            sb.append("| Operation | ns/op |\n|---|---|\n");
            profileRows.forEach(r -> sb.append(r).append('\n'));
        }
        notes.forEach(n -> sb.append('\n').append(n).append('\n'));
        if (!stackProfile.isEmpty()) {
            sb.append("\n<details><summary>JMH -prof stack of ProfileBench.recorder (clock=local)</summary>\n\n```\n")
                    .append(stackProfile).append("```\n</details>\n");
        }
        sb.append(TABLE_END).append('\n');
        return sb.toString();
    }

    private static void splice(Path md, String report) throws IOException {
        String text = Files.exists(md) ? Files.readString(md) : "";
        int b = text.indexOf(TABLE_BEGIN);
        int e = text.indexOf(TABLE_END);
        String updated;
        if (b >= 0 && e > b) {
            updated = text.substring(0, b) + report + text.substring(e + TABLE_END.length() + 1);
        } else {
            updated = text + "\n" + report;
        }
        Files.writeString(md, updated, StandardCharsets.UTF_8);
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "n/a";
        }
    }

    private static String cpuModel() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (l.startsWith("model name")) {
                    return l.substring(l.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException e) {
            // fall through
        }
        return System.getProperty("os.arch");
    }
}
