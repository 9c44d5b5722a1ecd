package io.ringtrace.persistence;

import static io.ringtrace.persistence.TestSupport.config;
import static io.ringtrace.persistence.TestSupport.flush;
import static io.ringtrace.persistence.TestSupport.marker;
import static io.ringtrace.persistence.TestSupport.markersOf;
import static io.ringtrace.persistence.TestSupport.recovered;
import static io.ringtrace.persistence.TestSupport.ring;
import static io.ringtrace.persistence.TestSupport.start;
import static io.ringtrace.persistence.TestSupport.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.ringtrace.protocol.ring.RingBuffer;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ringtrace.persistence.leveldb-log}: off (the default) discards LevelDB's informational
 * log, file keeps LevelDB's own LOG; switching between them across restarts keeps the data.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LevelDbLogTest {

    /** One run: recovers what was there, adds 3 pages of markers, flushes, stops. */
    private static List<String> run(Path dir, String logSetting, List<String> expected, int from) {
        ActorTestKit kit = start("log-" + logSetting, config(dir, "ringtrace.persistence.leveldb-log = " + logSetting));
        try {
            RingBuffer ring = ring(0, 16);
            ActorRef<PersistentCpuBuffer.Command> buffer =
                    kit.spawn(PersistentCpuBuffer.create("logged", 0, ring), "cpu0");
            assertEquals(expected, markersOf(recovered(kit, buffer).pages()));
            List<String> now = new ArrayList<>(expected);
            for (int i = from; i < from + 3 * 140; i++) {
                write(ring, marker("log", i));
                now.add(marker("log", i));
            }
            flush(kit, buffer);
            return now;
        } finally {
            kit.shutdownTestKit();
        }
    }

    @Test
    void offLinksLogToDevNullAndFileKeepsLevelDbsLog(@TempDir Path dir) throws Exception {
        Path journal = JournalSetup.journalDir(dir.toAbsolutePath());
        Path log = journal.resolve("LOG");
        Path old = journal.resolve("LOG.old");

        List<String> kept = run(dir, "off", List.of(), 0);
        assertTrue(Files.isSymbolicLink(log), "LOG is a link");
        assertEquals(Path.of("/dev/null"), Files.readSymbolicLink(log));
        assertTrue(Files.isDirectory(old, LinkOption.NOFOLLOW_LINKS), "LOG.old is a directory");

        kept = run(dir, "file", kept, 1000);
        assertTrue(Files.isRegularFile(log, LinkOption.NOFOLLOW_LINKS), "LOG is LevelDB's file");
        assertTrue(Files.size(log) > 0, "LevelDB wrote its log");
        assertTrue(!Files.isDirectory(old, LinkOption.NOFOLLOW_LINKS), "LOG.old is LevelDB's again");

        run(dir, "off", kept, 2000);
        assertTrue(Files.isSymbolicLink(log), "LOG is a link again");
        assertTrue(Files.isDirectory(old, LinkOption.NOFOLLOW_LINKS), "LOG.old is a directory again");
    }

    @Test
    void anyOtherValueIsRefused(@TempDir Path dir) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> JournalSettings.create(
                ConfigFactory.parseString("ringtrace.persistence.leveldb-log = slf4j").withFallback(ConfigFactory.load())));
        assertTrue(e.getMessage().contains("leveldb-log must be off or file"), e.getMessage());
    }
}
