package io.ringtrace.protocol.ring;

import static io.ringtrace.protocol.ring.RingTestSupport.FakeClock;
import static io.ringtrace.protocol.ring.RingTestSupport.RawEvent;
import static io.ringtrace.protocol.ring.RingTestSupport.kbufferParse;
import static io.ringtrace.protocol.ring.RingTestSupport.kernelEventLength;
import static io.ringtrace.protocol.ring.RingTestSupport.payload;
import static io.ringtrace.protocol.ring.RingTestSupport.ring;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringtrace.protocol.TraceClock;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Byte layout of events and sub-buffers (ring_buffer.c rb_update_event / rb_reset_tail). */
class RingBufferEncodingTest {

    private static byte[] page(RingBuffer r, long seq) {
        byte[] p = new byte[r.subbufSize()];
        assertEquals(r.subbufSize(), r.copyPage(seq, p));
        return p;
    }

    @Test
    void eventLengthMatchesKernelFormula() {
        for (int len = 0; len <= PageFormat.maxPayload(524288); len++) {
            assertEquals(kernelEventLength(len), PageFormat.eventLength(len), "payload " + len);
        }
        assertEquals(8, PageFormat.eventLength(0));
        assertEquals(8, PageFormat.eventLength(4));
        assertEquals(16, PageFormat.eventLength(5)); // 12 becomes 16
        assertEquals(16, PageFormat.eventLength(8));
        assertEquals(16, PageFormat.eventLength(12));
        assertEquals(20, PageFormat.eventLength(16));
        assertEquals(116, PageFormat.eventLength(112));
        assertEquals(124, PageFormat.eventLength(113)); // array[0] length word added
        assertEquals(40, PageFormat.eventLength(33)); // print event of the golden recording
        assertEquals(68, PageFormat.eventLength(64)); // sched_switch
        assertEquals(4080, PageFormat.eventLength(4072));
        assertEquals(4072, PageFormat.maxPayload(4096));
    }

    @Test
    void smallEventExactBytes() {
        FakeClock clk = new FakeClock(1_000_000);
        RingBuffer r = ring(4, true, clk);
        byte[] pl = payload(5, 1234, 7, 24);
        int off = r.reserve(24);
        assertEquals(16 + 4, off);
        System.arraycopy(pl, 0, r.writePage(), off, 24);
        r.commit();

        byte[] p = page(r, r.writePageSeq());
        assertEquals(1_000_000L, PageFormat.getLong(p, 0), "time_stamp = first event's ts");
        assertEquals(28L, PageFormat.getLong(p, 8), "commit = bytes used");
        assertEquals(6, PageFormat.getInt(p, 16), "type_len 6, delta 0");
        assertArrayEquals(pl, Arrays.copyOfRange(p, 20, 44));
        for (int i = 44; i < p.length; i++) {
            assertEquals(0, p[i]);
        }
        assertEquals(1, r.entries());
        assertEquals(28, r.bytes());
    }

    @Test
    void headerWordForEveryPayloadLength() {
        FakeClock clk = new FakeClock(5_000, 3);
        for (int len = 0; len <= 600; len++) {
            RingBuffer r = ring(2, true, clk);
            r.write(new byte[] {1, 2, 3}, 0, 0); // a first event so the next has a delta
            int before = 8;
            int off = r.reserve(len);
            byte[] page = r.writePage();
            for (int i = 0; i < len; i++) {
                page[off + i] = (byte) 0xAA;
            }
            r.commit();
            byte[] p = page(r, r.writePageSeq());
            int evLen = PageFormat.eventLength(len);
            assertEquals(before + evLen, PageFormat.getLong(p, 8));
            int header = PageFormat.getInt(p, 16 + before);
            int typeLen = header & 31;
            assertEquals(3, header >>> 5, "time_delta");
            if (len > 112) {
                assertEquals(0, typeLen);
                int a0 = PageFormat.getInt(p, 16 + before + 4);
                assertEquals(evLen - 4, a0, "array[0] = event length - header (rb_update_event)");
                assertEquals(16 + before + 8, off);
                assertTrue(a0 - 4 >= len, "kbuffer length array[0]-4 covers the payload");
            } else {
                assertEquals((evLen - 4) / 4, typeLen);
                assertEquals(16 + before + 4, off);
                assertTrue(typeLen * 4 >= len);
            }
            // slack after the payload is zeroed
            for (int i = off + len; i < 16 + before + evLen; i++) {
                assertEquals(0, p[i], "slack byte at " + i + " for payload " + len);
            }
            List<RawEvent> evs = kbufferParse(p);
            assertEquals(2, evs.size());
            assertEquals(off, evs.get(1).offset);
            assertEquals(5_003L, evs.get(1).ts, "kbuffer ts");
            clk.now = 5_000;
        }
    }

    @Test
    void slackIsZeroedEvenOverStaleBytes() {
        FakeClock clk = new FakeClock(100);
        RingBuffer r = ring(2, true, clk);
        byte[] junk = new byte[4000];
        Arrays.fill(junk, (byte) 0x7f);
        // fill every slot with junk, then reuse the slots with short events
        for (int i = 0; i < 10; i++) {
            r.write(junk, 0, 4000);
        }
        r.reset();
        r.write(new byte[] {9, 9, 9, 9, 9}, 0, 5); // 5 bytes -> 12 bytes of data area
        byte[] p = page(r, r.writePageSeq());
        assertEquals(3, PageFormat.getInt(p, 16) & 31);
        assertArrayEquals(new byte[] {9, 9, 9, 9, 9, 0, 0, 0, 0, 0, 0, 0}, Arrays.copyOfRange(p, 20, 32));
    }

    @Test
    void deltasAndTimeExtend() {
        FakeClock clk = new FakeClock(1_000);
        RingBuffer r = ring(4, true, clk);
        byte[] pl = payload(1, 1, 0, 16);
        long[] times = {1_000, 1_010, 1_010 + PageFormat.TIME_DELTA_MAX,
            1_010 + PageFormat.TIME_DELTA_MAX + (1L << 27), 5_000_000_000_000L};
        for (long t : times) {
            clk.now = t;
            assertTrue(r.write(pl, 0, 16));
        }
        byte[] p = page(r, r.writePageSeq());
        int pos = 16;
        assertEquals(4, PageFormat.getInt(p, pos)); // type_len 4, delta 0
        pos += 20;
        assertEquals(4 | (10 << 5), PageFormat.getInt(p, pos));
        pos += 20;
        assertEquals(4 | (int) (PageFormat.TIME_DELTA_MAX << 5), PageFormat.getInt(p, pos));
        pos += 20;
        // delta 2^27: TIME_EXTEND with array[0] = delta >> 27 = 1, low bits 0; then data delta 0
        assertEquals(30, PageFormat.getInt(p, pos));
        assertEquals(1, PageFormat.getInt(p, pos + 4));
        assertEquals(4, PageFormat.getInt(p, pos + 8));
        pos += 28;
        long d = times[4] - times[3];
        assertEquals(30 | (int) ((d & PageFormat.TIME_DELTA_MAX) << 5), PageFormat.getInt(p, pos));
        assertEquals((int) (d >>> 27), PageFormat.getInt(p, pos + 4));
        pos += 28;
        assertEquals(pos - 16, PageFormat.getLong(p, 8));
        assertEquals(5 * 20 + 2 * 8, r.bytes(), "entries_bytes counts the time extends");

        List<RawEvent> evs = kbufferParse(p);
        assertEquals(5, evs.size());
        EventCursor c = new EventCursor();
        for (int i = 0; i < 5; i++) {
            assertEquals(times[i], evs.get(i).ts);
            assertTrue(r.peek(c));
            assertEquals(times[i], c.timestamp);
            assertEquals(16, c.length);
            assertEquals(0, c.cpu);
            r.consume();
        }
        assertFalse(r.peek(c));
        assertEquals(0, r.bytes(), "read_bytes counts the time extends too");
    }

    @Test
    void timestampsNeverGoBackwards() {
        FakeClock clk = new FakeClock(10_000);
        RingBuffer r = ring(4, true, clk);
        byte[] pl = payload(1, 1, 0, 16);
        r.write(pl, 0, 16);
        clk.now = 9_000;
        r.write(pl, 0, 16);
        clk.now = 10_005;
        r.write(pl, 0, 16);
        EventCursor c = new EventCursor();
        long[] expect = {10_000, 10_000, 10_005};
        for (long t : expect) {
            assertTrue(r.peek(c));
            assertEquals(t, c.timestamp);
            r.consume();
        }
    }

    @Test
    void pageCrossingWithDiscardedPadding() {
        FakeClock clk = new FakeClock(1_000, 10);
        RingBuffer r = ring(4, true, clk);
        // 60 events of 64 bytes (68 each) fill 4080 exactly; 59 of them leave 68 bytes
        byte[] pl = payload(2, 2, 0, 64);
        for (int i = 0; i < 59; i++) {
            r.write(pl, 0, 64);
        }
        long seq0 = r.writePageSeq();
        // a 100-byte payload (104) does not fit in the 68 left: padding of 68
        clk.now += 1L << 30; // a big gap: still no time extend at the start of a page
        long tsBig = clk.now;
        byte[] big = payload(3, 3, 1, 100);
        assertTrue(r.write(big, 0, 100));
        assertEquals(seq0 + 1, r.writePageSeq());

        byte[] p0 = page(r, seq0);
        assertEquals(4080L, PageFormat.getLong(p0, 8), "commit of a padded page covers the padding");
        int padAt = 16 + 59 * 68;
        assertEquals(29 | (1 << 5), PageFormat.getInt(p0, padAt), "discarded padding, time_delta 1");
        assertEquals(68 - 4, PageFormat.getInt(p0, padAt + 4), "array[0] = rest - 4");
        assertEquals(59, kbufferParse(p0).size());

        byte[] p1 = page(r, seq0 + 1);
        assertEquals(tsBig, PageFormat.getLong(p1, 0));
        assertEquals(25, PageFormat.getInt(p1, 16), "first event: type_len 25, delta 0, no extend");
        assertEquals(104L, PageFormat.getLong(p1, 8));

        assertEquals(60, r.entries());
        assertEquals(59 * 68 + 68 + 104, r.bytes(), "padding counts in entries_bytes");
        // consuming everything brings bytes back to 0 (padding read with its page)
        assertEquals(60, RingTestSupport.consumeAll(r));
        assertEquals(0, r.bytes());
        assertEquals(60, r.readEvents());
    }

    @Test
    void pageCrossingWithFourBytesLeft() {
        FakeClock clk = new FakeClock(1_000, 10);
        RingBuffer r = ring(4, true, clk);
        byte[] pl = payload(2, 2, 0, 64);
        for (int i = 0; i < 59; i++) {
            r.write(pl, 0, 64);
        }
        r.write(payload(2, 2, 1, 60), 0, 60); // 64 bytes -> 4076 used
        long seq0 = r.writePageSeq();
        r.write(pl, 0, 4); // 8 bytes do not fit in 4
        byte[] p0 = page(r, seq0);
        assertEquals(4076L, PageFormat.getLong(p0, 8), "null padding stays outside the commit");
        assertEquals(60 * 68 - 4 + 8, r.bytes(), "no padding bytes accounted");
        assertEquals(seq0 + 1, r.writePageSeq());
        // in the ring itself the null padding header is there (type 29, delta 0)
        EventCursor c = new EventCursor();
        int n = 0;
        while (r.peek(c)) {
            n++;
            r.consume();
        }
        assertEquals(61, n);
        assertEquals(0, r.bytes());
    }

    @Test
    void exactFitNeedsNoPadding() {
        FakeClock clk = new FakeClock(1_000, 10);
        RingBuffer r = ring(4, true, clk);
        byte[] pl = payload(2, 2, 0, 64);
        for (int i = 0; i < 60; i++) {
            r.write(pl, 0, 64);
        }
        long seq0 = r.writePageSeq();
        assertEquals(4080L, PageFormat.getLong(page(r, seq0), 8));
        r.write(pl, 0, 64);
        assertEquals(seq0 + 1, r.writePageSeq());
        assertEquals(4080L, PageFormat.getLong(page(r, seq0), 8));
        assertEquals(61 * 68, r.bytes());
    }

    @Test
    void largestEventAndTooLarge() {
        FakeClock clk = new FakeClock(1_000, 10);
        RingBuffer r = ring(2, true, clk);
        byte[] max = payload(4, 4, 0, 4072);
        assertTrue(r.write(max, 0, 16));
        assertTrue(r.write(max, 0, 4072), "max payload goes on a page of its own");
        assertEquals(-1, r.reserve(4073));
        assertFalse(r.write(new byte[4073], 0, 4073));
        assertEquals(2, r.entries());
        assertEquals(0, r.droppedEvents());
        byte[] p = page(r, r.writePageSeq());
        assertEquals(4080L, PageFormat.getLong(p, 8));
        assertEquals(0, PageFormat.getInt(p, 16) & 31);
        assertEquals(4076, PageFormat.getInt(p, 20));
        EventCursor c = new EventCursor();
        assertTrue(r.peek(c));
        r.consume();
        assertTrue(r.peek(c));
        assertEquals(4072, c.length);
    }

    @Test
    void bigSubbufSizes() {
        RingBuffer r = new RingBuffer(1, 65536, 2, true, TraceClock.MONO);
        int max = PageFormat.maxPayload(65536);
        assertEquals(65512, max);
        byte[] pl = payload(4, 4, 0, max);
        assertTrue(r.write(pl, 0, max));
        EventCursor c = new EventCursor();
        assertTrue(r.peek(c));
        assertEquals(max, c.length);
        assertEquals(1, c.cpu);
        RingTestSupport.checkPayload(c.data, c.offset, c.length, max);
        assertThrows(IllegalArgumentException.class, () -> new RingBuffer(0, 3000, 2, true, TraceClock.LOCAL));
        assertThrows(IllegalArgumentException.class, () -> new RingBuffer(0, 1 << 20, 2, true, TraceClock.LOCAL));
        assertThrows(IllegalArgumentException.class, () -> new RingBuffer(0, 4096, 1, true, TraceClock.LOCAL));
    }

    @Test
    void recordOffAndDiscard() {
        FakeClock clk = new FakeClock(1_000, 10);
        RingBuffer r = ring(2, true, clk);
        r.setRecordOn(false);
        assertFalse(r.recordOn());
        assertEquals(-1, r.reserve(8));
        assertFalse(r.write(new byte[8], 0, 8));
        r.setRecordOn(true);
        assertEquals(0, r.entries());
        assertEquals(0, r.droppedEvents());

        assertTrue(r.write(payload(1, 1, 0, 16), 0, 16));
        byte[] before = page(r, r.writePageSeq());
        int off = r.reserve(40);
        Arrays.fill(r.writePage(), off, off + 40, (byte) 0x55);
        r.discard();
        assertArrayEquals(before, page(r, r.writePageSeq()));
        assertEquals(1, r.entries());
        assertEquals(20, r.bytes());
        // the next event lands where the discarded one was
        assertEquals(off, r.reserve(40));
        r.commit();

        // a discarded reservation that needed a new sub-buffer leaves no trace either
        while (PageFormat.getLong(page(r, r.writePageSeq()), 8) < 4000) {
            r.write(payload(1, 1, 0, 100), 0, 100);
        }
        long seq = r.writePageSeq();
        long entries = r.entries();
        long bytes = r.bytes();
        long overrun = r.overrun();
        byte[] cur = page(r, seq);
        r.reserve(200);
        r.discard();
        assertEquals(seq, r.writePageSeq());
        assertEquals(entries, r.entries());
        assertEquals(bytes, r.bytes());
        assertEquals(overrun, r.overrun());
        assertArrayEquals(cur, page(r, seq));
        assertThrows(IllegalStateException.class, r::commit);
        assertThrows(IllegalStateException.class, r::discard);
    }

    /**
     * tryCommit publishes only an event appended to a tail page that has events, and leaves every
     * other reservation (the first event of a page, one that moves to a new sub-buffer) to
     * commit(): a ring committed through {@code if (!tryCommit()) commit()} holds the same bytes
     * and counters as one committed through commit() alone, across page moves and an overwrite.
     */
    @Test
    void tryCommitOnlyTakesTheAppendToATailPageWithEvents() {
        FakeClock c1 = new FakeClock(1_000, 7);
        FakeClock c2 = new FakeClock(1_000, 7);
        RingBuffer viaTry = ring(3, true, c1);
        RingBuffer viaCommit = ring(3, true, c2);
        assertFalse(viaTry.tryCommit(), "no reservation");
        int taken = 0;
        int left = 0;
        for (int i = 0; i < 1000; i++) {
            int len = 16 + (i % 5) * 12;
            byte[] pl = payload(5, 1234, i, len);
            long used = PageFormat.getLong(page(viaTry, viaTry.writePageSeq()), PageFormat.COMMIT_OFFSET);
            boolean firstOfPage = used == 0 || used + PageFormat.eventLength(len) > viaTry.subbufSize() - PageFormat.HEADER_SIZE;
            int o1 = viaTry.reserve(len);
            System.arraycopy(pl, 0, viaTry.writePage(), o1, len);
            boolean quick = viaTry.tryCommit();
            if (quick) {
                taken++;
                assertFalse(firstOfPage, "event " + i + " starts a sub-buffer: commit() must take it");
            } else {
                left++;
                viaTry.commit();
            }
            int o2 = viaCommit.reserve(len);
            System.arraycopy(pl, 0, viaCommit.writePage(), o2, len);
            viaCommit.commit();
            assertEquals(o2, o1);
        }
        assertTrue(taken > 900 && left > 10, taken + " by tryCommit, " + left + " by commit");
        assertEquals(viaCommit.entries(), viaTry.entries());
        assertEquals(viaCommit.bytes(), viaTry.bytes());
        assertEquals(viaCommit.overrun(), viaTry.overrun());
        assertEquals(viaCommit.writePageSeq(), viaTry.writePageSeq());
        for (long seq = viaCommit.writePageSeq() - 2; seq <= viaCommit.writePageSeq(); seq++) {
            assertArrayEquals(page(viaCommit, seq), page(viaTry, seq), "sub-buffer " + seq);
        }
        assertFalse(viaTry.tryCommit(), "nothing reserved after a commit");
    }
}
