package io.ringtrace.app.fuse;

import com.typesafe.config.Config;
import io.ringtrace.actors.Ringtrace;
import io.ringtrace.actors.TraceFs;
import io.ringtrace.actors.TraceSystem;
import org.apache.pekko.actor.typed.ActorSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Autoremove with real processes (seed patch 3): the read-only backup of the previous run is
 * read out with {@code cat instances/backup/trace_pipe} through the FUSE mount, and when cat
 * closes the file (the Put of its open) the instance removes itself. Skipped with a printed
 * reason when FUSE is not usable.
 */
@Timeout(180)
class FuseAutoremoveTest {
    private static final String CMDLINE =
            "reserve_mem=1M:4096:trace trace_instance=boot_map@trace trace_instance=backup=boot_map";

    @TempDir
    Path tmp;

    @Test
    void theBackupRemovesItselfAfterCatHasReadItsPipe() throws Exception {
        FuseTestSupport.assumeFuse();
        Path data = Files.createDirectories(tmp.resolve("data"));
        // First run: record two markers into the persistent instance, then stop.
        Config config = FuseTestSupport.engineConfig(2, data, CMDLINE);
        ActorSystem<TraceSystem.Command> first =
                ActorSystem.create(Ringtrace.create(config), "AutoremoveFirst", config);
        try {
            Ringtrace.awaitBoot(first);
            TraceFs fs = Ringtrace.fs(first);
            assertTrue(fs.list("instances").stream().anyMatch(s -> s.name().equals("boot_map")),
                    "the boot command line makes boot_map");
            fs.write("instances/boot_map/trace_marker", "previous run 1");
            fs.write("instances/boot_map/trace_marker", "previous run 2");
            Thread.sleep(500); // more than the commit interval: the page reaches the journal
        } finally {
            first.terminate();
            first.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
        // Second run on the same data: the backup holds the first run's markers.
        try (FuseTestSupport.MountedEngine e =
                     FuseTestSupport.startAndMountOn("AutoremoveSecond", 2, tmp, data, CMDLINE)) {
            FuseTestSupport.Result r =
                    FuseTestSupport.bash(e.mnt, "ls instances && timeout 20 cat instances/backup/trace_pipe");
            assertEquals(0, r.rc(), r.toString());
            assertTrue(r.out().startsWith("backup\nboot_map\n"), r.toString());
            assertTrue(r.out().contains("tracing_mark_write: previous run 1\n")
                    && r.out().contains("tracing_mark_write: previous run 2\n"), r.toString());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            String ls;
            do {
                Thread.sleep(20);
                ls = FuseTestSupport.bash(e.mnt, "ls instances").out();
            } while (ls.contains("backup") && System.nanoTime() < deadline);
            assertEquals("boot_map\n", ls, "the backup should remove itself after its last close");
            assertEquals(0, e.mounter.openFiles());
            e.close();
            assertNull(FuseSupport.mountAt(e.mnt));
        }
    }
}
