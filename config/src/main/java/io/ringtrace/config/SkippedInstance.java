package io.ringtrace.config;

import java.util.Objects;

/**
 * A {@code trace_instance=} entry the boot did not create, with the log line that says why.
 *
 * @param entry the entry as given
 * @param name its instance name as parsed (may be empty)
 * @param reason the warning the kernel prints when it skips this entry
 */
public record SkippedInstance(String entry, String name, BootLogLine reason) {

    public SkippedInstance {
        Objects.requireNonNull(entry, "entry");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(reason, "reason");
    }
}
