package io.ringtrace.protocol.ring;

import static io.ringtrace.protocol.ring.RingTestSupport.checkPayload;
import static io.ringtrace.protocol.ring.RingTestSupport.kbufferParse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringtrace.protocol.TraceClock;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Several producer threads on one ring, with a consuming reader running at the same time. */
class RingBufferConcurrencyTest {

    private static final int THREADS = 4;
    private static final int PER_THREAD = 100_000;

    private static int lengthFor(int thread, long n) {
        return 16 + (int) ((n * 7 + thread * 13) % 150);
    }

    /** Payload: type = thread, pid = thread, u64 per-thread sequence, pattern bytes. */
    private static void fill(byte[] page, int off, int thread, long n, int len) {
        PageFormat.putShort(page, off, thread);
        page[off + 2] = 0x01;
        page[off + 3] = 0x02;
        PageFormat.putInt(page, off + 4, thread);
        PageFormat.putLong(page, off + 8, n);
        for (int i = 16; i < len; i++) {
            page[off + i] = (byte) (n * 31 + i);
        }
    }

    private static final class Result {
        long consumed;
        long consumedLost;
        boolean discarding = true;
        final long[] lastSeq = new long[THREADS];

        Result() {
            java.util.Arrays.fill(lastSeq, -1);
        }
    }

    private Result run(RingBuffer r, boolean pages) throws Exception {
        AtomicLong attempts = new AtomicLong();
        AtomicLong recorded = new AtomicLong();
        AtomicLong discarded = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch start = new CountDownLatch(1);
        Thread[] writers = new Thread[THREADS];
        for (int t = 0; t < THREADS; t++) {
            final int thread = t;
            writers[t] = new Thread(() -> {
                try {
                    start.await();
                    for (long n = 0; n < PER_THREAD; n++) {
                        int len = lengthFor(thread, n);
                        attempts.incrementAndGet();
                        int off = r.reserve(len);
                        if (off < 0) {
                            continue;
                        }
                        fill(r.writePage(), off, thread, n, len);
                        if (n % 97 == 0) {
                            r.discard(); // filtered out: never seen, never counted
                            discarded.incrementAndGet();
                        } else {
                            r.commit();
                            recorded.incrementAndGet();
                        }
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            });
            writers[t].start();
        }
        Result res = new Result();
        start.countDown();
        EventCursor c = new EventCursor();
        byte[] dst = new byte[4096];
        boolean done = false;
        while (!done) {
            done = true;
            for (Thread w : writers) {
                done &= !w.isAlive();
            }
            if (pages) {
                while (r.readPage(dst) > 0) {
                    long commit = PageFormat.getLong(dst, 8);
                    if ((commit & PageFormat.MISSED_STORED) != 0) {
                        res.consumedLost += PageFormat.getLong(dst, 16 + (int) (commit & PageFormat.COMMIT_MASK));
                    }
                    long prevTs = Long.MIN_VALUE;
                    for (RingTestSupport.RawEvent e : kbufferParse(dst)) {
                        assertTrue(e.ts >= prevTs);
                        prevTs = e.ts;
                        check(res, e.page, e.offset, e.length);
                    }
                }
            } else {
                for (int i = 0; i < 5000 && r.peek(c); i++) {
                    if (c.lostEvents > 0) {
                        res.consumedLost += c.lostEvents;
                    }
                    check(res, c.data, c.offset, c.length);
                    r.consume();
                }
            }
            Thread.yield();
        }
        for (Thread w : writers) {
            w.join();
        }
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
        assertEquals((long) THREADS * PER_THREAD, attempts.get());
        // every attempt is recorded, dropped or discarded
        assertEquals(attempts.get(), recorded.get() + r.droppedEvents() + discarded.get());
        assertEquals(recorded.get(), r.entriesWritten());
        // and every recorded event is in the buffer, was overwritten or was read
        assertEquals(recorded.get(), r.entries() + r.overrun() + r.readEvents());
        if (pages) {
            assertEquals(res.consumed, r.readEvents());
        } else {
            // a peeked event overwritten before its consume() is not consumed (it is overrun)
            assertTrue(res.consumed >= r.readEvents());
        }
        return res;
    }

    private static void check(Result res, byte[] data, int offset, int length) {
        int thread = PageFormat.getShort(data, offset);
        assertTrue(thread >= 0 && thread < THREADS, "thread id");
        assertEquals(thread, PageFormat.getInt(data, offset + 4));
        long n = PageFormat.getLong(data, offset + 8);
        assertTrue(!res.discarding || n % 97 != 0, "a discarded event was read");
        checkPayload(data, offset, length, lengthFor(thread, n));
        assertTrue(n > res.lastSeq[thread], "per-thread order");
        res.lastSeq[thread] = n;
        res.consumed++;
    }

    @Test
    @Timeout(60)
    void overwriteModeWithConsumer() throws Exception {
        RingBuffer r = new RingBuffer(0, 4096, 8, true, TraceClock.LOCAL);
        Result res = run(r, false);
        assertEquals(0, r.droppedEvents());
        // what was not read at the end is still there
        assertEquals(r.readEvents() + r.entries() + r.overrun(), r.entriesWritten());
        assertTrue(res.consumed > 0);
    }

    @Test
    @Timeout(60)
    void producerConsumerModeWithPageReader() throws Exception {
        RingBuffer r = new RingBuffer(0, 4096, 4, false, TraceClock.LOCAL);
        Result res = run(r, true);
        assertEquals(0, r.overrun());
        assertEquals(0, res.consumedLost);
        assertEquals(res.consumed + r.entries(), r.entriesWritten());
    }

    @Test
    @Timeout(60)
    void overwriteModeWithPageReaderAndBigRing() throws Exception {
        RingBuffer r = new RingBuffer(0, 4096, 64, true, TraceClock.LOCAL);
        Result res = run(r, true);
        assertTrue(res.consumedLost <= r.overrun());
    }

    @Test
    @Timeout(60)
    void writersOnlyThenDrain() throws Exception {
        // nobody reads during the run: the ring must hold exactly the newest pages
        RingBuffer r = new RingBuffer(0, 4096, 2048, true, TraceClock.LOCAL);
        Thread[] writers = new Thread[THREADS];
        for (int t = 0; t < THREADS; t++) {
            final int thread = t;
            writers[t] = new Thread(() -> {
                byte[] buf = new byte[200];
                for (long n = 0; n < PER_THREAD; n++) {
                    int len = lengthFor(thread, n);
                    fill(buf, 0, thread, n, len);
                    r.write(buf, 0, len);
                }
            });
            writers[t].start();
        }
        for (Thread w : writers) {
            w.join();
        }
        assertEquals((long) THREADS * PER_THREAD, r.entriesWritten());
        Result res = new Result();
        res.discarding = false;
        RingSnapshot snap = r.snapshot();
        EventCursor c = new EventCursor();
        long prevTs = Long.MIN_VALUE;
        while (snap.next(c)) {
            assertTrue(c.timestamp >= prevTs);
            prevTs = c.timestamp;
            check(res, c.data, c.offset, c.length);
        }
        assertEquals(r.entries(), res.consumed);
        assertEquals(r.entriesWritten(), r.entries() + r.overrun());
    }
}
