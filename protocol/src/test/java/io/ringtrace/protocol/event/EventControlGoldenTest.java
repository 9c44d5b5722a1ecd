package io.ringtrace.protocol.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * set_event, set_event_pid, enable, filter and trigger write sequences with the errno and the
 * read-back of a 6.18 kernel (the oracle's golden writes and more live probes).
 */
class EventControlGoldenTest {

    private static final List<String> EVENT_PATHS = List.of("set_event", "set_event_pid",
            "events/sched/sched_switch/enable", "events/sched/enable", "events/sched/sched_switch/filter",
            "events/sched/sched_switch/trigger");

    @Test
    void goldenWritesAndReadBack() {
        TestInstance in = new TestInstance();
        int n = 0;
        for (Object o : Golden.list(Golden.golden(), "writes")) {
            Map<String, Object> w = Golden.map(o);
            String path = (String) w.get("path");
            if (!EVENT_PATHS.contains(path)) {
                continue;
            }
            String input = (String) w.get("input");
            String got = in.write(path, input, true);
            String what = path + " <- " + input;
            assertEquals(TestInstance.expected(w.get("result")), got, what);
            assertEquals(Golden.str(w, "after", "text"), in.read(path), "read-back of " + what);
            n++;
        }
        assertEquals(23, n);
        assertEquals(TestInstance.maskTimes(Golden.str(Golden.golden(), "error_log_after_writes", "text")),
                TestInstance.maskTimes(in.read("error_log")));
        assertTrue(in.read("error_log").startsWith("[ 1601.751"));
    }

    @Test
    void freshInstanceReads() {
        TestInstance in = new TestInstance();
        Map<String, Object> fresh = Golden.map(Golden.golden(), "fresh_reads");
        for (String p : List.of("set_event", "set_event_pid", "events/enable", "events/sched/enable",
                "events/sched/sched_switch/enable", "events/sched/sched_switch/filter",
                "events/sched/sched_switch/trigger", "error_log")) {
            assertEquals(Golden.str(fresh, p, "text"), in.read(p), p);
        }
    }

    /**
     * The live set_event probe started from a state left by triggers: sched_switch carried
     * {@code enable_event:sched:sched_switch}, {@code enable_event:sched:sched_wakeup if prev_pid ==
     * 5} and {@code traceoff if ...}, and one sched_switch had fired them. Rebuild that state, then
     * replay the probe.
     */
    @Test
    void liveSetEventProbe() {
        TestInstance in = new TestInstance();
        String trig = "events/sched/sched_switch/trigger";
        assertEquals("written 31", in.write(trig, "enable_event:sched:sched_switch", false));
        assertEquals("written 48", in.write(trig, "enable_event:sched:sched_wakeup if prev_pid == 5", false));
        assertEquals("written 44", in.write(trig, "traceoff if prev_comm ~ \"b*\" && next_pid > 3", false));
        EventRecorder rec = new EventRecorder(null, 0);
        EventType sw = in.registry.find("sched", "sched_switch");
        rec.begin(sw).putString("python3").putInt(100).putInt(120).putLong(1)
                .putString("swapper/0").putInt(0).putInt(120).commit();
        assertEquals("1*\n", in.read("events/sched/sched_switch/enable"));
        assertEquals("0*\n", in.read("events/sched/sched_wakeup/enable"));
        assertTrue(in.sink.on);

        int n = 0;
        for (Object o : Golden.list(Golden.live(), "set_event")) {
            Map<String, Object> w = Golden.map(o);
            String path = (String) w.get("path");
            String input = (String) w.get("input");
            Map<String, Object> res = Golden.map(w.get("result"));
            if (res.containsKey("open_errno")) {
                continue; // events/ftrace/print/enable does not exist
            }
            String what = path + " <- " + input.replace("\n", "\\n");
            assertEquals(TestInstance.expected(res), in.write(path, input, (Boolean) w.get("trunc")), what);
            String after = (String) w.get("after");
            boolean onlyOurSystems = after.lines().allMatch(l -> !l.contains(":") || l.startsWith("sched:")
                    || l.startsWith("irq:"));
            if (onlyOurSystems) {
                assertEquals(after, in.read(path), "read-back of " + what);
            }
            if (w.get("sched_enable") != null) {
                assertEquals(w.get("sched_enable") + "\n", in.read("events/sched/enable"), "sched/enable after " + what);
            }
            if (w.get("irq_enable") != null) {
                assertEquals(w.get("irq_enable") + "\n", in.read("events/irq/enable"), "irq/enable after " + what);
            }
            n++;
        }
        assertTrue(n > 70, "replayed " + n);
    }

    @Test
    void setEventListsInKernelOrder() {
        TestInstance in = new TestInstance();
        in.events.truncateSetEvent();
        assertEquals("written 7", in.write("set_event", "sched:*", false));
        assertEquals("written 6", in.write("set_event", "irq:*\n", false));
        String expected = "irq:tasklet_exit\nirq:tasklet_entry\nirq:softirq_raise\nirq:softirq_exit\n"
                + "irq:softirq_entry\nirq:irq_handler_exit\nirq:irq_handler_entry\n"
                + Golden.str(Golden.golden(), "writes", 41, "after", "text");
        assertEquals(expected, in.read("set_event"));
        assertEquals("1\n", in.read("events/enable"));
        assertEquals("written 2", in.write("events/enable", "0\n", false));
        assertEquals("", in.read("set_event"));
        assertEquals("0\n", in.read("events/enable"));
    }

    @Test
    void setEventWholeBufferAndTokenLimit() throws Exception {
        TestInstance in = new TestInstance();
        assertEquals(41, in.events.writeSetEventAll("sched:sched_switch irq:irq_handler_entry\n"));
        assertEquals("irq:irq_handler_entry\nsched:sched_switch\n", in.read("set_event"));
        String tok127 = "sched:" + "x".repeat(121);
        assertEquals("EINVAL", in.write("set_event", tok127, false)); // 127 bytes: read, no match
        assertEquals("EINVAL", in.write("set_event", tok127 + "y", false)); // 128 bytes: too long
        assertEquals("EINVAL", in.write("set_event", "sched:sched_switch:mod:sched", false));
    }

    @Test
    void applicationEventsJoinSetEvent() {
        EventRegistry r = EventRegistry.createDefault();
        EventType early = r.define("jvm", "early").u32("a").register();
        TestInstance in = new TestInstance(r);
        EventType late = r.define("jvm", "late").u32("b").register();
        assertEquals("written 4", in.write("set_event", "jvm:", false));
        // registered before the instance: in order at the end; after: at the head
        assertEquals("jvm:late\njvm:early\n", in.read("set_event"));
        assertEquals("1\n", in.read("events/jvm/enable"));
        assertTrue(early.isEnabled() && late.isEnabled());
        in.events.destroy();
        assertTrue(!early.isEnabled() && !late.isEnabled());
    }
}
