package io.ringtrace.actors;

/** The trace_array flags this model uses, with the kernel's bit values (section 6.5). */
public final class InstanceFlags {
    public static final int GLOBAL = 1 << 0;
    /** Range-mapped: a persistent instance or a backup copy. */
    public static final int BOOT = 1 << 1;
    /** The content is from the previous boot. */
    public static final int LAST_BOOT = 1 << 2;
    /** Backup copy: freed on removal; update_last_data sets free_on_close. */
    public static final int VMALLOC = 1 << 5;
    /** Read-only (backup instances, 2026 series). */
    public static final int RDONLY = 1 << 6;

    private InstanceFlags() {
    }
}
