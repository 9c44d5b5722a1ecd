package io.ringtrace.config;

import com.typesafe.config.Config;

/**
 * {@code ringtrace.autoremove}: whether a read-only backup instance removes itself after it has
 * been read out or erased and its last file is closed ({@code free_on_close}, 2026 patch 3).
 *
 * @param enabled on by default, as in the kernel
 */
public record AutoremoveSettings(boolean enabled) {

    /** Reads the {@code ringtrace.autoremove} section. */
    public static AutoremoveSettings create(Config autoremove) {
        return new AutoremoveSettings(autoremove.getBoolean("enabled"));
    }
}
