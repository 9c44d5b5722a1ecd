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
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringtrace.protocol.TraceClock;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The consuming reader's reader page: events of a sub-buffer the writer has left are peeked and
 * consumed without the writer guard, while a producer keeps recording (and, in overwrite mode,
 * dropping the page under the reader).
 */
class RingBufferReaderPageTest {

    private static final int EVENTS = 400_000;

    private static int lengthFor(long n) {
        return 16 + (int) (n * 7 % 120);
    }

    /**
     * One producer writes {@link #EVENTS} numbered events while the caller's thread peeks and
     * consumes: every consumed event is newer than the one before (nothing twice, nothing out of
     * order, timestamps never go back), and at the end written = consumed + overrun.
     */
    private void producerAndConsumer(RingBuffer r) throws Exception {
        AtomicLong written = new AtomicLong();
        AtomicBoolean done = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread producer = new Thread(() -> {
            try {
                for (long n = 0; n < EVENTS; n++) {
                    int len = lengthFor(n);
                    byte[] p = payload(1, 7, n, len);
                    if (r.write(p, 0, len)) {
                        written.incrementAndGet();
                    }
                    if (n % 4096 == 0) {
                        Thread.yield(); // let the reader catch up to the tail page now and then
                    }
                }
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
            } finally {
                done.set(true);
            }
        });
        EventCursor c = new EventCursor();
        long consumed = 0;
        long peekedNotConsumed = 0;
        long lastSeq = -1;
        long lastTs = Long.MIN_VALUE;
        long lostReported = 0;
        producer.start();
        boolean finished = false;
        while (!finished) {
            finished = done.get();
            for (int i = 0; i < 1000 && r.peek(c); i++) {
                long seq = checkPayload(c.data, c.offset, c.length, lengthFor(seqOf(c)));
                assertTrue(seq > lastSeq, "event " + seq + " after " + lastSeq);
                assertTrue(c.timestamp >= lastTs, "timestamps go back");
                if (r.consumeEvent()) {
                    if (c.lostEvents > 0) {
                        // (a loss reported with an event whose consume failed is reported again)
                        lostReported += c.lostEvents;
                    }
                    consumed++;
                    lastSeq = seq;
                    lastTs = c.timestamp;
                } else {
                    // overwritten between peek and consume: counted in overrun, never read again
                    peekedNotConsumed++;
                    lastSeq = seq;
                }
            }
        }
        producer.join();
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
        while (r.peek(c)) {
            long seq = seqOf(c);
            assertTrue(seq > lastSeq);
            assertTrue(r.consumeEvent());
            lastSeq = seq;
            consumed++;
        }
        assertTrue(r.isEmpty());
        assertEquals(written.get(), r.entriesWritten());
        assertEquals(consumed, r.readEvents());
        assertEquals(0, r.entries());
        assertEquals(written.get(), consumed + r.overrun());
        assertTrue(peekedNotConsumed <= r.overrun());
        assertEquals(r.overrun(), lostReported); // every loss reported once, with the next event read
        assertEquals(EVENTS, written.get() + r.droppedEvents());
    }

    @Test
    @Timeout(60)
    void overwriteModeConcurrentConsumer() throws Exception {
        RingBuffer r = new RingBuffer(0, 4096, 2, true, TraceClock.LOCAL);
        producerAndConsumer(r);
        assertEquals(0, r.droppedEvents());
    }

    @Test
    @Timeout(60)
    void producerConsumerModeConcurrentConsumer() throws Exception {
        RingBuffer r = new RingBuffer(0, 4096, 4, false, TraceClock.LOCAL);
        producerAndConsumer(r);
        assertEquals(0, r.overrun());
    }

    /**
     * A reader that stops in the middle of a sub-buffer the writer has left leaves the rest of it
     * where it was: counted in the stats, shown by {@code trace}, returned to the next reader of
     * trace_pipe or trace_pipe_raw, each exactly once.
     */
    @Test
    void readerStoppingMidPageLeavesTheRest() {
        FakeClock clk = new FakeClock(1, 1);
        RingBuffer r = ring(8, true, clk);
        for (int i = 0; i < 150; i++) { // 60 per page: pages 0 and 1 are left, 30 on the tail
            assertTrue(r.write(payload(2, 2, i, 64), 0, 64));
        }
        EventCursor c = new EventCursor();
        for (int i = 0; i < 5; i++) {
            assertTrue(r.peek(c));
            assertEquals(i, seqOf(c));
            assertTrue(r.consumeEvent());
        }
        assertEquals(5, r.readEvents());
        assertEquals(145, r.entries());
        assertEquals(145 * 68, r.bytes());
        assertTrue(r.stats(0).contains("entries: 145\n"));
        assertTrue(r.stats(0).contains("read events: 5\n"));

        // trace shows the rest once, from the sixth event
        RingSnapshot snap = r.snapshot();
        long expect = 5;
        while (snap.next(c)) {
            assertEquals(expect++, seqOf(c));
        }
        assertEquals(150, expect);

        // a peek, the trace file, then the consume: still consumed once
        assertTrue(r.peek(c));
        assertEquals(5, seqOf(c));
        r.snapshot();
        assertTrue(r.consumeEvent());
        assertFalse(r.consumeEvent());
        assertEquals(6, r.readEvents());

        // the next reader (a new open of trace_pipe) continues with the seventh
        assertTrue(r.peek(c));
        assertEquals(6, seqOf(c));
        assertEquals(0, c.lostEvents);

        // trace_pipe_raw gets the rest of that page, then the next pages
        byte[] dst = new byte[4096];
        assertEquals(4096, r.readPage(dst));
        long seq = 6;
        for (RawEvent e : kbufferParse(dst)) {
            assertEquals(seq++, PageFormat.getLong(e.page, e.offset + 8));
        }
        assertEquals(60, seq);
        assertEquals(60, r.readEvents());
        assertEquals(90, r.entries());
        assertEquals(90 * 68, r.bytes());
        assertFalse(r.consumeEvent()); // the peek before readPage is gone
        assertTrue(r.peek(c));
        assertEquals(60, seqOf(c));
    }

    /** The writer drops the reader page under a reader in the middle of it (overwrite). */
    @Test
    void writerDropsTheReaderPage() {
        FakeClock clk = new FakeClock(1, 1);
        RingBuffer r = ring(2, true, clk);
        for (int i = 0; i < 120; i++) { // both pages full
            r.write(payload(2, 2, i, 64), 0, 64);
        }
        EventCursor c = new EventCursor();
        for (int i = 0; i < 20; i++) {
            assertTrue(r.peek(c));
            assertTrue(r.consumeEvent());
        }
        assertTrue(r.peek(c));
        assertEquals(20, seqOf(c));
        // page 0 is the reader page: one more page fits, then the writer needs page 0's slot
        for (int i = 120; i < 190; i++) {
            r.write(payload(2, 2, i, 64), 0, 64);
        }
        assertEquals(40, r.overrun());
        assertFalse(r.consumeEvent()); // event 20 was overwritten: it is overrun, not read
        assertEquals(20, r.readEvents());
        assertEquals(190 - 40 - 20, r.entries());
        assertTrue(r.peek(c));
        assertEquals(60, seqOf(c));
        assertEquals(40, c.lostEvents);
        assertTrue(r.consumeEvent());
        assertTrue(r.peek(c));
        assertEquals(0, c.lostEvents);
        assertEquals(61, seqOf(c));
    }
}
