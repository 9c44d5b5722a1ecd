package io.ringtrace.config;

import com.typesafe.config.Config;
import java.util.Locale;
import java.util.Objects;

/**
 * {@code ringtrace.workload}: the built-in event generator.
 *
 * @param enabled whether it runs
 * @param ratePerCpu events per second on each CPU (1 .. 10 000 000)
 * @param kind what it records
 */
public record WorkloadSettings(boolean enabled, int ratePerCpu, Kind kind) {

    static final int MAX_RATE = 10_000_000;

    /** What the generator records. */
    public enum Kind {
        /** {@code trace_marker} writes ({@code ftrace/print}) to the top level. */
        MARKER,
        /** Scheduler and interrupt events ({@code sched} and {@code irq} systems). */
        SCHED,
        /** Both: the scheduler simulation and a marker per CPU at a tenth of the rate. */
        MIXED;

        /** The value as written in the configuration. */
        public String configName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public WorkloadSettings {
        Objects.requireNonNull(kind, "kind");
        if (ratePerCpu < 1 || ratePerCpu > MAX_RATE) {
            throw new IllegalArgumentException("rate-per-cpu out of range: " + ratePerCpu);
        }
    }

    /** Reads the {@code ringtrace.workload} section. */
    public static WorkloadSettings create(Config workload) {
        String kindName = workload.getString("kind");
        Kind kind = null;
        for (Kind k : Kind.values()) {
            if (k.configName().equals(kindName)) {
                kind = k;
            }
        }
        if (kind == null) {
            throw SettingsSupport.bad(workload, "kind",
                    "must be marker, sched or mixed, was '" + kindName + "'");
        }
        return new WorkloadSettings(workload.getBoolean("enabled"),
                SettingsSupport.intIn(workload, "rate-per-cpu", 1, MAX_RATE), kind);
    }
}
