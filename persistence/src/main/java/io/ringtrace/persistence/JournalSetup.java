package io.ringtrace.persistence;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigUtil;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.FileVisitResult;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Builds the Pekko configuration of the embedded store of persistent instances: the LevelDB
 * journal (JNI by default; {@link QuietLeveldbJournal}, the stock journal without LevelDB's LOG
 * file) under {@code DATA-DIR/journal} and the {@link LatestSnapshotStore} under
 * {@code DATA-DIR/snapshots}, with fsync and compaction from {@code ringtrace.persistence}.
 *
 * <p>Usage, before the ActorSystem exists (the directories are created here, gotcha G1):
 * <pre>{@code
 * Config config = JournalSetup.config(dataDir, ConfigFactory.load());
 * ActorSystem<Void> system = ActorSystem.create(guardian, "ringtrace", config);
 * }</pre>
 */
public final class JournalSetup {

    /** Config path of the snapshot store plugin defined in reference.conf. */
    public static final String SNAPSHOT_PLUGIN_ID = "ringtrace.persistence.snapshot-store";
    /** Config path of Pekko's LevelDB journal plugin. */
    public static final String JOURNAL_PLUGIN_ID = "pekko.persistence.journal.leveldb";

    private JournalSetup() {
    }

    /** Journal directory under a data directory. */
    public static Path journalDir(Path dataDir) {
        return dataDir.resolve("journal");
    }

    /** Snapshot directory under a data directory. */
    public static Path snapshotDir(Path dataDir) {
        return dataDir.resolve("snapshots");
    }

    /**
     * The configuration for the data directory named by {@code ringtrace.data-dir}
     * in {@code base}, layered over {@code base}.
     */
    public static Config config(Config base) {
        return config(JournalSettings.create(base).dataDir(), base);
    }

    /**
     * Creates {@code dataDir/journal} and {@code dataDir/snapshots} and returns the journal and
     * snapshot settings for them layered over {@code base} (which supplies every other key,
     * normally {@code ConfigFactory.load()}). {@code ringtrace.data-dir} is set to
     * {@code dataDir}.
     *
     * @throws UncheckedIOException when the directories cannot be created
     */
    public static Config config(Path dataDir, Config base) {
        Path data = dataDir.toAbsolutePath().normalize();
        Path journal = journalDir(data);
        Path snapshots = snapshotDir(data);
        try {
            Files.createDirectories(journal);
            Files.createDirectories(snapshots);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the persistence directories under " + data, e);
        }
        Config withDir = ConfigFactory.parseString(
                JournalSettings.DATA_DIR + " = " + ConfigUtil.quoteString(data.toString()))
                .withFallback(base);
        JournalSettings s = JournalSettings.create(withDir.resolve());
        String hocon = ""
                + "pekko.persistence.journal.plugin = " + q(JOURNAL_PLUGIN_ID) + "\n"
                + JOURNAL_PLUGIN_ID + " {\n"
                + "  class = " + q(QuietLeveldbJournal.class.getName()) + "\n"
                + "  dir = " + q(journal.toString()) + "\n"
                + "  native = " + onOff(s.nativeLevelDb()) + "\n"
                + "  fsync = " + onOff(s.fsync()) + "\n"
                + "  leveldb-log = " + (s.levelDbLog() ? "file" : "off") + "\n"
                + "  compaction-intervals { \"*\" = 0 }\n"
                + "}\n"
                + "pekko.persistence.snapshot-store.plugin = " + q(SNAPSHOT_PLUGIN_ID) + "\n"
                + SNAPSHOT_PLUGIN_ID + " {\n"
                + "  dir = " + q(snapshots.toString()) + "\n"
                + "  fsync = " + onOff(s.fsync()) + "\n"
                + "}\n";
        return ConfigFactory.parseString(hocon).withFallback(withDir).resolve();
    }

    /**
     * Sum of the sizes of every regular file under {@code dataDir} (journal and snapshots). Files
     * that disappear while it walks (compaction, snapshot replacement) count as 0.
     */
    public static long diskUsage(Path dataDir) {
        long[] total = {0};
        try {
            Files.walkFileTree(dataDir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    if (attrs.isRegularFile()) {
                        total[0] += attrs.size();
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot measure " + dataDir, e);
        }
        return total[0];
    }

    private static String q(String s) {
        return ConfigUtil.quoteString(s);
    }

    private static String onOff(boolean b) {
        return b ? "on" : "off";
    }
}
