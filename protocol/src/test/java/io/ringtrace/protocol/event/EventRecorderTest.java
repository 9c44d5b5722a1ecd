package io.ringtrace.protocol.event;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringtrace.protocol.ring.PageFormat;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Application events, the recorder's payloads, per-instance dispatch and the allocation-free path. */
class EventRecorderTest {

    private EventType gcPause(EventRegistry r) {
        return r.define("jvm", "gc_pause")
                .u32("gen").u64("duration_ns").string("cause").chars("tag", 8).s16("delta")
                .register();
    }

    @Test
    void applicationEventLayoutAndFormat() {
        EventRegistry r = EventRegistry.createDefault();
        EventType t = gcPause(r);
        assertEquals(EventRegistry.FIRST_DYNAMIC_ID, t.id());
        assertEquals(8, t.field("gen").offset());
        assertEquals(16, t.field("duration_ns").offset());
        assertEquals(24, t.field("cause").offset());
        assertEquals(28, t.field("tag").offset());
        assertEquals(36, t.field("delta").offset());
        assertEquals(40, t.structSize());
        String expected = "name: gc_pause\nID: 4096\nformat:\n"
                + "\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
                + "\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
                + "\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
                + "\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n"
                + "\n"
                + "\tfield:u32 gen;\toffset:8;\tsize:4;\tsigned:0;\n"
                + "\tfield:u64 duration_ns;\toffset:16;\tsize:8;\tsigned:0;\n"
                + "\tfield:__data_loc char[] cause;\toffset:24;\tsize:4;\tsigned:0;\n"
                + "\tfield:char tag[8];\toffset:28;\tsize:8;\tsigned:0;\n"
                + "\tfield:s16 delta;\toffset:36;\tsize:2;\tsigned:1;\n"
                + "\n"
                + "print fmt: \"gen=%u duration_ns=%llu cause=%s tag=%s delta=%d\", REC->gen, REC->duration_ns, "
                + "__get_str(cause), REC->tag, REC->delta\n";
        assertEquals(expected, t.format());
        assertEquals(t, r.find("jvm", "gc_pause"));
        assertEquals(t, r.byId(4096));
        assertEquals(java.util.List.of("ftrace", "irq", "jvm", "sched"), r.systems());
        EventType second = r.define("jvm", "alloc").u64("bytes").register();
        assertEquals(4097, second.id());
        assertThrows(IllegalArgumentException.class, () -> r.define("jvm", "gc_pause").u8("x").register());
        assertThrows(IllegalArgumentException.class, () -> r.define("ftrace", "mine"));
        assertThrows(IllegalArgumentException.class, () -> r.define("jvm", "bad name"));
        assertThrows(IllegalArgumentException.class, () -> r.define("jvm", "dup").u8("a").u16("a"));
    }

    @Test
    void disabledEventsAreNotDispatched() {
        TestInstance in = new TestInstance();
        EventType t = gcPause(in.registry);
        EventRecorder rec = new EventRecorder(null, 0);
        assertFalse(EventRecorder.isEnabled(t));
        assertFalse(rec.begin(t).putInt(1).putLong(2).putString("x").commit());
        assertFalse(rec.record(t, 0, 1, 2));
        assertEquals(0, in.sink.count());
    }

    @Test
    void payloadLayout() {
        TestInstance in = new TestInstance();
        EventType t = gcPause(in.registry);
        assertEquals("written 1", in.write("events/jvm/gc_pause/enable", "1", false));
        SavedCmdlines cmd = new SavedCmdlines();
        EventRecorder rec = new EventRecorder(cmd, 3);
        rec.setContext(BuiltinEvents.FLAG_IRQS_OFF, 2);
        assertTrue(rec.begin(t).putInt(2).putLong(1_500_000).putString("allocation failure")
                .putString("young-generation").putShort((short) -7).commit());
        byte[] p = in.sink.written.get(0);
        assertEquals(3, (int) in.sink.cpus.get(0));
        assertEquals(t.id(), PageFormat.getShort(p, 0) & 0xffff);
        assertEquals(1, p[2]);
        assertEquals(2, p[3]);
        assertEquals(rec.pid(), PageFormat.getInt(p, 4));
        assertEquals((int) Thread.currentThread().getId(), rec.pid());
        assertEquals(2, PageFormat.getInt(p, 8));
        assertEquals(1_500_000L, PageFormat.getLong(p, 16));
        int loc = PageFormat.getInt(p, 24);
        assertEquals(40, loc & 0xffff);
        assertEquals(19, loc >>> 16);
        assertEquals("allocation failure", new String(p, 40, 18, StandardCharsets.US_ASCII));
        assertEquals(0, p[58]);
        assertEquals("young-g", new String(p, 28, 7, StandardCharsets.US_ASCII)); // char[8]: 7 + NUL
        assertEquals(0, p[35]);
        assertEquals(-7, (short) PageFormat.getShort(p, 36));
        assertEquals(59, p.length);
        assertEquals(Thread.currentThread().getName().length() > 15
                ? Thread.currentThread().getName().substring(0, 15) : Thread.currentThread().getName(),
                cmd.find(rec.pid()));
        // one-call form and defaults: missing data_loc strings are empty
        assertTrue(rec.record(t, 1, 9, 10));
        byte[] q = in.sink.written.get(1);
        assertEquals(9, PageFormat.getInt(q, 8));
        assertEquals(10L, PageFormat.getLong(q, 16));
        assertEquals((1 << 16) | 40, PageFormat.getInt(q, 24));
        assertEquals(41, q.length);
    }

    @Test
    void eachInstanceAppliesItsOwnFiltersAndPids() throws Exception {
        EventRegistry r = EventRegistry.createDefault();
        EventType sw = r.find("sched", "sched_switch");
        TestInstance a = new TestInstance(r);
        TestInstance b = new TestInstance(r);
        a.write("events/sched/sched_switch/enable", "1", false);
        b.write("events/sched/sched_switch/enable", "1", false);
        b.write("events/sched/sched_switch/filter", "next_pid == 42", false);
        EventRecorder rec = new EventRecorder(null, 0);
        rec.begin(sw).putString("a").putInt(1).putInt(120).putLong(1).putString("b").putInt(7).putInt(120).commit();
        assertEquals(1, a.sink.count());
        assertEquals(0, b.sink.count());
        rec.begin(sw).putString("a").putInt(1).putInt(120).putLong(1).putString("b").putInt(42).putInt(120).commit();
        assertEquals(2, a.sink.count());
        assertEquals(1, b.sink.count());
        assertEquals(2, sw.enabledFiles().length);
        // pid filtering follows the recording thread (common_pid)
        a.events.writeSetEventPid("99997 99998");
        assertTrue(a.events.ignorePid(rec.pid()));
        rec.begin(sw).putString("a").commit();
        int expected = 2;
        assertEquals(expected, a.sink.count());
        a.events.writeSetEventPid(Integer.toString(rec.pid()));
        rec.begin(sw).putString("a").commit();
        assertEquals(expected + 1, a.sink.count());
        a.events.writeSetEventNotracePid(Integer.toString(rec.pid()));
        rec.begin(sw).putString("a").commit();
        assertEquals(expected + 1, a.sink.count());
        a.events.truncateSetEventPid();
        a.events.truncateSetEventNotracePid();
        rec.begin(sw).putString("a").commit();
        assertEquals(expected + 2, a.sink.count());
        // tracing off: nothing is written
        a.sink.on = false;
        rec.begin(sw).putString("a").commit();
        assertEquals(expected + 2, a.sink.count());
        b.events.destroy();
        assertEquals(1, sw.enabledFiles().length);
        a.write("set_event", "", true);
        assertEquals(0, sw.enabledFiles().length);
    }

    @Test
    void genericFieldsSeeTheRecordingThread() {
        TestInstance in = new TestInstance();
        EventType t = in.registry.find("sched", "sched_wakeup");
        in.write("events/sched/sched_wakeup/enable", "1", false);
        in.write("events/sched/sched_wakeup/filter", "CPU == 2", false);
        EventRecorder rec = new EventRecorder(null, 1);
        rec.begin(t).putString("x").commit();
        rec.begin(t, 2).putString("x").commit();
        assertEquals(1, in.sink.count());
        assertEquals(2, (int) in.sink.cpus.get(0));
        String name = Thread.currentThread().getName();
        in.write("events/sched/sched_wakeup/filter", "COMM == \"" + (name.length() > 15 ? name.substring(0, 15) : name)
                + "\" && comm ~ \"*\"", false);
        rec.begin(t).putString("x").commit();
        assertEquals(2, in.sink.count());
    }

    @Test
    void dynamicArraysAndBytes() {
        EventRegistry r = EventRegistry.createDefault();
        EventType t = r.define("app", "blob").u8("kind").dynamicArray("vals", "u16").string("name").register();
        assertEquals("\"kind=%u vals=%s name=%s\", REC->kind, __print_array(__get_dynamic_array(vals), "
                + "__get_dynamic_array_len(vals) / 2, 2), __get_str(name)", t.printFmt());
        TestInstance in = new TestInstance(r);
        in.write("events/app/blob/enable", "1", false);
        EventRecorder rec = new EventRecorder(null, 0);
        byte[] vals = {1, 0, 2, 0, 3, 0};
        rec.begin(t).putByte((byte) 5).putBytes(vals, 0, 6).putString("héllo").commit();
        byte[] p = in.sink.written.get(0);
        int ss = t.structSize();
        assertEquals(20, ss);
        assertEquals((6 << 16) | ss, PageFormat.getInt(p, t.field("vals").offset()));
        assertArrayEquals(vals, Arrays.copyOfRange(p, ss, ss + 6));
        int nameLoc = PageFormat.getInt(p, t.field("name").offset());
        assertEquals(ss + 6, nameLoc & 0xffff);
        assertEquals(7, nameLoc >>> 16); // UTF-8 "héllo" is 6 bytes, plus NUL
        assertEquals("héllo", new String(p, ss + 6, 6, StandardCharsets.UTF_8));
    }

    /** A sink that allocates nothing, to measure the recorder alone. */
    private static final class CountingSink implements EventSink, TriggerActions {
        long count;
        boolean on = true;

        @Override
        public boolean tracingOn() {
            return on;
        }

        @Override
        public boolean write(int cpu, byte[] payload, int offset, int length) {
            count++;
            return true;
        }

        @Override
        public int maxPayload(int cpu) {
            return 4072;
        }

        @Override
        public boolean tracingIsOn() {
            return on;
        }

        @Override
        public void traceOn() {
            on = true;
        }

        @Override
        public void traceOff() {
            on = false;
        }
    }

    @Test
    void recordingAllocatesNothing() throws Exception {
        EventRegistry r = EventRegistry.createDefault();
        EventType sw = r.find("sched", "sched_switch");
        EventType gc = gcPause(r);
        EventType wake = r.find("sched", "sched_wakeup");
        CountingSink sink = new CountingSink();
        EventSet set = new EventSet(r, sink, sink, new ErrorLog());
        set.file(sw).writeEnable("1");
        set.file(sw).writeFilter("prev_pid > 0 && (next_comm ~ \"sw*\" || next_pid == 3)");
        set.file(sw).writeTrigger("stacktrace if prev_prio == 120");
        set.file(gc).writeEnable("1");
        set.writeSetEventNotracePid("99999");
        SavedCmdlines cmd = new SavedCmdlines();
        EventRecorder rec = new EventRecorder(cmd, 0);
        Runnable work = () -> {
            for (int i = 0; i < 20_000; i++) {
                rec.begin(sw).putString("python3").putInt(i + 1).putInt(120).putLong(1)
                        .putString("swapper/0").putInt(0).putInt(120).commit();
                rec.begin(gc).putInt(1).putLong(i).putString("alloc").putString("young").putShort((short) 1).commit();
                rec.record(gc, 1, i, i);
                rec.begin(wake).putString("x").putInt(1).commit(); // disabled
            }
        };
        work.run(); // warm up
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().getId();
        long before = mx.getThreadAllocatedBytes(tid);
        work.run();
        long allocated = mx.getThreadAllocatedBytes(tid) - before;
        assertTrue(allocated < 16 * 1024, "allocated " + allocated + " bytes for 80000 events");
        assertEquals(6 * 20_000L, sink.count);
    }
}
