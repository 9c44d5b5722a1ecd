package io.ringtrace.protocol.ring;

/**
 * An immutable copy of a ring's readable pages taken at one moment, iterated event by event for
 * the non-consuming {@code trace} file. Made by {@link RingBuffer#snapshot()}; used by one reader
 * thread. An event after sub-buffers the writer overwrote while the snapshot was being copied has
 * {@code lostEvents = -1} (the kernel's "CPU:N [LOST EVENTS]").
 */
public interface RingSnapshot {
    /** Fills {@code cursor} with the next event; false at the end. */
    boolean next(EventCursor cursor);

    /** Entries in the snapshot (entries-in-buffer for this CPU). */
    long entries();

    /** Overrun at snapshot time (entries-written = entries + overrun). */
    long overrun();

    /** True when events were overwritten before this snapshot (for "##### CPU N buffer started ####"). */
    boolean hadOverrun();
}
