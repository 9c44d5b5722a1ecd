package io.ringtrace.persistence;

import static io.ringtrace.persistence.TestSupport.config;
import static io.ringtrace.persistence.TestSupport.copyPages;
import static io.ringtrace.persistence.TestSupport.flush;
import static io.ringtrace.persistence.TestSupport.marker;
import static io.ringtrace.persistence.TestSupport.markersAfterRestart;
import static io.ringtrace.persistence.TestSupport.markersOf;
import static io.ringtrace.persistence.TestSupport.recovered;
import static io.ringtrace.persistence.TestSupport.ring;
import static io.ringtrace.persistence.TestSupport.start;
import static io.ringtrace.persistence.TestSupport.stats;
import static io.ringtrace.persistence.TestSupport.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import io.ringtrace.protocol.ring.RingBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The journal of a persistent CPU buffer holds the ring itself: superseded images of a page
 * filled slowly (committed again and again) do not pile up, and the data of the previous persisted
 * format is dropped rather than misread.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class PersistentCpuBufferJournalTest {

    private static final String FAST = "ringtrace.persistence.commit-interval = 1h\nringtrace.persistence.fsync = off";

    @Test
    void slowlyFilledPagesDoNotPileUpInTheJournal(@TempDir Path dir) {
        int nrPages = 16;
        Config cfg = config(dir, FAST);
        List<String> lastMarkers;
        PersistentCpuBuffer.Stats st;
        ActorTestKit kit = start("slow", cfg);
        try {
            RingBuffer ring = ring(0, nrPages);
            ActorRef<PersistentCpuBuffer.Command> buffer = kit.spawn(PersistentCpuBuffer.create("slow", 0, ring), "cpu0");
            recovered(kit, buffer);
            // every marker is committed on its own: each commit persists the page being filled
            // again, about 145 images per page, 25 pages in all (the ring wraps)
            for (int i = 0; i < 25 * 145; i++) {
                write(ring, marker("slow", i));
                flush(kit, buffer);
            }
            st = stats(kit, buffer);
            long w = ring.writePageSeq();
            lastMarkers = markersOf(copyPages(ring, w - nrPages + 1, w));
        } finally {
            kit.shutdownTestKit();
        }
        int slack = nrPages / 2;
        assertTrue(st.pagesCommitted() > 3000, "images persisted: " + st.pagesCommitted());
        assertTrue(st.carriedPages() > 0, "live pages were carried forward");
        // the superseded images of the page being filled end up behind every live page: freeing
        // them takes a checkpoint of the buffer every half buffer of commits, what a snapshot every
        // half buffer of page images cost in the previous format
        assertTrue(st.carriedPages() <= 2 * st.pagesCommitted() + nrPages,
                "pages carried forward: " + st.carriedPages() + " for " + st.pagesCommitted() + " committed");
        assertTrue(st.journalPages() <= nrPages + slack + 2,
                "the journal holds at most the buffer and its slack: " + st.journalPages());

        ActorTestKit second = start("slow-second", cfg);
        try {
            ActorRef<PersistentCpuBuffer.Command> buffer =
                    second.spawn(PersistentCpuBuffer.create("slow", 0, ring(0, nrPages)), "cpu0");
            PersistentCpuBuffer.Recovered r = recovered(second, buffer);
            assertTrue(r.replayedPages() <= nrPages + slack + 2, "replayed " + r.replayedPages());
            assertEquals(lastMarkers, markersOf(r.pages()), "exactly the last pages");
        } finally {
            second.shutdownTestKit();
        }
    }

    @Test
    void resetMakesTheWholeJournalDeletable(@TempDir Path dir) {
        Config cfg = config(dir, FAST);
        ActorTestKit kit = start("reset", cfg);
        try {
            RingBuffer ring = ring(0, 8);
            ActorRef<PersistentCpuBuffer.Command> buffer = kit.spawn(PersistentCpuBuffer.create("r", 0, ring), "cpu0");
            recovered(kit, buffer);
            for (int i = 0; i < 600; i++) {
                write(ring, marker("before", i));
                if (i % 100 == 99) {
                    flush(kit, buffer);
                }
            }
            TestProbe<Done> probe = kit.createTestProbe();
            buffer.tell(new PersistentCpuBuffer.Reset(probe.ref()));
            probe.expectMessage(TestSupport.WAIT, Done.getInstance());
            write(ring, "after");
            flush(kit, buffer);
            PersistentCpuBuffer.Stats st = stats(kit, buffer);
            assertEquals(1, st.journalEntries(), "only the page written after the reset is left");
            assertEquals(1, st.journalPages());
        } finally {
            kit.shutdownTestKit();
        }
        ActorTestKit second = start("reset-second", cfg);
        try {
            ActorRef<PersistentCpuBuffer.Command> buffer =
                    second.spawn(PersistentCpuBuffer.create("r", 0, ring(0, 8)), "cpu0");
            assertEquals(List.of("after"), markersOf(recovered(second, buffer).pages()));
        } finally {
            second.shutdownTestKit();
        }
    }

    /**
     * Pages a consuming reader went past are dropped from the journal at the next commit: a crash
     * after it (here: the actor system stops without the buffer's final commit) does not bring
     * back events already read out, only the page the reader is on and what follows.
     */
    @Test
    void pagesReadOutDoNotComeBackAfterACrash(@TempDir Path dir) {
        Config cfg = config(dir, FAST);
        ActorTestKit kit = start("consumed", cfg);
        List<String> kept;
        try {
            RingBuffer ring = ring(0, 16);
            ActorRef<PersistentCpuBuffer.Command> buffer = kit.spawn(PersistentCpuBuffer.create("c", 0, ring), "cpu0");
            recovered(kit, buffer);
            for (int i = 0; i < 400; i++) { // several pages
                write(ring, marker("old", i));
            }
            flush(kit, buffer); // committed while unread
            io.ringtrace.protocol.ring.EventCursor c = new io.ringtrace.protocol.ring.EventCursor();
            int read = 0;
            while (ring.peek(c)) {
                ring.consume();
                read++;
            }
            assertEquals(400, read);
            for (int i = 0; i < 200; i++) {
                write(ring, marker("new", i));
            }
            flush(kit, buffer); // the commit that notes the read-out pages
            kept = markersOf(copyPages(ring, ring.oldestPageSeq(), ring.writePageSeq()));
            assertTrue(kept.contains(marker("new", 199)) && !kept.contains(marker("old", 0)), kept.toString());
        } finally {
            kit.shutdownTestKit(); // no Stop: what the journal holds is what a kill -9 leaves
        }
        assertEquals(kept, markersAfterRestart("consumed-second", cfg, "c", 16));
    }

    /** Stands for the previous format's actor: any entries under the old persistence id. */
    private static final class OldFormat extends EventSourcedBehavior<String, Geometry, Integer> {
        OldFormat(String id) {
            super(PersistenceId.ofUniqueId(id));
        }

        @Override
        public Integer emptyState() {
            return 0;
        }

        @Override
        public CommandHandler<String, Geometry, Integer> commandHandler() {
            return newCommandHandlerBuilder().forAnyState()
                    .onAnyCommand(c -> Effect().persist(new Geometry(1 << 20, 1, 4096)));
        }

        @Override
        public EventHandler<Integer, Geometry> eventHandler() {
            return newEventHandlerBuilder().forAnyState().onAnyEvent((s, e) -> s + 1);
        }
    }

    @Test
    void dataOfThePreviousFormatIsDroppedNotMisread(@TempDir Path dir) throws Exception {
        Config cfg = config(dir, FAST);
        String legacyId = PersistentCpuBuffer.legacyPersistenceId("old", 0);
        Path legacySnapshot = LatestSnapshotStore.fileFor(JournalSetup.snapshotDir(dir.toAbsolutePath().normalize()),
                legacyId);
        ActorTestKit first = start("old-format", cfg);
        try {
            Behavior<String> old = new OldFormat(legacyId);
            ActorRef<String> ref = first.spawn(old, "old");
            for (int i = 0; i < 3; i++) {
                ref.tell("persist");
            }
            Files.write(legacySnapshot, new byte[] {1, 2, 3});
        } finally {
            first.shutdownTestKit();
        }
        ActorTestKit second = start("new-format", cfg);
        try {
            ActorRef<PersistentCpuBuffer.Command> buffer =
                    second.spawn(PersistentCpuBuffer.create("old", 0, ring(0, 8)), "cpu0");
            PersistentCpuBuffer.Recovered r = recovered(second, buffer);
            assertFalse(r.hasData(), "nothing recovered from the old format");
            assertEquals(0, r.replayedEntries());
            assertFalse(Files.exists(legacySnapshot), "the old snapshot file is deleted");
            flush(second, buffer);
        } finally {
            second.shutdownTestKit();
        }
    }
}
