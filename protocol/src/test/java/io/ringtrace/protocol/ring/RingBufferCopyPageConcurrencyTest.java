package io.ringtrace.protocol.ring;

import static io.ringtrace.protocol.ring.RingTestSupport.checkPayload;
import static io.ringtrace.protocol.ring.RingTestSupport.kbufferParse;
import static io.ringtrace.protocol.ring.RingTestSupport.payload;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringtrace.protocol.TraceClock;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link RingBuffer#copyPage} of pages the writer has left runs without the writer guard
 * (seqlock style). A writer wraps a small ring over and over while another thread copies every
 * page it can, a third resets and resizes now and then: every copy that succeeds is a whole,
 * consistent sub-buffer (its events parse up to the commit, each payload intact, numbers
 * consecutive), never a page torn by the writer recycling its slot; and the writer is not held up
 * by the copies.
 */
class RingBufferCopyPageConcurrencyTest {

    private static final int LEN = 40;

    private static void checkPage(byte[] page, String what) {
        long commit = PageFormat.getLong(page, PageFormat.COMMIT_OFFSET);
        int used = (int) (commit & PageFormat.COMMIT_MASK);
        assertTrue(used <= PageFormat.capacity(4096), what + ": commit " + commit);
        long prev = -1;
        for (RingTestSupport.RawEvent e : kbufferParse(page)) {
            if (e.length == 0 || PageFormat.getShort(page, e.offset) != 7) {
                continue; // padding
            }
            long n = checkPayload(page, e.offset, e.length, LEN);
            if (prev >= 0) {
                assertEquals(prev + 1, n, what + ": events of one page are consecutive");
            }
            prev = n;
        }
        for (int i = 16 + used; i < 4096; i++) {
            if (page[i] != 0) {
                throw new AssertionError(what + ": byte " + i + " after the commit is not zero");
            }
        }
    }

    @Test
    @Timeout(60)
    void copiesOfLeftPagesAreNeverTorn() throws Exception {
        RingBuffer r = new RingBuffer(0, 4096, 2, true, TraceClock.LOCAL);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicLong copied = new AtomicLong();
        AtomicLong gone = new AtomicLong();
        long deadline = System.nanoTime() + 3_000_000_000L;
        Thread writer = new Thread(() -> {
            try {
                long n = 0;
                while (System.nanoTime() < deadline && failure.get() == null) {
                    r.write(payload(7, 1, n++, LEN), 0, LEN);
                }
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
            }
        }, "writer");
        Thread copier = new Thread(() -> {
            byte[] page = new byte[3 * 4096];
            try {
                while (System.nanoTime() < deadline && failure.get() == null) {
                    long w = r.writePageSeq();
                    for (long s = Math.max(0, w - 4); s < w; s++) {
                        if (r.copyPage(s, page, 4096) > 0) {
                            byte[] one = java.util.Arrays.copyOfRange(page, 4096, 8192);
                            checkPage(one, "page " + s);
                            copied.incrementAndGet();
                        } else {
                            gone.incrementAndGet();
                        }
                    }
                }
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
            }
        }, "copier");
        Thread control = new Thread(() -> {
            try {
                int i = 0;
                while (System.nanoTime() < deadline && failure.get() == null) {
                    Thread.sleep(20);
                    if (i++ % 2 == 0) {
                        r.reset();
                    } else {
                        r.resize(2 + i % 4);
                    }
                }
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
            }
        }, "control");
        writer.start();
        copier.start();
        control.start();
        writer.join();
        copier.join();
        control.join();
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
        assertTrue(copied.get() > 1000, "pages copied: " + copied.get());
        assertTrue(gone.get() > 0, "some pages were recycled before their copy: " + gone.get());
    }
}
