package io.ringtrace.actors;

import io.ringtrace.protocol.event.EventRecorder;
import io.ringtrace.protocol.event.EventType;
import io.ringtrace.protocol.event.EventWriter;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Several threads record a mix of enabled, disabled and filtered events, plus two application
 * events (one through the fluent recorder, one through its {@link EventWriter}), into two instances
 * with different selections; each instance's {@code trace} shows exactly the events it selected,
 * each CPU's lines in timestamp order.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60)
class EventMixTest {
    private final ActorTestKit kit = ActorTestKit.create("EventMixTest");
    private TraceFs fs;
    private Tracer tracer;

    @BeforeAll
    void start() throws Exception {
        ActorRef<TraceSystem.Command> ts = TestEngines.spawn(kit, 2);
        fs = new TraceFs(kit.system(), ts);
        tracer = Ringtrace.tracer(kit.system(), ts);
    }

    @AfterAll
    void stop() {
        kit.shutdownTestKit();
    }

    private static final Pattern LINE = Pattern.compile(
            "^\\s*\\S.*?-(\\d+)\\s+\\[(\\d{3})] \\S{5}\\s+(\\d+\\.\\d{6}): (\\w+): (.*)$");

    @Test
    void eachInstanceShowsExactlyTheEventsItSelected() throws Exception {
        EventType gc = tracer.define("jvm", "gc_pause").u32("gen").u64("duration_ns").string("cause").register();
        EventType alloc = tracer.define("jvm", "alloc").u32("tid").u64("bytes").register();
        fs.mkdir("instances/a");
        fs.mkdir("instances/b");
        // a: sched_switch, irq entries of irq 25 only, the jvm events (alloc only here: its writers go in place)
        fs.write("instances/a/events/sched/sched_switch/enable", "1");
        fs.write("instances/a/events/irq/irq_handler_entry/filter", "irq == 25");
        fs.write("instances/a/events/irq/irq_handler_entry/enable", "1");
        fs.write("instances/a/events/jvm/enable", "1");
        // b: wakeups of pids >= 1010 only (a numeric filter), gc pauses whose cause matches a glob
        fs.write("instances/b/events/sched/sched_wakeup/filter", "pid >= 1010 && comm ~ \"w*\"");
        fs.write("instances/b/events/sched/sched_wakeup/enable", "1");
        fs.write("instances/b/events/jvm/gc_pause/filter", "cause ~ \"*alloc*\"");
        fs.write("instances/b/events/jvm/gc_pause/enable", "1");
        EventRegistry r = new EventRegistry(tracer);
        int threads = 4;
        int perThread = 200;
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread th = new Thread(() -> {
                EventRecorder rec = tracer.recorder();
                rec.setCpu(id % 2);
                EventWriter allocs = tracer.writer(alloc);
                for (int i = 0; i < perThread; i++) {
                    int n = id * perThread + i;
                    rec.begin(r.sw).putString("t" + id).putInt(id).putInt(120).putLong(1)
                            .putString("n" + n).putInt(n).putInt(120).commit();
                    rec.begin(r.wakeup).putString((n % 2 == 0 ? "w" : "x") + n).putInt(1000 + n % 20).putInt(120)
                            .putInt(id % 2).commit();
                    rec.begin(r.entry).putInt(24 + n % 3).putString("dev" + n).commit();
                    rec.begin(gc).putInt(n % 3).putLong(n * 1000L).putString(n % 4 == 0 ? "alloc failure" : "system").commit();
                    rec.begin(r.waking).putString("z").putInt(1).putInt(120).putInt(0).commit();
                    allocs.record(id, n * 1000L + 24);
                }
            }, "rec" + t);
            ts.add(th);
        }
        ts.forEach(Thread::start);
        for (Thread th : ts) {
            th.join();
        }
        Set<String> wantA = new TreeSet<>();
        Set<String> wantB = new TreeSet<>();
        for (int id = 0; id < threads; id++) {
            for (int i = 0; i < perThread; i++) {
                int n = id * perThread + i;
                wantA.add("sched_switch:" + n);
                if (24 + n % 3 == 25) {
                    wantA.add("irq_handler_entry:" + n);
                }
                wantA.add("gc_pause:" + n);
                wantA.add("alloc:" + n);
                if (1000 + n % 20 >= 1010 && n % 2 == 0) {
                    wantB.add("sched_wakeup:" + n);
                }
                if (n % 4 == 0) {
                    wantB.add("gc_pause:" + n);
                }
            }
        }
        assertEquals(wantA, seen(fs.read("instances/a/trace")));
        assertEquals(wantB, seen(fs.read("instances/b/trace")));
    }

    /** The events a trace shows, keyed by name and sequence number; checks per-CPU time order. */
    private static Set<String> seen(String trace) {
        Set<String> out = new TreeSet<>();
        double[] last = {-1, -1};
        for (String line : trace.split("\n")) {
            if (line.startsWith("#")) {
                continue;
            }
            Matcher m = LINE.matcher(line);
            assertTrue(m.matches(), line);
            int cpu = Integer.parseInt(m.group(2));
            double ts = Double.parseDouble(m.group(3));
            assertTrue(ts >= last[cpu], "CPU " + cpu + " out of order at " + line);
            last[cpu] = ts;
            String name = m.group(4);
            String info = m.group(5);
            String n;
            switch (name) {
                case "sched_switch":
                    n = info.replaceAll(".*next_comm=n(\\d+) .*", "$1");
                    break;
                case "sched_wakeup":
                    n = info.replaceAll("comm=[wx](\\d+) .*", "$1");
                    break;
                case "irq_handler_entry":
                    n = info.replaceAll(".*name=dev(\\d+)$", "$1");
                    break;
                case "alloc":
                    n = Long.toString(Long.parseLong(info.replaceAll(".*bytes=(\\d+).*", "$1")) / 1000);
                    break;
                case "gc_pause":
                    n = Long.toString(Long.parseLong(info.replaceAll(".*duration_ns=(\\d+).*", "$1")) / 1000);
                    break;
                default:
                    throw new AssertionError("unexpected event: " + line);
            }
            assertTrue(out.add(name + ":" + n), "twice: " + line);
        }
        return out;
    }

    /** The kernel events this test records. */
    private static final class EventRegistry {
        final EventType sw;
        final EventType wakeup;
        final EventType waking;
        final EventType entry;

        EventRegistry(Tracer t) {
            sw = t.events().find("sched", "sched_switch");
            wakeup = t.events().find("sched", "sched_wakeup");
            waking = t.events().find("sched", "sched_waking");
            entry = t.events().find("irq", "irq_handler_entry");
        }
    }
}
