package io.ringtrace.app;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.ringtrace.actors.Ringtrace;
import io.ringtrace.actors.TraceFs;
import io.ringtrace.actors.TraceSystem;
import io.ringtrace.app.fuse.FuseSupport;
import io.ringtrace.app.fuse.Mounter;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;

/**
 * {@code bin/ringtrace mount DIR}: the tracefs tree as a real file system (FUSE), so that cat,
 * echo &gt;, ls -l, mkdir/rmdir under instances/ and blocking reads of trace_pipe work as on
 * /sys/kernel/tracing.
 *
 * <p>The command starts its own engine in this process, configured as {@code boot} is (the
 * ringtrace.* settings, with --cmdline, --data-dir and --cpus; no HTTP server, no workload), and
 * serves it until Ctrl-C or until the directory is unmounted from outside ({@code fusermount -u
 * DIR}). It does not attach to a running daemon: to mount the daemon's tree, start the daemon
 * with {@code boot --mount DIR}, which calls {@link #mountInBackground}. Either way the mount is taken down when the JVM exits (Ctrl-C
 * included): blocked readers get end of file and the directory is lazily unmounted.
 *
 * <p>Needs root (the FUSE device is root-only on Debian) and libfuse2 ({@code
 * scripts/install-deps.sh} installs it, and fuse3 for fusermount).
 */
@Command(name = "mount", mixinStandardHelpOptions = true,
        description = "Mount the tracefs tree at DIR through FUSE. Runs its own engine in this process until "
                + "Ctrl-C or until DIR is unmounted (to mount a daemon's tree: boot --mount DIR).")
final class MountCommand implements Callable<Integer> {
    @Parameters(paramLabel = "DIR", description = "An existing, empty directory.")
    Path dir;
    @picocli.CommandLine.Mixin
    EngineOptions engine = new EngineOptions();

    @Override
    public Integer call() throws Exception {
        String why = FuseSupport.unavailableReason();
        if (why != null) {
            System.err.println("ringtrace: cannot mount: FUSE is not usable: " + why);
            return 1;
        }
        if (!Files.isDirectory(dir)) {
            System.err.println("ringtrace: cannot mount: " + dir + " is not a directory");
            return 1;
        }
        // Persistent boot instances get their journal under ringtrace.data-dir.
        Config config = Ringtrace.systemConfig(overrides().withFallback(ConfigFactory.load()));
        warnIfDaemonRuns(config);
        ActorSystem<TraceSystem.Command> system = ActorSystem.create(Ringtrace.create(config), "ringtrace", config);
        Mounter mounter;
        try {
            Ringtrace.awaitBoot(system);
            TraceFs fs = Ringtrace.fs(system);
            mounter = mountInBackground(system, fs, dir);
        } catch (Exception e) {
            System.err.println("ringtrace: mount failed: " + e.getMessage());
            system.terminate();
            system.getWhenTerminated().toCompletableFuture().get();
            return 1;
        }
        // Until Ctrl-C (the shutdown hooks unmount and stop the engine) or an unmount from outside.
        mounter.whenEnded().thenRun(system::terminate);
        system.getWhenTerminated().toCompletableFuture().get();
        mounter.unmount();
        return 0;
    }

    /**
     * Mounts the tree of a running engine at {@code dir} and ties the mount to the engine's life:
     * Pekko's coordinated shutdown (Ctrl-C, {@code system.terminate()}) unmounts before the
     * actors stop, and a JVM shutdown hook unmounts in any case. Returns once the mount is live.
     */
    static Mounter mountInBackground(ActorSystem<?> system, TraceFs fs, Path dir) throws IOException {
        Mounter m = Mounter.mount(fs, dir);
        CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeServiceUnbind(),
                "ringtrace-fuse-unmount", () -> CompletableFuture.supplyAsync(() -> {
                    m.unmount();
                    return Done.getInstance();
                }, r -> new Thread(r, "ringtrace-fuse-unmount").start()));
        system.getWhenTerminated().thenRun(() -> new Thread(m::unmount, "ringtrace-fuse-unmount").start());
        System.err.println("ringtrace: tracefs mounted at " + m.mountPoint()
                + " (FUSE; Ctrl-C or fusermount -u unmounts)  try: ls -l " + m.mountPoint());
        return m;
    }

    private Config overrides() {
        return engine.applyTo(ConfigFactory.empty());
    }

    /** This command serves a separate engine: say so when a daemon is up, since its tree is not the one mounted. */
    private static void warnIfDaemonRuns(Config config) {
        String host = config.hasPath("ringtrace.http.host") ? config.getString("ringtrace.http.host") : "127.0.0.1";
        int port = config.hasPath("ringtrace.http.port") ? config.getInt("ringtrace.http.port") : 7311;
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 200);
            System.err.println("ringtrace: note: a daemon answers at " + host + ":" + port + "; this mount serves "
                    + "its own engine, not the daemon's (to mount the daemon's tree: boot --mount DIR)");
        } catch (IOException | RuntimeException e) {
            // no daemon: the usual case
        }
    }
}
