package io.ringtrace.config;

import com.typesafe.config.Config;
import java.util.Objects;

/**
 * {@code ringtrace.boot}: the boot command line.
 *
 * @param cmdline the line in the kernel's grammar; "" boots only the top level
 */
public record BootSettings(String cmdline) {

    public BootSettings {
        Objects.requireNonNull(cmdline, "cmdline");
    }

    /** Reads the {@code ringtrace.boot} section. */
    public static BootSettings create(Config boot) {
        return new BootSettings(boot.getString("cmdline"));
    }

    /** The command line, parsed. */
    public BootCommandLine commandLine() {
        return BootCommandLine.parse(cmdline);
    }
}
