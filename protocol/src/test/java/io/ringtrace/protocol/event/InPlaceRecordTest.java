package io.ringtrace.protocol.event;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringtrace.protocol.TraceClock;
import io.ringtrace.protocol.ring.EventCursor;
import io.ringtrace.protocol.ring.RingBuffer;
import io.ringtrace.protocol.ring.TraceBuffer;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The one-call record(...) of an all-number event writes in place into the rings of instances
 * that take the event as is, and through the staged payload into instances with a filter, trigger
 * or pid list: both must leave the same payload bytes, event for event.
 */
class InPlaceRecordTest {

    private static final class Instance {
        final TraceBuffer buffer = new TraceBuffer(2, 4096, 8, true, TraceClock.LOCAL);
        final EventSet events;

        Instance(EventRegistry r) {
            events = new EventSet(r, buffer, new ErrorLog());
        }

        List<byte[]> payloads(int cpu) {
            return consumePayloads(buffer.cpu(cpu));
        }
    }

    /** Consumes every event of {@code ring} and returns their payloads, oldest first. */
    static List<byte[]> consumePayloads(RingBuffer ring) {
        EventCursor c = new EventCursor();
        List<byte[]> out = new ArrayList<>();
        while (ring.peek(c)) {
            out.add(Arrays.copyOfRange(c.data, c.offset, c.offset + c.length));
            ring.consume();
        }
        return out;
    }

    private static EventType numbers(EventRegistry r) {
        // every size, a hole before the s64 and padding at the end
        return r.define("app", "numbers").u8("a").u16("b").u32("c").s64("d").u8("e").register();
    }

    @Test
    void inPlaceAndStagedWriteTheSameBytes() throws Exception {
        EventRegistry r = EventRegistry.createDefault();
        EventType t = numbers(r);
        Instance plain = new Instance(r);
        Instance filtered = new Instance(r);
        Instance pids = new Instance(r);
        plain.events.file(t).writeEnable("1");
        filtered.events.file(t).writeEnable("1");
        filtered.events.file(t).writeFilter("a != 3"); // drops every event with a == 3
        pids.events.file(t).writeEnable("1");
        pids.events.writeSetEventNotracePid("424242"); // a pid list that lets the recorder through

        EventRecorder rec = new EventRecorder(new SavedCmdlines(), 1);
        rec.setContext(BuiltinEvents.FLAG_IRQS_OFF, 3);
        int n = 0;
        for (int i = 0; i < 500; i++) {
            int cpu = i % 2;
            // fields past the given values stay zero; values are cut to the field size
            switch (i % 4) {
                case 0: assertTrue(rec.record(t, cpu, i % 7)); break;
                case 1: assertTrue(rec.record(t, cpu, i % 7, 0x1_0000 + i)); break;
                case 2: assertTrue(rec.record(t, cpu, i % 7, i, -1L)); break;
                default: assertTrue(rec.record(t, cpu, i % 7, i, 1L << 33 | i, -i)); break;
            }
            n++;
        }
        EventType one = r.define("app", "one").u32("x").register();
        plain.events.file(one).writeEnable("1");
        assertThrows(IllegalStateException.class, () -> rec.record(one, 0, 1, 2)); // more values than fields
        for (int cpu = 0; cpu < 2; cpu++) {
            List<byte[]> a = plain.payloads(cpu);
            List<byte[]> b = pids.payloads(cpu);
            List<byte[]> f = filtered.payloads(cpu);
            assertEquals(n / 2, a.size());
            assertEquals(a.size(), b.size());
            int fi = 0;
            for (int i = 0; i < a.size(); i++) {
                assertEquals(t.structSize(), a.get(i).length);
                assertArrayEquals(b.get(i), a.get(i), "event " + i + " of cpu " + cpu);
                if (a.get(i)[8] != 3) {
                    assertArrayEquals(a.get(i), f.get(fi++), "filtered instance, event " + i);
                }
            }
            assertEquals(f.size(), fi);
        }
    }

    @Test
    void payloadIsTheKernelLayout() throws Exception {
        EventRegistry r = EventRegistry.createDefault();
        EventType t = numbers(r);
        Instance in = new Instance(r);
        in.events.file(t).writeEnable("1");
        EventRecorder rec = new EventRecorder(null, 0);
        rec.setContext(BuiltinEvents.FLAG_IRQS_OFF, 2);
        assertTrue(rec.record(t, 0, 0x1ff, 0x12345, 0xdeadbeefL, -2));
        byte[] p = in.payloads(0).get(0);
        assertEquals(t.structSize(), p.length);
        assertEquals(t.id(), (p[0] & 0xff) | (p[1] & 0xff) << 8);
        assertEquals(BuiltinEvents.FLAG_IRQS_OFF, p[2] & 0xff);
        assertEquals(2, p[3]);
        assertEquals(rec.pid(), io.ringtrace.protocol.ring.PageFormat.getInt(p, 4));
        assertEquals(0xff, p[t.field("a").offset()] & 0xff);
        assertEquals(0x2345, io.ringtrace.protocol.ring.PageFormat.getShort(p, t.field("b").offset()) & 0xffff);
        assertEquals(0xdeadbeef, io.ringtrace.protocol.ring.PageFormat.getInt(p, t.field("c").offset()));
        assertEquals(-2L, io.ringtrace.protocol.ring.PageFormat.getLong(p, t.field("d").offset()));
        assertEquals(0, p[t.field("e").offset()]);
    }

    @Test
    void tracingOffCpuOffAndDisabledWriteNothing() throws Exception {
        EventRegistry r = EventRegistry.createDefault();
        EventType t = numbers(r);
        Instance in = new Instance(r);
        EventRecorder rec = new EventRecorder(null, 0);
        assertFalse(rec.record(t, 0, 1, 2));
        in.events.file(t).writeEnable("1");
        in.buffer.setTracingOn(false);
        assertFalse(rec.record(t, 0, 1, 2));
        in.buffer.setTracingOn(true);
        in.buffer.cpu(1).setRecordOn(false);
        assertFalse(rec.record(t, 1, 1, 2));
        assertTrue(rec.record(t, 0, 1, 2));
        assertTrue(rec.record(t, 2, 1, 2)); // CPU numbers wrap modulo the instance's CPUs
        assertEquals(0, in.payloads(1).size());
        assertEquals(2, in.payloads(0).size());
        in.buffer.cpu(1).setRecordOn(true);
        assertEquals(0, in.payloads(1).size());
    }

    @Test
    void inPlaceRecordingAllocatesNothing() throws Exception {
        EventRegistry r = EventRegistry.createDefault();
        EventType t = numbers(r);
        Instance in = new Instance(r);
        in.events.file(t).writeEnable("1");
        EventRecorder rec = new EventRecorder(new SavedCmdlines(), 0);
        Runnable work = () -> {
            for (int i = 0; i < 100_000; i++) {
                rec.record(t, i & 1, i, i, i, i);
            }
        };
        long allocated = allocatedBySecondRun(work);
        assertTrue(allocated < 16 * 1024, "allocated " + allocated + " bytes for 100000 events");
    }

    /** Bytes the calling thread allocates in the second run of {@code work} (the first warms up). */
    static long allocatedBySecondRun(Runnable work) {
        work.run();
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().getId();
        long before = mx.getThreadAllocatedBytes(tid);
        work.run();
        return mx.getThreadAllocatedBytes(tid) - before;
    }
}
