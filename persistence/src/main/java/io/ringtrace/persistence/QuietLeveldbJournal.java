package io.ringtrace.persistence;

import com.typesafe.config.Config;
import org.apache.pekko.persistence.journal.leveldb.LeveldbJournal;
import org.iq80.leveldb.Options;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pekko's LevelDB journal with LevelDB's informational log sent to SLF4J (logger
 * {@code io.ringtrace.persistence.leveldb}, DEBUG) instead of the {@code LOG} text file in the
 * journal directory. Native LevelDB appends a few lines to that file for every compaction and only
 * rotates it when the database is reopened; with retention compacting after every snapshot it
 * would be the one file that grows with the history rather than with the buffer size. Everything
 * else (format, keys, settings under {@code pekko.persistence.journal.leveldb}) is the stock
 * journal, so a journal directory written by either can be read by the other.
 */
@SuppressWarnings("deprecation") // LeveldbJournal is deprecated upstream; it is still the embedded journal
public final class QuietLeveldbJournal extends LeveldbJournal {

    private static final Logger LEVELDB_LOG = LoggerFactory.getLogger("io.ringtrace.persistence.leveldb");

    /** Instantiated by Pekko with the plugin's config section. */
    public QuietLeveldbJournal(Config config) {
        super(config);
    }

    @Override
    public Options leveldbOptions() {
        Options options = super.leveldbOptions();
        if (options.logger() == null) {
            options.logger(message -> LEVELDB_LOG.debug(message.strip()));
        }
        return options;
    }
}
