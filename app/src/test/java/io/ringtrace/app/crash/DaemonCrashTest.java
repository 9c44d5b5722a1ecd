package io.ringtrace.app.crash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.typesafe.config.ConfigFactory;
import io.ringtrace.app.crash.MarkerTrace.Marker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntToLongFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of a real daemon loses at most the commit window of its persistent instance.
 *
 * <p>A round: the daemon ({@code bin/ringtrace boot --cpus 2 --workload none}, the demo boot
 * command line with the persistent {@code boot_map} and its {@code backup}) runs as its own JVM;
 * a writer thread writes numbered markers {@code marker N} into
 * {@code instances/boot_map/trace_marker} as fast as the daemon answers, as pid 1000 + N % 2, so
 * even numbers land on CPU 0 and odd ones on CPU 1, and notes when each write returned; after a
 * while, with writes still going on, the daemon is killed with SIGKILL. A new daemon on the same
 * data directory must then show in {@code instances/backup/trace}:
 * <ul>
 *   <li>every marker whose write returned more than commit-interval + 250 ms before the kill;</li>
 *   <li>only markers of that run, none twice, every line well formed with the CPU and pid its
 *       number was written with, and per CPU in increasing order with no hole (what survives of a
 *       CPU is a prefix of what was written to it);</li>
 * </ul>
 * and its {@code boot_map} starts empty (the boot events cleared it; no old marker in it).
 *
 * <p>The default run does one round (two daemon starts). The {@code soak} variant (excluded by
 * default; {@code mvn -Psoak verify}) chains many rounds on one data directory, each restart
 * being the next round's writer, with a random writing time; {@code -Dringtrace.crash.rounds=N}
 * and {@code -Dringtrace.crash.seed=S} change the count and replay a run.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DaemonCrashTest {
    static final String MARKER_PATH = "instances/boot_map/trace_marker";
    static final String BACKUP_TRACE = "instances/backup/trace";
    static final String BOOT_MAP_TRACE = "instances/boot_map/trace";

    /** The daemon's commit interval (the same reference.conf it reads). */
    static final Duration COMMIT_INTERVAL =
            ConfigFactory.load().getDuration("ringtrace.persistence.commit-interval");
    /**
     * Slack on top of the interval: scheduling, the journal write and its fsync. 250 ms unless
     * {@code -Dringtrace.crash.margin-ms=N} (for diagnosing a loaded machine).
     */
    static final Duration SAFETY_MARGIN = Duration.ofMillis(Long.getLong("ringtrace.crash.margin-ms", 250));
    static final Duration WINDOW = COMMIT_INTERVAL.plus(SAFETY_MARGIN);

    /** Kept when a test fails: the daemons' logs and the data directory are the evidence. */
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path tmp;

    private final List<Process> started = new ArrayList<>();
    private final List<Thread> writers = new ArrayList<>();

    @AfterEach
    void killEverything() throws InterruptedException {
        for (Thread w : writers) {
            w.interrupt();
        }
        for (Process p : started) {
            p.destroyForcibly();
        }
        for (Process p : started) {
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void killMinus9KeepsEveryMarkerOlderThanTheCommitInterval() throws Exception {
        Totals t = crashRounds(1, round -> 1500, 20);
        assertTrue(t.required >= 20, "the round had markers older than the window: " + t.required);
    }

    @Tag("soak")
    @Test
    @Timeout(value = 60, unit = TimeUnit.MINUTES)
    void manyCrashRoundsOnOneDataDirectory() throws Exception {
        int rounds = Integer.getInteger("ringtrace.crash.rounds", 20);
        long seed = Long.getLong("ringtrace.crash.seed", System.nanoTime());
        System.out.println("crash soak: " + rounds + " rounds, seed " + seed
                + " (-Dringtrace.crash.seed=" + seed + " replays the writing times)");
        SplittableRandom random = new SplittableRandom(seed);
        long[] millis = new long[rounds + 1];
        for (int r = 1; r <= rounds; r++) {
            millis[r] = 300 + random.nextInt(2200);
        }
        Totals t = crashRounds(rounds, r -> millis[r], 0);
        assertTrue(t.required > 0, "some round had markers older than the window");
    }

    /** Sums over the rounds, for the final line. */
    static final class Totals {
        long written;
        long required;
        long found;
    }

    /** What one run wrote before its kill. */
    record Written(int round, long base, long attempted, long[] ackNanos, long killNanos, int exit,
                   DaemonProcess daemon, String loadAtKill) {
        long acked() {
            return ackNanos.length;
        }
    }

    /**
     * Boots, then {@code rounds} times: write until killed, boot again on the same data
     * directory, check the backup. The boot of round r is the writer of round r + 1. Each round
     * writes for {@code writeMillis(round)}, and longer if needed until at least
     * {@code minRequired} markers are older than the window (so that a slow machine still checks
     * something).
     */
    private Totals crashRounds(int rounds, IntToLongFunction writeMillis, int minRequired) throws Exception {
        Path data = tmp.resolve("data");
        Files.createDirectories(tmp);
        Totals totals = new Totals();
        String classPath = DaemonProcess.snapshotClassPath(tmp.resolve("classpath"));
        DaemonProcess d = DaemonProcess.start(data, tmp.resolve("daemon-0.log"), classPath, started);
        System.out.println("crash test: first boot took " + d.bootMillis + " ms");
        checkFirstBoot(d);
        long base = 0;
        for (int r = 1; r <= rounds; r++) {
            Written w = writeUntilKilled(d, r, base, writeMillis.applyAsLong(r), minRequired);
            d = DaemonProcess.start(data, tmp.resolve("daemon-" + r + ".log"), classPath, started);
            long[] reqFound = checkRestart(d, w);
            totals.written += w.attempted();
            totals.required += reqFound[0];
            totals.found += reqFound[1];
            base += w.attempted();
        }
        d.close();
        System.out.printf("crash test: %d round(s), %d markers written, %d required in backup, %d found%n",
                rounds, totals.written, totals.required, totals.found);
        return totals;
    }

    /** The first boot has no previous run: no marker anywhere. */
    private void checkFirstBoot(DaemonProcess d) throws Exception {
        MarkerTrace bm = MarkerTrace.parse(d.read(BOOT_MAP_TRACE));
        assertTrue(bm.markers.isEmpty() && bm.corrupt.isEmpty() && bm.entriesInBuffer == 0,
                "boot_map of a first boot is empty: " + bm.markers + bm.corrupt + "\n" + d.logTail());
    }

    private Written writeUntilKilled(DaemonProcess d, int round, long base, long millis, int minRequired)
            throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        long[] acks = new long[1 << 20];
        AtomicLong progress = new AtomicLong(); // markers acknowledged; acks[i] is set before progress passes i
        long[] attempted = new long[1];
        Exception[] failure = new Exception[1];
        long[] failureNanos = new long[1];
        Thread writer = new Thread(() -> {
            long n = base;
            while (!stop.get() && progress.get() < acks.length) {
                attempted[0] = n - base + 1;
                try {
                    d.write(MARKER_PATH, "marker " + n, MarkerTrace.BASE_PID + (int) (n % MarkerTrace.CPUS));
                } catch (Exception e) {
                    failureNanos[0] = System.nanoTime();
                    failure[0] = e;
                    return;
                }
                acks[(int) (n - base)] = System.nanoTime();
                progress.set(n - base + 1);
                n++;
            }
        }, "crash-writer-" + round);
        writer.setDaemon(true);
        writers.add(writer);
        long startNanos = System.nanoTime();
        writer.start();
        Thread.sleep(millis);
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (minRequired > 0 && writer.isAlive() && System.nanoTime() < giveUp
                && (progress.get() < minRequired
                        || System.nanoTime() - acks[minRequired - 1] <= WINDOW.toNanos() + 20_000_000L)) {
            Thread.sleep(20);
        }
        long killNanos = System.nanoTime();
        int exit = d.killMinus9();
        String loadAtKill = loadAverage();
        stop.set(true);
        writer.join(TimeUnit.SECONDS.toMillis(20));
        assertTrue(!writer.isAlive(), "the writer stopped after the kill");
        assertEquals(DaemonProcess.SIGKILL_EXIT, exit, "the daemon died of SIGKILL (128 + 9)");
        if (failure[0] != null && failureNanos[0] < killNanos) {
            throw new AssertionError("a marker write failed before the kill:\n" + d.logTail(), failure[0]);
        }
        long[] ackNanos = java.util.Arrays.copyOf(acks, (int) progress.get());
        for (int i = 0; i < ackNanos.length; i++) {
            ackNanos[i] -= startNanos;
        }
        return new Written(round, base, attempted[0], ackNanos, killNanos - startNanos, exit, d, loadAtKill);
    }

    /** The 1, 5 and 15 minute load averages (Linux), to tell a loaded machine in a failure. */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return f[0] + " " + f[1] + " " + f[2] + " on " + Runtime.getRuntime().availableProcessors() + " CPUs";
        } catch (Exception e) {
            return "unknown";
        }
    }

    /** Checks the backup and the boot_map of the daemon that booted after the kill of {@code w}. */
    private long[] checkRestart(DaemonProcess d, Written w) throws Exception {
        String text = d.read(BACKUP_TRACE);
        MarkerTrace t = MarkerTrace.parse(text);
        String ctx = "round " + w.round() + " (data and logs kept in " + tmp + ")";
        List<String> problems = new ArrayList<>();

        if (!t.corrupt.isEmpty()) {
            problems.add(t.corrupt.size() + " line(s) that are not a well-formed marker: "
                    + t.corrupt.subList(0, Math.min(10, t.corrupt.size())));
        }
        if (t.headerCpus != MarkerTrace.CPUS) {
            problems.add("header says #P:" + t.headerCpus + ", want " + MarkerTrace.CPUS);
        }
        if (t.entriesInBuffer != t.markers.size() + t.corrupt.size()) {
            problems.add("header says entries-in-buffer " + t.entriesInBuffer + " but there are "
                    + (t.markers.size() + t.corrupt.size()) + " event lines");
        }

        // Only markers of the killed run, none twice, per CPU increasing (timestamps too).
        long end = w.base() + w.attempted();
        TreeSet<Long> seen = new TreeSet<>();
        Map<Integer, Marker> lastOnCpu = new HashMap<>();
        for (Marker m : t.markers) {
            if (m.number() < w.base() || m.number() >= end) {
                problems.add("line " + m.line() + ": marker " + m.number() + " was not written by the killed run ["
                        + w.base() + ", " + end + ")");
            }
            if (!seen.add(m.number())) {
                problems.add("line " + m.line() + ": marker " + m.number() + " appears twice");
            }
            Marker prev = lastOnCpu.put(m.cpu(), m);
            if (prev != null && (m.number() <= prev.number() || m.timestampMicros() < prev.timestampMicros())) {
                problems.add("line " + m.line() + ": on CPU " + m.cpu() + " marker " + m.number()
                        + " comes after marker " + prev.number() + " (line " + prev.line() + ")");
            }
        }

        // Every marker acknowledged more than the window before the kill is there.
        long cutoff = w.killNanos() - WINDOW.toNanos();
        long required = 0;
        List<String> missing = new ArrayList<>();
        for (int i = 0; i < w.ackNanos().length; i++) {
            if (w.ackNanos()[i] < cutoff) {
                required++;
                long n = w.base() + i;
                if (!seen.contains(n)) {
                    missing.add(n + " (acknowledged " + (w.killNanos() - w.ackNanos()[i]) / 1_000_000 + " ms before the kill)");
                }
            }
        }
        if (!missing.isEmpty()) {
            problems.add(missing.size() + " of " + required + " markers older than " + WINDOW.toMillis()
                    + " ms are missing: " + missing.subList(0, Math.min(10, missing.size())));
        }

        // What survives of each CPU is a prefix of what was written to it: no hole.
        for (int cpu = 0; cpu < MarkerTrace.CPUS; cpu++) {
            Marker last = lastOnCpu.get(cpu);
            if (last == null) {
                continue;
            }
            for (long n = w.base(); n <= last.number(); n++) {
                if (n % MarkerTrace.CPUS == cpu && !seen.contains(n)) {
                    problems.add("CPU " + cpu + " has a hole: marker " + n + " is missing before marker " + last.number());
                    break;
                }
            }
        }

        // boot_map of the new boot: cleared, none of the old markers.
        MarkerTrace bm = MarkerTrace.parse(d.read(BOOT_MAP_TRACE));
        if (!bm.markers.isEmpty() || !bm.corrupt.isEmpty() || bm.entriesInBuffer != 0) {
            problems.add("boot_map after the restart is not empty: entries-in-buffer " + bm.entriesInBuffer + ", "
                    + bm.markers.size() + " old markers, other lines "
                    + bm.corrupt.subList(0, Math.min(5, bm.corrupt.size())));
        }

        long lostAfterWindow = w.acked() - seen.stream().filter(n -> n < w.base() + w.acked()).count();
        System.out.printf("crash round %d: wrote markers %d..%d (%d acknowledged, %d in flight) for %d ms, "
                        + "kill -9 (exit %d); backup: %d required (acknowledged > %d ms before the kill), %d found, "
                        + "%d acknowledged ones lost inside the window; restart took %d ms; load %s%n",
                w.round(), w.base(), end - 1, w.acked(), w.attempted() - w.acked(), w.killNanos() / 1_000_000,
                w.exit(), required, WINDOW.toMillis(), t.markers.size(), lostAfterWindow, d.bootMillis, w.loadAtKill());
        if (!problems.isEmpty()) {
            fail(ctx + ": " + problems.size() + " problem(s):\n  " + String.join("\n  ", problems)
                    + "\nthe killed daemon:\n" + w.daemon().logTail() + "\nthe restarted daemon:\n" + d.logTail());
        }
        return new long[] {required, t.markers.size()};
    }
}
