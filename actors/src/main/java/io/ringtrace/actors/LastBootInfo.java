package io.ringtrace.actors;

import io.ringtrace.persistence.BootRecord;

import java.time.Instant;

/**
 * The text of {@code last_boot_info} for a persistent or backup instance whose buffer holds the
 * previous boot's data. The kernel prints the previous kernel's {@code _text} address and its
 * modules; ringtrace has neither, so it prints the previous boot's record instead, in the same
 * tab-separated "value, then what it is" spirit:
 *
 * <pre>
 * 3f1c0c2e-6f0b-4d7e-9a55-0b7e3c1d2a44	[boot_id]
 * local	[clock]
 * 2026-11-22T04:20:00.123Z	[start_time]
 * </pre>
 *
 * When no record of the previous boot exists (the first boot on a data directory, or one whose
 * geometry changed) it is {@code 0\t[boot_id]}, like the kernel's {@code 0\t[kernel]} after a
 * scratch reset. Once update_last_data ran, the file reads {@code # Current}.
 */
final class LastBootInfo {
    private LastBootInfo() {
    }

    static String text(BootRecord previous) {
        if (previous == null) {
            return "0\t[boot_id]\n";
        }
        return previous.bootId() + "\t[boot_id]\n"
                + previous.clock() + "\t[clock]\n"
                + Instant.ofEpochMilli(previous.startTimeMs()) + "\t[start_time]\n";
    }
}
