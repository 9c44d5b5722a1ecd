package io.ringtrace.config;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.Objects;

/**
 * {@code ringtrace.persistence}: how persistent instances write their journal.
 *
 * @param commitInterval longest time a recorded event stays only in memory (1 ms .. 1 h)
 * @param fsync whether each journal write is synced to disk
 */
public record PersistenceSettings(Duration commitInterval, boolean fsync) {

    static final Duration MIN_COMMIT_INTERVAL = Duration.ofMillis(1);
    static final Duration MAX_COMMIT_INTERVAL = Duration.ofHours(1);

    public PersistenceSettings {
        Objects.requireNonNull(commitInterval, "commitInterval");
        if (commitInterval.compareTo(MIN_COMMIT_INTERVAL) < 0
                || commitInterval.compareTo(MAX_COMMIT_INTERVAL) > 0) {
            throw new IllegalArgumentException("commit-interval out of range: " + commitInterval);
        }
    }

    /** Reads the {@code ringtrace.persistence} section. */
    public static PersistenceSettings create(Config persistence) {
        Duration interval = persistence.getDuration("commit-interval");
        if (interval.compareTo(MIN_COMMIT_INTERVAL) < 0
                || interval.compareTo(MAX_COMMIT_INTERVAL) > 0) {
            throw SettingsSupport.bad(persistence, "commit-interval",
                    "must be between 1ms and 1h, was " + interval);
        }
        return new PersistenceSettings(interval, persistence.getBoolean("fsync"));
    }
}
