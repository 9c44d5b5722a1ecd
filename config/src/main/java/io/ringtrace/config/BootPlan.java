package io.ringtrace.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;

/**
 * What a boot creates: the {@code trace_instance=} entries of a {@link BootCommandLine} checked in
 * command-line order the way the kernel's {@code enable_instances()} checks them, against the
 * {@code reserve_mem} labels and against the instances made before them. Each entry either becomes
 * a {@link BootInstance} or a {@link SkippedInstance} with the kernel's log line; the boot goes on
 * either way. The engine creates {@link #instances()} in order, and only then enables each one's
 * boot events (after clearing a LAST_BOOT instance's old data, {@code update_last_data}), so that
 * {@code trace_instance=backup=boot_map} copies the previous run before boot_map records this one
 * (seed "backup-before-boot-events").
 *
 * <p>Checks per entry, in the kernel's order, each failure skipping the entry:
 * <ol>
 *   <li>{@code =SOURCE}: the source must be an instance created earlier in this plan that is a
 *       boot instance (persistent or itself a backup), else "Tracing: Instance %s is not boot
 *       mapped". <b>Choice (tracefs notes, section 9 item 3):</b> when the source does not exist
 *       the kernel creates an empty plain instance with that name before failing, leaving a
 *       stray instance behind; ringtrace skips the entry <em>without creating anything</em>.
 *       The source must therefore come before its backup on the command line, as in the kernel.
 *       An entry that is both mapped ({@code @...}) and a backup is refused (the kernel would map
 *       it and leak the copy).</li>
 *   <li>Unknown flags: an info line each, then ignored.</li>
 *   <li>{@code @ADDR:SIZE}: "Invalid boot instance address", "No size specified", "Invalid boot
 *       instance size".</li>
 *   <li>{@code @LABEL}: "Failed to map boot instance %s to %s" when no reservation has that label.
 *       A label already mapped by an earlier instance is refused too (one writer per region; the
 *       kernel would let two buffers overwrite each other), and so is an address range that
 *       overlaps an earlier one ("Tracing: Failed to map boot instance %s").</li>
 *   <li>Page alignment of start and size ("Tracing: mapping start addr %pa is not page aligned",
 *       "Tracing: mapping size %pa is not page aligned"), then the info line "Tracing: mapped boot
 *       instance %s at physical memory %pa of size 0x%lx".</li>
 *   <li>Creation: an empty name, {@code .}, {@code ..}, a name with {@code /} or longer than
 *       {@value #NAME_MAX}, or the name of an instance made earlier gives "Tracing: Failed to
 *       create instance buffer %s".</li>
 * </ol>
 *
 * @param commandLine what was read
 * @param bufferSizeBytes per-CPU size of every non-range buffer: {@code trace_buf_size=} or the
 *     default given to {@link #resolve(BootCommandLine, long)}
 * @param instances the instances to create, in command-line order
 * @param skipped the entries not created, in command-line order
 * @param printkDestination the instance trace_printk writes to: the last created one with
 *     {@code ^traceprintk}; empty for the top level
 * @param log the whole boot log in the kernel's order: the command-line lines, then one group per
 *     trace_instance entry
 */
public record BootPlan(
        BootCommandLine commandLine,
        long bufferSizeBytes,
        List<BootInstance> instances,
        List<SkippedInstance> skipped,
        Optional<String> printkDestination,
        List<BootLogLine> log) {

    /**
     * This plan without its persistent instances and the backups of them (when their data
     * directory cannot be had); the rest boots as planned.
     */
    public BootPlan withoutPersistent() {
        java.util.Set<String> mapped = new java.util.HashSet<>();
        for (BootInstance i : instances) {
            if (i.persistent()) {
                mapped.add(i.name());
            }
        }
        List<BootInstance> kept = new java.util.ArrayList<>();
        for (BootInstance i : instances) {
            if (!i.persistent() && !(i.backup() && mapped.contains(i.backupOf().get()))) {
                kept.add(i);
            }
        }
        return new BootPlan(commandLine, bufferSizeBytes, kept, skipped, printkDestination, log);
    }

    /** The page size of the modelled machine (x86-64). */
    public static final long PAGE_SIZE = 4096;

    /** The kernel's default {@code trace_buf_size}: 1441792 bytes (1408 KiB) per CPU. */
    public static final long DEFAULT_BUFFER_SIZE = 1441792;

    /** Longest instance name (a directory entry name). */
    public static final int NAME_MAX = 255;

    public BootPlan {
        Objects.requireNonNull(commandLine, "commandLine");
        instances = List.copyOf(instances);
        skipped = List.copyOf(skipped);
        Objects.requireNonNull(printkDestination, "printkDestination");
        log = List.copyOf(log);
    }

    /** Parses and resolves {@code commandLine} with the kernel's default buffer size. */
    public static BootPlan of(String commandLine) {
        return resolve(BootCommandLine.parse(commandLine), DEFAULT_BUFFER_SIZE);
    }

    /** Resolves with the kernel's default buffer size. */
    public static BootPlan resolve(BootCommandLine commandLine) {
        return resolve(commandLine, DEFAULT_BUFFER_SIZE);
    }

    /**
     * Resolves every trace_instance entry. Never throws on any command line.
     *
     * @param defaultBufferSize per-CPU bytes when the line has no {@code trace_buf_size=}
     *     (ringtrace's {@code buffer-size-kb} setting); at least 4096
     */
    public static BootPlan resolve(BootCommandLine commandLine, long defaultBufferSize) {
        if (defaultBufferSize < BootCommandLine.MIN_TRACE_BUF_SIZE) {
            throw new IllegalArgumentException("buffer size below 4096: " + defaultBufferSize);
        }
        return new Resolver(commandLine).resolve(
                commandLine.traceBufSize().orElse(defaultBufferSize));
    }

    /** The created instance with this name. */
    public Optional<BootInstance> instance(String name) {
        for (BootInstance i : instances) {
            if (i.name().equals(name)) {
                return Optional.of(i);
            }
        }
        return Optional.empty();
    }

    /** Logs {@link #log()} to {@code logger}, each line at its level. */
    public void logTo(Logger logger) {
        BootLogLine.logAll(log, logger);
    }

    /** Logs {@link #log()} to the {@value BootLogLine#LOGGER_NAME} logger. */
    public void logTo() {
        BootLogLine.logAll(log);
    }

    /** The kernel's {@code %pa}: 0x and 16 hex digits. */
    static String pa(long address) {
        return String.format("0x%016x", address);
    }

    private static final class Resolver {
        private final BootCommandLine cl;
        private final List<BootLogLine> log = new ArrayList<>();
        private final List<BootInstance> instances = new ArrayList<>();
        private final List<SkippedInstance> skipped = new ArrayList<>();
        private final Map<String, BootInstance> byName = new HashMap<>();
        private final Map<String, String> labelOwner = new HashMap<>();
        private String printkDestination;

        Resolver(BootCommandLine cl) {
            this.cl = cl;
        }

        BootPlan resolve(long bufferSize) {
            log.addAll(cl.parameterLog());
            for (TraceInstanceSpec spec : cl.traceInstances()) {
                one(spec);
            }
            return new BootPlan(cl, bufferSize, instances, skipped,
                    Optional.ofNullable(printkDestination), log);
        }

        private void skip(TraceInstanceSpec spec, BootLogLine reason) {
            log.add(reason);
            skipped.add(new SkippedInstance(spec.entry(), spec.name(), reason));
        }

        private void one(TraceInstanceSpec spec) {
            String name = spec.name();
            long rangeSize = 0;
            if (spec.source().isPresent()) {
                String source = spec.source().get();
                if (spec.mapped()) {
                    skip(spec, BootLogLine.warn(
                            "Tracing: Instance %s cannot be both boot mapped and a backup of %s",
                            name, source));
                    return;
                }
                BootInstance src = byName.get(source);
                if (src == null || !src.boot()) {
                    skip(spec, BootLogLine.warn("Tracing: Instance %s is not boot mapped", source));
                    return;
                }
                rangeSize = src.rangeSize();
            }
            log.addAll(spec.notes());
            if (spec.addressError().isPresent()) {
                skip(spec, spec.addressError().get());
                return;
            }

            BootRegion region = null;
            if (spec.address().isPresent()) {
                MemoryRange range = spec.address().get();
                if (!aligned(range.start(), range.size(), spec)) {
                    return;
                }
                for (BootInstance other : instances) {
                    if (other.memmap() && overlaps(other.region().get(), range)) {
                        skip(spec, BootLogLine.warn(
                                "Tracing: Failed to map boot instance %s (overlaps %s)",
                                name, other.name()));
                        return;
                    }
                }
                region = BootRegion.of(range);
            } else if (spec.label().isPresent()) {
                String label = spec.label().get();
                Optional<ReserveMem> mem = cl.reserveMem(label);
                if (mem.isEmpty()) {
                    skip(spec, BootLogLine.warn("Failed to map boot instance %s to %s", name, label));
                    return;
                }
                if (labelOwner.containsKey(label)) {
                    skip(spec, BootLogLine.warn(
                            "Failed to map boot instance %s to %s (already mapped by %s)",
                            name, label, labelOwner.get(label)));
                    return;
                }
                if (!aligned(mem.get().start(), mem.get().size(), spec)) {
                    return;
                }
                region = BootRegion.of(mem.get());
            }
            if (region != null) {
                log.add(BootLogLine.info(
                        "Tracing: mapped boot instance %s at physical memory %s of size 0x%x",
                        name, pa(region.start()), region.size()));
                rangeSize = region.size();
            }

            if (!creatable(name)) {
                skip(spec, BootLogLine.warn("Tracing: Failed to create instance buffer %s", name));
                return;
            }
            boolean snapshot = region == null && spec.source().isEmpty()
                    && cl.snapshotInstances().contains(name);
            BootInstance made = new BootInstance(name, spec.entry(), spec.traceoff(),
                    spec.traceprintk(), Optional.ofNullable(region), spec.source(), rangeSize,
                    spec.events(), snapshot);
            instances.add(made);
            byName.put(name, made);
            region = made.region().orElse(null);
            if (region != null && !region.memmap()) {
                labelOwner.put(region.label().get(), name);
            }
            if (made.traceprintk()) {
                printkDestination = name;
            }
        }

        private boolean aligned(long start, long size, TraceInstanceSpec spec) {
            if (start % PAGE_SIZE != 0) {
                skip(spec, BootLogLine.warn("Tracing: mapping start addr %s is not page aligned",
                        pa(start)));
                return false;
            }
            if (size % PAGE_SIZE != 0) {
                skip(spec, BootLogLine.warn("Tracing: mapping size %s is not page aligned",
                        pa(size)));
                return false;
            }
            return true;
        }

        private static boolean overlaps(BootRegion region, MemoryRange range) {
            return new MemoryRange(region.start(), region.size()).overlaps(range);
        }

        private boolean creatable(String name) {
            return !name.isEmpty() && name.length() <= NAME_MAX && !name.equals(".")
                    && !name.equals("..") && name.indexOf('/') < 0 && name.indexOf('\0') < 0
                    && !byName.containsKey(name);
        }
    }
}
