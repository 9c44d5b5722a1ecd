package io.ringtrace.protocol.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringtrace.protocol.TraceClock;
import io.ringtrace.protocol.event.EventRegistry;
import io.ringtrace.protocol.event.EventType;
import io.ringtrace.protocol.event.SavedCmdlines;
import io.ringtrace.protocol.ring.RingBuffer;
import io.ringtrace.protocol.ring.RingSnapshot;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.Test;

/**
 * The incremental {@code trace} renderer ({@link TraceFile.Reader}): whatever the read sizes, the
 * bytes are those of the whole text at once; a read returns exactly its count until the end; the
 * rings may go on recording (and wrap) while the reader is open without changing what it returns.
 */
class TraceFileReaderTest {

    private final EventRegistry registry = EventRegistry.createDefault();
    private final SavedCmdlines cmd = new SavedCmdlines();
    private final EventType sw = registry.find("sched", "sched_switch");
    private final EventType wakeup = registry.find("sched", "sched_wakeup");

    /** Three rings; CPU 1 is small and wraps (overrun: annotations); markers up to 3000 bytes. */
    private RingBuffer[] record(long seed, int events) {
        cmd.save(15, "rcu_preempt");
        cmd.save(4242, "kworker/0:1");
        Random rnd = new Random(seed);
        RingBuffer[] rings = new RingBuffer[3];
        for (int c = 0; c < rings.length; c++) {
            rings[c] = new RingBuffer(c, 4096, c == 1 ? 3 : 64, true, TraceClock.LOCAL);
        }
        for (int i = 0; i < events; i++) {
            write(rings[rnd.nextInt(rings.length)], rnd, i);
        }
        return rings;
    }

    private void write(RingBuffer ring, Random rnd, int i) {
        int pid = new int[] {0, 15, 4242, 77}[rnd.nextInt(4)];
        byte[] p;
        switch (rnd.nextInt(4)) {
            case 0: {
                int len = rnd.nextInt(10) == 0 ? 500 + rnd.nextInt(2500) : rnd.nextInt(40);
                byte[] text = new byte[len];
                for (int k = 0; k < len; k++) {
                    text[k] = (byte) ('a' + (i + k) % 26);
                }
                p = Payloads.marker(pid, text);
                break;
            }
            case 1:
                p = Payloads.event(sw, pid, rnd.nextInt(256), rnd.nextInt(256), "prev" + i, pid, 120, (long) rnd.nextInt(300),
                        "next" + i, i, 120);
                break;
            case 2:
                p = Payloads.event(wakeup, pid, 0x09, 3, "w" + i, i, 120, rnd.nextInt(4));
                break;
            default:
                p = Payloads.raw(pid, new byte[] {1, 2, 3, 4, (byte) i, 6, 7});
                break;
        }
        ring.write(p, 0, p.length);
    }

    private static List<RingSnapshot> snapshots(RingBuffer[] rings) {
        List<RingSnapshot> s = new ArrayList<>();
        for (RingBuffer r : rings) {
            s.add(r.snapshot());
        }
        return s;
    }

    private TraceFormatter formatter(TraceOptions o) {
        return new TraceFormatter(registry, cmd, TraceClock.LOCAL, o);
    }

    /** Reads to the end with sizes from {@code sizes}; checks every read returns exactly its count but the last. */
    private static byte[] readInPieces(TraceFile.Reader r, IntSupplier sizes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        boolean ended = false;
        while (true) {
            int count = sizes.getAsInt();
            byte[] b = r.read(count);
            if (b.length == 0) {
                break;
            }
            assertTrue(!ended, "data after a short read");
            assertTrue(b.length <= count);
            ended = b.length < count;
            out.write(b, 0, b.length);
        }
        assertTrue(r.atEnd());
        assertEquals(0, r.read(4096).length, "EOF stays EOF");
        return out.toByteArray();
    }

    private static List<TraceOptions> optionSets() {
        List<TraceOptions> sets = new ArrayList<>();
        sets.add(TraceOptions.forInstance());
        for (TraceOption o : List.of(TraceOption.LATENCY_FORMAT, TraceOption.RAW, TraceOption.HEX, TraceOption.BIN,
                TraceOption.FIELDS, TraceOption.RECORD_TGID, TraceOption.PRINTK_MSG_ONLY)) {
            TraceOptions t = TraceOptions.forInstance();
            t.set(o, true);
            sets.add(t);
        }
        TraceOptions noContext = TraceOptions.forInstance();
        noContext.set(TraceOption.CONTEXT_INFO, false);
        sets.add(noContext);
        TraceOptions latVerbose = TraceOptions.forInstance();
        latVerbose.set(TraceOption.LATENCY_FORMAT, true);
        latVerbose.set(TraceOption.VERBOSE, true);
        sets.add(latVerbose);
        return sets;
    }

    @Test
    void anySequenceOfReadSizesGivesTheWholeText() {
        RingBuffer[] rings = record(7, 3000);
        for (TraceOptions o : optionSets()) {
            TraceFile.Info info = TraceFile.Info.of("nop", 3);
            byte[] whole = TraceFile.render(formatter(o), snapshots(rings), info);
            assertTrue(whole.length > 20_000, "a text of many reads");
            for (int size : new int[] {1, 2, 3, 7, 64, 100, 4095, 4096, 65536, 1 << 20, whole.length, whole.length + 1}) {
                byte[] pieces = readInPieces(TraceFile.open(formatter(o), snapshots(rings), info), () -> size);
                assertArrayEquals(whole, pieces, "read size " + size);
            }
            Random rnd = new Random(11);
            byte[] mixed = readInPieces(TraceFile.open(formatter(o), snapshots(rings), info),
                    () -> rnd.nextInt(4) == 0 ? 1 + rnd.nextInt(8) : 1 + rnd.nextInt(9000));
            assertArrayEquals(whole, mixed, "mixed read sizes");
        }
    }

    @Test
    void theHeaderComesFirstAndAZeroCountReadsNothing() {
        RingBuffer[] rings = record(3, 200);
        TraceFile.Reader r = TraceFile.open(formatter(TraceOptions.forInstance()), snapshots(rings), TraceFile.Info.of("nop", 3));
        assertEquals(0, r.read(0).length);
        String head = new String(r.read(64), StandardCharsets.US_ASCII);
        assertTrue(head.startsWith("# tracer: nop\n#\n# entries-in-buffer/entries-written: "), head);
        assertEquals(64, head.length());
    }

    @Test
    void anEmptyBufferIsTheHeaderAlone() {
        RingBuffer empty = new RingBuffer(0, 4096, 4, true, TraceClock.LOCAL);
        TraceFile.Reader r = TraceFile.open(formatter(TraceOptions.forInstance()), List.of(empty.snapshot()),
                TraceFile.Info.of("nop", 1));
        byte[] text = readInPieces(r, () -> 5);
        assertTrue(new String(text, StandardCharsets.US_ASCII)
                .startsWith("# tracer: nop\n#\n# entries-in-buffer/entries-written: 0/0   #P:1\n#\n"));
        TraceOptions lat = TraceOptions.forInstance();
        lat.set(TraceOption.LATENCY_FORMAT, true);
        assertEquals("# tracer: nop\n#\n", new String(readInPieces(TraceFile.open(formatter(lat),
                List.of(empty.snapshot()), TraceFile.Info.of("nop", 1)), () -> 3), StandardCharsets.US_ASCII));
    }

    @Test
    void recordingAndWrappingWhileOpenDoNotChangeWhatTheReaderReturns() {
        RingBuffer[] rings = record(5, 2000);
        TraceFile.Info info = TraceFile.Info.of("nop", 3);
        byte[] before = TraceFile.render(formatter(TraceOptions.forInstance()), snapshots(rings), info);
        TraceFile.Reader r = TraceFile.open(formatter(TraceOptions.forInstance()), snapshots(rings), info);
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        byte[] first = r.read(10_000);
        got.write(first, 0, first.length);
        // every ring goes round several times: the pages the reader's snapshot came from are reused
        Random rnd = new Random(99);
        for (int i = 0; i < 40_000; i++) {
            write(rings[i % 3], rnd, i);
        }
        rings[2].reset();
        byte[] rest = readInPieces(r, () -> 777);
        got.write(rest, 0, rest.length);
        assertArrayEquals(before, got.toByteArray());
    }

    @Test
    void commsAreResolvedAsLinesArePrinted() {
        RingBuffer ring = new RingBuffer(0, 4096, 8, true, TraceClock.LOCAL);
        cmd.save(31, "before");
        for (int i = 0; i < 40; i++) {
            byte[] p = Payloads.marker(31, ("m" + i).getBytes(StandardCharsets.US_ASCII));
            ring.write(p, 0, p.length);
        }
        TraceFile.Reader r = TraceFile.open(formatter(TraceOptions.forInstance()), List.of(ring.snapshot()),
                TraceFile.Info.of("nop", 1));
        String a = new String(r.read(1500), StandardCharsets.US_ASCII);
        cmd.save(31, "after");
        String b = new String(r.readAll(), StandardCharsets.US_ASCII);
        assertTrue(a.contains("          before-31      [000]"), a);
        assertTrue(!b.contains("before-31"), b);
        assertTrue(b.contains("           after-31      [000]"), b);
    }

    @Test
    void aFrozenFormatterKeepsTheOptionsOfTheMomentItWasMade() {
        RingBuffer[] rings = record(9, 500);
        TraceOptions live = TraceOptions.forInstance();
        TraceFormatter shared = formatter(live);
        TraceFile.Info info = TraceFile.Info.of("nop", 3);
        byte[] expected = TraceFile.render(formatter(TraceOptions.forInstance()), snapshots(rings), info);
        TraceFile.Reader r = TraceFile.open(shared.frozen(TraceClock.LOCAL), snapshots(rings), info);
        byte[] a = r.read(3000);
        live.set(TraceOption.RAW, true);
        shared.setClock(TraceClock.COUNTER);
        byte[] b = r.readAll();
        byte[] both = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        assertArrayEquals(expected, both);
    }
}
