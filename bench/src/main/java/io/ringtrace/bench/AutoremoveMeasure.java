package io.ringtrace.bench;

import io.ringtrace.actors.Ringtrace;
import io.ringtrace.actors.TraceFs;
import io.ringtrace.actors.TraceSystem;
import io.ringtrace.actors.fs.OpenFlags;
import io.ringtrace.actors.fs.Stat;
import org.apache.pekko.actor.typed.ActorSystem;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Autoremove latency: the boot command line of the issue with {@code backups} backup copies of
 * boot_map ({@code trace_instance=bN=boot_map}); on each start after the first, every backup's
 * trace_pipe is read to EOF (as {@code cat instances/bN/trace_pipe}), then the time from the
 * {@code close()} of that file until {@code ls instances} no longer lists the backup is taken.
 */
final class AutoremoveMeasure {

    record Result(long[] sortedNs) {
        long p(double q) {
            int i = (int) Math.ceil(q * sortedNs.length) - 1;
            return sortedNs[Math.max(0, Math.min(sortedNs.length - 1, i))];
        }
    }

    private AutoremoveMeasure() {
    }

    static String cmdline(int backups) {
        StringBuilder sb = new StringBuilder("reserve_mem=12M:4096:trace trace_instance=boot_map@trace");
        for (int i = 0; i < backups; i++) {
            sb.append(" trace_instance=b").append(i).append("=boot_map");
        }
        return sb.toString();
    }

    static Result run(Path work, int boots, int backups) throws Exception {
        Path data = work.resolve("autoremove-data");
        Engines.deleteTree(data);
        Files.createDirectories(data);
        var config = Engines.config(2, data, cmdline(backups), Map.of());
        List<Long> samples = new ArrayList<>();
        try {
            for (int boot = 0; boot <= boots; boot++) {
                ActorSystem<TraceSystem.Command> system = Engines.start("Autoremove" + boot, config);
                try {
                    TraceFs fs = Ringtrace.fs(system);
                    if (boot > 0) {
                        for (int i = 0; i < backups; i++) {
                            String name = "b" + i;
                            if (!listed(fs, name)) {
                                throw new IllegalStateException("backup " + name + " missing at boot " + boot);
                            }
                            TraceFs.Handle h = fs.open("instances/" + name + "/trace_pipe", OpenFlags.O_RDONLY);
                            while (h.read(65536).length > 0) {
                                // read to EOF
                            }
                            long t0 = System.nanoTime();
                            h.close();
                            while (listed(fs, name)) {
                                Thread.onSpinWait();
                            }
                            samples.add(System.nanoTime() - t0);
                        }
                    }
                    // something for the next boot's backups
                    for (int c = 0; c < 2; c++) {
                        fs.write("instances/boot_map/trace_marker", "boot " + boot + " cpu " + c);
                    }
                } finally {
                    Engines.stop(system); // flush-on-shutdown persists the markers
                }
            }
        } finally {
            Engines.deleteTree(data);
        }
        Collections.sort(samples);
        return new Result(samples.stream().mapToLong(Long::longValue).toArray());
    }

    private static boolean listed(TraceFs fs, String name) throws Exception {
        for (Stat s : fs.list("instances")) {
            if (s.name().equals(name)) {
                return true;
            }
        }
        return false;
    }
}
