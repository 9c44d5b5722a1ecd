package io.ringtrace.protocol.ring;

import static io.ringtrace.protocol.ring.RingTestSupport.FakeClock;
import static io.ringtrace.protocol.ring.RingTestSupport.RawEvent;
import static io.ringtrace.protocol.ring.RingTestSupport.checkPayload;
import static io.ringtrace.protocol.ring.RingTestSupport.kbufferParse;
import static io.ringtrace.protocol.ring.RingTestSupport.payload;
import static io.ringtrace.protocol.ring.RingTestSupport.ring;
import static io.ringtrace.protocol.ring.RingTestSupport.seqOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringtrace.protocol.TraceClock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** trace_pipe, trace_pipe_raw, stats and the counters of section 4.4. */
class RingBufferReadTest {

    /** The golden recording of kernel 6.18: 3 markers (payload 33) and 26 sched_switch (64) on CPU 0. */
    @Test
    void goldenStatsArithmetic() {
        FakeClock clk = new FakeClock(0);
        RingBuffer r = ring(354, true, clk);
        assertEquals("entries: 0\noverrun: 0\ncommit overrun: 0\nbytes: 0\n"
                        + "oldest event ts:     0.000000\nnow ts:  1601.584250\n"
                        + "dropped events: 0\nread events: 0\n",
                r.stats(1_601_584_250_123L));
        clk.now = 1_601_941_265_400L;
        clk.step = 9_000;
        for (int i = 0; i < 3; i++) {
            assertTrue(r.write(payload(5, 13213, i, 33), 0, 33));
        }
        for (int i = 0; i < 26; i++) {
            assertTrue(r.write(payload(372, 13213, 3 + i, 64), 0, 64));
        }
        assertEquals(29, r.entries());
        assertEquals(3 * 40 + 26 * 68, r.bytes());
        assertEquals(1888, r.bytes());
        assertEquals("entries: 29\noverrun: 0\ncommit overrun: 0\nbytes: 1888\n"
                        + "oldest event ts:  1601.941265\nnow ts:  1601.994272\n"
                        + "dropped events: 0\nread events: 0\n",
                r.stats(1_601_994_271_500L));
        // trace_pipe reads everything
        EventCursor c = new EventCursor();
        int n = 0;
        while (r.peek(c)) {
            assertEquals(n < 3 ? 36 : 64, c.length, "payload rounded to 4 as type_len*4");
            assertEquals(n < 3 ? 5 : 372, c.type());
            assertEquals(13213, c.pid());
            assertEquals(1, c.flags());
            assertEquals(2, c.preemptCount());
            r.consume();
            n++;
        }
        assertEquals(29, n);
        assertEquals("entries: 0\noverrun: 0\ncommit overrun: 0\nbytes: 0\n"
                        + "oldest event ts:  1601.941265\nnow ts:  1601.994526\n"
                        + "dropped events: 0\nread events: 29\n",
                r.stats(1_601_994_526_000L));
        assertTrue(r.isEmpty());
    }

    @Test
    void statsOfRawClocks() {
        RingBuffer r = new RingBuffer(0, 4096, 2, true, TraceClock.COUNTER);
        r.setTimeSource(new FakeClock(42, 1));
        r.write(payload(1, 1, 0, 16), 0, 16);
        assertTrue(r.stats(99).contains("oldest event ts: 42\nnow ts: 99\n"));
        assertEquals(TraceClock.COUNTER, r.clock());
        RingBuffer real = new RingBuffer(0, 4096, 2, true, TraceClock.MONO);
        String s = real.stats();
        assertTrue(s.startsWith("entries: 0\n"), s);
        assertTrue(s.matches("(?s).*now ts: +\\d+\\.\\d{6}\n.*"), s);
    }

    @Test
    void peekIsIdempotentAndConsumeFollowsOrder() {
        FakeClock clk = new FakeClock(100, 1);
        RingBuffer r = ring(8, true, clk);
        for (int i = 0; i < 500; i++) {
            r.write(payload(1, 1, i, 16 + (i % 5) * 20), 0, 16 + (i % 5) * 20);
        }
        EventCursor c = new EventCursor();
        r.consume(); // no peek before: nothing happens
        assertEquals(0, r.readEvents());
        long lastTs = -1;
        for (int i = 0; i < 500; i++) {
            assertTrue(r.peek(c));
            assertTrue(r.peek(c));
            assertEquals(i, seqOf(c));
            checkPayload(c.data, c.offset, c.length, 16 + (i % 5) * 20);
            assertEquals(100 + i, c.timestamp);
            assertTrue(c.timestamp > lastTs);
            lastTs = c.timestamp;
            assertEquals(0, c.lostEvents);
            r.consume();
            r.consume(); // a second consume without peek does nothing
            assertEquals(i + 1, r.readEvents());
            assertEquals(500 - i - 1, r.entries());
        }
        assertFalse(r.peek(c));
        assertTrue(r.isEmpty());
        assertEquals(0, r.bytes());
    }

    @Test
    void readerAndWriterShareTheTailPage() {
        FakeClock clk = new FakeClock(1_000, 5);
        RingBuffer r = ring(4, true, clk);
        EventCursor c = new EventCursor();
        long next = 0;
        long expect = 0;
        for (int round = 0; round < 300; round++) {
            for (int k = 0; k < round % 7; k++) {
                r.write(payload(1, 1, next++, 40), 0, 40);
            }
            while (r.peek(c)) {
                assertEquals(expect++, seqOf(c));
                r.consume();
            }
        }
        assertEquals(next, expect);
        assertEquals(0, r.overrun());
    }

    @Test
    void readPageWholeAndPartial() {
        FakeClock clk = new FakeClock(10_000, 7);
        RingBuffer r = ring(8, true, clk);
        // page 0: 59 x 68 + padding 68; page 1 begins with the event that did not fit
        for (int i = 0; i < 59; i++) {
            r.write(payload(2, 2, i, 64), 0, 64);
        }
        r.write(payload(3, 3, 59, 100), 0, 100);
        r.write(payload(3, 3, 60, 100), 0, 100);
        byte[] dst = new byte[4096];
        java.util.Arrays.fill(dst, (byte) 0x33);

        assertEquals(4096, r.readPage(dst));
        assertEquals(59L * 68, PageFormat.getLong(dst, 8), "whole page: commit = real end, no padding");
        assertEquals(10_000L, PageFormat.getLong(dst, 0));
        for (int i = 16 + 59 * 68; i < 4096; i++) {
            assertEquals(0, dst[i], "zero-filled after the data");
        }
        List<RawEvent> evs = kbufferParse(dst);
        assertEquals(59, evs.size());
        for (int i = 0; i < 59; i++) {
            assertEquals(i, evs.get(i).seq());
            assertEquals(10_000 + 7L * i, evs.get(i).ts);
        }
        assertEquals(59, r.readEvents());
        assertEquals(2, r.entries());
        assertEquals(208, r.bytes(), "the whole page, padding included, went to read_bytes");

        // the tail page: copied, commit = bytes copied
        assertEquals(4096, r.readPage(dst));
        assertEquals(208L, PageFormat.getLong(dst, 8));
        evs = kbufferParse(dst);
        assertEquals(2, evs.size());
        assertEquals(59, evs.get(0).seq());
        assertEquals(10_000 + 7L * 59, evs.get(0).ts);
        assertEquals(10_000 + 7L * 60, evs.get(1).ts);
        assertEquals(0, r.readPage(dst), "empty");
        assertEquals(0, r.bytes());

        // later writes on the same tail page come out once, with a time_stamp their deltas fit
        r.write(payload(4, 4, 61, 24), 0, 24);
        r.write(payload(4, 4, 62, 24), 0, 24);
        assertEquals(4096, r.readPage(dst));
        evs = kbufferParse(dst);
        assertEquals(2, evs.size());
        assertEquals(61, evs.get(0).seq());
        assertEquals(10_000 + 7L * 61, evs.get(0).ts);
        assertEquals(10_000 + 7L * 60, PageFormat.getLong(dst, 0), "time_stamp = last consumed event's");
        assertEquals(10_000 + 7L * 62, evs.get(1).ts);
        assertEquals(0, r.readPage(dst));
        assertEquals(63, r.readEvents());
        assertEquals(0, r.entries());
        assertThrows(IllegalArgumentException.class, () -> r.readPage(new byte[100]));
    }

    @Test
    void readPageAfterPeekConsumeContinuesInPlace() {
        FakeClock clk = new FakeClock(1, 1);
        RingBuffer r = ring(4, true, clk);
        for (int i = 0; i < 10; i++) {
            r.write(payload(1, 1, i, 16), 0, 16);
        }
        EventCursor c = new EventCursor();
        for (int i = 0; i < 4; i++) {
            assertTrue(r.peek(c));
            r.consume();
        }
        byte[] dst = new byte[4096];
        assertEquals(4096, r.readPage(dst));
        List<RawEvent> evs = kbufferParse(dst);
        assertEquals(6, evs.size());
        for (int i = 0; i < 6; i++) {
            assertEquals(4 + i, evs.get(i).seq());
            assertEquals(5 + i, evs.get(i).ts);
        }
        assertFalse(r.peek(c));
    }

    @Test
    void overwriteDropsOldestPagesAndReportsLostEvents() {
        FakeClock clk = new FakeClock(1, 1);
        RingBuffer r = ring(2, true, clk);
        int total = 1000; // 68-byte events, 60 per page, nr_pages 2
        for (int i = 0; i < total; i++) {
            assertTrue(r.write(payload(2, 2, i, 64), 0, 64));
        }
        long entries = r.entries();
        long overrun = r.overrun();
        assertEquals(total, entries + overrun);
        assertEquals(0, r.droppedEvents());
        // as the kernel's ring of nr_pages 2 (checked on 6.18): 1 full page kept besides the tail
        // page, 1000 = 16*60 + 40
        assertEquals(60 + 40, entries);
        assertEquals(entries * 68, r.bytes());
        EventCursor c = new EventCursor();
        assertTrue(r.peek(c));
        assertEquals(overrun, c.lostEvents, "first read reports the overrun");
        assertEquals(overrun, seqOf(c), "the newest events are kept");
        r.consume();
        long expect = overrun + 1;
        while (r.peek(c)) {
            assertEquals(0, c.lostEvents);
            assertEquals(expect++, seqOf(c));
            r.consume();
        }
        assertEquals(total, expect);

        // the writer laps the reader again: readPage marks the loss, count stored after the data
        for (int i = 0; i < 400; i++) {
            r.write(payload(3, 3, total + i, 100), 0, 100); // 39 per page, 24 bytes of padding
        }
        long lost = r.overrun() - overrun;
        assertTrue(lost > 0);
        byte[] dst = new byte[4096];
        assertEquals(4096, r.readPage(dst));
        long commit = PageFormat.getLong(dst, 8);
        assertTrue((commit & PageFormat.MISSED_EVENTS) != 0);
        assertTrue((commit & PageFormat.MISSED_STORED) != 0);
        int size = (int) (commit & PageFormat.COMMIT_MASK);
        assertEquals(39 * 104, size);
        assertEquals(lost, PageFormat.getLong(dst, 16 + size));
        for (int i = 16 + size + 8; i < 4096; i++) {
            assertEquals(0, dst[i]);
        }
        assertEquals(39, kbufferParse(dst).size());
        assertEquals(4096, r.readPage(dst));
        assertEquals(0, PageFormat.getLong(dst, 8) & (PageFormat.MISSED_EVENTS | PageFormat.MISSED_STORED));
    }

    @Test
    void lostCountNotStoredWhenPageIsFull() {
        FakeClock clk = new FakeClock(1, 1);
        RingBuffer r = ring(2, true, clk);
        for (int i = 0; i < 300; i++) {
            r.write(payload(2, 2, i, 64), 0, 64); // 60 per page: pages are exactly full
        }
        byte[] dst = new byte[4096];
        assertEquals(4096, r.readPage(dst));
        long commit = PageFormat.getLong(dst, 8);
        assertEquals(PageFormat.MISSED_EVENTS | 4080, commit);
    }

    @Test
    void lostEventsWhenPartlyReadPageIsOverwritten() {
        FakeClock clk = new FakeClock(1, 1);
        RingBuffer r = ring(2, true, clk);
        for (int i = 0; i < 120; i++) { // both pages full, nothing dropped
            r.write(payload(2, 2, i, 64), 0, 64);
        }
        EventCursor c = new EventCursor();
        for (int i = 0; i < 10; i++) {
            assertTrue(r.peek(c));
            r.consume();
        }
        assertEquals(10, r.readEvents());
        // the reader is on page 0 (the kernel's reader page): one more page fits, then page 0 goes
        for (int i = 120; i < 200; i++) {
            r.write(payload(2, 2, i, 64), 0, 64);
        }
        // page 0 (events 0..59, 10 read) was dropped: 50 unread entries are overrun
        assertEquals(50, r.overrun());
        assertEquals(200 - 50 - 10, r.entries());
        assertEquals(r.entries() * 68, r.bytes());
        assertTrue(r.peek(c));
        assertEquals(50, c.lostEvents);
        assertEquals(60, seqOf(c));
        // a peeked event overwritten before its consume is not consumed twice
        for (int i = 200; i < 300; i++) {
            r.write(payload(2, 2, i, 64), 0, 64);
        }
        r.consume();
        assertEquals(10, r.readEvents());
        assertTrue(r.peek(c));
        // nothing was consumed since the first report: the count covers both losses
        assertEquals(110, r.overrun());
        assertEquals(110, c.lostEvents);
        assertEquals(120, seqOf(c));
        r.consume();
        assertTrue(r.peek(c));
        assertEquals(0, c.lostEvents);
    }

    @Test
    void producerConsumerModeDropsNewEvents() {
        FakeClock clk = new FakeClock(1, 1);
        RingBuffer r = ring(2, false, clk);
        int written = 0;
        int refused = 0;
        for (int i = 0; i < 1000; i++) {
            if (r.write(payload(2, 2, i, 64), 0, 64)) {
                written++;
            } else {
                refused++;
            }
        }
        // nr_pages 2 of 60 events: the writer fills both, then drops (the kernel's 6.18 ring does
        // the same: its reader page holds nothing before a consuming read)
        assertEquals(120, written);
        assertEquals(880, refused);
        assertEquals(880, r.droppedEvents());
        assertEquals(0, r.overrun());
        assertEquals(120, r.entries());
        assertEquals(120 * 68, r.bytes());
        // the oldest data is kept
        byte[] dst = new byte[4096];
        assertEquals(4096, r.readPage(dst));
        List<RawEvent> evs = kbufferParse(dst);
        assertEquals(0, evs.get(0).seq());
        assertEquals(0, PageFormat.getLong(dst, 8) & PageFormat.MISSED_EVENTS);
        // a page is free again: writing goes on
        assertTrue(r.write(payload(2, 2, 5000, 64), 0, 64));
        assertEquals(61, r.entries());
        r.setOverwrite(true);
        assertTrue(r.overwrite());
        for (int i = 0; i < 200; i++) {
            assertTrue(r.write(payload(2, 2, 6000 + i, 64), 0, 64));
        }
        assertTrue(r.overrun() > 0);
        assertEquals(880, r.droppedEvents());
    }

    @Test
    void producerConsumerSealsTheFullTailPage() {
        FakeClock clk = new FakeClock(1, 1);
        RingBuffer r = ring(2, false, clk);
        // nr_pages 2: fill the first page completely and the second up to 4000 bytes
        for (int i = 0; i < 60; i++) {
            r.write(payload(2, 2, i, 64), 0, 64);
        }
        for (int i = 0; i < 40; i++) {
            r.write(payload(3, 3, i, 96), 0, 96); // 100 bytes each -> 4000
        }
        long seq = r.writePageSeq();
        assertFalse(r.write(payload(3, 3, 99, 96), 0, 96), "does not fit, ring full: dropped");
        assertEquals(1, r.droppedEvents());
        // like the kernel (rb_reset_tail on out_reset) the tail page is now closed:
        // an event that would have fit in the 80 bytes left is dropped too
        assertFalse(r.write(payload(3, 3, 100, 16), 0, 16));
        assertEquals(2, r.droppedEvents());
        byte[] p = new byte[4096];
        r.copyPage(seq, p);
        assertEquals(4080L, PageFormat.getLong(p, 8));
        assertEquals(29 | (1 << 5), PageFormat.getInt(p, 16 + 4000));
        assertEquals(100 * 1L, r.entries());
        assertEquals(60 * 68 + 4000 + 80, r.bytes());
        // the reader frees the oldest page; writing resumes on a new page
        byte[] dst = new byte[4096];
        r.readPage(dst);
        assertTrue(r.write(payload(3, 3, 101, 16), 0, 16));
        assertEquals(seq + 1, r.writePageSeq());
    }

    @Test
    void entriesWrittenIdentity() {
        FakeClock clk = new FakeClock(1, 1);
        RingBuffer r = ring(3, true, clk);
        EventCursor c = new EventCursor();
        long attempts = 0;
        for (int round = 0; round < 50; round++) {
            for (int i = 0; i < 37 * round % 250; i++) {
                r.write(payload(2, 2, attempts++, 16 + (i % 13) * 11), 0, 16 + (i % 13) * 11);
            }
            for (int i = 0; i < round % 9 && r.peek(c); i++) {
                r.consume();
            }
            assertEquals(r.entriesWritten(), r.entries() + r.overrun() + r.readEvents());
            assertEquals(attempts, r.entriesWritten() + r.droppedEvents());
        }
    }

    @Test
    void snapshotDoesNotConsume() {
        FakeClock clk = new FakeClock(1, 1);
        RingBuffer r = ring(4, true, clk);
        for (int i = 0; i < 100; i++) {
            r.write(payload(2, 2, i, 64), 0, 64);
        }
        EventCursor c = new EventCursor();
        for (int i = 0; i < 3; i++) {
            assertTrue(r.peek(c));
            r.consume();
        }
        RingSnapshot s = r.snapshot();
        assertEquals(97, s.entries());
        assertEquals(0, s.overrun());
        assertFalse(s.hadOverrun());
        for (int i = 100; i < 120; i++) {
            r.write(payload(2, 2, i, 64), 0, 64);
        }
        int n = 0;
        while (s.next(c)) {
            assertEquals(3 + n, seqOf(c));
            assertEquals(4 + n, c.timestamp);
            assertEquals(0, c.lostEvents);
            checkPayload(c.data, c.offset, c.length, 64);
            n++;
        }
        assertEquals(97, n, "events recorded after the snapshot are not in it");
        assertFalse(s.next(c));
        assertEquals(117, r.entries());
        assertEquals(3, r.readEvents());
        // a second snapshot sees everything unconsumed
        RingSnapshot s2 = r.snapshot();
        n = 0;
        while (s2.next(c)) {
            n++;
        }
        assertEquals(117, n);
        // overruns are reported for the "buffer started" annotation
        for (int i = 0; i < 1000; i++) {
            r.write(payload(2, 2, 200 + i, 64), 0, 64);
        }
        RingSnapshot s3 = r.snapshot();
        assertTrue(s3.hadOverrun());
        assertEquals(r.overrun(), s3.overrun());
        assertEquals(r.entries(), s3.entries());
        n = 0;
        while (s3.next(c)) {
            n++;
        }
        assertEquals(r.entries(), n);
        RingSnapshot empty = new RingBuffer(0, 4096, 2, true, TraceClock.LOCAL).snapshot();
        assertFalse(empty.next(c));
        assertEquals(0, empty.entries());
    }

    @Test
    void snapshotWhileWritersRun() throws Exception {
        RingBuffer r = new RingBuffer(0, 4096, 3, true, TraceClock.LOCAL);
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        Thread writer = new Thread(() -> {
            long seq = 0;
            while (!stop.get()) {
                int len = 16 + (int) (seq % 7) * 9;
                r.write(payload(2, 2, seq, len), 0, len);
                seq++;
            }
        });
        writer.start();
        try {
            while (r.entriesWritten() < 2000) {
                Thread.onSpinWait();
            }
            EventCursor c = new EventCursor();
            int snapshots = 0;
            long events = 0;
            long deadline = System.nanoTime() + 1_500_000_000L;
            while (snapshots < 300 && System.nanoTime() < deadline) {
                RingSnapshot s = r.snapshot();
                long prevSeq = -1;
                long prevTs = Long.MIN_VALUE;
                while (s.next(c)) {
                    long seq = seqOf(c);
                    checkPayload(c.data, c.offset, c.length, 16 + (int) (seq % 7) * 9);
                    assertTrue(c.timestamp >= prevTs, "timestamps never go back");
                    if (prevSeq >= 0 && seq != prevSeq + 1) {
                        assertTrue(seq > prevSeq, "order");
                        assertEquals(-1, c.lostEvents, "a gap is marked as lost events");
                    }
                    prevSeq = seq;
                    prevTs = c.timestamp;
                    events++;
                }
                snapshots++;
            }
            assertTrue(snapshots > 0 && events > 0);
        } finally {
            stop.set(true);
            writer.join();
        }
    }

    @Test
    void resizeKeepsNewestData() {
        FakeClock clk = new FakeClock(1, 1);
        RingBuffer r = ring(16, true, clk);
        for (int i = 0; i < 600; i++) { // 10 pages of 60
            r.write(payload(2, 2, i, 64), 0, 64);
        }
        assertEquals(600, r.entries());
        long seqBefore = r.writePageSeq();
        r.resize(4); // nr_pages 4: the tail page (page 9, full, the writer on it) + 3 older
        assertEquals(4, r.nrPages());
        assertEquals(seqBefore, r.writePageSeq(), "sequence numbers are kept");
        assertEquals(240, r.entries());
        assertEquals(360, r.overrun());
        assertEquals(240 * 68, r.bytes());
        EventCursor c = new EventCursor();
        assertTrue(r.peek(c));
        assertEquals(360, seqOf(c));
        assertEquals(360, c.lostEvents);
        r.consume();
        // writing goes on; the ring now keeps 3 full pages besides the tail page, and one more
        // since the reader is on a page (the kernel's reader page: it would hold the rest of page
        // 6 there, where this ring drops the page under the reader and keeps the next one)
        for (int i = 600; i < 2000; i++) {
            r.write(payload(2, 2, i, 64), 0, 64);
        }
        assertEquals(4 * 60 + (2000 % 60), r.entries());
        // growing keeps everything
        long entries = r.entries();
        r.resize(64);
        assertEquals(entries, r.entries());
        for (int i = 2000; i < 4000; i++) {
            r.write(payload(2, 2, i, 64), 0, 64);
        }
        assertEquals(entries + 2000, r.entries());
        long first = -1;
        long prev = -1;
        int n = 0;
        while (r.peek(c)) {
            long s = seqOf(c);
            if (first < 0) {
                first = s;
            } else {
                assertEquals(prev + 1, s);
            }
            prev = s;
            n++;
            r.consume();
        }
        assertEquals(3999, prev);
        assertEquals(entries + 2000, n);
        assertThrows(IllegalArgumentException.class, () -> r.resize(1));
    }

    @Test
    void resetAndSequenceNumbers() {
        FakeClock clk = new FakeClock(1_000, 1);
        RingBuffer r = ring(4, true, clk);
        for (int i = 0; i < 200; i++) {
            r.write(payload(2, 2, i, 64), 0, 64);
        }
        long seq = r.writePageSeq();
        assertEquals(3, seq);
        assertEquals(0, r.oldestPageSeq());
        byte[] p = new byte[4096];
        assertEquals(4096, r.copyPage(1, p));
        assertEquals(1_060L, PageFormat.getLong(p, 0));
        r.reset();
        assertEquals(seq + 1, r.writePageSeq(), "a reset never goes back");
        assertEquals(seq + 1, r.oldestPageSeq());
        assertEquals(-1, r.copyPage(1, p));
        assertEquals(-1, r.copyPage(seq, p));
        assertEquals(4096, r.copyPage(seq + 1, p));
        assertEquals(0L, PageFormat.getLong(p, 8));
        assertEquals(0, r.entries());
        assertEquals(0, r.overrun());
        assertEquals(0, r.bytes());
        assertEquals(0, r.readEvents());
        assertEquals(0, r.oldestEventTs());
        assertTrue(r.isEmpty());
        assertEquals(-1, r.copyPage(seq + 2, p));
        clk.now = 5_000;
        r.write(payload(2, 2, 0, 64), 0, 64);
        assertEquals(5_000, r.oldestEventTs());
        EventCursor c = new EventCursor();
        assertTrue(r.peek(c));
        assertEquals(0, c.lostEvents);
    }

    @Test
    void oldestEventTsFollowsTheHeadPage() {
        FakeClock clk = new FakeClock(1_000, 1);
        RingBuffer r = ring(4, true, clk);
        assertEquals(0, r.oldestEventTs());
        for (int i = 0; i < 130; i++) {
            r.write(payload(2, 2, i, 64), 0, 64);
        }
        assertEquals(1_000, r.oldestEventTs());
        byte[] dst = new byte[4096];
        r.readPage(dst);
        assertEquals(1_060, r.oldestEventTs());
        r.readPage(dst);
        r.readPage(dst);
        assertTrue(r.isEmpty());
        assertEquals(1_120, r.oldestEventTs(), "kept after everything was read");
        assertEquals(2, r.oldestPageSeq());
        assertEquals(2, r.writePageSeq());
    }

    @Test
    void subbufSizeChangeLosesContent() {
        FakeClock clk = new FakeClock(1, 1);
        RingBuffer r = ring(354, true, clk);
        for (int i = 0; i < 100; i++) {
            r.write(payload(2, 2, i, 64), 0, 64);
        }
        long seq = r.writePageSeq();
        r.setSubbufSize(8192);
        assertEquals(8192, r.subbufSize());
        assertEquals(177, r.nrPages(), "ceil(354 * 4080 / 8176)");
        assertEquals(0, r.entries());
        assertTrue(r.isEmpty());
        assertTrue(r.writePageSeq() > seq);
        assertTrue(r.write(payload(2, 2, 0, 8000), 0, 8000));
        byte[] p = new byte[8192];
        assertEquals(8192, r.copyPage(r.writePageSeq(), p));
        assertEquals(8008L, PageFormat.getLong(p, 8));
        r.setSubbufSize(4096);
        assertEquals(355, r.nrPages(), "ceil(177 * 8176 / 4080): the kernel's rounding drifts too");
        assertThrows(IllegalArgumentException.class, () -> r.setSubbufSize(5000));
    }

    @Test
    void clockChangeStartsANewSubBuffer() {
        RingBuffer r = new RingBuffer(0, 4096, 4, true, TraceClock.LOCAL);
        r.write(payload(2, 2, 0, 64), 0, 64);
        r.write(payload(2, 2, 1, 64), 0, 64);
        long seq = r.writePageSeq();
        r.setClock(TraceClock.TAI);
        assertEquals(TraceClock.TAI, r.clock());
        r.write(payload(2, 2, 2, 64), 0, 64);
        assertEquals(seq + 1, r.writePageSeq());
        EventCursor c = new EventCursor();
        List<Long> ts = new ArrayList<>();
        while (r.peek(c)) {
            ts.add(c.timestamp);
            r.consume();
        }
        assertEquals(3, ts.size());
        assertTrue(ts.get(2) > 1_000_000_000_000_000_000L, "TAI stamps since the epoch");
        assertTrue(ts.get(1) < 1_000_000_000_000_000_000L);
    }
}
