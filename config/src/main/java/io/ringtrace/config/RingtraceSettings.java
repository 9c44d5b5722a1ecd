package io.ringtrace.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.util.Objects;

/**
 * All of {@code ringtrace { ... }}, read once and checked: a value out of range fails with a
 * {@link com.typesafe.config.ConfigException.BadValue} naming the key, at start-up rather than at
 * first use. Every key is described in this module's {@code reference.conf}.
 *
 * @param cpus logical CPUs (buffers per instance); {@code 0} in the configuration is resolved here
 *     to the JVM's processor count
 * @param bufferSizeKb default per-CPU buffer size in KiB ({@code trace_buf_size=} overrides it)
 * @param boot the boot command line
 * @param dataDir directory of the persistent data, as configured (relative to the working
 *     directory unless absolute)
 * @param persistence journal write policy
 * @param http HTTP server address
 * @param workload the built-in event generator
 * @param autoremove removal of read-out backup instances
 */
public record RingtraceSettings(
        int cpus,
        int bufferSizeKb,
        BootSettings boot,
        Path dataDir,
        PersistenceSettings persistence,
        HttpSettings http,
        WorkloadSettings workload,
        AutoremoveSettings autoremove) {

    /**
     * Largest {@code ringtrace.cpus}: the engine keeps a cpumask (tracing_cpumask, a buffer's
     * recording CPUs) in one long. The default takes the JVM's processor count up to this.
     */
    public static final int MAX_CPUS = 64;

    public RingtraceSettings {
        if (cpus < 1 || cpus > MAX_CPUS) {
            throw new IllegalArgumentException("cpus out of range: " + cpus);
        }
        if (bufferSizeKb < 4) {
            throw new IllegalArgumentException("buffer-size-kb below 4: " + bufferSizeKb);
        }
        Objects.requireNonNull(boot, "boot");
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(persistence, "persistence");
        Objects.requireNonNull(http, "http");
        Objects.requireNonNull(workload, "workload");
        Objects.requireNonNull(autoremove, "autoremove");
    }

    /** Reads {@code ConfigFactory.load()}: application.conf, system properties, reference.conf. */
    public static RingtraceSettings load() {
        return create(ConfigFactory.load());
    }

    /**
     * Reads the {@code ringtrace} section of {@code config} (an ActorSystem's settings, or any
     * root config). Keys missing from {@code config} fall back to this module's reference.conf,
     * so a partial config such as {@code ConfigFactory.parseString("ringtrace.cpus = 2")} works.
     */
    public static RingtraceSettings create(Config config) {
        Config root = config.withFallback(
                ConfigFactory.defaultReference(RingtraceSettings.class.getClassLoader()));
        Config c = root.getConfig("ringtrace");
        int cpus = SettingsSupport.intIn(c, "cpus", 0, MAX_CPUS);
        if (cpus == 0) {
            cpus = Math.min(Runtime.getRuntime().availableProcessors(), MAX_CPUS);
        }
        int kb = SettingsSupport.intIn(c, "buffer-size-kb", 4, Integer.MAX_VALUE);
        String dir = c.getString("data-dir");
        if (dir.isBlank()) {
            throw SettingsSupport.bad(c, "data-dir", "must not be empty");
        }
        Path dataDir;
        try {
            dataDir = Path.of(dir);
        } catch (java.nio.file.InvalidPathException e) {
            throw SettingsSupport.bad(c, "data-dir", e.getMessage());
        }
        return new RingtraceSettings(cpus, kb,
                BootSettings.create(c.getConfig("boot")),
                dataDir,
                PersistenceSettings.create(c.getConfig("persistence")),
                HttpSettings.create(c.getConfig("http")),
                WorkloadSettings.create(c.getConfig("workload")),
                AutoremoveSettings.create(c.getConfig("autoremove")));
    }

    /** The default per-CPU buffer size in bytes. */
    public long bufferSizeBytes() {
        return bufferSizeKb * 1024L;
    }

    /**
     * The boot command line parsed and resolved, with {@link #bufferSizeBytes()} as the buffer
     * size when the line has no {@code trace_buf_size=}. The caller logs {@link BootPlan#log()}.
     */
    public BootPlan bootPlan() {
        return BootPlan.resolve(boot.commandLine(), bufferSizeBytes());
    }
}
