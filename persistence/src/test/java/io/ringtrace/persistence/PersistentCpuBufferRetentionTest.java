package io.ringtrace.persistence;

import static io.ringtrace.persistence.TestSupport.PAGE;
import static io.ringtrace.persistence.TestSupport.config;
import static io.ringtrace.persistence.TestSupport.copyPages;
import static io.ringtrace.persistence.TestSupport.flush;
import static io.ringtrace.persistence.TestSupport.marker;
import static io.ringtrace.persistence.TestSupport.markersOf;
import static io.ringtrace.persistence.TestSupport.recovered;
import static io.ringtrace.persistence.TestSupport.ring;
import static io.ringtrace.persistence.TestSupport.start;
import static io.ringtrace.persistence.TestSupport.stats;
import static io.ringtrace.persistence.TestSupport.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import io.ringtrace.protocol.ring.RingBuffer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Disk use and recovery work are bounded by the buffer size, not by how long the instance ran:
 * a small ring wraps hundreds of times, the data directory stays small, and a restart replays at
 * most about one buffer of page images and recovers exactly the last pages.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class PersistentCpuBufferRetentionTest {

    private static final Logger log = LoggerFactory.getLogger(PersistentCpuBufferRetentionTest.class);
    /** fsync does not change what is kept; off keeps the test fast. */
    private static final String FAST = "ringtrace.persistence.commit-interval = 1h\nringtrace.persistence.fsync = off";
    private static final int MARKERS_PER_PAGE = 4080 / 28; // 20-byte payload events take 28 bytes

    /** Result of one long run: what the ring held at the end and what was measured. */
    private record Run(List<byte[]> lastPages, List<String> lastMarkers, long maxData, long bookkeeping,
                       PersistentCpuBuffer.Stats stats) {
    }

    /**
     * Bytes of LevelDB's own bookkeeping files in the journal directory: the text LOG (LOG.old)
     * and the MANIFEST, which grow by a line per compaction until the next start, CURRENT and LOCK.
     */
    private static long bookkeeping(Path dir) {
        long total = 0;
        try (var files = Files.list(JournalSetup.journalDir(dir))) {
            for (Path p : (Iterable<Path>) files::iterator) {
                String name = p.getFileName().toString();
                if (name.startsWith("LOG") || name.startsWith("MANIFEST") || name.equals("CURRENT")
                        || name.equals("LOCK")) {
                    try {
                        total += Files.size(p);
                    } catch (IOException e) {
                        // replaced meanwhile
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return total;
    }

    /** Journal tables and write-ahead log plus snapshots: the data kept for recovery. */
    private static long data(Path dir) {
        return JournalSetup.diskUsage(dir) - bookkeeping(dir);
    }

    /**
     * Writes {@code wraps} times the ring's size into a persistent buffer, committing about
     * {@code pagesPerCommit} pages at a time, measuring the data directory as it goes.
     */
    private Run longRun(Path dir, Config cfg, String instance, int nrPages, int wraps, int pagesPerCommit) {
        ActorTestKit kit = start("long-" + instance, cfg);
        try {
            RingBuffer ring = ring(0, nrPages);
            ActorRef<PersistentCpuBuffer.Command> buffer =
                    kit.spawn(PersistentCpuBuffer.create(instance, 0, ring), "cpu0");
            recovered(kit, buffer);
            long maxData = 0;
            int total = nrPages * wraps * MARKERS_PER_PAGE;
            int perCommit = pagesPerCommit * MARKERS_PER_PAGE;
            int commitsDone = 0;
            for (int i = 0; i < total; i++) {
                write(ring, marker("event", i));
                if (i % perCommit == perCommit - 1) {
                    flush(kit, buffer);
                    if (++commitsDone % 10 == 0) {
                        maxData = Math.max(maxData, data(dir));
                    }
                }
            }
            flush(kit, buffer);
            long w = ring.writePageSeq();
            List<byte[]> last = copyPages(ring, w - nrPages + 1, w);
            PersistentCpuBuffer.Stats stats = stats(kit, buffer);
            return new Run(last, markersOf(last), Math.max(maxData, data(dir)), bookkeeping(dir), stats);
        } finally {
            kit.shutdownTestKit();
        }
    }

    @Test
    void diskStaysBoundedAfterWrappingHundredsOfTimes(@TempDir Path dir) {
        int nrPages = 8;
        Config cfg = config(dir, FAST);
        Run run = longRun(dir, cfg, "bounded", nrPages, 200, 6);
        long buffer = (long) nrPages * PAGE;
        long written = run.stats().bytesCommitted();
        log.info("8-page ring ({} bytes) wrapped 200 times: {} page images ({} bytes) persisted, {} deletes, "
                        + "{} pages carried forward; data kept at most {} bytes; LevelDB LOG+MANIFEST {} bytes",
                buffer, run.stats().pagesCommitted(), written, run.stats().deletes(), run.stats().carriedPages(),
                run.maxData(), run.bookkeeping());
        assertTrue(run.stats().pagesCommitted() >= 200 * nrPages, "the ring wrapped 200 times");
        assertTrue(run.stats().deletes() >= 100, "retention ran: " + run.stats().deletes());
        assertTrue(run.stats().journalPages() <= nrPages + run.stats().livePages() / 2 + 6,
                "the journal holds at most 1.5 buffers + a commit: " + run.stats().journalPages());
        // at most 1.5 buffers of journal (+ a commit batch of 6 pages), plus LevelDB's write-ahead
        // log, restarted by every compaction but grown by native LevelDB in 64 KiB steps (the same
        // bound as with a snapshot + half a buffer of journal before)
        long bound = (long) (2.5 * buffer) + 128 * 1024;
        assertTrue(run.maxData() < bound, "data " + run.maxData() + " < " + bound);
        assertTrue(written > 25 * run.maxData(), "history (" + written + ") far beyond what is kept");
        // LevelDB's MANIFEST and its text LOG grow by a few hundred bytes per compaction until the
        // next start (see QuietLeveldbJournal)
        assertTrue(run.bookkeeping() < 1024L * run.stats().deletes() + 64 * 1024,
                "bookkeeping " + run.bookkeeping());

        ActorTestKit second = start("second", cfg);
        try {
            ActorRef<PersistentCpuBuffer.Command> restarted =
                    second.spawn(PersistentCpuBuffer.create("bounded", 0, ring(0, nrPages)), "cpu0");
            PersistentCpuBuffer.Recovered r = recovered(second, restarted);
            assertEquals(run.lastPages().size(), r.pages().size());
            for (int i = 0; i < r.pages().size(); i++) {
                assertArrayEquals(run.lastPages().get(i), r.pages().get(i), "page " + i);
            }
            assertEquals(run.lastMarkers(), markersOf(r.pages()));
        } finally {
            second.shutdownTestKit();
        }
    }

    @Test
    void recoveryReplaysAboutOneBufferWhateverTheHistory(@TempDir Path dir) {
        int nrPages = 16;
        Config cfg = config(dir, FAST);
        Run shortRun = longRun(dir, cfg, "short", nrPages, 2, 3);
        Run longRun = longRun(dir, cfg, "long", nrPages, 40, 3);
        assertTrue(longRun.stats().pagesCommitted() > 10 * shortRun.stats().pagesCommitted());

        for (Run run : List.of(shortRun, longRun)) {
            String instance = run == shortRun ? "short" : "long";
            ActorTestKit kit = start("recover-" + instance, cfg);
            try {
                ActorRef<PersistentCpuBuffer.Command> buffer =
                        kit.spawn(PersistentCpuBuffer.create(instance, 0, ring(0, nrPages)), "cpu0");
                PersistentCpuBuffer.Recovered r = recovered(kit, buffer);
                log.info("{}: {} page images persisted; recovery replayed {} page images ({} bytes) from {} "
                                + "journal entries", instance, run.stats().pagesCommitted(), r.replayedPages(),
                        r.replayedBytes(), r.replayedEntries());
                // no snapshot: the journal is replayed, and it holds at most the buffer, half a
                // buffer of superseded images (journal-slack 0.5) and one commit (3 pages)
                assertTrue(r.replayedPages() <= nrPages + nrPages / 2 + 3,
                        "replayed " + r.replayedPages() + " page images of a " + nrPages + "-page buffer");
                assertTrue(r.replayedPages() <= 2L * nrPages, "recovery work is about one buffer");
                assertEquals(r.replayedPages() * PAGE, r.replayedBytes());
                assertEquals(run.lastMarkers(), markersOf(r.pages()), instance + ": exactly the last pages");
            } finally {
                kit.shutdownTestKit();
            }
        }
    }
}
