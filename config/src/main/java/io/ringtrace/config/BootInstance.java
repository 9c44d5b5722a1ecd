package io.ringtrace.config;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One instance the boot creates, from a {@code trace_instance=} entry that passed every check.
 *
 * <ul>
 *   <li>With a {@link #region()} it is a persistent instance ({@code TRACE_ARRAY_FL_BOOT |
 *       TRACE_ARRAY_FL_LAST_BOOT}): its buffers recover what the previous run left.</li>
 *   <li>With {@link #backupOf()} it is a read-only copy of that earlier instance's data as
 *       recovered at this boot (also BOOT | LAST_BOOT, plus VMALLOC); it must be made before the
 *       source starts recording.</li>
 *   <li>With neither it is a plain instance, as if made by mkdir.</li>
 * </ul>
 *
 * @param name the directory name under {@code instances/}
 * @param entry the command-line entry it came from
 * @param traceoff recording starts off ({@code ^traceoff})
 * @param traceprintk asked to be the trace_printk destination; the last such instance wins, see
 *     {@link BootPlan#printkDestination()}
 * @param region where a persistent instance's data lives
 * @param backupOf the instance whose data this one copies
 * @param rangeSize bytes of the persistent range: the region's size, or for a backup its source's
 *     range size; 0 for a plain instance
 * @param events event selectors to enable, as given; enabled only after every boot instance
 *     exists (April 2026 behaviour), so a backup copies its source before the source records
 * @param snapshot a plain instance named by {@code alloc_snapshot=NAME}: it gets a snapshot buffer
 */
public record BootInstance(
        String name,
        String entry,
        boolean traceoff,
        boolean traceprintk,
        Optional<BootRegion> region,
        Optional<String> backupOf,
        long rangeSize,
        List<String> events,
        boolean snapshot) {

    public BootInstance {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(entry, "entry");
        Objects.requireNonNull(region, "region");
        Objects.requireNonNull(backupOf, "backupOf");
        events = List.copyOf(events);
        if (region.isPresent() && backupOf.isPresent()) {
            throw new IllegalArgumentException("an instance is either mapped or a backup");
        }
        if (snapshot && (region.isPresent() || backupOf.isPresent())) {
            throw new IllegalArgumentException("range instances have no snapshot");
        }
    }

    /** Mapped to a region: the buffers are persistent. */
    public boolean persistent() {
        return region.isPresent();
    }

    /** A read-only copy of another boot instance. */
    public boolean backup() {
        return backupOf.isPresent();
    }

    /** {@code TRACE_ARRAY_FL_BOOT | TRACE_ARRAY_FL_LAST_BOOT}: persistent or backup. */
    public boolean boot() {
        return persistent() || backup();
    }

    /** Mapped by address: never removable (rmdir gives EBUSY). */
    public boolean memmap() {
        return region.map(BootRegion::memmap).orElse(false);
    }
}
