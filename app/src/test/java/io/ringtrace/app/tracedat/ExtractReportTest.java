package io.ringtrace.app.tracedat;

import io.ringtrace.actors.Engine;
import io.ringtrace.actors.Ringtrace;
import io.ringtrace.actors.TraceFs;
import io.ringtrace.actors.TraceSystem;
import io.ringtrace.actors.Tracer;
import io.ringtrace.actors.fs.Caller;
import io.ringtrace.actors.fs.OpenFlags;
import io.ringtrace.protocol.event.BuiltinEvents;
import io.ringtrace.protocol.event.EventRecorder;
import io.ringtrace.protocol.event.EventRegistry;
import io.ringtrace.protocol.event.EventType;
import io.ringtrace.protocol.event.SavedCmdlines;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * End to end: the engine records known sched, irq and marker events, the instance is extracted
 * into a trace.dat the way trace-cmd extract reads tracefs, and Debian's {@code trace-cmd report}
 * must print every recorded event with the task, CPU, timestamp and fields that ringtrace's own
 * {@code trace} file shows for it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class ExtractReportTest {
    private final ActorTestKit kit = ActorTestKit.create("ExtractReportTest");
    private TraceFs fs;
    private Tracer tracer;

    @BeforeAll
    void start() throws Exception {
        ActorRef<TraceSystem.Command> ts = kit.spawn(TraceSystem.create(
                new Engine(2, 1 << 20, EventRegistry.createDefault(), new SavedCmdlines())));
        fs = new TraceFs(kit.system(), ts);
        tracer = Ringtrace.tracer(kit.system(), ts);
    }

    @AfterAll
    void stop() {
        kit.shutdownTestKit();
    }

    /** {@code comm-pid [cpu] sec.usec: name: info} of ringtrace's trace file (irq-info off). */
    private static final Pattern TRACE_LINE = Pattern.compile(
            "^\\s*(?<comm>\\S.*?)-(?<pid>\\d+)\\s+\\[(?<cpu>\\d{3})]\\s+(?<ts>\\d+\\.\\d{6}): (?<name>\\w+): (?<info>.*)$");
    /** trace-cmd report -N -t: {@code comm-pid [cpu] sec.nsec: name: info}. */
    private static final Pattern REPORT_LINE = Pattern.compile(
            "^\\s*(?<comm>\\S.*?)-(?<pid>\\d+)\\s+\\[(?<cpu>\\d{3})]\\s+(?<ts>\\d+\\.\\d{9}): (?<name>\\w+):\\s+(?<info>.*)$");

    record Line(String comm, int pid, int cpu, long usec, String name, String info) {
    }

    @Test
    void traceCmdReportPrintsEveryRecordedEvent(@TempDir Path tmp) throws Exception {
        TraceCmd.require();
        // (Each fs.write opens with O_TRUNC, which on set_event would disable the others.)
        fs.write("events/sched/sched_switch/enable", "1");
        fs.write("events/irq/irq_handler_entry/enable", "1");
        fs.write("events/irq/irq_handler_exit/enable", "1");
        fs.write("trace_options", "noirq-info");
        EventRegistry r = tracer.events();
        EventType sw = r.find("sched", "sched_switch");
        EventType entry = r.find("irq", "irq_handler_entry");
        EventType exit = r.find("irq", "irq_handler_exit");
        Thread t = new Thread(() -> {
            EventRecorder rec = tracer.recorder();
            for (int i = 0; i < 50; i++) {
                int cpu = i % 2;
                rec.setTask(4000 + i, "task" + i);
                rec.begin(sw, cpu, BuiltinEvents.FLAG_IRQS_OFF, 2).putString("task" + i).putInt(4000 + i).putInt(120)
                        .putLong(i % 3 == 0 ? 1 : 2).putString("next" + i).putInt(5000 + i).putInt(100 + i % 20).commit();
                rec.begin(entry, cpu, BuiltinEvents.FLAG_HARDIRQ, 1).putInt(24 + i % 4).putString("virtio" + i % 4).commit();
                rec.begin(exit, cpu, BuiltinEvents.FLAG_HARDIRQ, 1).putInt(24 + i % 4).putInt(i % 2).commit();
            }
            rec.resetTask();
        }, "recorder");
        t.start();
        t.join();
        for (int i = 0; i < 20; i++) {
            try (TraceFs.Handle h = fs.open("trace_marker", OpenFlags.O_WRONLY, new Caller(7000 + i, "marker" + i))) {
                h.write("hello trace-cmd " + i);
            }
        }
        List<Line> ours = parse(fs.read("trace"), TRACE_LINE, 1);
        assertEquals(50 * 3 + 20, ours.size());

        Path dat = tmp.resolve("trace.dat");
        TraceDatExport.extract(TraceDatExport.of(fs), "", dat);
        TraceCmd.Result report = TraceCmd.ok("report", "-N", "-t", dat.toString());
        List<Line> theirs = parse(report.stdout(), REPORT_LINE, 1000);
        assertEquals(ours.size(), theirs.size(), report.toString());
        for (int i = 0; i < ours.size(); i++) {
            Line o = ours.get(i);
            Line k = theirs.get(i);
            String where = "event " + i + ": ours " + o + " / trace-cmd " + k;
            assertEquals(o.comm(), k.comm(), where);
            assertEquals(o.pid(), k.pid(), where);
            assertEquals(o.cpu(), k.cpu(), where);
            assertEquals(o.usec(), k.usec(), where);
            if (o.name().equals("tracing_mark_write")) {
                // ftrace/print: report names the event "print" and its ip by the kallsyms the file
                // carries, as for a kernel file: "print: tracing_mark_write: text"
                assertEquals("print", k.name(), where);
                assertEquals("tracing_mark_write: " + o.info(), k.info(), where);
            } else {
                assertEquals(o.name(), k.name(), where);
                assertEquals(o.info(), k.info(), where);
            }
        }
        // Per-CPU and filtered views work on the same file.
        List<Line> cpu1 = parse(TraceCmd.ok("report", "--cpu", "1", "-N", "-t", dat.toString()).stdout(), REPORT_LINE, 1000);
        assertEquals(ours.stream().filter(l -> l.cpu() == 1).count(), cpu1.size());
        List<Line> switches = parse(TraceCmd.ok("report", "-F", "sched/sched_switch", "-N", "-t", dat.toString()).stdout(),
                REPORT_LINE, 1000);
        assertEquals(50, switches.size());
        String summary = TraceCmd.ok("dump", "--summary", dat.toString()).stdout();
        assertTrue(summary.contains("[Flyrecord tracing data]") && summary.contains("2 [CPUs with tracing data]"), summary);
    }

    /** Parses lines; timestamps in microseconds (the report's nanoseconds rounded like trace). */
    private static List<Line> parse(String text, Pattern p, long nsPerUnit) {
        List<Line> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            Matcher m = p.matcher(line);
            if (!m.matches()) {
                continue;
            }
            String[] ts = m.group("ts").split("\\.");
            long frac = Long.parseLong(ts[1]);
            long usec = Long.parseLong(ts[0]) * 1_000_000L + (nsPerUnit == 1 ? frac : (frac + 500) / 1000);
            out.add(new Line(m.group("comm").trim(), Integer.parseInt(m.group("pid")), Integer.parseInt(m.group("cpu")),
                    usec, m.group("name"), m.group("info").trim()));
        }
        return out;
    }
}
