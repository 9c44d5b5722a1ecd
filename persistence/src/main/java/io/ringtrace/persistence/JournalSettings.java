package io.ringtrace.persistence;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The settings of the journal of persistent instances: {@code ringtrace.data-dir} and the
 * {@code ringtrace.persistence} section (see this module's reference.conf for each key).
 * {@code commit-interval} and {@code fsync} are the keys that
 * {@code io.ringtrace.config.PersistenceSettings} reads too; the others are this module's.
 *
 * @param dataDir            directory holding {@code journal/} and {@code snapshots/}
 * @param commitInterval     longest time a recorded event waits before its page is persisted (1ms .. 1h)
 * @param fsync              LevelDB synchronous writes and fsync of snapshot files
 * @param nativeLevelDb      LevelDB JNI (true) or the pure Java port (false)
 * @param snapshotEvery      a snapshot of the live pages is taken each time this fraction of the
 *                           buffer's pages has been persisted (0 &lt; x &lt;= 1)
 * @param compactionInterval deleted journal entries per CPU between two LevelDB compactions
 * @param flushOnShutdown    commit every persistent buffer when the ActorSystem shuts down
 * @param flushTimeout       how long the shutdown flush may take
 */
public record JournalSettings(
        Path dataDir,
        Duration commitInterval,
        boolean fsync,
        boolean nativeLevelDb,
        double snapshotEvery,
        long compactionInterval,
        boolean flushOnShutdown,
        Duration flushTimeout) {

    public static final String PATH = "ringtrace.persistence";
    public static final String DATA_DIR = "ringtrace.data-dir";

    public JournalSettings {
        if (commitInterval.compareTo(Duration.ofMillis(1)) < 0 || commitInterval.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException("commit-interval must be between 1ms and 1h: " + commitInterval);
        }
        if (!(snapshotEvery > 0.0 && snapshotEvery <= 1.0)) {
            throw new IllegalArgumentException("snapshot-every must be in (0, 1]: " + snapshotEvery);
        }
        if (compactionInterval < 1) {
            throw new IllegalArgumentException("compaction-interval must be >= 1: " + compactionInterval);
        }
    }

    /**
     * Reads {@code ringtrace.data-dir} and {@code ringtrace.persistence} from a resolved root
     * config (reference.conf gives every key).
     */
    public static JournalSettings create(Config config) {
        Config c = config.getConfig(PATH);
        return new JournalSettings(
                Path.of(config.getString(DATA_DIR)),
                c.getDuration("commit-interval"),
                c.getBoolean("fsync"),
                c.getBoolean("native"),
                c.getDouble("snapshot-every"),
                c.getLong("compaction-interval"),
                c.getBoolean("flush-on-shutdown"),
                c.getDuration("flush-timeout"));
    }

    /** The same settings with another commit interval. */
    public JournalSettings withCommitInterval(Duration interval) {
        return new JournalSettings(dataDir, interval, fsync, nativeLevelDb, snapshotEvery,
                compactionInterval, flushOnShutdown, flushTimeout);
    }

    /** The same settings with the shutdown flush switched on or off. */
    public JournalSettings withFlushOnShutdown(boolean on) {
        return new JournalSettings(dataDir, commitInterval, fsync, nativeLevelDb, snapshotEvery,
                compactionInterval, on, flushTimeout);
    }

    /**
     * Persisted page images between two snapshots for a ring holding {@code livePages} pages
     * (data pages plus the reader page): {@code ceil(snapshotEvery * livePages)}, at least 1.
     */
    public int snapshotEveryPages(int livePages) {
        return Math.max(1, (int) Math.ceil(snapshotEvery * livePages));
    }
}
