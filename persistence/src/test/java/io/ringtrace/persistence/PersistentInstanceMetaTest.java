package io.ringtrace.persistence;

import static io.ringtrace.persistence.TestSupport.WAIT;
import static io.ringtrace.persistence.TestSupport.config;
import static io.ringtrace.persistence.TestSupport.start;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import io.ringtrace.protocol.event.EventRegistry;
import io.ringtrace.protocol.event.EventSpec;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import org.apache.pekko.serialization.jackson.JacksonObjectMapperProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The instance metadata (range geometry, boot record, application events) across restarts. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PersistentInstanceMetaTest {

    private static final Geometry GEOMETRY = new Geometry(12L << 20, 2, 4096);

    private static PersistentInstanceMeta.GeometryChecked check(ActorTestKit kit,
            ActorRef<PersistentInstanceMeta.Command> meta, Geometry g) {
        TestProbe<PersistentInstanceMeta.GeometryChecked> probe = kit.createTestProbe();
        meta.tell(new PersistentInstanceMeta.CheckGeometry(g, probe.ref()));
        return probe.expectMessageClass(PersistentInstanceMeta.GeometryChecked.class, WAIT);
    }

    private static Optional<BootRecord> previous(ActorTestKit kit, ActorRef<PersistentInstanceMeta.Command> meta) {
        TestProbe<PersistentInstanceMeta.PreviousBoot> probe = kit.createTestProbe();
        meta.tell(new PersistentInstanceMeta.GetPrevious(probe.ref()));
        return probe.expectMessageClass(PersistentInstanceMeta.PreviousBoot.class, WAIT).boot();
    }

    private static PersistentInstanceMeta.MetaState state(ActorTestKit kit, ActorRef<PersistentInstanceMeta.Command> meta) {
        TestProbe<PersistentInstanceMeta.MetaState> probe = kit.createTestProbe();
        meta.tell(new PersistentInstanceMeta.GetState(probe.ref()));
        return probe.expectMessageClass(PersistentInstanceMeta.MetaState.class, WAIT);
    }

    private static void record(ActorTestKit kit, ActorRef<PersistentInstanceMeta.Command> meta, BootRecord boot) {
        TestProbe<Done> probe = kit.createTestProbe();
        meta.tell(new PersistentInstanceMeta.RecordBoot(boot, probe.ref()));
        probe.expectMessage(WAIT, Done.getInstance());
    }

    private static void define(ActorTestKit kit, ActorRef<PersistentInstanceMeta.Command> meta, EventSpec... specs) {
        TestProbe<Done> probe = kit.createTestProbe();
        meta.tell(new PersistentInstanceMeta.DefineEvents(List.of(specs), probe.ref()));
        probe.expectMessage(WAIT, Done.getInstance());
    }

    private static Optional<List<EventSpec>> previousEvents(ActorTestKit kit,
            ActorRef<PersistentInstanceMeta.Command> meta) {
        TestProbe<PersistentInstanceMeta.PreviousBoot> probe = kit.createTestProbe();
        meta.tell(new PersistentInstanceMeta.GetPrevious(probe.ref()));
        return probe.expectMessageClass(PersistentInstanceMeta.PreviousBoot.class, WAIT).events();
    }

    /** A run's application event: ids are given in registration order, from 4096. */
    private static EventSpec spec(EventRegistry registry, String name) {
        return EventSpec.of(registry.define("app", name).u32("x").register());
    }

    private static void setClock(ActorTestKit kit, ActorRef<PersistentInstanceMeta.Command> meta, String clock) {
        TestProbe<Done> probe = kit.createTestProbe();
        meta.tell(new PersistentInstanceMeta.SetClock(clock, probe.ref()));
        probe.expectMessage(WAIT, Done.getInstance());
    }

    @Test
    void previousBootIsTheOneThatRecordedTheData(@TempDir Path dir) {
        Config cfg = config(dir, "");
        BootRecord boot1 = new BootRecord("boot-1", "local", 1_700_000_000_000L);
        BootRecord boot2 = new BootRecord("boot-2", "local", 1_700_000_100_000L);

        ActorTestKit first = start("first", cfg);
        try {
            ActorRef<PersistentInstanceMeta.Command> meta = first.spawn(PersistentInstanceMeta.create("boot_map"), "meta");
            PersistentInstanceMeta.GeometryChecked checked = check(first, meta, GEOMETRY);
            assertFalse(checked.mustReset(), "first boot: nothing to reset");
            assertEquals(Optional.empty(), checked.previous());
            assertEquals(Optional.empty(), previous(first, meta), "first boot: # Current");
            record(first, meta, boot1);
            setClock(first, meta, "global");
            assertEquals(boot1.withClock("global"), state(first, meta).boot());
        } finally {
            first.shutdownTestKit();
        }

        ActorTestKit second = start("second", cfg);
        try {
            ActorRef<PersistentInstanceMeta.Command> meta = second.spawn(PersistentInstanceMeta.create("boot_map"), "meta");
            PersistentInstanceMeta.GeometryChecked checked = check(second, meta, GEOMETRY);
            assertFalse(checked.mustReset());
            assertEquals(Optional.of(GEOMETRY), checked.previous());
            assertEquals(Optional.of(boot1.withClock("global")), previous(second, meta));
            record(second, meta, boot2);
            assertEquals(Optional.of(boot1.withClock("global")), previous(second, meta),
                    "the previous boot stays the same for the whole run");
        } finally {
            second.shutdownTestKit();
        }

        ActorTestKit third = start("third", cfg);
        try {
            ActorRef<PersistentInstanceMeta.Command> meta = third.spawn(PersistentInstanceMeta.create("boot_map"), "meta");
            assertEquals(Optional.of(boot2), previous(third, meta));
        } finally {
            third.shutdownTestKit();
        }
    }

    @Test
    void geometryMismatchDropsTheBootRecord(@TempDir Path dir) {
        Config cfg = config(dir, "");
        ActorTestKit first = start("first", cfg);
        try {
            ActorRef<PersistentInstanceMeta.Command> meta = first.spawn(PersistentInstanceMeta.create("boot_map"), "meta");
            check(first, meta, GEOMETRY);
            record(first, meta, BootRecord.newBoot("local", System.currentTimeMillis()));
        } finally {
            first.shutdownTestKit();
        }
        Geometry fourCpus = new Geometry(12L << 20, 4, 4096);
        ActorTestKit second = start("second", cfg);
        try {
            ActorRef<PersistentInstanceMeta.Command> meta = second.spawn(PersistentInstanceMeta.create("boot_map"), "meta");
            PersistentInstanceMeta.GeometryChecked checked = check(second, meta, fourCpus);
            assertTrue(checked.mustReset());
            assertEquals("Ring buffer boot meta mismatch of cpus", checked.message());
            assertEquals(Optional.empty(), previous(second, meta));
            assertEquals(new PersistentInstanceMeta.MetaState(fourCpus, null, null), state(second, meta));
        } finally {
            second.shutdownTestKit();
        }
        ActorTestKit third = start("third", cfg);
        try {
            ActorRef<PersistentInstanceMeta.Command> meta = third.spawn(PersistentInstanceMeta.create("boot_map"), "meta");
            assertFalse(check(third, meta, fourCpus).mustReset());
            assertEquals(Optional.empty(), previous(third, meta));
        } finally {
            third.shutdownTestKit();
        }
    }

    @Test
    void applicationEventsAreSavedWithTheBootThatRecordsTheData(@TempDir Path dir) {
        Config cfg = config(dir, "");
        EventRegistry run1 = EventRegistry.createDefault();
        EventSpec a = spec(run1, "a");
        EventSpec b = spec(run1, "b");
        ActorTestKit first = start("first", cfg);
        try {
            ActorRef<PersistentInstanceMeta.Command> meta = first.spawn(PersistentInstanceMeta.create("ev"), "meta");
            check(first, meta, GEOMETRY);
            define(first, meta, a);
            assertEquals(null, state(first, meta).events(), "no data of this run yet: nothing saved");
            record(first, meta, new BootRecord("boot-1", "local", 1));
            assertEquals(List.of(a), state(first, meta).events(), "saved with the boot record");
            define(first, meta, b);
            define(first, meta, a);
            assertEquals(List.of(a, b), state(first, meta).events(), "saved before the answer, once");
        } finally {
            first.shutdownTestKit();
        }
        EventRegistry run2 = EventRegistry.createDefault();
        EventSpec c = spec(run2, "c");
        assertEquals(a.id(), c.id());
        ActorTestKit second = start("second", cfg);
        try {
            ActorRef<PersistentInstanceMeta.Command> meta = second.spawn(PersistentInstanceMeta.create("ev"), "meta");
            check(second, meta, GEOMETRY);
            assertEquals(Optional.of(List.of(a, b)), previousEvents(second, meta));
            define(second, meta, c);
            assertEquals(List.of(a, b), state(second, meta).events(),
                    "the data is still run 1's (LAST_BOOT): run 2's events are not saved over its events");
        } finally {
            second.shutdownTestKit();
        }
        ActorTestKit third = start("third", cfg);
        try {
            ActorRef<PersistentInstanceMeta.Command> meta = third.spawn(PersistentInstanceMeta.create("ev"), "meta");
            check(third, meta, GEOMETRY);
            assertEquals(Optional.of(List.of(a, b)), previousEvents(third, meta));
            define(third, meta, c);
            record(third, meta, new BootRecord("boot-3", "local", 3));
            assertEquals(Optional.of(List.of(a, b)), previousEvents(third, meta), "fixed for the whole run");
        } finally {
            third.shutdownTestKit();
        }
        ActorTestKit fourth = start("fourth", cfg);
        try {
            ActorRef<PersistentInstanceMeta.Command> meta = fourth.spawn(PersistentInstanceMeta.create("ev"), "meta");
            assertEquals(Optional.of(List.of(c)), previousEvents(fourth, meta));
        } finally {
            fourth.shutdownTestKit();
        }
    }

    @Test
    void recordsOfAVersionThatDidNotSaveEventsHaveNone(@TempDir Path dir) throws Exception {
        ActorTestKit kit = start("older", config(dir, ""));
        try {
            // The CBOR an older version wrote: the same records without the events field.
            var mapper = JacksonObjectMapperProvider.get(kit.system()).getOrCreate("jackson-cbor", Optional.empty());
            Serialization serialization = SerializationExtension.get(kit.system());
            BootRecord boot = new BootRecord("old", "local", 5);
            var recorded = new PersistentInstanceMeta.BootRecorded(boot, List.of());
            Serializer serializer = serialization.findSerializerFor(recorded);
            byte[] oldRecord = mapper.writeValueAsBytes(Map.of("boot", boot));
            var back = (PersistentInstanceMeta.BootRecorded) serialization.deserialize(oldRecord,
                    serializer.identifier(), Serializers.manifestFor(serializer, recorded)).get();
            assertEquals(new PersistentInstanceMeta.BootRecorded(boot, null), back);
            var state = new PersistentInstanceMeta.MetaState(GEOMETRY, boot, List.of());
            byte[] oldSnapshot = mapper.writeValueAsBytes(Map.of("geometry", GEOMETRY, "boot", boot));
            assertEquals(new PersistentInstanceMeta.MetaState(GEOMETRY, boot, null), serialization.deserialize(
                    oldSnapshot, serializer.identifier(), Serializers.manifestFor(serializer, state)).get());
        } finally {
            kit.shutdownTestKit();
        }
    }

    @Test
    void manyBootsKeepOneSnapshotAndRecoverTheLast(@TempDir Path dir) throws IOException {
        Config cfg = config(dir, "");
        BootRecord last = null;
        ActorTestKit first = start("first", cfg);
        try {
            ActorRef<PersistentInstanceMeta.Command> meta = first.spawn(PersistentInstanceMeta.create("many"), "meta");
            check(first, meta, GEOMETRY);
            for (int i = 0; i < 40; i++) {
                last = new BootRecord("boot-" + i, i % 2 == 0 ? "local" : "mono", 1000L * i);
                record(first, meta, last);
            }
        } finally {
            first.shutdownTestKit();
        }
        try (var files = Files.list(JournalSetup.snapshotDir(dir))) {
            assertEquals(1, files.filter(p -> !p.toString().endsWith(".tmp")).count(), "one snapshot file");
        }
        ActorTestKit second = start("second", cfg);
        try {
            ActorRef<PersistentInstanceMeta.Command> meta = second.spawn(PersistentInstanceMeta.create("many"), "meta");
            assertEquals(Optional.of(last), previous(second, meta));
            assertEquals(GEOMETRY, state(second, meta).geometry());
        } finally {
            second.shutdownTestKit();
        }
    }
}
