package io.ringtrace.persistence;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.ringtrace.protocol.TraceClock;
import io.ringtrace.protocol.ring.EventCursor;
import io.ringtrace.protocol.ring.PageFormat;
import io.ringtrace.protocol.ring.RingBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;

/** Helpers shared by the persistence tests: configuration, markers, ring reading. */
final class TestSupport {

    static final int PAGE = 4096;
    static final Duration WAIT = Duration.ofSeconds(15);

    private TestSupport() {
    }

    /** Journal config for {@code dir} with test overrides (HOCON) on top of reference.conf. */
    static Config config(Path dir, String overrides) {
        Config base = ConfigFactory.parseString(overrides
                        + "\npekko.loglevel = WARNING"
                        + "\npekko.loggers = [\"org.apache.pekko.event.slf4j.Slf4jLogger\"]"
                        + "\npekko.logging-filter = \"org.apache.pekko.event.slf4j.Slf4jLoggingFilter\""
                        + "\npekko.coordinated-shutdown.exit-jvm = off")
                .withFallback(ConfigFactory.load());
        return JournalSetup.config(dir, base);
    }

    static ActorTestKit start(String name, Config config) {
        return ActorTestKit.create(name, config);
    }

    static RingBuffer ring(int cpu, int nrPages) {
        return new RingBuffer(cpu, PAGE, nrPages, true, TraceClock.LOCAL);
    }

    /** Writes a marker event: common fields (type 5, pid 1000 + cpu) then the text. */
    static void write(RingBuffer ring, String text) {
        byte[] t = text.getBytes(StandardCharsets.UTF_8);
        byte[] payload = new byte[8 + t.length];
        PageFormat.putShort(payload, 0, 5);
        PageFormat.putInt(payload, 4, 1000);
        System.arraycopy(t, 0, payload, 8, t.length);
        if (!ring.write(payload, 0, payload.length)) {
            throw new AssertionError("ring refused " + text);
        }
    }

    /** Consumes every event of {@code ring} and returns the marker texts, oldest first. */
    static List<String> drain(RingBuffer ring) {
        List<String> out = new ArrayList<>();
        EventCursor c = new EventCursor();
        while (ring.peek(c)) {
            out.add(new String(c.data, c.offset + 8, c.length - 8, StandardCharsets.UTF_8).trim());
            ring.consume();
        }
        return out;
    }

    /** The markers held by saved pages, parsed back through a fresh ring's restore. */
    static List<String> markersOf(List<byte[]> pages) {
        if (pages.isEmpty()) {
            return List.of();
        }
        RingBuffer r = ring(0, Math.max(2, pages.size()));
        int invalid = r.restore(pages);
        if (invalid != 0) {
            throw new AssertionError(invalid + " invalid pages");
        }
        return drain(r);
    }

    /** Copies the live pages {@code from .. to} of a ring (skipping the ones gone). */
    static List<byte[]> copyPages(RingBuffer ring, long from, long to) {
        List<byte[]> out = new ArrayList<>();
        for (long s = from; s <= to; s++) {
            byte[] p = new byte[PAGE];
            if (ring.copyPage(s, p) > 0 && PageFormat.getLong(p, PageFormat.COMMIT_OFFSET) != 0) {
                out.add(p);
            }
        }
        return out;
    }

    static void flush(ActorTestKit kit, ActorRef<PersistentCpuBuffer.Command> buffer) {
        TestProbe<org.apache.pekko.Done> probe = kit.createTestProbe();
        buffer.tell(new PersistentCpuBuffer.Flush(probe.ref()));
        probe.expectMessageClass(org.apache.pekko.Done.class, WAIT);
    }

    static PersistentCpuBuffer.Recovered recovered(ActorTestKit kit, ActorRef<PersistentCpuBuffer.Command> buffer) {
        TestProbe<PersistentCpuBuffer.Recovered> probe = kit.createTestProbe();
        buffer.tell(new PersistentCpuBuffer.GetRecovered(probe.ref()));
        return probe.expectMessageClass(PersistentCpuBuffer.Recovered.class, WAIT);
    }

    /**
     * A second run on {@code config}'s data (a test kit named {@code kitName}): recovers buffer
     * {@code id}, CPU 0, into a ring of {@code nrPages} pages and returns the markers of the
     * recovered pages, oldest first; the kit is shut down without a Stop.
     */
    static List<String> markersAfterRestart(String kitName, Config config, String id, int nrPages) {
        ActorTestKit kit = start(kitName, config);
        try {
            ActorRef<PersistentCpuBuffer.Command> buffer =
                    kit.spawn(PersistentCpuBuffer.create(id, 0, ring(0, nrPages)), "cpu0");
            return markersOf(recovered(kit, buffer).pages());
        } finally {
            kit.shutdownTestKit();
        }
    }

    static PersistentCpuBuffer.Stats stats(ActorTestKit kit, ActorRef<PersistentCpuBuffer.Command> buffer) {
        TestProbe<PersistentCpuBuffer.Stats> probe = kit.createTestProbe();
        buffer.tell(new PersistentCpuBuffer.GetStats(probe.ref()));
        return probe.expectMessageClass(PersistentCpuBuffer.Stats.class, WAIT);
    }

    /** A marker text padded to a fixed width so page counts are predictable. */
    static String marker(String prefix, int i) {
        return String.format("%s-%06d", prefix, i);
    }
}
