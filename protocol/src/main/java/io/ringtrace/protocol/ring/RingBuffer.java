package io.ringtrace.protocol.ring;

import io.ringtrace.protocol.TraceClock;

/**
 * One CPU's ring of sub-buffers (the kernel's ring_buffer_per_cpu), in the kernel's binary page
 * format (see {@link PageFormat}).
 *
 * <p>Threads: any number of producer threads may record into the same ring; writers are
 * serialized by a short CAS guard held from {@link #reserve} to {@link #commit} (the kernel's
 * "preemption disabled" section), so recording costs no actor message, no lock object and no
 * allocation. Control and read methods (reset, resize, consume, page reads, snapshots) may be
 * called from any one thread at a time (the owning actor) and take the same guard briefly.
 *
 * <p>IMPLEMENTATION OWNER: ring helper. API contract below is fixed; add methods as needed.
 */
public final class RingBuffer {

    /**
     * @param cpu        the CPU index this ring belongs to
     * @param subbufSize sub-buffer size in bytes (power of two, 4096..524288)
     * @param nrPages    number of sub-buffers holding data (at least 2); the kernel's reader page
     *                   comes on top
     * @param overwrite  overwrite mode (drop oldest page) or producer/consumer mode (drop newest)
     * @param clock      the clock timestamps are taken from
     */
    public RingBuffer(int cpu, int subbufSize, int nrPages, boolean overwrite, TraceClock clock) {
        throw new UnsupportedOperationException("ring helper");
    }

    // ---------------------------------------------------------------- writer side (any thread)

    /**
     * Reserves room for an event with {@code payloadLength} payload bytes, stamped now by the ring's
     * clock, and returns the offset in {@link #writePage()} where the payload starts; the writer
     * guard stays held until {@link #commit()}. Returns -1 (and holds nothing) when the event is not
     * recorded: recording off, payload larger than {@link PageFormat#maxPayload}, or buffer full in
     * producer/consumer mode (dropped_events++).
     */
    public int reserve(int payloadLength) {
        throw new UnsupportedOperationException();
    }

    /** The page the reserved event is written into; valid between reserve and commit. */
    public byte[] writePage() {
        throw new UnsupportedOperationException();
    }

    /** Publishes the reserved event (entries++, entries_bytes += its length) and releases the guard. */
    public void commit() {
        throw new UnsupportedOperationException();
    }

    /**
     * Abandons the event reserved by {@link #reserve} (a filter said no): nothing of it stays in
     * the page and no counter moves; releases the guard. (ring_buffer_discard_commit.)
     */
    public void discard() {
        throw new UnsupportedOperationException();
    }

    /** Records a complete payload (common fields included). Returns false if not recorded. */
    public boolean write(byte[] payload, int offset, int length) {
        throw new UnsupportedOperationException();
    }

    // ---------------------------------------------------------------- control (owner thread)

    /** Per-ring record switch (ring_buffer_record_on/off for this CPU). */
    public void setRecordOn(boolean on) {
        throw new UnsupportedOperationException();
    }

    public boolean recordOn() {
        throw new UnsupportedOperationException();
    }

    public void setOverwrite(boolean overwrite) {
        throw new UnsupportedOperationException();
    }

    public void setClock(TraceClock clock) {
        throw new UnsupportedOperationException();
    }

    public TraceClock clock() {
        throw new UnsupportedOperationException();
    }

    /** Erases every event and zeroes every counter (ring_buffer_reset_cpu). */
    public void reset() {
        throw new UnsupportedOperationException();
    }

    /**
     * Changes the number of data sub-buffers, keeping the newest events that fit; entries in
     * removed pages count as overrun.
     */
    public void resize(int nrPages) {
        throw new UnsupportedOperationException();
    }

    /** Changes the sub-buffer size; the content is lost (buffer_subbuf_size_kb). */
    public void setSubbufSize(int subbufSize) {
        throw new UnsupportedOperationException();
    }

    public int nrPages() {
        throw new UnsupportedOperationException();
    }

    public int subbufSize() {
        throw new UnsupportedOperationException();
    }

    // ---------------------------------------------------------------- counters (section 4.4)

    /** Entries now in the buffer: entries - (overrun + read). */
    public long entries() {
        throw new UnsupportedOperationException();
    }

    public long overrun() {
        throw new UnsupportedOperationException();
    }

    public long commitOverrun() {
        throw new UnsupportedOperationException();
    }

    /** Bytes now in the buffer: entries_bytes - read_bytes. */
    public long bytes() {
        throw new UnsupportedOperationException();
    }

    public long droppedEvents() {
        throw new UnsupportedOperationException();
    }

    public long readEvents() {
        throw new UnsupportedOperationException();
    }

    /** Timestamp of the oldest page (reader page or head page); 0 when nothing was ever written. */
    public long oldestEventTs() {
        throw new UnsupportedOperationException();
    }

    /** The text of {@code per_cpu/cpuN/stats} (section 4.6), with {@code now} in the ring's clock. */
    public String stats() {
        throw new UnsupportedOperationException();
    }

    // ---------------------------------------------------------------- consuming reader

    /**
     * Copies the oldest unconsumed event into {@code cursor} without consuming it. Returns false
     * when the ring is empty.
     */
    public boolean peek(EventCursor cursor) {
        throw new UnsupportedOperationException();
    }

    /** Consumes the event last returned by {@link #peek} (read++, read_bytes += its length). */
    public void consume() {
        throw new UnsupportedOperationException();
    }

    /**
     * trace_pipe_raw: copies the oldest readable sub-buffer into {@code dst} (at least
     * {@link #subbufSize()} bytes; zero-filled after the data; header {@code time_stamp} = first
     * event's timestamp, {@code commit} = bytes used | MISSED_EVENTS/MISSED_STORED flags) and
     * consumes every event in it. Returns the page size, or 0 when the ring is empty.
     */
    public int readPage(byte[] dst) {
        throw new UnsupportedOperationException();
    }

    /** True when no unconsumed event is left. */
    public boolean isEmpty() {
        throw new UnsupportedOperationException();
    }

    // ---------------------------------------------------------------- non-consuming reader

    /**
     * A copy of every readable event, for the {@code trace} file's iterator; recording goes on
     * meanwhile and nothing is consumed.
     */
    public RingSnapshot snapshot() {
        throw new UnsupportedOperationException();
    }

    // ---------------------------------------------------------------- persistence hooks

    /**
     * Sequence number of the sub-buffer the writer is filling now. Every time the writer moves to
     * a new sub-buffer the sequence increments by one; a reset does not go back (so a persisted
     * page is identified by its sequence for the life of the engine).
     */
    public long writePageSeq() {
        throw new UnsupportedOperationException();
    }

    /**
     * Copies the sub-buffer with sequence {@code seq} into {@code dst} (header included, commit =
     * bytes written so far for the page being filled, zero-filled after its data). Returns the
     * number of bytes copied ({@link #subbufSize()}), or -1 when that page is no longer in the ring
     * (overwritten, consumed or reset).
     */
    public int copyPage(long seq, byte[] dst) {
        throw new UnsupportedOperationException();
    }

    /**
     * Sequence number of the oldest page still holding unconsumed data, or {@link #writePageSeq()}
     * when empty.
     */
    public long oldestPageSeq() {
        throw new UnsupportedOperationException();
    }

    /**
     * Replaces the content with previously saved pages, oldest first (persistent boot): each page
     * is validated like rb_meta_validate_events (commit within capacity, events parse, timestamps do
     * not go back); an invalid page is kept as an empty page whose commit is MISSED_EVENTS, so
     * readers see a lost-events mark there. entries and entries_bytes are restored; overrun and read
     * start at 0. The writer continues after the last restored page. Returns the number of pages
     * discarded as invalid.
     */
    public int restore(java.util.List<byte[]> pages) {
        throw new UnsupportedOperationException();
    }
}
