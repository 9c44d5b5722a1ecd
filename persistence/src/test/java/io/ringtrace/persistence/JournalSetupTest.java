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
        assertEquals(0.5, s.journalSlack());
        assertEquals(4.0, s.compactionEvery());
        assertEquals(1, s.compactionPages(8, 4096), "a small buffer is compacted after every delete");
        assertEquals(6028, s.compactionPages(1507, 4096));
        assertEquals(754, s.slackPages(1507));
        assertEquals(1, s.slackPages(1));
    }

    @Test
    void badSettingsAreRefused() {
        Config bad = ConfigFactory.parseString("ringtrace.persistence.journal-slack = 0")
                .withFallback(ConfigFactory.load());
        assertThrows(IllegalArgumentException.class, () -> JournalSettings.create(bad));
        Config tooMuch = ConfigFactory.parseString("ringtrace.persistence.journal-slack = 1.5")
                .withFallback(ConfigFactory.load());
        assertThrows(IllegalArgumentException.class, () -> JournalSettings.create(tooMuch));
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
        assertEquals(0, cfg.getLong("pekko.persistence.journal.leveldb.compaction-intervals.\"*\""));
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
            byte[] pages = new byte[64 * 4096];
            for (int i = 0; i < pages.length; i++) {
                pages[i] = (byte) (i * 31);
            }
            long[] seqs = new long[64];
            for (int i = 0; i < seqs.length; i++) {
                seqs[i] = 42 + i;
            }
            var event = new PersistentCpuBuffer.PagesCommitted(seqs, pages);
            Serializer serializer = serialization.findSerializerFor(event);
            assertEquals("jackson-cbor", serializationName(kit, serializer));
            byte[] bytes = serializer.toBinary(event);
            assertTrue(bytes.length < pages.length + 64 * 9 + 64, "one byte string, not base64: " + bytes.length);
            var back = (PersistentCpuBuffer.PagesCommitted) serialization.deserialize(bytes,
                    serializer.identifier(), Serializers.manifestFor(serializer, event)).get();
            assertArrayEquals(seqs, back.seqs());
            assertArrayEquals(pages, back.images());

            var reset = new PersistentCpuBuffer.BufferReset(7);
            assertEquals(reset, serialization.deserialize(serialization.serialize(reset).get(),
                    serializer.identifier(), Serializers.manifestFor(serializer, reset)).get());

            var registry = io.ringtrace.protocol.event.EventRegistry.createDefault();
            var spec = io.ringtrace.protocol.event.EventSpec.of(
                    registry.define("app", "ev").u8("a").string("s").chars("c", 3).register());
            var meta = new PersistentInstanceMeta.MetaState(new Geometry(1 << 20, 2, 4096),
                    new BootRecord("b", "local", 5), java.util.List.of(spec));
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
