package io.ringtrace.protocol.ring;

/**
 * A reusable view of one recorded event, filled by a reader of a {@link RingBuffer}. The payload
 * (starting with the common fields {@code common_type u16, common_flags u8,
 * common_preempt_count u8, common_pid s32}) is {@code data[offset .. offset+length)}. Reusing one
 * cursor keeps reading allocation-free; the reader owns it and must not share it between threads.
 */
public final class EventCursor {
    /** Payload bytes; owned by the cursor (grown as needed) or by a snapshot page. */
    public byte[] data = new byte[256];
    public int offset;
    public int length;
    /** Absolute timestamp of the event in the ring's clock units. */
    public long timestamp;
    /** The CPU (ring) the event came from. */
    public int cpu;
    /**
     * Events lost on this CPU just before this one (overwritten before they were read):
     * 0 none, -1 some but the count is unknown, otherwise the count.
     */
    public long lostEvents;

    /** common_type: the event id. */
    public int type() {
        return (data[offset] & 0xff) | (data[offset + 1] & 0xff) << 8;
    }

    /** common_flags. */
    public int flags() {
        return data[offset + 2] & 0xff;
    }

    /** common_preempt_count. */
    public int preemptCount() {
        return data[offset + 3] & 0xff;
    }

    /** common_pid. */
    public int pid() {
        return PageFormat.getInt(data, offset + 4);
    }

    /**
     * Copies the event {@code w} has just stepped onto in {@code page} (a DATA step: its payload
     * and timestamp) into this cursor, from {@code cpu} with {@code lost} events lost before it.
     */
    void copyFrom(byte[] page, PageWalker w, int cpu, long lost) {
        int n = w.payloadLength;
        ensureCapacity(n);
        System.arraycopy(page, w.payloadOffset, data, 0, n);
        offset = 0;
        length = n;
        timestamp = w.ts;
        this.cpu = cpu;
        lostEvents = lost;
    }

    /** Makes room for {@code n} bytes at offset 0 of {@link #data}. */
    public void ensureCapacity(int n) {
        if (data.length < n) {
            data = new byte[Math.max(n, data.length * 2)];
        }
    }
}
