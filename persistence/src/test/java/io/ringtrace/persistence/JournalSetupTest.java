package io.ringtrace.persistence;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalSetupTest {

    @Test
    void referenceDefaults() {
        JournalSettings s = JournalSettings.create(ConfigFactory.load());
        assertEquals(Duration.ofMillis(100), s.commitInterval());
        assertTrue(s.fsync());
        assertTrue(s.nativeLevelDb());
        assertTrue(s.flushOnShutdown());
        assertEquals(0.5, s.snapshotEvery());
        assertEquals(1, s.compactionInterval());
        assertEquals(754, s.snapshotEveryPages(1507));
        assertEquals(1, s.snapshotEveryPages(1));
    }

    @Test
    void badSettingsAreRefused() {
        Config bad = ConfigFactory.parseString("ringtrace.persistence.snapshot-every = 0")
                .withFallback(ConfigFactory.load());
        assertThrows(IllegalArgumentException.class, () -> JournalSettings.create(bad));
    }

    @Test
    void createsDirectoriesAndPointsPekkoAtThem(@TempDir Path tmp) {
        Path data = tmp.resolve("a/b/data"); // parents missing: native LevelDB would not create them
        Config base = ConfigFactory.parseString("ringtrace.persistence.fsync = off")
                .withFallback(ConfigFactory.load());
        Config cfg = JournalSetup.config(data, base);
        assertTrue(Files.isDirectory(data.resolve("journal")));
        assertTrue(Files.isDirectory(data.resolve("snapshots")));
        assertEquals("pekko.persistence.journal.leveldb", cfg.getString("pekko.persistence.journal.plugin"));
        assertEquals(data.resolve("journal").toAbsolutePath().toString(),
                cfg.getString("pekko.persistence.journal.leveldb.dir"));
        assertTrue(cfg.getBoolean("pekko.persistence.journal.leveldb.native"));
        assertFalse(cfg.getBoolean("pekko.persistence.journal.leveldb.fsync"));
        assertEquals(1, cfg.getLong("pekko.persistence.journal.leveldb.compaction-intervals.\"*\""));
        assertEquals(JournalSetup.SNAPSHOT_PLUGIN_ID, cfg.getString("pekko.persistence.snapshot-store.plugin"));
        assertEquals(data.resolve("snapshots").toAbsolutePath().toString(),
                cfg.getString(JournalSetup.SNAPSHOT_PLUGIN_ID + ".dir"));
        assertFalse(cfg.getBoolean(JournalSetup.SNAPSHOT_PLUGIN_ID + ".fsync"));
        assertTrue(cfg.getBoolean(JournalSetup.SNAPSHOT_PLUGIN_ID + ".only-one-snapshot"));
        assertEquals(data.toAbsolutePath().toString(), JournalSettings.create(cfg).dataDir().toString());
    }

    @Test
    void dataDirFromConfig(@TempDir Path tmp) {
        Path data = tmp.resolve("from-config");
        Config base = ConfigFactory.parseString("ringtrace.data-dir = \"" + data + "\"")
                .withFallback(ConfigFactory.load());
        JournalSetup.config(base);
        assertTrue(Files.isDirectory(data.resolve("journal")));
    }

    @Test
    void persistedRecordsAreCborWithByteStrings(@TempDir Path tmp) {
        ActorTestKit kit = ActorTestKit.create("serialization", JournalSetup.config(tmp, ConfigFactory.load()));
        try {
            Serialization serialization = SerializationExtension.get(kit.system());
            byte[] page = new byte[4096];
            for (int i = 0; i < page.length; i++) {
                page[i] = (byte) (i * 31);
            }
            var event = new PersistentCpuBuffer.PageCommitted(42, page);
            Serializer serializer = serialization.findSerializerFor(event);
            assertEquals("jackson-cbor", serializationName(kit, serializer));
            byte[] bytes = serializer.toBinary(event);
            assertTrue(bytes.length < page.length + 64, "byte string, not base64: " + bytes.length);
            var back = (PersistentCpuBuffer.PageCommitted) serialization.deserialize(bytes,
                    serializer.identifier(), Serializers.manifestFor(serializer, event)).get();
            assertEquals(42, back.seq());
            assertArrayEquals(page, back.page());

            var snapshot = new PersistentCpuBuffer.LivePages(7, List.of(event));
            var snapBack = (PersistentCpuBuffer.LivePages) serialization.deserialize(serialization.serialize(snapshot).get(),
                    serializer.identifier(), Serializers.manifestFor(serializer, snapshot)).get();
            assertEquals(7, snapBack.highestSeq());
            assertArrayEquals(page, snapBack.pages().get(0).page());

            var meta = new PersistentInstanceMeta.MetaState(new Geometry(1 << 20, 2, 4096),
                    new BootRecord("b", "local", 5));
            assertEquals(meta, serialization.deserialize(serialization.serialize(meta).get(),
                    serializer.identifier(), Serializers.manifestFor(serializer, meta)).get());
        } finally {
            kit.shutdownTestKit();
        }
    }

    private static String serializationName(ActorTestKit kit, Serializer serializer) {
        Config bindings = kit.system().settings().config().getConfig("pekko.actor.serializers");
        for (var e : bindings.entrySet()) {
            if (e.getValue().unwrapped().equals(serializer.getClass().getName())) {
                return e.getKey().replace("\"", "");
            }
        }
        return serializer.getClass().getName();
    }
}
