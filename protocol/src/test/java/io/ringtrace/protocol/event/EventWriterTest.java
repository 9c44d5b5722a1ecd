package io.ringtrace.protocol.event;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringtrace.protocol.TraceClock;
import io.ringtrace.protocol.ring.TraceBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * An {@link EventWriter} records exactly what its recorder's one-call {@code record} records, and
 * takes the same decisions while the instances change under it: two identical worlds (registry,
 * two instances, the same event types registered in the same order) get the same control writes;
 * one records through writers, the other through the recorder, and every CPU ring of every
 * instance must hold the same payloads.
 */
class EventWriterTest {

    /** A registry with the test's event types and two instances of two CPUs. */
    private static final class World {
        final EventRegistry registry = EventRegistry.createDefault();
        // every size, a hole before the s64 and padding at the end
        final EventType numbers = registry.define("app", "numbers").u8("a").u16("b").u32("c").s64("d").u8("e").register();
        final EventType pair = registry.define("app", "pair").u32("cpu").s64("value").register();
        final EventType text = registry.define("app", "text").u32("n").string("msg").register();
        final TraceBuffer buf0 = new TraceBuffer(2, 4096, 16, true, TraceClock.LOCAL);
        final TraceBuffer buf1 = new TraceBuffer(2, 4096, 16, true, TraceClock.LOCAL);
        final EventSet in0 = new EventSet(registry, buf0, new ErrorLog());
        final EventSet in1 = new EventSet(registry, buf1, new ErrorLog());

        List<byte[]> payloads(TraceBuffer b, int cpu) {
            return InPlaceRecordTest.consumePayloads(b.cpu(cpu));
        }
    }

    /** What one world does to its instances between two batches of events. */
    private interface Step {
        void apply(World w) throws Exception;
    }

    /** Records one batch: through writers (mirror = false) or through the recorder (true). */
    private static int batch(World w, EventRecorder rec, EventWriter numbers, EventWriter pair, boolean recorder, int from,
            int phase) {
        int written = 0;
        for (int i = from; i < from + 40; i++) {
            // two batches on one CPU: the writer caches one CPU's ring, and a step must find it cached
            // (phase 0: the CPU changes at even steps, 40: at odd ones); CPU 2 wraps to CPU 0
            int cpu = ((i + phase) / 80) % 3;
            long a = i % 7;
            boolean ok;
            switch (i % 5) {
                case 0:
                    ok = recorder ? rec.record(w.numbers, cpu, a) : numbers.recordOn(cpu, a);
                    break;
                case 1:
                    ok = recorder ? rec.record(w.numbers, cpu, a, 0x1_0000 + i) : numbers.recordOn(cpu, a, 0x1_0000 + i);
                    break;
                case 2:
                    ok = recorder ? rec.record(w.numbers, cpu, a, i, -1L) : numbers.recordOn(cpu, a, i, -1L);
                    break;
                case 3:
                    ok = recorder ? rec.record(w.numbers, cpu, a, i, 1L << 33 | i, -i) : numbers.recordOn(cpu, a, i, 1L << 33 | i, -i);
                    break;
                default:
                    ok = recorder ? rec.record(w.pair, cpu, cpu, i) : pair.recordOn(cpu, cpu, i);
                    break;
            }
            written += ok ? 1 : 0;
        }
        return written;
    }

    @Test
    void writersTakeTheRecordersDecisionsWhileInstancesChange() throws Exception {
        scenario(0);
        scenario(40);
    }

    private static void scenario(int phase) throws Exception {
        List<Step> steps = List.of(
                w -> w.in0.file(w.numbers).writeEnable("1"),                 // one instance: in place
                w -> w.in0.file(w.pair).writeEnable("1"),
                w -> w.in0.file(w.numbers).writeFilter("a != 3"),             // a filter: the recorder
                w -> w.in0.file(w.numbers).writeFilter("0"),                  // cleared: in place again
                w -> w.buf0.setTracingOn(false),                               // nothing written
                w -> w.buf0.setTracingOn(true),
                w -> w.buf0.cpu(1).setRecordOn(false),                         // CPU 1 off
                w -> w.buf0.cpu(1).setRecordOn(true),
                w -> w.in1.file(w.numbers).writeEnable("1"),                  // two instances
                w -> w.in0.file(w.numbers).writeEnable("0"),                  // the other instance alone
                w -> w.in1.writeSetEventPid("424242"),                         // a pid list without us
                w -> w.in1.writeSetEventPid(""),
                w -> w.in1.file(w.pair).writeTrigger("disable_event:app:numbers"), // soft-disables from the producer
                w -> { },                                                      // (fired by the batch before)
                w -> w.in1.file(w.pair).writeTrigger("!disable_event:app:numbers"),
                w -> w.in1.file(w.numbers).writeEnable("1"),
                w -> w.in1.file(w.numbers).writeEnable("0"),                  // none
                w -> w.in0.file(w.numbers).writeEnable("1"));

        World viaWriters = new World();
        World viaRecorder = new World();
        EventRecorder rec = new EventRecorder(new SavedCmdlines(), 1);
        rec.setContext(BuiltinEvents.FLAG_IRQS_OFF, 3);
        EventWriter numbers = rec.writer(viaWriters.numbers);
        EventWriter pair = rec.writer(viaWriters.pair);
        int from = 0;
        int total = 0;
        for (Step s : steps) {
            s.apply(viaWriters);
            s.apply(viaRecorder);
            int a = batch(viaWriters, rec, numbers, pair, false, from, phase);
            int b = batch(viaRecorder, rec, null, null, true, from, phase);
            assertEquals(b, a, "events written after step " + steps.indexOf(s) + ", phase " + phase);
            total += a;
            from += 40;
        }
        assertTrue(total > 300, "written " + total);
        for (int cpu = 0; cpu < 2; cpu++) {
            for (int i = 0; i < 2; i++) {
                TraceBuffer x = i == 0 ? viaWriters.buf0 : viaWriters.buf1;
                TraceBuffer y = i == 0 ? viaRecorder.buf0 : viaRecorder.buf1;
                List<byte[]> got = viaWriters.payloads(x, cpu);
                List<byte[]> want = viaRecorder.payloads(y, cpu);
                assertEquals(want.size(), got.size(), "instance " + i + " cpu " + cpu + ", phase " + phase);
                for (int k = 0; k < want.size(); k++) {
                    assertArrayEquals(want.get(k), got.get(k), "instance " + i + " cpu " + cpu + " event " + k + ", phase " + phase);
                }
            }
        }
    }

    @Test
    void payloadIsTheKernelLayout() throws Exception {
        World w = new World();
        w.in0.file(w.numbers).writeEnable("1");
        EventRecorder rec = new EventRecorder(null, 0);
        rec.setContext(BuiltinEvents.FLAG_IRQS_OFF, 2);
        EventWriter wr = rec.writer(w.numbers);
        assertSame(w.numbers, wr.type());
        assertSame(rec, wr.recorder());
        assertTrue(wr.isEnabled());
        assertTrue(wr.record(0x1ff, 0x12345, 0xdeadbeefL, -2));
        assertEquals(0, rec.cpu());
        byte[] p = w.payloads(w.buf0, 0).get(0);
        assertEquals(w.numbers.structSize(), p.length);
        assertEquals(w.numbers.id(), (p[0] & 0xff) | (p[1] & 0xff) << 8);
        assertEquals(BuiltinEvents.FLAG_IRQS_OFF, p[2] & 0xff);
        assertEquals(2, p[3]);
        assertEquals(rec.pid(), io.ringtrace.protocol.ring.PageFormat.getInt(p, 4));
        assertEquals(0xff, p[w.numbers.field("a").offset()] & 0xff);
        assertEquals(0x2345, io.ringtrace.protocol.ring.PageFormat.getShort(p, w.numbers.field("b").offset()) & 0xffff);
        assertEquals(0xdeadbeef, io.ringtrace.protocol.ring.PageFormat.getInt(p, w.numbers.field("c").offset()));
        assertEquals(-2L, io.ringtrace.protocol.ring.PageFormat.getLong(p, w.numbers.field("d").offset()));
        assertEquals(0, p[w.numbers.field("e").offset()]);
    }

    @Test
    void stringEventsAndTooManyValuesGoThroughTheRecorder() throws Exception {
        World w = new World();
        w.in0.file(w.text).writeEnable("1");
        w.in0.file(w.pair).writeEnable("1");
        EventRecorder rec = new EventRecorder(null, 0);
        EventWriter text = rec.writer(w.text);
        assertTrue(text.recordOn(1, 42)); // n = 42, msg empty: staged by the recorder
        byte[] p = w.payloads(w.buf0, 1).get(0);
        assertEquals(42, io.ringtrace.protocol.ring.PageFormat.getInt(p, w.text.field("n").offset()));
        EventWriter pair = rec.writer(w.pair);
        assertThrows(IllegalStateException.class, () -> pair.recordOn(0, 1, 2, 3)); // as the recorder refuses it
        assertEquals(0, w.payloads(w.buf0, 0).size());
    }

    @Test
    void disabledWriterWritesNothing() throws Exception {
        World w = new World();
        EventRecorder rec = new EventRecorder(null, 0);
        EventWriter wr = rec.writer(w.pair);
        assertFalse(wr.isEnabled());
        assertFalse(wr.record(1, 2));
        w.in0.file(w.pair).writeEnable("1");
        assertTrue(wr.record(1, 2));
        w.in0.file(w.pair).writeEnable("0");
        assertFalse(wr.record(1, 2));
        assertEquals(1, w.payloads(w.buf0, 0).size());
    }

    @Test
    void writerAllocatesNothing() throws Exception {
        World w = new World();
        w.in0.file(w.numbers).writeEnable("1");
        EventRecorder rec = new EventRecorder(new SavedCmdlines(), 0);
        EventWriter wr = rec.writer(w.numbers);
        Runnable work = () -> {
            for (int i = 0; i < 100_000; i++) {
                wr.recordOn(i & 1, i, i, i, i);
            }
        };
        long allocated = InPlaceRecordTest.allocatedBySecondRun(work);
        assertTrue(allocated < 16 * 1024, "allocated " + allocated + " bytes for 100000 events");
    }
}
