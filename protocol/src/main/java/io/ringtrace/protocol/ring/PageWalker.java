package io.ringtrace.protocol.ring;

/**
 * Walks the events of one sub-buffer in the kernel's format, one element (data event, time
 * extend, absolute time stamp or padding) per {@link #step} call, keeping the running timestamp
 * the way the kernel's reader does (rb_update_read_stamp): data events and time extends add their
 * delta, an absolute stamp replaces it (with the top bits restored as rb_fix_abs_ts does), padding
 * leaves it alone.
 *
 * <p>Reusable and allocation-free; not thread-safe (each reader owns one).
 */
final class PageWalker {
    /** Nothing more: position reached the limit, or a null (delta 0) padding ends the page. */
    static final int END = 0;
    /** A data event: {@link #payloadOffset}, {@link #payloadLength} and {@link #ts} are set. */
    static final int DATA = 1;
    /** Time extend, absolute stamp or discarded padding: step over it. */
    static final int SKIP = 2;
    /** Malformed: an element runs past the limit or has an impossible length. */
    static final int BAD = 3;

    private static final long ABS_TS_MASK = (1L << 59) - 1;
    private static final long TS_MSB = ~ABS_TS_MASK;

    /** Running timestamp: set it to the page's base before the first step. */
    long ts;
    /** Data position (relative to the start of the data area) after the element just stepped. */
    int next;
    /** Absolute offset in the page array of the payload of the data event just stepped. */
    int payloadOffset;
    /** Payload length of the data event just stepped (type_len*4, or array[0]-4). */
    int payloadLength;
    /** True when the element just stepped was an absolute stamp earlier than the running time. */
    boolean wentBack;

    /**
     * Steps over the element at data position {@code pos} of {@code page} (data starts at
     * {@link PageFormat#HEADER_SIZE}); {@code end} is the data limit (the page's commit).
     */
    int step(byte[] page, int pos, int end) {
        wentBack = false;
        if (pos >= end) {
            return END;
        }
        if (pos + 4 > end) {
            return BAD;
        }
        int p = PageFormat.HEADER_SIZE + pos;
        int header = PageFormat.getInt(page, p);
        int type = header & 0x1f;
        long delta = (header >>> 5) & PageFormat.TIME_DELTA_MAX;
        long len;
        int kind;
        if (type == 0) {
            if (pos + 8 > end) {
                return BAD;
            }
            long a0 = PageFormat.getInt(page, p + 4) & 0xffffffffL;
            if (a0 < 4 || (a0 & 3) != 0) {
                return BAD;
            }
            len = a0 + 4;
            payloadOffset = p + 8;
            payloadLength = (int) Math.min(a0 - 4, Integer.MAX_VALUE);
            ts += delta;
            kind = DATA;
        } else if (type <= PageFormat.TYPE_DATA_MAX) {
            len = 4 + type * 4L;
            payloadOffset = p + 4;
            payloadLength = type * 4;
            ts += delta;
            kind = DATA;
        } else if (type == PageFormat.TYPE_PADDING) {
            if (delta == 0) {
                // null event: the rest of the page is unused
                return END;
            }
            if (pos + 8 > end) {
                return BAD;
            }
            long a0 = PageFormat.getInt(page, p + 4) & 0xffffffffL;
            if (a0 < 4 || (a0 & 3) != 0) {
                return BAD;
            }
            len = a0 + 4;
            kind = SKIP;
        } else {
            if (pos + 8 > end) {
                return BAD;
            }
            long a0 = PageFormat.getInt(page, p + 4) & 0xffffffffL;
            long value = (a0 << PageFormat.TIME_DELTA_BITS) + delta;
            if (type == PageFormat.TYPE_TIME_EXTEND) {
                ts += value;
            } else {
                long abs = fixAbs(value, ts);
                wentBack = Long.compareUnsigned(abs, ts) < 0;
                ts = abs;
            }
            len = 8;
            kind = SKIP;
        }
        if (pos + len > end) {
            return BAD;
        }
        next = (int) (pos + len);
        return kind;
    }

    /** rb_fix_abs_ts: a 59-bit absolute stamp gets the top bits of the running time back. */
    static long fixAbs(long abs, long saveTs) {
        if ((saveTs & TS_MSB) != 0) {
            abs |= saveTs & TS_MSB;
            if (Long.compareUnsigned(abs, saveTs) < 0) {
                abs += 1L << 59;
            }
        }
        return abs;
    }
}
