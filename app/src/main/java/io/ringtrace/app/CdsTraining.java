package io.ringtrace.app;

import com.typesafe.config.Config;
import io.ringtrace.actors.Ringtrace;
import io.ringtrace.actors.TraceSystem;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.ServerBinding;
import io.ringtrace.protocol.Errno;
import picocli.CommandLine.Command;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code ringtrace cds-training} (hidden): the training run of the class-data sharing archive
 * that {@code bin/ringtrace} makes once per build with {@code -XX:ArchiveClassesAtExit}, so that
 * the daemon and the commands start from pre-parsed, pre-verified classes.
 *
 * <p>It does what a first and a second {@code boot} do, in a temporary data directory: the demo
 * boot line with its persistent {@code boot_map} and the workload, HTTP on a free loopback port,
 * the client calls of the README; then a restart on the same data, which recovers the journal
 * and reads {@code instances/backup} to its end. Exits 0 when every call succeeded.
 */
@Command(name = "cds-training", hidden = true,
        description = "Training run for the class-data sharing archive of bin/ringtrace.")
final class CdsTraining implements Callable<Integer> {

    @Override
    public Integer call() throws Exception {
        Path data = Files.createTempDirectory("ringtrace-cds-training");
        try {
            boot(data, false);
            boot(data, true);
        } finally {
            deleteTree(data);
        }
        return 0;
    }

    /** One boot of the daemon on {@code data}; {@code again}: the second, with a backup to read. */
    private static void boot(Path data, boolean again) throws Exception {
        Daemon d = new Daemon();
        d.port = 0;
        d.host = "127.0.0.1";
        d.engine.dataDir = data;
        Config config = Daemon.config(d.overrides());
        ActorSystem<TraceSystem.Command> system = ActorSystem.create(Ringtrace.create(config), "ringtrace", config);
        try {
            ServerBinding binding = Daemon.serve(system, config);
            String url = "http://127.0.0.1:" + binding.localAddress().getPort();
            if (again) {
                commands(url, List.of("cat instances/backup/last_boot_info", "cat instances/backup/trace"));
                pipeDrained(url, "instances/backup/trace_pipe");
            }
            commands(url, List.of("ls", "ls instances", "mkdir instances/cds", "write instances/cds/trace_marker hello",
                    "cat instances/cds/trace", "rmdir instances/cds", "cat instances/boot_map/per_cpu/cpu0/stats"));
            Thread.sleep(300); // the workload records into boot_map, which commits to the journal
            commands(url, List.of("cat instances/boot_map/trace"));
            pipeDrained(url, "instances/boot_map/trace_pipe");
        } finally {
            system.terminate();
            system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
        }
    }

    /** Runs each command line as bin/ringtrace would, its output discarded; each must succeed. */
    private static void commands(String url, List<String> lines) {
        PrintStream out = System.out;
        System.setOut(new PrintStream(OutputStream.nullOutputStream()));
        try {
            for (String line : lines) {
                List<String> args = new ArrayList<>(List.of(line.split(" ")));
                args.add(1, "--url=" + url);
                int rc = Main.run(args.toArray(new String[0]));
                if (rc != 0) {
                    throw new IllegalStateException("ringtrace " + line + ": exit " + rc);
                }
            }
        } finally {
            System.setOut(out);
        }
    }

    /**
     * What {@code pipe} and {@code cat} of a trace_pipe do: reads over the WebSocket (non-blocking
     * here, so that it ends when the pipe is empty).
     */
    private static void pipeDrained(String url, String path) throws Exception {
        try {
            new Client(url).stream(path, true, OutputStream.nullOutputStream());
        } catch (Client.Refused r) {
            if (r.errno != Errno.EAGAIN) {
                throw new IllegalStateException(path + ": " + r.errno);
            }
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }
}
