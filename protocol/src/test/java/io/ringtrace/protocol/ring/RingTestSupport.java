package io.ringtrace.protocol.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringtrace.protocol.TraceClock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/** Shared helpers of the ring tests: a settable clock, payload patterns and a kbuffer-like parser. */
final class RingTestSupport {
    private RingTestSupport() {
    }

    /** A clock the test moves by hand. */
    static final class FakeClock implements LongSupplier {
        volatile long now;
        long step;

        FakeClock(long start) {
            this.now = start;
        }

        FakeClock(long start, long step) {
            this.now = start;
            this.step = step;
        }

        @Override
        public long getAsLong() {
            long t = now;
            now = t + step;
            return t;
        }
    }

    static RingBuffer ring(int nrPages, boolean overwrite, FakeClock clock) {
        RingBuffer r = new RingBuffer(0, 4096, nrPages, overwrite, TraceClock.LOCAL);
        r.setTimeSource(clock);
        return r;
    }

    /**
     * A payload of {@code length} bytes (at least 16): common header (type, flags, preempt, pid),
     * then a u64 sequence number, then bytes derived from the sequence number.
     */
    static byte[] payload(int type, int pid, long seq, int length) {
        byte[] p = new byte[length];
        PageFormat.putShort(p, 0, type);
        p[2] = 0x01;
        p[3] = 0x02;
        PageFormat.putInt(p, 4, pid);
        PageFormat.putLong(p, 8, seq);
        for (int i = 16; i < length; i++) {
            p[i] = (byte) (seq * 31 + i);
        }
        return p;
    }

    /** Checks a payload made by {@link #payload} (the kernel may have rounded its length up). */
    static long checkPayload(byte[] data, int offset, int length, int expectedLength) {
        assertTrue(length >= expectedLength, "payload shorter than written");
        assertTrue(length - expectedLength < 8, "payload much longer than written: " + length);
        long seq = PageFormat.getLong(data, offset + 8);
        assertEquals(0x01, data[offset + 2]);
        assertEquals(0x02, data[offset + 3]);
        for (int i = 16; i < expectedLength; i++) {
            if (data[offset + i] != (byte) (seq * 31 + i)) {
                throw new AssertionError("corrupt payload byte " + i + " of event " + seq);
            }
        }
        for (int i = expectedLength; i < length; i++) {
            assertEquals(0, data[offset + i], "slack byte not zero");
        }
        return seq;
    }

    static long seqOf(EventCursor c) {
        return PageFormat.getLong(c.data, c.offset + 8);
    }

    /** One event as trace-cmd's kbuffer sees it. */
    static final class RawEvent {
        final int offset;
        final int length;
        final long ts;
        final byte[] page;

        RawEvent(byte[] page, int offset, int length, long ts) {
            this.page = page;
            this.offset = offset;
            this.length = length;
            this.ts = ts;
        }

        long seq() {
            return PageFormat.getLong(page, offset + 8);
        }
    }

    /**
     * An independent port of libtraceevent's kbuffer reading of one sub-buffer (kbuffer_load_subbuffer,
     * translate_data, update_pointers, next_event): commit masked with the flag bits, the running
     * timestamp starts at time_stamp; padding's length is array[0] read in place.
     */
    static List<RawEvent> kbufferParse(byte[] page) {
        List<RawEvent> out = new ArrayList<>();
        long ts = PageFormat.getLong(page, 0);
        long commit = PageFormat.getLong(page, 8);
        int size = (int) (commit & ~(PageFormat.MISSED_EVENTS | PageFormat.MISSED_STORED)) + 16;
        int next = 16;
        while (next < size) {
            int curr = next;
            int typeLenTs = PageFormat.getInt(page, curr);
            int data = curr + 4;
            int typeLen = typeLenTs & 0x1f;
            long delta = (typeLenTs >>> 5) & 0x7ffffff;
            int length;
            switch (typeLen) {
                case 29:
                    length = PageFormat.getInt(page, data);
                    break;
                case 30: {
                    long extend = PageFormat.getInt(page, data) & 0xffffffffL;
                    data += 4;
                    delta = (extend << 27) + delta;
                    length = 0;
                    break;
                }
                case 31:
                    throw new AssertionError("unexpected absolute stamp");
                case 0:
                    length = PageFormat.getInt(page, data) - 4;
                    length = (length + 3) & ~3;
                    data += 4;
                    break;
                default:
                    length = typeLen * 4;
                    break;
            }
            ts += delta;
            next = data + length;
            if (typeLen <= 28) {
                out.add(new RawEvent(page, data, length, ts));
            }
        }
        assertEquals(size, next, "events must end exactly at commit");
        return out;
    }

    /** The kernel's rb_calculate_event_length, ported on its own for cross-checking. */
    static int kernelEventLength(int length) {
        if (length == 0) {
            length++;
        }
        if (length > 112) {
            length += 4;
        }
        length += 4;
        length = (length + 3) & ~3;
        if (length == 8 + 4) {
            length += 4;
        }
        return length;
    }

    /** Consumes everything through peek/consume; returns the number of events. */
    static int consumeAll(RingBuffer r) {
        EventCursor c = new EventCursor();
        int n = 0;
        while (r.peek(c)) {
            r.consume();
            n++;
        }
        return n;
    }

    /** Consumes everything through peek/consume. */
    static List<long[]> drain(RingBuffer r, int expectedLength) {
        List<long[]> out = new ArrayList<>();
        EventCursor c = new EventCursor();
        while (r.peek(c)) {
            long seq = checkPayload(c.data, c.offset, c.length, expectedLength);
            out.add(new long[] {seq, c.timestamp, c.lostEvents});
            r.consume();
        }
        return out;
    }
}
