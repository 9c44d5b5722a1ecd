package io.ringtrace.config;

import com.typesafe.config.Config;
import java.util.Objects;

/**
 * {@code ringtrace.http}: where the HTTP server listens.
 *
 * @param host interface to bind, loopback by default
 * @param port TCP port, 0 for any free port
 */
public record HttpSettings(String host, int port) {

    public HttpSettings {
        Objects.requireNonNull(host, "host");
        if (host.isBlank() || port < 0 || port > 65535) {
            throw new IllegalArgumentException("bad http address " + host + ":" + port);
        }
    }

    /** Reads the {@code ringtrace.http} section. */
    public static HttpSettings create(Config http) {
        String host = http.getString("host");
        if (host.isBlank()) {
            throw SettingsSupport.bad(http, "host", "must not be empty");
        }
        return new HttpSettings(host, SettingsSupport.intIn(http, "port", 0, 65535));
    }
}
