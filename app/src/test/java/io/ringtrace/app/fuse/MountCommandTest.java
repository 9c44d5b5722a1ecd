package io.ringtrace.app.fuse;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@code ringtrace mount DIR} and {@code ringtrace boot --mount DIR} as real processes: the mount
 * comes up, answers, and is gone after Ctrl-C (SIGINT) even while a reader is blocked in
 * trace_pipe, which gets end of file. Skipped with a printed reason when FUSE is not usable.
 */
@Timeout(180)
class MountCommandTest {
    @TempDir
    Path tmp;

    private static List<String> java(String... args) {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of(Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-exports=jdk.jfr/jdk.jfr.internal=ALL-UNNAMED", "-cp", cp, "io.ringtrace.app.Main"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    @Test
    void mountCommandServesUntilCtrlC() throws Exception {
        FuseTestSupport.assumeFuse();
        Path mnt = Files.createDirectories(tmp.resolve("mnt"));
        Path data = Files.createDirectories(tmp.resolve("data"));
        runUntilCtrlC(java("mount", mnt.toString(), "--cpus", "2", "--cmdline", "", "--data-dir", data.toString()),
                mnt);
    }

    @Test
    void bootWithMountServesUntilCtrlC() throws Exception {
        FuseTestSupport.assumeFuse();
        Path mnt = Files.createDirectories(tmp.resolve("mnt"));
        Path data = Files.createDirectories(tmp.resolve("data"));
        runUntilCtrlC(java("boot", "--mount", mnt.toString(), "--port", "0", "--cpus", "2", "--cmdline", "",
                "--workload", "marker", "--rate", "10", "--data-dir", data.toString()), mnt);
    }

    private void runUntilCtrlC(List<String> cmd, Path mnt) throws Exception {
        Path log = tmp.resolve("ringtrace.log");
        Process p = new ProcessBuilder(cmd).directory(tmp.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        Process cat = null;
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (FuseSupport.mountAt(mnt) == null) {
                if (!p.isAlive()) {
                    fail("the command exited before mounting (rc " + p.exitValue() + "):\n" + Files.readString(log));
                }
                if (System.nanoTime() > deadline) {
                    fail("no mount at " + mnt + " after 60 s:\n" + Files.readString(log));
                }
                Thread.sleep(50);
            }
            FuseTestSupport.Result r =
                    FuseTestSupport.bash(mnt, "mkdir instances/cc && cat instances/cc/tracing_on && ls");
            assertEquals(0, r.rc(), r + "\n" + Files.readString(log));
            assertTrue(r.out().startsWith("1\n") && r.out().contains("trace_pipe\n"), r.toString());
            // A reader blocked inside the mount must not keep it alive.
            cat = new ProcessBuilder("cat", mnt.resolve("instances/cc/trace_pipe").toString())
                    .redirectErrorStream(true).redirectOutput(tmp.resolve("cat.out").toFile()).start();
            Thread.sleep(500);
            assertTrue(cat.isAlive(), "cat trace_pipe should block");
            new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start().waitFor(10, TimeUnit.SECONDS);
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "no exit within 30 s of SIGINT:\n" + Files.readString(log));
            assertTrue(cat.waitFor(10, TimeUnit.SECONDS), "the blocked reader did not end with the mount");
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (FuseSupport.mountAt(mnt) != null && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertNull(FuseSupport.mountAt(mnt), "still mounted after Ctrl-C:\n" + Files.readString(log));
            System.out.println("--- " + cmd.get(cmd.size() - 1) + " log:\n" + Files.readString(log));
        } finally {
            if (cat != null) {
                cat.destroyForcibly();
            }
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
            if (FuseSupport.mountAt(mnt) != null) {
                Mounter.lazyUnmount(mnt);
            }
        }
    }

    @Test
    void mountCommandExplainsWhyItCannotMount() throws Exception {
        Path notADir = Files.writeString(tmp.resolve("file"), "x");
        FuseTestSupport.Result r = FuseTestSupport.run(java("mount", notADir.toString(), "--cpus", "1", "--cmdline", "",
                "--data-dir", tmp.resolve("d").toString()), tmp, Duration.ofSeconds(90));
        assertEquals(1, r.rc(), r.toString());
        assertTrue(r.err().contains("ringtrace: ") && (r.err().contains("not a directory")
                || r.err().contains("FUSE is not usable")), r.toString());
    }
}
