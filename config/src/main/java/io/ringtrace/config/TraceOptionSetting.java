package io.ringtrace.config;

import java.util.Objects;

/**
 * One entry of {@code trace_options=}: an option name from {@link TraceOptionNames} and whether it
 * is switched on ({@code name}) or off ({@code noname}).
 */
public record TraceOptionSetting(String name, boolean enabled) {

    public TraceOptionSetting {
        Objects.requireNonNull(name, "name");
    }

    /** The option as written to {@code trace_options}: {@code name} or {@code noname}. */
    @Override
    public String toString() {
        return enabled ? name : "no" + name;
    }
}
