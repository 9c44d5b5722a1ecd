package io.ringtrace.protocol.ring;

import static io.ringtrace.protocol.ring.RingTestSupport.FakeClock;
import static io.ringtrace.protocol.ring.RingTestSupport.checkPayload;
import static io.ringtrace.protocol.ring.RingTestSupport.kbufferParse;
import static io.ringtrace.protocol.ring.RingTestSupport.payload;
import static io.ringtrace.protocol.ring.RingTestSupport.ring;
import static io.ringtrace.protocol.ring.RingTestSupport.seqOf;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringtrace.protocol.TraceClock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** copyPage / writePageSeq / oldestPageSeq / restore (section 6.2). */
class RingBufferPersistenceTest {

    private static int lengthOf(long seq) {
        // small, medium, large (type_len 0) and near-page-size events
        switch ((int) (seq % 11)) {
            case 0:
                return 1500;
            case 1:
                return 113;
            case 2:
                return 16;
            default:
                return 16 + (int) (seq % 37) * 5;
        }
    }

    /** Writes n events with irregular sizes and gaps (some need a time extend). */
    private static void record(RingBuffer r, FakeClock clk, long from, int n) {
        for (long i = from; i < from + n; i++) {
            clk.now += (i % 17 == 0) ? (1L << 28) + i : 100 + i % 50;
            int len = lengthOf(i);
            assertTrue(r.write(payload(7, 77, i, len), 0, len));
        }
    }

    private static List<byte[]> saveAll(RingBuffer r) {
        List<byte[]> pages = new ArrayList<>();
        for (long s = r.oldestPageSeq(); s <= r.writePageSeq(); s++) {
            byte[] p = new byte[r.subbufSize()];
            assertEquals(r.subbufSize(), r.copyPage(s, p));
            pages.add(p);
        }
        return pages;
    }

    private static List<long[]> readAll(RingBuffer r) {
        List<long[]> out = new ArrayList<>();
        EventCursor c = new EventCursor();
        while (r.peek(c)) {
            long seq = seqOf(c);
            checkPayload(c.data, c.offset, c.length, lengthOf(seq));
            out.add(new long[] {seq, c.timestamp, c.lostEvents, c.length});
            r.consume();
        }
        return out;
    }

    @Test
    void roundTrip() {
        FakeClock clk = new FakeClock(1_000_000);
        RingBuffer r = ring(8, true, clk);
        record(r, clk, 0, 120);
        assertEquals(0, r.overrun());
        List<byte[]> pages = saveAll(r);
        long entries = r.entries();
        long bytes = r.bytes();
        RingSnapshot snap = r.snapshot();
        List<long[]> expected = new ArrayList<>();
        EventCursor c = new EventCursor();
        while (snap.next(c)) {
            expected.add(new long[] {seqOf(c), c.timestamp, c.lostEvents, c.length});
        }
        assertEquals(120, expected.size());

        RingBuffer back = new RingBuffer(0, 4096, 8, true, TraceClock.LOCAL);
        assertEquals(0, back.restore(pages));
        assertEquals(entries, back.entries());
        assertEquals(bytes, back.bytes());
        assertEquals(0, back.overrun());
        assertEquals(0, back.readEvents());
        assertEquals(pages.size(), back.writePageSeq() - back.oldestPageSeq());
        // the restored pages are byte for byte the saved ones
        List<byte[]> again = new ArrayList<>();
        for (long s = back.oldestPageSeq(); s < back.writePageSeq(); s++) {
            byte[] p = new byte[4096];
            assertEquals(4096, back.copyPage(s, p));
            again.add(p);
        }
        for (int i = 0; i < pages.size(); i++) {
            assertArrayEquals(pages.get(i), again.get(i), "page " + i);
        }
        List<long[]> got = readAll(back);
        assertEquals(expected.size(), got.size());
        for (int i = 0; i < got.size(); i++) {
            assertArrayEquals(expected.get(i), got.get(i), "event " + i);
        }
        // the restored ring goes on recording after the restored pages
        long seqAfter = back.writePageSeq();
        back.setTimeSource(clk);
        record(back, clk, 1000, 5);
        assertEquals(seqAfter, back.writePageSeq());
        assertEquals(5, readAll(back).size());
    }

    @Test
    void incrementalSaveOfPagesBelowTheWriter() {
        FakeClock clk = new FakeClock(1_000);
        RingBuffer r = ring(16, true, clk);
        List<byte[]> saved = new ArrayList<>();
        long nextToSave = r.oldestPageSeq();
        for (int round = 0; round < 20; round++) {
            record(r, clk, round * 10L, 10);
            // pages below writePageSeq are final: save each once
            for (; nextToSave < r.writePageSeq(); nextToSave++) {
                byte[] p = new byte[4096];
                assertEquals(4096, r.copyPage(nextToSave, p));
                saved.add(p);
            }
        }
        byte[] tail = new byte[4096];
        r.copyPage(r.writePageSeq(), tail);
        saved.add(tail);
        // a saved page did not change afterwards
        for (int i = 0; i < saved.size() - 1; i++) {
            byte[] now = new byte[4096];
            assertEquals(4096, r.copyPage(i, now));
            assertArrayEquals(saved.get(i), now);
        }
        RingBuffer back = new RingBuffer(0, 4096, 16, true, TraceClock.LOCAL);
        assertEquals(0, back.restore(saved));
        List<long[]> got = readAll(back);
        assertEquals(200, got.size());
        for (int i = 0; i < 200; i++) {
            assertEquals(i, got.get(i)[0]);
        }
    }

    @Test
    void copyPageOfPagesGone() {
        FakeClock clk = new FakeClock(1_000, 10);
        RingBuffer r = ring(2, true, clk);
        for (int i = 0; i < 300; i++) {
            r.write(payload(2, 2, i, 64), 0, 64);
        }
        byte[] p = new byte[4096];
        assertEquals(3, r.oldestPageSeq()); // nr_pages 2: pages 3 and 4 (the tail) are live
        assertEquals(-1, r.copyPage(0, p), "overwritten");
        assertEquals(-1, r.copyPage(2, p), "overwritten");
        assertEquals(-1, r.copyPage(5, p), "not written yet");
        assertEquals(4096, r.copyPage(3, p));
        byte[] dst = new byte[4096];
        r.readPage(dst);
        assertEquals(-1, r.copyPage(3, p), "consumed");
        assertEquals(4, r.oldestPageSeq());
    }

    @Test
    void corruptedPagesBecomeLostEventMarks() {
        FakeClock clk = new FakeClock(1_000_000);
        RingBuffer r = ring(8, true, clk);
        record(r, clk, 0, 100);
        List<byte[]> pages = saveAll(r);
        assertTrue(pages.size() >= 5);
        int bad = 2;
        List<RingTestSupport.RawEvent> lostEvents = kbufferParse(pages.get(bad));
        long firstAfter = kbufferParse(pages.get(bad + 1)).get(0).seq();
        long prevTs = PageFormat.getLong(pages.get(bad - 1), 0);
        // 1: commit beyond the capacity
        PageFormat.putLong(pages.get(bad), 8, 5000);

        RingBuffer back = new RingBuffer(0, 4096, 8, true, TraceClock.LOCAL);
        assertEquals(1, back.restore(pages));
        assertEquals(100 - lostEvents.size(), back.entries());
        long badSeq = back.oldestPageSeq() + bad;
        byte[] p = new byte[4096];
        assertEquals(4096, back.copyPage(badSeq, p));
        assertEquals(PageFormat.MISSED_EVENTS, PageFormat.getLong(p, 8));
        assertEquals(prevTs, PageFormat.getLong(p, 0), "time_stamp from a neighbour");
        List<long[]> got = readAll(back);
        assertEquals(100 - lostEvents.size(), got.size());
        for (long[] e : got) {
            if (e[0] == firstAfter) {
                assertEquals(-1, e[2], "the first event after the page discarded reports lost events");
            } else {
                assertEquals(0, e[2]);
            }
        }
        // readPage sees the mark as well
        RingBuffer back2 = new RingBuffer(0, 4096, 8, true, TraceClock.LOCAL);
        List<byte[]> copy = new ArrayList<>(pages);
        back2.restore(copy);
        byte[] dst = new byte[4096];
        for (int i = 0; i < bad; i++) {
            assertEquals(4096, back2.readPage(dst));
            assertEquals(0, PageFormat.getLong(dst, 8) & PageFormat.MISSED_EVENTS);
        }
        assertEquals(4096, back2.readPage(dst));
        assertEquals(PageFormat.MISSED_EVENTS, PageFormat.getLong(dst, 8) & ~PageFormat.COMMIT_MASK);
        assertEquals(firstAfter, kbufferParse(dst).get(0).seq());

        // saving the restored ring keeps the mark, and it is not counted as invalid again
        RingBuffer back3 = new RingBuffer(0, 4096, 8, true, TraceClock.LOCAL);
        List<byte[]> markOnly = new ArrayList<>();
        markOnly.add(p);
        markOnly.addAll(pages.subList(bad + 1, pages.size()));
        assertEquals(0, back3.restore(markOnly));
        EventCursor c = new EventCursor();
        assertTrue(back3.peek(c));
        assertEquals(-1, c.lostEvents);
        assertEquals(firstAfter, seqOf(c));
    }

    @Test
    void validationRules() {
        FakeClock clk = new FakeClock(1_000_000);
        RingBuffer r = ring(8, true, clk);
        record(r, clk, 0, 60);
        List<byte[]> good = saveAll(r);
        int n = good.size();

        // events running past the commit: a type_len 0 event claiming a huge length
        assertEquals(1, corruptAndRestore(good, 1, p -> {
            PageFormat.putInt(p, 16, 0);
            PageFormat.putInt(p, 20, 100_000);
        }));
        // a null padding inside the commit
        assertEquals(1, corruptAndRestore(good, 1, p -> PageFormat.putInt(p, 16, 29)));
        // flags outside MISSED_EVENTS/MISSED_STORED
        assertEquals(1, corruptAndRestore(good, 1, p -> PageFormat.putLong(p, 8,
                PageFormat.getLong(p, 8) | (1L << 40))));
        // commit cutting an event in two
        assertEquals(1, corruptAndRestore(good, 1, p -> PageFormat.putLong(p, 8,
                PageFormat.getLong(p, 8) - 4)));
        // a page whose time_stamp goes back before its predecessor's last event
        assertEquals(1, corruptAndRestore(good, 2, p -> PageFormat.putLong(p, 0, 5)));
        // a page of the wrong size
        List<byte[]> wrong = new ArrayList<>(good);
        wrong.set(1, Arrays.copyOf(good.get(1), 2048));
        assertEquals(1, new RingBuffer(0, 4096, 8, true, TraceClock.LOCAL).restore(wrong));
        // an absolute stamp going forwards is fine (type 31 replaces the running time) ...
        RingBuffer ab = new RingBuffer(0, 4096, 8, true, TraceClock.LOCAL);
        assertEquals(0, ab.restore(List.of(absPage(1000, 5000))));
        EventCursor c = new EventCursor();
        assertTrue(ab.peek(c));
        assertEquals(5007, c.timestamp);
        // ... going backwards it is not
        assertEquals(1, ab.restore(List.of(absPage(1000, 900))));
        assertTrue(ab.isEmpty());
        // an absolute stamp keeps the top bits of the running time (rb_fix_abs_ts)
        long high = (3L << 59) + 10_000;
        assertEquals(0, ab.restore(List.of(absPage(high, 20_000))));
        assertTrue(ab.peek(c));
        assertEquals((3L << 59) + 20_007, c.timestamp);
        // more pages than the ring holds: the newest are kept
        RingBuffer small = new RingBuffer(0, 4096, 2, true, TraceClock.LOCAL);
        assertEquals(0, small.restore(good));
        assertEquals(2, small.writePageSeq() - small.oldestPageSeq());
        assertTrue(small.peek(c));
        assertEquals(kbufferParse(good.get(n - 2)).get(0).seq(), seqOf(c));
        // an empty list empties the ring
        assertEquals(0, small.restore(new ArrayList<>()));
        assertTrue(small.isEmpty());
    }

    /** A page at {@code pageTs} holding an absolute stamp {@code abs} then a 16-byte event of delta 7. */
    private static byte[] absPage(long pageTs, long abs) {
        byte[] p = new byte[4096];
        PageFormat.putLong(p, 0, pageTs);
        PageFormat.putInt(p, 16, 31 | (int) ((abs & PageFormat.TIME_DELTA_MAX) << 5));
        PageFormat.putInt(p, 20, (int) ((abs & ((1L << 59) - 1)) >>> 27));
        PageFormat.putInt(p, 24, 4 | (7 << 5));
        System.arraycopy(payload(1, 1, 0, 16), 0, p, 28, 16);
        PageFormat.putLong(p, 8, 28);
        return p;
    }

    private interface Corruption {
        void apply(byte[] page);
    }

    private static int corruptAndRestore(List<byte[]> good, int index, Corruption c) {
        List<byte[]> pages = new ArrayList<>();
        for (byte[] p : good) {
            pages.add(p.clone());
        }
        c.apply(pages.get(index));
        RingBuffer back = new RingBuffer(0, 4096, 8, true, TraceClock.LOCAL);
        int invalid = back.restore(pages);
        // whatever was discarded, what remains reads back cleanly
        readAll(back);
        return invalid;
    }
}
