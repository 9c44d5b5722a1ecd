package io.ringtrace.protocol.ring;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The kernel's sub-buffer ("page") layout and event header encoding (ring_buffer.c), little-endian
 * as on x86-64: {@code u64 time_stamp} at 0, {@code local_t commit} (8 bytes) at 8, data from 16.
 * Each event starts with a 32-bit header: {@code type_len} in the low 5 bits, {@code time_delta}
 * in the high 27 bits, then {@code array[]}.
 */
public final class PageFormat {
    public static final int HEADER_SIZE = 16;
    public static final int COMMIT_OFFSET = 8;
    public static final int DEFAULT_SUBBUF_SIZE = 4096;

    /** type_len values. */
    public static final int TYPE_DATA_MAX = 28;
    public static final int TYPE_PADDING = 29;
    public static final int TYPE_TIME_EXTEND = 30;
    public static final int TYPE_TIME_STAMP = 31;

    /** commit flag bits in pages handed to readers. */
    public static final long MISSED_EVENTS = 1L << 31;
    public static final long MISSED_STORED = 1L << 30;
    /** Mask of the bytes-used part of commit. */
    public static final long COMMIT_MASK = 0xfffffL;

    public static final int TIME_DELTA_BITS = 27;
    public static final long TIME_DELTA_MAX = (1L << TIME_DELTA_BITS) - 1;

    private static final VarHandle LONG =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT =
            MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle SHORT =
            MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);

    private PageFormat() {
    }

    public static long getLong(byte[] b, int off) {
        return (long) LONG.get(b, off);
    }

    public static void putLong(byte[] b, int off, long v) {
        LONG.set(b, off, v);
    }

    public static int getInt(byte[] b, int off) {
        return (int) INT.get(b, off);
    }

    public static void putInt(byte[] b, int off, int v) {
        INT.set(b, off, v);
    }

    public static int getShort(byte[] b, int off) {
        return (short) SHORT.get(b, off);
    }

    public static void putShort(byte[] b, int off, int v) {
        SHORT.set(b, off, (short) v);
    }

    /** Data capacity of a sub-buffer: its size minus the 16-byte header (4080 for 4 KiB). */
    public static int capacity(int subbufSize) {
        return subbufSize - HEADER_SIZE;
    }

    /** Largest payload one event can carry in a sub-buffer of this size (4072 for 4 KiB). */
    public static int maxPayload(int subbufSize) {
        return capacity(subbufSize) - 8;
    }

    /**
     * Bytes an event with this payload length takes in a page, header included: the kernel's
     * rb_calculate_event_length (length 0 counts as 1; above 112 bytes an array[0] length word is
     * added; aligned to 4; 12 becomes 16).
     */
    public static int eventLength(int payload) {
        int len = Math.max(payload, 1);
        if (len > TYPE_DATA_MAX * 4) {
            len += 4;
        }
        len = (len + 4 + 3) & ~3;
        if (len == 12) {
            len = 16;
        }
        return len;
    }
}
