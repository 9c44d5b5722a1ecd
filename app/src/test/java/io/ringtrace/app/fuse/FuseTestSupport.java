package io.ringtrace.app.fuse;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.ringtrace.actors.Ringtrace;
import io.ringtrace.actors.TraceFs;
import io.ringtrace.actors.TraceSystem;
import org.apache.pekko.actor.typed.ActorSystem;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * What the FUSE tests share: the decision to run, skip or fail; an engine in this JVM; a mount
 * that is always taken down; and running shell commands with a timeout.
 *
 * <p>Skip or fail: when FUSE cannot be used here (no /dev/fuse, not root, libfuse2 missing and
 * scripts/install-deps.sh cannot install it) the tests are skipped with the reason, printed as
 * {@code FUSE tests SKIPPED: ...}. In CI ({@code CI=true}) on a machine that has /dev/fuse and
 * runs us as root, FUSE must work, so the same situation fails instead.
 */
final class FuseTestSupport {
    private static volatile boolean installTried;

    private FuseTestSupport() {
    }

    /** CI with /dev/fuse as root: a mount that cannot be made is a failure, not a skip. */
    static boolean strict() {
        return "true".equalsIgnoreCase(System.getenv("CI")) && FuseSupport.devFuseExists() && FuseSupport.isRoot();
    }

    /**
     * Null when FUSE is usable here; otherwise the reason to skip. Fails at once in strict CI.
     * Tries scripts/install-deps.sh first when only libfuse2 is missing.
     */
    static String fuseSkipReason() {
        String why = FuseSupport.unavailableReason();
        if (why != null && FuseSupport.devFuseExists() && FuseSupport.isRoot() && !FuseSupport.libfuse2Loadable()) {
            installDeps();
            why = FuseSupport.unavailableReason();
        }
        if (why == null && !FuseSupport.isRoot()) {
            why = "not running as root";
        }
        if (why != null && strict()) {
            Assertions.fail("CI=true, root and /dev/fuse present, so FUSE must work, but: " + why);
        }
        return why == null ? null : "FUSE is not usable: " + why;
    }

    /** Skips the calling test (or fails it in strict CI) unless FUSE is usable. */
    static void assumeFuse() {
        skipIf(fuseSkipReason());
    }

    /** Skips (or in strict CI fails) when python3, which runs the capture harness, is missing. */
    static void assumePython() {
        String why = null;
        try {
            Process p = new ProcessBuilder("python3", "-c", "import json, errno, stat")
                    .redirectErrorStream(true).start();
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                why = "python3 does not run";
            }
        } catch (IOException e) {
            why = "python3 is not installed (the differential harness and some shell checks need it)";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            why = "interrupted";
        }
        if (why != null && strict()) {
            Assertions.fail("CI=true with FUSE available, but " + why);
        }
        skipIf(why);
    }

    /** Skips with the reason, printed so that a build log says plainly what did not run. */
    static void skipIf(String why) {
        if (why != null) {
            System.err.println("FUSE tests SKIPPED: " + why);
            Assumptions.abort("FUSE tests skipped: " + why);
        }
    }

    /** Runs scripts/install-deps.sh libfuse2 fuse3 once (root only). */
    static synchronized void installDeps() {
        if (installTried) {
            return;
        }
        installTried = true;
        Path script = projectRoot().resolve("scripts/install-deps.sh");
        if (!Files.isRegularFile(script)) {
            return;
        }
        System.err.println("FUSE tests: libfuse2 missing, running " + script + " libfuse2 fuse3");
        try {
            Result r = run(List.of("bash", script.toString(), "libfuse2", "fuse3"), projectRoot(),
                    Duration.ofMinutes(5));
            System.err.println(r.out + r.err);
        } catch (Exception e) {
            System.err.println("FUSE tests: install-deps.sh failed: " + e);
        }
    }

    /** The project root (the directory holding scripts/ and protocol/), from the module directory. */
    static Path projectRoot() {
        Path dir = Paths.get("").toAbsolutePath();
        for (Path d = dir; d != null; d = d.getParent()) {
            if (Files.isDirectory(d.resolve("scripts")) && Files.isDirectory(d.resolve("protocol"))) {
                return d;
            }
        }
        throw new IllegalStateException("project root not found from " + dir);
    }

    static Path golden() {
        return projectRoot().resolve(GoldenCompare.GOLDEN_RESOURCE);
    }

    /** This module's build directory (target/ or the -Drt.target one), from the test classes. */
    static Path buildDir() {
        try {
            return Paths.get(FuseTestSupport.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                    .getParent();
        } catch (Exception e) {
            return Paths.get(System.getProperty("java.io.tmpdir"));
        }
    }

    // ------------------------------------------------------------------ engine and mount

    /** An engine in this JVM plus its FUSE mount; close() unmounts, then stops the engine. */
    static final class MountedEngine implements AutoCloseable {
        final ActorSystem<TraceSystem.Command> system;
        final TraceFs fs;
        final Path mnt;
        Mounter mounter;

        MountedEngine(ActorSystem<TraceSystem.Command> system, TraceFs fs, Path mnt) {
            this.system = system;
            this.fs = fs;
            this.mnt = mnt;
        }

        private boolean closed;

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            try {
                if (mounter != null) {
                    mounter.unmount();
                } else if (FuseSupport.mountAt(mnt) != null) {
                    Mounter.lazyUnmount(mnt);
                }
            } finally {
                system.terminate();
                try {
                    system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
                } catch (Exception e) {
                    // reported by the test's own timeout if it matters
                }
            }
        }
    }

    static Config engineConfig(int cpus, Path dataDir, String cmdline) {
        Config c = ConfigFactory.parseMap(Map.of(
                        "ringtrace.cpus", cpus,
                        "ringtrace.data-dir", dataDir.toString(),
                        "ringtrace.boot.cmdline", cmdline,
                        "ringtrace.http.port", 0))
                .withValue("pekko.coordinated-shutdown.run-by-jvm-shutdown-hook", ConfigValueFactory.fromAnyRef("off"))
                .withFallback(ConfigFactory.load());
        return Ringtrace.systemConfig(c);
    }

    /**
     * Starts an engine with {@code cpus} CPUs and mounts it at {@code dir/mnt}. Call only when
     * {@link #fuseSkipReason} is null: FUSE is usable, so a mount that fails is a failure.
     */
    static MountedEngine startAndMount(String name, int cpus, Path dir, String cmdline) throws Exception {
        return startAndMountOn(name, cpus, dir, Files.createDirectories(dir.resolve("data")), cmdline);
    }

    /** As {@link #startAndMount}, with the engine's data directory given (restart tests). */
    static MountedEngine startAndMountOn(String name, int cpus, Path dir, Path data, String cmdline) throws Exception {
        Path mnt = Files.createDirectories(dir.resolve("mnt"));
        Config config = engineConfig(cpus, data, cmdline);
        ActorSystem<TraceSystem.Command> system = ActorSystem.create(Ringtrace.create(config), name, config);
        MountedEngine e = new MountedEngine(system, null, mnt);
        try {
            Ringtrace.awaitBoot(system);
            e = new MountedEngine(system, Ringtrace.fs(system), mnt);
            e.mounter = Mounter.mount(e.fs, mnt);
        } catch (IOException ex) {
            // FUSE is usable here (assumeFuse passed), so a mount that fails is a bug, not a skip.
            e.close();
            Assertions.fail("mount at " + mnt + " failed: " + ex.getMessage(), ex);
        } catch (Exception | Error ex) {
            e.close();
            throw ex;
        }
        return e;
    }

    // ------------------------------------------------------------------ processes

    record Result(int rc, String out, String err) {
        @Override
        public String toString() {
            return "rc=" + rc + "\n--- stdout:\n" + out + "--- stderr:\n" + err;
        }
    }

    /** Runs a command to completion (killing it after {@code timeout}) and returns its outputs. */
    static Result run(List<String> cmd, Path cwd, Duration timeout) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile());
        pb.environment().put("LC_ALL", "C");
        Process p = pb.start();
        p.getOutputStream().close();
        CompletableFuture<String> out = drain(p.getInputStream());
        CompletableFuture<String> err = drain(p.getErrorStream());
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(5, TimeUnit.SECONDS);
            Assertions.fail("timed out after " + timeout + ": " + cmd + "\n--- stdout:\n"
                    + out.getNow("") + "--- stderr:\n" + err.getNow(""));
        }
        return new Result(p.exitValue(), out.get(5, TimeUnit.SECONDS), err.get(5, TimeUnit.SECONDS));
    }

    /** {@code bash -c SCRIPT} in {@code cwd}, 30 s at most. */
    static Result bash(Path cwd, String script) throws Exception {
        return run(List.of("bash", "-c", script), cwd, Duration.ofSeconds(30));
    }

    /** Reads a stream to its end on a thread of its own (never the common pool: it may have one thread). */
    static CompletableFuture<String> drain(InputStream in) {
        CompletableFuture<String> f = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try (in) {
                ByteArrayOutputStream b = new ByteArrayOutputStream();
                in.transferTo(b);
                f.complete(b.toString(StandardCharsets.UTF_8));
            } catch (IOException e) {
                f.complete("<" + e + ">");
            }
        }, "drain");
        t.setDaemon(true);
        t.start();
        return f;
    }
}
