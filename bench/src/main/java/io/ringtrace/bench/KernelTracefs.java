package io.ringtrace.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The kernel's own tracefs on this machine, as the reading baseline: an instance filled with
 * trace_marker writes (one perl process pinned to each CPU, one write(2) per marker) and timed
 * {@code cat trace}. Needs root; mounts tracefs at /sys/kernel/tracing when it is not mounted and
 * removes its instance afterwards.
 */
final class KernelTracefs {
    static final Path ROOT = Path.of("/sys/kernel/tracing");

    record Result(long lines, long bytes, long medianNs, long bestNs, long entries, long entryBytes,
                  String why) {
        static Result unavailable(String why) {
            return new Result(0, 0, 0, 0, 0, 0, why);
        }

        boolean ok() {
            return why == null;
        }

        double linesPerSec() {
            return lines * 1e9 / medianNs;
        }

        double bytesPerSec() {
            return bytes * 1e9 / medianNs;
        }
    }

    private KernelTracefs() {
    }

    static String markerText(int i) {
        return String.valueOf((char) ('a' + i % 26));
    }

    static Result catTrace(int cpus, int perCpu, int reps) {
        try {
            if (!Files.isDirectory(ROOT.resolve("instances"))) {
                exec(List.of("mount", "-t", "tracefs", "nodev", ROOT.toString()));
            }
            if (!Files.isDirectory(ROOT.resolve("instances"))) {
                return Result.unavailable("tracefs not available at " + ROOT);
            }
            Path inst = ROOT.resolve("instances").resolve("rtbench" + ProcessHandle.current().pid());
            Files.createDirectory(inst);
            try {
                List<Process> fillers = new ArrayList<>();
                for (int c = 0; c < cpus; c++) {
                    // one marker per write(2): the same 1-character texts as ringtrace's fill
                    String script = "open(my $f, '>', $ARGV[0]) or die $!; "
                            + "for my $i (0 .. $ARGV[1] - 1) { syswrite($f, chr(97 + $i % 26)) or die $!; }";
                    fillers.add(new ProcessBuilder("taskset", "-c", String.valueOf(c), "perl", "-e", script,
                            inst.resolve("trace_marker").toString(), String.valueOf(perCpu))
                            .redirectErrorStream(true).start());
                }
                for (Process p : fillers) {
                    String out = new String(p.getInputStream().readAllBytes());
                    if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                        return Result.unavailable("trace_marker fill failed: " + out.trim());
                    }
                }
                long lines = 0;
                long bytes = 0;
                try (InputStream in = Files.newInputStream(inst.resolve("trace"))) {
                    byte[] buf = new byte[1 << 17];
                    int n;
                    while ((n = in.read(buf)) > 0) {
                        bytes += n;
                        for (int i = 0; i < n; i++) {
                            if (buf[i] == '\n') {
                                lines++;
                            }
                        }
                    }
                }
                long entries = 0;
                long entryBytes = 0;
                for (int c = 0; c < cpus; c++) {
                    for (String l : Files.readAllLines(inst.resolve("per_cpu/cpu" + c + "/stats"))) {
                        if (l.startsWith("entries: ")) {
                            entries += Long.parseLong(l.substring(9).trim());
                        } else if (l.startsWith("bytes: ")) {
                            entryBytes += Long.parseLong(l.substring(7).trim());
                        }
                    }
                }
                long[] t = new long[reps];
                for (int i = 0; i < reps; i++) {
                    long t0 = System.nanoTime();
                    Process p = new ProcessBuilder("cat", inst.resolve("trace").toString())
                            .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                    p.waitFor();
                    t[i] = System.nanoTime() - t0;
                }
                Arrays.sort(t);
                return new Result(lines, bytes, t[reps / 2], t[0], entries, entryBytes, null);
            } finally {
                Files.delete(inst); // rmdir
            }
        } catch (IOException | InterruptedException e) {
            return Result.unavailable(e.toString());
        }
    }

    private static void exec(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        p.waitFor(30, TimeUnit.SECONDS);
    }
}
