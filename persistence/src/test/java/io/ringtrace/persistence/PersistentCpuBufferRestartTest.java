package io.ringtrace.persistence;

import static io.ringtrace.persistence.TestSupport.WAIT;
import static io.ringtrace.persistence.TestSupport.config;
import static io.ringtrace.persistence.TestSupport.copyPages;
import static io.ringtrace.persistence.TestSupport.drain;
import static io.ringtrace.persistence.TestSupport.flush;
import static io.ringtrace.persistence.TestSupport.marker;
import static io.ringtrace.persistence.TestSupport.markersOf;
import static io.ringtrace.persistence.TestSupport.recovered;
import static io.ringtrace.persistence.TestSupport.ring;
import static io.ringtrace.persistence.TestSupport.start;
import static io.ringtrace.persistence.TestSupport.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import io.ringtrace.protocol.ring.RingBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Restart tests: known markers go into a persistent instance's CPU buffers, the ActorSystem
 * stops, a new one starts on the same data directory and finds exactly those markers, per CPU,
 * in order.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PersistentCpuBufferRestartTest {

    private static final String NO_TIMER = "ringtrace.persistence.commit-interval = 1h";

    @Test
    void markersSurviveRestartPerCpuInOrder(@TempDir Path dir) {
        Config cfg = config(dir, NO_TIMER);
        int cpus = 2;
        List<List<String>> written = new ArrayList<>();
        ActorTestKit first = start("first", cfg);
        try {
            for (int cpu = 0; cpu < cpus; cpu++) {
                RingBuffer ring = ring(cpu, 8);
                ActorRef<PersistentCpuBuffer.Command> buffer =
                        first.spawn(PersistentCpuBuffer.create("boot_map", cpu, ring), "cpu" + cpu);
                assertFalse(recovered(first, buffer).hasData(), "fresh directory has no data");
                List<String> markers = new ArrayList<>();
                for (int i = 0; i < 150 + cpu * 40; i++) { // ~2 pages, different per CPU
                    String m = marker("cpu" + cpu + "-marker", i);
                    write(ring, m);
                    markers.add(m);
                }
                flush(first, buffer);
                written.add(markers);
            }
        } finally {
            first.shutdownTestKit();
        }

        ActorTestKit second = start("second", cfg);
        try {
            for (int cpu = 0; cpu < cpus; cpu++) {
                RingBuffer ring = ring(cpu, 8);
                ActorRef<PersistentCpuBuffer.Command> buffer =
                        second.spawn(PersistentCpuBuffer.create("boot_map", cpu, ring), "cpu" + cpu);
                PersistentCpuBuffer.Recovered r = recovered(second, buffer);
                assertTrue(r.hasData());
                assertEquals(written.get(cpu).size(), r.entries(), "entries restored on cpu" + cpu);
                assertEquals(0, r.discardedPages());
                assertEquals(written.get(cpu), markersOf(r.pages()), "recovered pages of cpu" + cpu);
                assertEquals(written.get(cpu), drain(ring), "the live ring holds them too");
            }
        } finally {
            second.shutdownTestKit();
        }
    }

    @Test
    void wrappedRingRecoversExactlyItsLastPages(@TempDir Path dir) {
        Config cfg = config(dir, NO_TIMER);
        List<byte[]> expectedPages;
        List<String> written = new ArrayList<>();
        ActorTestKit first = start("first", cfg);
        try {
            RingBuffer ring = ring(0, 8);
            ActorRef<PersistentCpuBuffer.Command> buffer =
                    first.spawn(PersistentCpuBuffer.create("wrap", 0, ring), "cpu0");
            recovered(first, buffer);
            for (int i = 0; i < 2000; i++) { // ~20 pages through an 8-page ring
                String m = marker("m", i);
                write(ring, m);
                written.add(m);
                if (i % 300 == 299) {
                    flush(first, buffer);
                }
            }
            flush(first, buffer);
            long w = ring.writePageSeq();
            expectedPages = copyPages(ring, w - 7, w); // the newest nrPages pages
        } finally {
            first.shutdownTestKit();
        }

        ActorTestKit second = start("second", cfg);
        try {
            RingBuffer ring = ring(0, 8);
            ActorRef<PersistentCpuBuffer.Command> buffer =
                    second.spawn(PersistentCpuBuffer.create("wrap", 0, ring), "cpu0");
            PersistentCpuBuffer.Recovered r = recovered(second, buffer);
            assertEquals(expectedPages.size(), r.pages().size());
            for (int i = 0; i < expectedPages.size(); i++) {
                assertArrayEquals(expectedPages.get(i), r.pages().get(i), "page " + i);
            }
            List<String> markers = markersOf(r.pages());
            assertEquals(written.subList(written.size() - markers.size(), written.size()), markers,
                    "a contiguous suffix ending with the last marker");
            assertTrue(markers.size() > 7 * 80, "about 8 pages of markers: " + markers.size());
        } finally {
            second.shutdownTestKit();
        }
    }

    @Test
    void resetIsPersistedAndNewDataContinuesAcrossSeveralRuns(@TempDir Path dir) {
        Config cfg = config(dir, NO_TIMER);
        ActorTestKit first = start("first", cfg);
        try {
            RingBuffer ring = ring(0, 4);
            ActorRef<PersistentCpuBuffer.Command> buffer =
                    first.spawn(PersistentCpuBuffer.create("reset", 0, ring), "cpu0");
            recovered(first, buffer);
            write(ring, "before-reset");
            flush(first, buffer);
            TestProbe<Done> probe = first.createTestProbe();
            buffer.tell(new PersistentCpuBuffer.Reset(probe.ref()));
            probe.expectMessage(WAIT, Done.getInstance());
            assertTrue(ring.isEmpty());
            write(ring, "after-reset");
            flush(first, buffer);
        } finally {
            first.shutdownTestKit();
        }

        ActorTestKit second = start("second", cfg);
        try {
            RingBuffer ring = ring(0, 4);
            ActorRef<PersistentCpuBuffer.Command> buffer =
                    second.spawn(PersistentCpuBuffer.create("reset", 0, ring), "cpu0");
            assertEquals(List.of("after-reset"), markersOf(recovered(second, buffer).pages()));
            write(ring, "second-run");
            flush(second, buffer);
        } finally {
            second.shutdownTestKit();
        }

        ActorTestKit third = start("third", cfg);
        try {
            RingBuffer ring = ring(0, 4);
            ActorRef<PersistentCpuBuffer.Command> buffer =
                    third.spawn(PersistentCpuBuffer.create("reset", 0, ring), "cpu0");
            assertEquals(List.of("after-reset", "second-run"), markersOf(recovered(third, buffer).pages()),
                    "the second run appended after the restored pages");
        } finally {
            third.shutdownTestKit();
        }
    }

    @Test
    void resetOfTheRingItselfIsPersistedAtTheNextCommit(@TempDir Path dir) {
        Config cfg = config(dir, NO_TIMER);
        ActorTestKit first = start("first", cfg);
        try {
            RingBuffer ring = ring(0, 4);
            ActorRef<PersistentCpuBuffer.Command> buffer =
                    first.spawn(PersistentCpuBuffer.create("direct", 0, ring), "cpu0");
            recovered(first, buffer);
            for (int i = 0; i < 300; i++) {
                write(ring, marker("old", i));
            }
            flush(first, buffer);
            ring.reset(); // what TraceBuffer.reset() does, bypassing the actor
            write(ring, "new-1");
            write(ring, "new-2");
            flush(first, buffer);
        } finally {
            first.shutdownTestKit();
        }
        ActorTestKit second = start("second", cfg);
        try {
            ActorRef<PersistentCpuBuffer.Command> buffer =
                    second.spawn(PersistentCpuBuffer.create("direct", 0, ring(0, 4)), "cpu0");
            assertEquals(List.of("new-1", "new-2"), markersOf(recovered(second, buffer).pages()));
        } finally {
            second.shutdownTestKit();
        }
    }

    @Test
    void stopFlushesAndShutdownFlushes(@TempDir Path dir) {
        Config cfg = config(dir, NO_TIMER);
        ActorTestKit first = start("first", cfg);
        try {
            RingBuffer ring0 = ring(0, 4);
            RingBuffer ring1 = ring(1, 4);
            ActorRef<PersistentCpuBuffer.Command> stopped =
                    first.spawn(PersistentCpuBuffer.create("stop", 0, ring0), "cpu0");
            ActorRef<PersistentCpuBuffer.Command> running =
                    first.spawn(PersistentCpuBuffer.create("stop", 1, ring1), "cpu1");
            recovered(first, stopped);
            recovered(first, running);
            write(ring0, "flushed-by-stop");
            write(ring1, "flushed-by-shutdown");
            TestProbe<Done> probe = first.createTestProbe();
            stopped.tell(new PersistentCpuBuffer.Stop(probe.ref()));
            probe.expectMessage(WAIT, Done.getInstance());
            probe.expectTerminated(stopped, WAIT);
        } finally {
            first.shutdownTestKit(); // CoordinatedShutdown flushes cpu1
        }

        ActorTestKit second = start("second", cfg);
        try {
            for (int cpu = 0; cpu < 2; cpu++) {
                ActorRef<PersistentCpuBuffer.Command> buffer =
                        second.spawn(PersistentCpuBuffer.create("stop", cpu, ring(cpu, 4)), "cpu" + cpu);
                assertEquals(List.of(cpu == 0 ? "flushed-by-stop" : "flushed-by-shutdown"),
                        markersOf(recovered(second, buffer).pages()));
            }
        } finally {
            second.shutdownTestKit();
        }
    }
}
