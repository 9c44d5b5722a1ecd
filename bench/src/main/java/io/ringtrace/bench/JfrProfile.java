package io.ringtrace.bench;

import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A small sampling profiler on top of JFR's execution samples (perfasm and async-profiler are not
 * available on the benchmark VM): runs a task under a recording that samples every thread every
 * 10 ms (20 ms for threads in native code) and reports, for the threads whose name matches, the inclusive share of samples per method
 * (a method counts once per sample wherever it is on the stack) and the self share.
 */
final class JfrProfile {

    interface Task {
        void run() throws Exception;
    }

    private JfrProfile() {
    }

    static String profile(String title, String threadPrefix, int top, Task task) throws Exception {
        Path file = Files.createTempFile("ringtrace-profile", ".jfr");
        try (Recording r = new Recording()) {
            r.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(10));
            r.enable("jdk.GarbageCollection");
            r.enable("jdk.NativeMethodSample").withPeriod(Duration.ofMillis(20));
            r.setToDisk(true);
            r.start();
            task.run();
            r.stop();
            r.dump(file);
        }
        Map<String, Integer> inclusive = new HashMap<>();
        Map<String, Integer> self = new HashMap<>();
        Map<String, Integer> threads = new HashMap<>();
        long gcPauseNs = 0;
        int gcs = 0;
        int samples = 0;
        for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
            if (e.getEventType().getName().equals("jdk.GarbageCollection")) {
                gcs++;
                gcPauseNs += e.getDuration("sumOfPauses").toNanos();
                continue;
            }
            boolean nativeSample = e.getEventType().getName().equals("jdk.NativeMethodSample");
            if (!e.getEventType().getName().equals("jdk.ExecutionSample") && !nativeSample) {
                continue;
            }
            String thread = e.getThread("sampledThread") == null ? "" : e.getThread("sampledThread").getJavaName();
            if (thread == null || !thread.startsWith(threadPrefix)) {
                continue;
            }
            RecordedStackTrace st = e.getStackTrace();
            if (st == null || st.getFrames().isEmpty()) {
                continue;
            }
            samples++;
            threads.merge(thread.replaceAll("-[0-9]+$", "-N") + (nativeSample ? "(native)" : ""), 1, Integer::sum);
            Set<String> seen = new HashSet<>();
            boolean first = true;
            for (RecordedFrame f : st.getFrames()) {
                String m = f.getMethod().getType().getName() + "." + f.getMethod().getName();
                if (first) {
                    self.merge(m, 1, Integer::sum);
                    first = false;
                }
                if (seen.add(m)) {
                    inclusive.merge(m, 1, Integer::sum);
                }
            }
        }
        Files.deleteIfExists(file);
        StringBuilder sb = new StringBuilder();
        sb.append(title).append(": ").append(samples).append(" samples of threads ").append(threadPrefix)
                .append("*; ").append(gcs).append(" GCs, ")
                .append(String.format(Locale.ROOT, "%.0f ms of GC pauses", gcPauseNs / 1e6)).append('\n');
        List<Map.Entry<String, Integer>> tl = new ArrayList<>(threads.entrySet());
        tl.sort((a, b) -> b.getValue() - a.getValue());
        sb.append("  samples by thread:");
        for (int i = 0; i < Math.min(8, tl.size()); i++) {
            sb.append(' ').append(tl.get(i).getKey()).append('=').append(tl.get(i).getValue());
        }
        sb.append("\n  inclusive  self  method\n");
        List<Map.Entry<String, Integer>> list = new ArrayList<>(inclusive.entrySet());
        list.sort((a, b) -> b.getValue() - a.getValue());
        int n = 0;
        for (Map.Entry<String, Integer> en : list) {
            if (n++ >= top) {
                break;
            }
            sb.append(String.format(Locale.ROOT, "  %7.1f%% %6.1f%%  %s%n", 100.0 * en.getValue() / Math.max(1, samples),
                    100.0 * self.getOrDefault(en.getKey(), 0) / Math.max(1, samples), en.getKey()));
        }
        return sb.toString();
    }
}
