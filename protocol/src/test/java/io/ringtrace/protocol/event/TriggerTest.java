package io.ringtrace.protocol.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Triggers: parsing, read-back, errnos and firing, against a live 6.18 kernel probe. */
class TriggerTest {

    private static final String EXEC_TRIGGER = "events/sched/sched_process_exec/trigger";

    private final TestInstance in = new TestInstance();
    private final EventRecorder rec = new EventRecorder(null, 1);

    /** What happened when the probe ran /bin/true: a sched_process_exec event. */
    private void exec() {
        EventType t = in.registry.find("sched", "sched_process_exec");
        rec.begin(t).putString("/bin/true").putInt(8894).putInt(8894).commit();
    }

    private void replay(Map<String, Object> w) {
        String path = (String) w.get("path");
        String input = (String) w.get("input");
        String what = path + " <- " + input;
        assertEquals(TestInstance.expected(w.get("result")), in.write(path, input, true), what);
        assertEquals(w.get("after"), in.read(path), "read-back of " + what);
        if (w.containsKey("exec_enable")) {
            assertEquals(w.get("exec_enable"), in.read("events/sched/sched_process_exec/enable"), "enable after " + what);
        }
        if (w.containsKey("err")) {
            assertEquals(TestInstance.maskTimes((String) w.get("err")), TestInstance.maskTimes(in.errorLog.read()),
                    "error_log after " + what);
            in.errorLog.clear();
        }
        for (String k : List.of("events/sched/sched_wakeup/enable", "events/irq/softirq_entry/enable",
                "events/sched/sched_process_exit/enable", "set_event")) {
            if (w.containsKey(k)) {
                assertEquals(w.get(k), in.read(k), k + " after " + what);
            }
        }
        if (w.containsKey("tracing_on")) {
            assertEquals(w.get("tracing_on"), in.sink.on ? "1\n" : "0\n");
        }
        if (w.containsKey("sw")) {
            assertEquals(w.get("sw"), in.read("events/sched/sched_switch/filter"), "switch filter after " + what);
            assertEquals(w.get("wk"), in.read("events/sched/sched_wakeup/filter"), "wakeup filter after " + what);
        }
    }

    private void ok(String path, String input, boolean trunc) {
        assertEquals("written " + input.length(), in.write(path, input, trunc), path + " <- " + input);
    }

    @Test
    void liveTriggerProbe() {
        List<Object> probe = Golden.list(Golden.live(), "triggers");
        for (int i = 0; i <= 41; i++) {
            replay(Golden.map(probe.get(i)));
        }
        // traceoff:2 with tracing on; the probe then ran /bin/true four times
        exec();
        assertEquals("traceoff:count=1\n", in.read(EXEC_TRIGGER));
        assertFalse(in.sink.on);
        exec(); // tracing is off: the count does not move
        assertEquals("traceoff:count=1\n", in.read(EXEC_TRIGGER));
        in.sink.on = true;
        exec();
        assertEquals("traceoff:count=0\n", in.read(EXEC_TRIGGER));
        assertFalse(in.sink.on);
        in.sink.on = true;
        exec();
        assertEquals("traceoff:count=0\n", in.read(EXEC_TRIGGER));
        assertTrue(in.sink.on);
        replay(Golden.map(probe.get(42)));
        replay(Golden.map(probe.get(43)));
        assertEquals("0*\n", in.read("events/sched/sched_process_exit/enable"));
        exec();
        assertEquals("enable_event:sched:sched_process_exit:count=0\n", in.read(EXEC_TRIGGER));
        assertEquals("1*\n", in.read("events/sched/sched_process_exit/enable"));
        exec();
        assertEquals("1*\n", in.read("events/sched/sched_process_exit/enable"));
        replay(Golden.map(probe.get(44))); // the exit event stays enabled (kernel behaviour)
        ok("events/sched/sched_process_exit/enable", "0", true);
        ok("events/sched/sched_process_exec/enable", "1", true);
        // unconditional traceoff is a post trigger: the event that fires it is recorded
        replay(Golden.map(probe.get(45)));
        int before = in.sink.count();
        exec();
        assertEquals(before + 1, in.sink.count());
        assertFalse(in.sink.on);
        replay(Golden.map(probe.get(46)));
        in.sink.on = true;
        replay(Golden.map(probe.get(47)));
        exec();
        assertEquals(before + 2, in.sink.count());
        assertFalse(in.sink.on);
        replay(Golden.map(probe.get(48)));
        in.sink.on = true;
        ok("events/sched/sched_process_exec/enable", "0", true);
        in.errorLog.clear();
        for (int i = 49; i < probe.size(); i++) {
            replay(Golden.map(probe.get(i)));
        }
    }

    @Test
    void goldenTriggerSequenceAndSoftMode() {
        String t = "events/sched/sched_switch/trigger";
        assertEquals("EINVAL", in.write(t, "bogus", true));
        ok(t, "traceoff", true);
        assertEquals("traceoff:unlimited\n", in.read(t));
        // a trigger puts its (disabled) event in soft mode
        assertEquals("0*\n", in.read("events/sched/sched_switch/enable"));
        assertEquals("sched:sched_switch\n", in.read("set_event"));
        assertEquals("EEXIST", in.write(t, "traceon", true));
        ok(t, "!traceon", true); // same kind: removes traceoff
        assertEquals(EventTrigger.AVAILABLE, in.read(t));
        assertEquals("0\n", in.read("events/sched/sched_switch/enable"));
        assertEquals("", in.read("set_event"));
        ok(t, "", true);
    }

    @Test
    void enableEventTriggerFlipsItsTarget() {
        String t = "events/sched/sched_switch/trigger";
        ok(t, "disable_event:irq:irq_handler_entry:2", false);
        ok("events/irq/irq_handler_entry/enable", "1", false);
        assertEquals("1*\n", in.read("events/irq/irq_handler_entry/enable"));
        EventType sw = in.registry.find("sched", "sched_switch");
        EventType irq = in.registry.find("irq", "irq_handler_entry");
        rec.begin(irq).putInt(5).putString("eth0").commit();
        assertEquals(1, in.sink.count());
        rec.begin(sw).putString("a").commit(); // fires: irq soft-disabled, count 1
        assertEquals("0*\n", in.read("events/irq/irq_handler_entry/enable"));
        assertEquals("disable_event:irq:irq_handler_entry:count=1\n", in.read(t));
        rec.begin(irq).putInt(5).putString("eth0").commit();
        assertEquals(1, in.sink.count()); // soft-disabled: not recorded
        rec.begin(sw).putString("a").commit(); // already disabled: count stays
        assertEquals("disable_event:irq:irq_handler_entry:count=1\n", in.read(t));
        ok(t, "!enable_event:irq:irq_handler_entry", false);
        // soft-disabled when the last soft user left: the event is disabled
        assertEquals("0\n", in.read("events/irq/irq_handler_entry/enable"));
        assertEquals("0\n", in.read("events/sched/sched_switch/enable"));
        assertEquals("EINVAL", in.write(t, "enable_event:ftrace:print", false));
    }

    @Test
    void conditionalTraceonNeedsTracingOnAtReservation() {
        String t = "events/sched/sched_process_exec/trigger";
        ok("events/sched/sched_process_exec/enable", "1", false);
        ok(t, "traceon if pid == 8894", false);
        in.sink.on = false;
        exec(); // the reservation failed (tracing off); the trigger still runs and turns tracing on
        assertTrue(in.sink.on);
        assertEquals(0, in.sink.count());
        exec();
        assertEquals(1, in.sink.count());
    }

    @Test
    void stacktraceAndPrintTriggers() throws Exception {
        ok("events/sched/sched_process_exec/trigger", "stacktrace:1", false);
        exec();
        exec();
        assertEquals(1, in.sink.stackTraces);
        assertEquals("stacktrace:count=0\n", in.read("events/sched/sched_process_exec/trigger"));
        // ftrace/print has a trigger file; its triggers run on markers
        EventFile print = in.events.printFile();
        assertEquals(EventTrigger.AVAILABLE, print.readTrigger());
        String stopper = "traceoff if buf ~ \"*stop*\"";
        assertEquals(stopper.length(), print.writeTrigger(stopper));
        byte[] go = "go on".getBytes();
        Markers.writeMarker(in.events, 0, 7, go, 0, go.length, true);
        assertTrue(in.sink.on);
        byte[] stop = "please stop".getBytes();
        Markers.writeMarker(in.events, 0, 7, stop, 0, stop.length, true);
        assertFalse(in.sink.on);
        assertEquals(2, in.sink.count()); // the marker that stopped tracing is recorded (post trigger)
    }

    @Test
    void truncateKeepsTheseTriggers() {
        String t = "events/sched/sched_switch/trigger";
        ok(t, "traceoff", false);
        in.write(t, "", true);
        assertEquals("traceoff:unlimited\n", in.read(t));
        in.events.destroy();
        assertEquals(EventTrigger.AVAILABLE, in.read(t));
        assertFalse(in.registry.find("sched", "sched_switch").isEnabled());
    }
}
