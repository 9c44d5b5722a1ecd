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
 * @param levelDbLog         LevelDB's informational log as its own text file {@code LOG} in the
 *                           journal directory (true) or discarded (false, the default)
 * @param journalSlack       page images the journal of one CPU may hold besides the live ones,
 *                           as a fraction of the buffer (0 &lt; x &lt;= 1): beyond it they are
 *                           deleted, or made deletable by carrying live pages forward
 * @param compactionEvery    buffers of deleted page images of one CPU between two compactions of
 *                           its journal range (&gt; 0)
 * @param flushOnShutdown    commit every persistent buffer when the ActorSystem shuts down
 * @param flushTimeout       how long the shutdown flush may take
 */
public record JournalSettings(
        Path dataDir,
        Duration commitInterval,
        boolean fsync,
        boolean nativeLevelDb,
        boolean levelDbLog,
        double journalSlack,
        double compactionEvery,
        boolean flushOnShutdown,
        Duration flushTimeout) {

    public static final String PATH = "ringtrace.persistence";
    public static final String DATA_DIR = "ringtrace.data-dir";

    public JournalSettings {
        if (commitInterval.compareTo(Duration.ofMillis(1)) < 0 || commitInterval.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException("commit-interval must be between 1ms and 1h: " + commitInterval);
        }
        if (!(journalSlack > 0.0 && journalSlack <= 1.0)) {
            throw new IllegalArgumentException("journal-slack must be in (0, 1]: " + journalSlack);
        }
        if (!(compactionEvery > 0.0)) {
            throw new IllegalArgumentException("compaction-every must be > 0: " + compactionEvery);
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
                levelDbLog(c.getString("leveldb-log")),
                c.getDouble("journal-slack"),
                c.getDouble("compaction-every"),
                c.getBoolean("flush-on-shutdown"),
                c.getDuration("flush-timeout"));
    }

    private static boolean levelDbLog(String value) {
        switch (value) {
            case "file":
                return true;
            case "off":
                return false;
            default:
                throw new IllegalArgumentException("leveldb-log must be off or file: " + value);
        }
    }

    /** The same settings with another commit interval. */
    public JournalSettings withCommitInterval(Duration interval) {
        return new JournalSettings(dataDir, interval, fsync, nativeLevelDb, levelDbLog,
                journalSlack, compactionEvery, flushOnShutdown, flushTimeout);
    }

    /** The same settings with the shutdown flush switched on or off. */
    public JournalSettings withFlushOnShutdown(boolean on) {
        return new JournalSettings(dataDir, commitInterval, fsync, nativeLevelDb, levelDbLog,
                journalSlack, compactionEvery, on, flushTimeout);
    }

    /** LevelDB's write buffer (its default {@code write_buffer_size}, which the journal keeps). */
    public static final long LEVELDB_WRITE_BUFFER = 4L << 20;

    /**
     * Deleted page images of a buffer of {@code livePages} pages of {@code pageSize} bytes between
     * two compactions of its journal range: {@code ceil(compactionEvery * livePages)}, or 1 (after
     * every delete) for a buffer smaller than LevelDB's write buffer, whose deleted pages would
     * otherwise stay in LevelDB's write-ahead log and first tables, many times the buffer.
     */
    public long compactionPages(int livePages, int pageSize) {
        if ((long) livePages * pageSize < LEVELDB_WRITE_BUFFER) {
            return 1;
        }
        return Math.max(1, (long) Math.ceil(compactionEvery * livePages));
    }

    /**
     * Page images besides the live ones that the journal of a buffer of {@code livePages} pages may
     * hold: {@code ceil(journalSlack * livePages)}, at least 1.
     */
    public int slackPages(int livePages) {
        return Math.max(1, (int) Math.ceil(journalSlack * livePages));
    }
}
