package io.ringtrace.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * CPU time of every thread of this process from {@code /proc/self/task/TID/stat} (utime + stime),
 * native threads included (LevelDB's background compaction thread has no Java thread, so JFR does
 * not see it). Linux only; empty elsewhere.
 */
final class ThreadCpu {
    private static final double TICK_NS = 1e9 / 100; // USER_HZ

    private ThreadCpu() {
    }

    /** tid → {name, ticks}. */
    static Map<String, Object[]> snapshot() {
        Map<String, Object[]> out = new HashMap<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path t : tasks) {
                try {
                    String stat = Files.readString(t.resolve("stat"));
                    int open = stat.indexOf('(');
                    int close = stat.lastIndexOf(')');
                    String name = stat.substring(open + 1, close);
                    String[] f = stat.substring(close + 2).split(" ");
                    long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
                    out.put(t.getFileName().toString(), new Object[] {name, ticks});
                } catch (IOException | RuntimeException e) {
                    // thread ended meanwhile
                }
            }
        } catch (IOException e) {
            return out;
        }
        return out;
    }

    /** CPU time (ns) of every live Java thread by name (digits dropped, same names added up). */
    static Map<String, Long> javaThreads() {
        var mx = java.lang.management.ManagementFactory.getThreadMXBean();
        Map<String, Long> out = new HashMap<>();
        for (java.lang.management.ThreadInfo i : mx.getThreadInfo(mx.getAllThreadIds())) {
            if (i == null) {
                continue;
            }
            long c = mx.getThreadCpuTime(i.getThreadId());
            if (c > 0) {
                out.merge(i.getThreadName().replaceAll("[0-9]+", "N"), c, Long::sum);
            }
        }
        return out;
    }

    /**
     * Java threads' CPU between two {@link #javaThreads} snapshots, and what the process used beside
     * them and beside {@code knownNs} (threads that ended meanwhile, measured separately): the JVM's
     * own threads (JIT, GC, from /proc) and native threads (LevelDB's background thread).
     */
    static String javaDiff(Map<String, Long> before, Map<String, Long> after, long processNs, long knownNs,
                           Map<String, Object[]> procBefore, Map<String, Object[]> procAfter, double wallSeconds) {
        StringBuilder sb = new StringBuilder("CPUs:");
        long java = 0;
        List<Map.Entry<String, Long>> list = new ArrayList<>();
        for (var e : after.entrySet()) {
            long d = e.getValue() - before.getOrDefault(e.getKey(), 0L);
            if (d > 0) {
                list.add(Map.entry(e.getKey(), d));
                java += d;
            }
        }
        list.sort((x, y) -> Long.compare(y.getValue(), x.getValue()));
        for (var e : list) {
            if (e.getValue() / 1e9 / wallSeconds >= 0.005) {
                sb.append(String.format(Locale.ROOT, " %s %.2f,", e.getKey(), e.getValue() / 1e9 / wallSeconds));
            }
        }
        long jvm = 0;
        for (var e : procAfter.entrySet()) {
            String name = (String) e.getValue()[0];
            if (name.contains("Compiler") || name.startsWith("GC ") || name.startsWith("G1 ") || name.startsWith("VM ")) {
                Object[] b = procBefore.get(e.getKey());
                jvm += (long) ((((long) e.getValue()[1]) - (b == null ? 0 : (long) b[1])) * TICK_NS);
            }
        }
        long rest = processNs - java - knownNs - jvm;
        sb.append(String.format(Locale.ROOT, " JIT/GC/VM %.2f, native (LevelDB background) %.2f", jvm / 1e9 / wallSeconds,
                rest / 1e9 / wallSeconds));
        return sb.toString();
    }

    /** CPU per thread name (similar names merged: digits dropped) between two snapshots, largest first. */
    static String diff(Map<String, Object[]> before, Map<String, Object[]> after, double wallSeconds) {
        Map<String, Long> byName = new HashMap<>();
        for (var e : after.entrySet()) {
            Object[] b = before.get(e.getKey());
            long d = (long) e.getValue()[1] - (b == null ? 0 : (long) b[1]);
            if (d > 0) {
                byName.merge(((String) e.getValue()[0]).replaceAll("[0-9]+", "N"), d, Long::sum);
            }
        }
        List<Map.Entry<String, Long>> list = new ArrayList<>(byName.entrySet());
        list.sort((x, y) -> Long.compare(y.getValue(), x.getValue()));
        StringBuilder sb = new StringBuilder();
        for (var e : list) {
            if (sb.length() > 0) {
                sb.append(", ");
            }
            sb.append(String.format(Locale.ROOT, "%s %.2f", e.getKey(), e.getValue() * TICK_NS / 1e9 / wallSeconds));
        }
        return "CPUs by thread: " + sb;
    }
}
