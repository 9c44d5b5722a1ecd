package io.ringtrace.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;

/** Range checks shared by the settings records; failures name the offending key. */
final class SettingsSupport {

    private SettingsSupport() {
    }

    static int intIn(Config config, String path, int min, int max) {
        int v = config.getInt(path);
        if (v < min || v > max) {
            throw new ConfigException.BadValue(config.origin(), path,
                    "must be between " + min + " and " + max + ", was " + v);
        }
        return v;
    }

    static ConfigException bad(Config config, String path, String message) {
        return new ConfigException.BadValue(config.origin(), path, message);
    }
}
