package io.ringtrace.app.fuse;

import io.ringtrace.actors.TraceFs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A live FUSE mount of a ringtrace tracefs tree: {@link #mount} returns once the kernel has sent
 * FUSE_INIT (the mount answers), {@link #unmount} takes it down and returns once it is gone.
 *
 * <p>Lifecycle (reference/fuse-notes.md S11, S12): libfuse's loop runs on a daemon thread of its
 * own ({@code fuse_main}, multithreaded, foreground); readiness is the {@code init} callback, not
 * jnr-fuse's fixed 2 s wait. Unmounting first makes blocked readers return end of file, then runs
 * {@code fusermount -u -z} (lazy, so a reader or a shell sitting inside the mount cannot block
 * it), falling back to {@code umount -l}, and waits for the loop to end. A JVM shutdown hook does
 * the same on exit and on Ctrl-C. A stale mount left by a killed process at the same directory
 * ("Transport endpoint is not connected") is cleared before mounting.
 */
public final class Mounter implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Mounter.class);

    private final Path dir;
    private final TracefsFuse fuse;
    private final CompletableFuture<Void> ended = new CompletableFuture<>();
    private final AtomicBoolean unmounting = new AtomicBoolean();
    private final CompletableFuture<Void> unmounted = new CompletableFuture<>();
    private Thread hook;

    private Mounter(Path dir, TracefsFuse fuse) {
        this.dir = dir;
        this.fuse = fuse;
    }

    /** Mount options: see the class comment of {@link TracefsFuse} and fuse-notes §3, S3, S4, S13. */
    static String[] options() {
        List<String> o = new ArrayList<>(List.of(
                "-o", "nopath",
                "-o", "atomic_o_trunc",
                // tracefs answers every lookup from its current state: no cached attributes or
                // names, so an instance that removed itself is gone at once.
                "-o", "attr_timeout=0",
                "-o", "entry_timeout=0",
                "-o", "negative_timeout=0"));
        if (FuseSupport.isRoot()) {
            // Modes are enforced as tracefs does for other users; root bypasses them as on tracefs.
            o.addAll(List.of("-o", "allow_other", "-o", "default_permissions"));
        }
        return o.toArray(new String[0]);
    }

    public static Mounter mount(TraceFs fs, Path dir) throws IOException {
        return mount(fs, dir, Duration.ofSeconds(20));
    }

    /**
     * Mounts the tree of {@code fs} at {@code dir} (an existing directory) and waits until the mount
     * is live. Throws with the reason when FUSE is not usable here or the mount fails.
     */
    public static Mounter mount(TraceFs fs, Path dir, Duration timeout) throws IOException {
        String why = FuseSupport.unavailableReason();
        if (why != null) {
            throw new IOException("FUSE is not usable: " + why);
        }
        Path abs = dir.toAbsolutePath().normalize();
        clearStaleMount(abs);
        if (!Files.isDirectory(abs)) {
            throw new IOException(abs + " is not a directory");
        }
        FuseSupport.MountEntry there = FuseSupport.mountAt(abs);
        if (there != null) {
            throw new IOException(abs + " is already a mount point (" + there.type() + ")");
        }
        TracefsFuse fuse;
        try {
            fuse = new TracefsFuse(fs);
        } catch (Throwable t) {
            throw new IOException("cannot load libfuse: " + t, t);
        }
        Mounter m = new Mounter(abs, fuse);
        Thread loop = new Thread(() -> {
            try {
                fuse.mount(abs, true, false, options());
                m.ended.complete(null);
            } catch (Throwable t) {
                m.ended.completeExceptionally(t);
            }
        }, "ringtrace-fuse-" + abs.getFileName());
        loop.setDaemon(true);
        loop.start();
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (!fuse.awaitReady(20)) {
                if (m.ended.isDone()) {
                    throw new IOException("mount at " + abs + " failed: " + cause(m.ended), causeOf(m.ended));
                }
                if (System.nanoTime() > deadline) {
                    m.unmount();
                    throw new IOException("mount at " + abs + " did not come up within " + timeout);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            m.unmount();
            throw new IOException("interrupted while mounting " + abs);
        }
        m.hook = new Thread(m::unmount, "ringtrace-fuse-unmount");
        Runtime.getRuntime().addShutdownHook(m.hook);
        log.info("tracefs mounted at {} (FUSE)", abs);
        return m;
    }

    public Path mountPoint() {
        return dir;
    }

    /** True while libfuse's loop runs and the mount has not been asked to go. */
    public boolean isMounted() {
        return !ended.isDone() && !unmounting.get();
    }

    /** Completes when libfuse's loop has ended: after {@link #unmount}, or an external fusermount -u. */
    public CompletableFuture<Void> whenEnded() {
        return ended.handle((v, t) -> null);
    }

    /** Open files of the mount (each holds its instance), for tests and diagnostics. */
    public int openFiles() {
        return fuse.openFiles();
    }

    /**
     * Unmounts (idempotent, safe from any thread and from a shutdown hook) and returns once the
     * mount is gone from /proc/self/mountinfo or after about 10 s at most.
     */
    public void unmount() {
        if (!unmounting.compareAndSet(false, true)) {
            unmounted.join();
            return;
        }
        try {
            fuse.shutdown();
            if (!ended.isDone() || FuseSupport.mountAt(dir) != null) {
                lazyUnmount(dir);
            }
            try {
                ended.get(2, TimeUnit.SECONDS);
            } catch (Exception e) {
                if (!ended.isDone()) {
                    // Detached, but a process still has its cwd or a file inside: the kernel keeps
                    // the connection until it lets go. Ask libfuse's loop to stop; its thread is a
                    // daemon and does not hold up the JVM.
                    log.info("{} detached but still in use by some process; stopping libfuse's loop", dir);
                    try {
                        fuse.umount();
                    } catch (Throwable t) {
                        log.debug("fuse_exit failed", t);
                    }
                }
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            while (FuseSupport.mountAt(dir) != null && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            if (FuseSupport.mountAt(dir) != null) {
                log.warn("{} is still mounted after unmount", dir);
            } else {
                log.info("tracefs unmounted from {}", dir);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            unmounted.complete(null);
            removeHook();
        }
    }

    @Override
    public void close() {
        unmount();
    }

    private void removeHook() {
        Thread h = hook;
        if (h != null && Thread.currentThread() != h) {
            try {
                Runtime.getRuntime().removeShutdownHook(h);
            } catch (IllegalStateException e) {
                // the JVM is shutting down: the hook runs or ran anyway
            }
        }
    }

    /**
     * {@code fusermount -u -z DIR}, then {@code fusermount3}, then {@code umount -l DIR}: the lazy
     * forms detach the mount even while a process has a file or its cwd inside it.
     */
    static void lazyUnmount(Path dir) {
        String d = dir.toString();
        for (String[] cmd : new String[][]{
                {"fusermount", "-u", "-z", d}, {"fusermount3", "-u", "-z", d}, {"umount", "-l", d}}) {
            if (FuseSupport.mountAt(dir) == null) {
                return;
            }
            int rc = run(cmd);
            if (rc == 0) {
                return;
            }
        }
    }

    /** Runs a command with its output discarded; its exit code, or -1 if it cannot be started. */
    private static int run(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return -1;
            }
            return p.exitValue();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /**
     * A FUSE mount at {@code dir} whose server died (kill -9) answers every access with ENOTCONN;
     * the next mount there would fail. Detach it first. A live mount is left alone.
     */
    static void clearStaleMount(Path dir) {
        FuseSupport.MountEntry e = FuseSupport.mountAt(dir);
        if (e == null || !e.type().startsWith("fuse")) {
            return;
        }
        try {
            Files.readAttributes(dir, BasicFileAttributes.class);
        } catch (IOException stale) {
            log.warn("clearing a stale FUSE mount at {} ({})", dir, stale.getMessage());
            lazyUnmount(dir);
        }
    }

    private static String cause(CompletableFuture<?> f) {
        Throwable t = causeOf(f);
        if (t == null) {
            return "libfuse returned at once (see its message above; is the directory usable?)";
        }
        String msg = t.getMessage();
        Throwable c = t.getCause();
        return msg + (c != null && c != t ? " (" + c.getMessage() + ")" : "");
    }

    private static Throwable causeOf(CompletableFuture<?> f) {
        try {
            f.getNow(null);
            return null;
        } catch (Exception e) {
            return e.getCause() != null ? e.getCause() : e;
        }
    }
}
