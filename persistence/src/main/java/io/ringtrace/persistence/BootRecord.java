package io.ringtrace.persistence;

import io.ringtrace.protocol.CborSerializable;
import java.util.UUID;

/**
 * Which boot recorded the data of a persistent instance: the part of the kernel's scratch area
 * ({@code struct trace_scratch}) that ringtrace keeps. {@code last_boot_info} shows it while the
 * instance is LAST_BOOT; a boot-time reset replaces it with the current boot.
 *
 * @param bootId      identifier of the boot (a UUID unless the caller chooses)
 * @param clock       {@code trace_clock} name the data was recorded with
 * @param startTimeMs start of that boot, epoch milliseconds
 */
public record BootRecord(String bootId, String clock, long startTimeMs) implements CborSerializable {

    /** A new boot identified by a random UUID, started at {@code startTimeMs}. */
    public static BootRecord newBoot(String clock, long startTimeMs) {
        return new BootRecord(UUID.randomUUID().toString(), clock, startTimeMs);
    }

    /** The same boot recorded with another clock. */
    public BootRecord withClock(String newClock) {
        return new BootRecord(bootId, newClock, startTimeMs);
    }
}
