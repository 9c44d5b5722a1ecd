package io.ringtrace.protocol.text;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ringtrace.protocol.TraceClock;
import io.ringtrace.protocol.event.EventRegistry;
import io.ringtrace.protocol.event.EventType;
import io.ringtrace.protocol.event.SavedCmdlines;
import io.ringtrace.protocol.ring.EventCursor;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class TraceFormatterTest {

    private final EventRegistry registry = EventRegistry.createDefault();
    private final SavedCmdlines cmd = new SavedCmdlines();

    private String line(EventCursor c, TraceOptions o, TraceClock clock) {
        return line(registry, c, o, clock);
    }

    private String line(EventRegistry r, EventCursor c, TraceOptions o, TraceClock clock) {
        return new String(new TraceFormatter(r, cmd, clock, o).line(c), StandardCharsets.ISO_8859_1);
    }

    @Test
    void lostEventsAndUnknownTypes() {
        cmd.save(15, "rcu_preempt");
        EventType wake = registry.find("sched", "sched_wakeup");
        EventCursor c = Payloads.cursor(Payloads.event(wake, 15, 0x09, 3, "kworker/0:1", 9, 120, 0), 0, 1_234_567_890_123L);
        c.lostEvents = 42;
        assertEquals("CPU:0 [LOST 42 EVENTS]\n     rcu_preempt-15      [000] d.h3.  1234.567890: sched_wakeup: "
                + "comm=kworker/0:1 pid=9 prio=120 target_cpu=000\n", line(c, TraceOptions.forInstance(), TraceClock.LOCAL));
        c.lostEvents = -1;
        assertEquals("CPU:0 [LOST EVENTS]\n", line(c, TraceOptions.forInstance(), TraceClock.LOCAL).substring(0, 20));
        c.lostEvents = 0;
        // raw clocks print the count right aligned in 12 columns
        assertEquals("     rcu_preempt-15      [000] d.h3. 1234567890123: sched_wakeup: comm=kworker/0:1 pid=9 "
                + "prio=120 target_cpu=000\n", line(c, TraceOptions.forInstance(), TraceClock.COUNTER));
        EventCursor u = Payloads.cursor(new byte[] {(byte) 0xee, 0x0e, 0, 0, 7, 0, 0, 0}, 1, 5000);
        assertEquals("           <...>-7       [001] .....     0.000005: Unknown type 3822\n",
                line(u, TraceOptions.forInstance(), TraceClock.LOCAL));
    }

    @Test
    void cpuColumnAndTimestampsOutsideTheUsualRanges() {
        cmd.save(15, "rcu_preempt");
        EventType wake = registry.find("sched", "sched_wakeup");
        byte[] p = Payloads.event(wake, 15, 0, 0, "k", 9, 120, 0);
        String tail = ": sched_wakeup: comm=k pid=9 prio=120 target_cpu=000\n";
        assertEquals("     rcu_preempt-15      [1000] .....     0.000005" + tail,
                line(Payloads.cursor(p, 1000, 5000), TraceOptions.forInstance(), TraceClock.LOCAL));
        assertEquals("     rcu_preempt-15      [255] .....     0.000005" + tail,
                line(Payloads.cursor(p, 255, 5000), TraceOptions.forInstance(), TraceClock.LOCAL));
        for (long ts : new long[] {-1, Long.MIN_VALUE, Long.MAX_VALUE, Long.MAX_VALUE - 500, 99_999_999_999_999_500L}) {
            assertEquals("     rcu_preempt-15      [001] ..... " + TraceClock.LOCAL.format(ts) + tail,
                    line(Payloads.cursor(p, 1, ts), TraceOptions.forInstance(), TraceClock.LOCAL), "ts " + ts);
            assertEquals("     rcu_preempt-15      [001] ..... " + String.format("%12s", Long.toUnsignedString(ts)) + tail,
                    line(Payloads.cursor(p, 1, ts), TraceOptions.forInstance(), TraceClock.COUNTER), "ts " + ts);
        }
    }

    @Test
    void bufferStartedAnnotations() {
        EventType exit = registry.find("sched", "sched_process_exit");
        List<EventCursor> ev = List.of(
                Payloads.cursor(Payloads.event(exit, 1, 0, 0, "a", 1, 120, 1), 0, 1000),
                Payloads.cursor(Payloads.event(exit, 1, 0, 0, "b", 1, 120, 1), 0, 2000),
                Payloads.cursor(Payloads.event(exit, 1, 0, 0, "c", 1, 120, 1), 1, 3000),
                Payloads.cursor(Payloads.event(exit, 1, 0, 0, "d", 1, 120, 1), 0, 4000));
        var snaps = Payloads.perCpu(ev, 2);
        ((Payloads.ListSnapshot) snaps.get(1)).overrun = 5;
        TraceOptions o = TraceOptions.forInstance();
        o.set(TraceOption.CONTEXT_INFO, false);
        String out = new String(TraceFile.render(new TraceFormatter(registry, cmd, TraceClock.LOCAL, o), snaps,
                TraceFile.Info.of("nop", 2)), StandardCharsets.US_ASCII);
        assertEquals("# tracer: nop\n#\n"
                + "sched_process_exit: comm=a pid=1 prio=120 group_dead=true\n"
                + "sched_process_exit: comm=b pid=1 prio=120 group_dead=true\n"
                + "##### CPU 1 buffer started ####\n"
                + "sched_process_exit: comm=c pid=1 prio=120 group_dead=true\n"
                + "sched_process_exit: comm=d pid=1 prio=120 group_dead=true\n", out);
    }

    @Test
    void applicationEventPrinting() {
        EventRegistry r = EventRegistry.createDefault();
        EventType t = r.define("app", "mix").u8("a").s8("b").u16("c").s16("d").u32("e").s32("f").u64("g").s64("h")
                .chars("tag", 4).string("msg").dynamicArray("vals", "u32").register();
        byte[] p = Payloads.event(t, 3, 0, 0, 255, -1, 65535, -2, 4294967295L, -3, -1L, -4L, "abcdef", "hi");
        // dynamic array: append {1,2} after the string
        int ss = p.length;
        byte[] q = java.util.Arrays.copyOf(p, ss + 8);
        q[ss] = 1;
        q[ss + 4] = 2;
        io.ringtrace.protocol.ring.PageFormat.putInt(q, t.field("vals").offset(), (8 << 16) | ss);
        EventCursor c = Payloads.cursor(q, 0, 0);
        TraceOptions o = TraceOptions.forInstance();
        o.set(TraceOption.CONTEXT_INFO, false);
        assertEquals("mix: a=255 b=-1 c=65535 d=-2 e=4294967295 f=-3 g=18446744073709551615 h=-4 tag=abc msg=hi "
                + "vals={0x1,0x2}\n", line(r, c, o, TraceClock.LOCAL));
        o.set(TraceOption.FIELDS, true);
        assertEquals("mix: a='\u00ff'(255) b='\u00ff'(255) c=0xffff (65535) d=0xfffe (65534) e=0xffffffff (-1) f=0xfffffffd (-3) "
                + "g=0xffffffffffffffff (-1) h=0xfffffffffffffffc (-4) tag=abc msg=hi vals=01,00,00,00,02,00,00,00\n",
                line(r, c, o, TraceClock.LOCAL));
    }

    @Test
    void irqAndSoftirqPrinting() {
        TraceOptions o = TraceOptions.forInstance();
        o.set(TraceOption.CONTEXT_INFO, false);
        EventType entry = registry.find("irq", "irq_handler_entry");
        EventType exit = registry.find("irq", "irq_handler_exit");
        EventType soft = registry.find("irq", "softirq_raise");
        EventType skip = registry.find("sched", "sched_skip_cpuset_numa");
        assertEquals("irq_handler_entry: irq=24 name=virtio0-input.0\n",
                line(Payloads.cursor(Payloads.event(entry, 0, 8, 0, 24, "virtio0-input.0"), 0, 0), o, TraceClock.LOCAL));
        assertEquals("irq_handler_exit: irq=24 ret=handled\n",
                line(Payloads.cursor(Payloads.event(exit, 0, 8, 0, 24, 1), 0, 0), o, TraceClock.LOCAL));
        assertEquals("irq_handler_exit: irq=24 ret=unhandled\n",
                line(Payloads.cursor(Payloads.event(exit, 0, 8, 0, 24, 0), 0, 0), o, TraceClock.LOCAL));
        assertEquals("softirq_raise: vec=9 [action=RCU]\n",
                line(Payloads.cursor(Payloads.event(soft, 0, 0, 0, 9), 0, 0), o, TraceClock.LOCAL));
        assertEquals("softirq_raise: vec=12 [action=0xc]\n",
                line(Payloads.cursor(Payloads.event(soft, 0, 0, 0, 12), 0, 0), o, TraceClock.LOCAL));
        byte[] numa = Payloads.event(skip, 0, 0, 0, "bash", 5, 5, 0);
        numa[skip.field("mem_allowed").offset()] = 0b1011;
        assertEquals("sched_skip_cpuset_numa: comm=bash pid=5 tgid=5 ngid=0 mem_nodes_allowed=0-1,3\n",
                line(Payloads.cursor(numa, 0, 0), o, TraceClock.LOCAL));
    }
}
