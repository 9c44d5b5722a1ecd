package io.ringtrace.app;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueFactory;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** The options of every command that runs an engine in this process ({@code boot}, {@code mount}). */
final class EngineOptions {
    @Option(names = "--cmdline", description = "Boot command line (default: ringtrace.boot.cmdline).")
    String cmdline;
    @Option(names = "--data-dir", description = "Where persistent instances keep their journal.")
    Path dataDir;
    @Option(names = "--cpus", description = "Number of CPU buffers (default: the JVM's processor count).")
    Integer cpus;

    /** These options as configuration overrides on top of {@code base}. */
    Config applyTo(Config base) {
        Config c = base;
        if (cmdline != null) {
            c = c.withValue("ringtrace.boot.cmdline", ConfigValueFactory.fromAnyRef(cmdline));
        }
        if (dataDir != null) {
            c = c.withValue("ringtrace.data-dir", ConfigValueFactory.fromAnyRef(dataDir.toAbsolutePath().toString()));
        }
        if (cpus != null) {
            c = c.withValue("ringtrace.cpus", ConfigValueFactory.fromAnyRef(cpus));
        }
        return c;
    }
}
