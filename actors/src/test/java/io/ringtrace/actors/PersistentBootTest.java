package io.ringtrace.actors;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.ringtrace.actors.fs.Caller;
import io.ringtrace.actors.fs.OpenFlags;
import io.ringtrace.actors.fs.Stat;
import io.ringtrace.config.RingtraceSettings;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Restart = reboot: an engine writes markers into a persistent instance, its ActorSystem stops,
 * a new one starts on the same data directory, and the markers are back, per CPU and in order,
 * in the persistent instance (LAST_BOOT) and in the read-only backup copy.
 */
@Timeout(120)
class PersistentBootTest {
    private static final String NO_EVENTS =
            "reserve_mem=12M:4096:trace trace_instance=boot_map@trace trace_instance=backup=boot_map";
    private static final String WITH_EVENTS =
            "reserve_mem=12M:4096:trace trace_instance=boot_map@trace,sched,irq trace_instance=backup=boot_map";

    /** One boot: an ActorSystem with the engine on {@code dir}. */
    static final class Boot implements AutoCloseable {
        final ActorTestKit kit;
        final TraceFs fs;
        final ActorRef<TraceSystem.Command> ts;

        Boot(Path dir, String cmdline, String name) throws Exception {
            Config cfg = ConfigFactory.parseString(
                    "ringtrace.cpus = 2\n"
                            + "ringtrace.boot.cmdline = \"" + cmdline + "\"\n"
                            + "ringtrace.data-dir = \"" + dir.toAbsolutePath() + "\"\n")
                    .withFallback(ConfigFactory.load()).resolve();
            Config system = Ringtrace.systemConfig(cfg);
            kit = ActorTestKit.create(name, system);
            ts = kit.spawn(TraceSystem.create(Engine.create(RingtraceSettings.create(cfg)), cfg), "trace");
            Ringtrace.awaitBoot(kit.system(), ts, Duration.ofSeconds(60));
            fs = new TraceFs(kit.system(), ts);
        }

        /** A trace_marker write as task {@code pid}: on a 2-CPU engine, CPU = pid % 2. */
        void marker(String instance, int pid, String text) throws Exception {
            try (TraceFs.Handle h = fs.open("instances/" + instance + "/trace_marker", OpenFlags.O_WRONLY,
                    new Caller(pid, "writer"))) {
                h.write(text);
            }
        }

        @Override
        public void close() {
            kit.shutdownTestKit();
        }
    }

    private static final Pattern MARKER = Pattern.compile(
            "^ *\\S+-(\\d+) +\\[(\\d{3})] \\S{5} +\\d+\\.\\d{6}: tracing_mark_write: (.*)$");

    /** The marker texts of a trace, per CPU, in order. */
    static List<List<String>> markersPerCpu(String trace) {
        List<List<String>> out = List.of(new ArrayList<>(), new ArrayList<>());
        for (String line : trace.split("\n")) {
            Matcher m = MARKER.matcher(line);
            if (m.matches()) {
                out.get(Integer.parseInt(m.group(2))).add(m.group(3));
            }
        }
        return out;
    }

    private static List<List<String>> expected(String prefix, int n) {
        List<List<String>> out = List.of(new ArrayList<>(), new ArrayList<>());
        for (int i = 0; i < n; i++) {
            out.get(i % 2).add(prefix + i);
        }
        return out;
    }

    @Test
    void markersSurviveARestartInThePersistentInstanceAndTheBackup(@TempDir Path dir) throws Exception {
        try (Boot first = new Boot(dir, NO_EVENTS, "FirstBoot")) {
            for (int i = 0; i < 40; i++) {
                first.marker("boot_map", 1000 + i, "run1 marker " + i);
            }
            assertEquals(expected("run1 marker ", 40), markersPerCpu(first.fs.read("instances/boot_map/trace")));
        }
        try (Boot second = new Boot(dir, NO_EVENTS, "SecondBoot")) {
            List<List<String>> want = expected("run1 marker ", 40);
            assertEquals(want, markersPerCpu(second.fs.read("instances/boot_map/trace")));
            assertEquals(want, markersPerCpu(second.fs.read("instances/backup/trace")));
            String info = second.fs.read("instances/boot_map/last_boot_info");
            assertTrue(info.contains("[boot_id]") && info.contains("[start_time]"), info);
            assertEquals(info, second.fs.read("instances/backup/last_boot_info"));
            // New data goes to boot_map only (here it mixes with the old: no event started this boot).
            second.marker("boot_map", 7, "run2 marker");
            assertTrue(second.fs.read("instances/boot_map/trace").contains("run2 marker"));
            assertTrue(!second.fs.read("instances/backup/trace").contains("run2 marker"));
        }
    }

    @Test
    void bootEventsStartAfterTheBackupCopy(@TempDir Path dir) throws Exception {
        try (Boot first = new Boot(dir, WITH_EVENTS, "EventsFirst")) {
            for (int i = 0; i < 10; i++) {
                first.marker("boot_map", 2000 + i, "old " + i);
            }
        }
        try (Boot second = new Boot(dir, WITH_EVENTS, "EventsSecond")) {
            assertEquals(expected("old ", 10), markersPerCpu(second.fs.read("instances/backup/trace")));
            // boot_map was cleared when its events started: it records this boot only.
            assertEquals(List.of(List.of(), List.of()), markersPerCpu(second.fs.read("instances/boot_map/trace")));
            assertEquals("# Current\n", second.fs.read("instances/boot_map/last_boot_info"));
            assertNotEquals("# Current\n", second.fs.read("instances/backup/last_boot_info"));
            assertEquals("1\n", second.fs.read("instances/boot_map/events/sched/sched_switch/enable"));
            second.marker("boot_map", 3000, "new");
            assertEquals(List.of(List.of("new"), List.of()), markersPerCpu(second.fs.read("instances/boot_map/trace")));
            assertEquals(expected("old ", 10), markersPerCpu(second.fs.read("instances/backup/trace")));
        }
    }

    @Test
    void aBackupOfAMissingSourceIsSkippedWithNoStrayInstance(@TempDir Path dir) throws Exception {
        try (Boot boot = new Boot(dir, "trace_instance=backup=nowhere trace_instance=plain,sched:sched_switch", "Stray")) {
            List<String> names = new ArrayList<>();
            for (Stat s : boot.fs.list("instances")) {
                names.add(s.name());
            }
            assertEquals(List.of("plain"), names);
            assertEquals("sched:sched_switch\n", boot.fs.read("instances/plain/set_event"));
        }
    }

    /**
     * Requests that arrive while the engine boots wait for the boot: a mkdir of the persistent
     * instance's name made right after start answers EEXIST (the boot made it first, mapped), and
     * the backup is readable at once on the next start, without awaiting the boot.
     */
    @Test
    void requestsDuringTheBootWaitForIt(@TempDir Path dir) throws Exception {
        for (int run = 0; run < 2; run++) {
            Config cfg = ConfigFactory.parseString(
                    "ringtrace.cpus = 2\n"
                            + "ringtrace.boot.cmdline = \"" + NO_EVENTS + "\"\n"
                            + "ringtrace.data-dir = \"" + dir.toAbsolutePath() + "\"\n")
                    .withFallback(ConfigFactory.load()).resolve();
            ActorTestKit kit = ActorTestKit.create("EarlyRequests" + run, Ringtrace.systemConfig(cfg));
            try {
                ActorRef<TraceSystem.Command> ts = kit.spawn(
                        TraceSystem.create(Engine.create(RingtraceSettings.create(cfg)), cfg), "trace");
                TraceFs fs = new TraceFs(kit.system(), ts, Duration.ofSeconds(60));
                // no awaitBoot: these go to the TraceSystem while its boot loader runs
                assertEquals("EEXIST", GoldenKernelTest.errnoOf(() -> fs.mkdir("instances/boot_map")));
                assertTrue(fs.read("instances/boot_map/last_boot_info").length() > 0);
                if (run == 0) {
                    fs.write("instances/boot_map/trace_marker", "before the restart");
                } else {
                    assertTrue(fs.read("instances/backup/trace").contains("before the restart"));
                }
            } finally {
                kit.shutdownTestKit();
            }
        }
    }

    private static final Pattern TICK = Pattern.compile("^ *\\S+-\\d+ +\\[(\\d{3})] \\S{5} +\\d+\\.\\d{6}: tick: n=(\\d+)$");

    /** The n of every tick event of a trace, per CPU, in order. */
    private static List<List<Long>> ticksPerCpu(String trace) {
        List<List<Long>> out = List.of(new ArrayList<>(), new ArrayList<>());
        for (String line : trace.split("\n")) {
            Matcher m = TICK.matcher(line);
            if (m.matches()) {
                out.get(Integer.parseInt(m.group(1))).add(Long.parseLong(m.group(2)));
            }
        }
        return out;
    }

    /**
     * A persistent buffer that wrapped many times comes back whole after an orderly stop: the
     * backup holds every event the buffer held, per CPU and in order (with one sub-buffer more in
     * the ring than was persisted, the oldest page used to be lost).
     */
    @Test
    void aWrappedBufferComesBackWhole(@TempDir Path dir) throws Exception {
        String cmdline = "reserve_mem=1M:4096:trace trace_instance=boot_map@trace trace_instance=backup=boot_map";
        List<List<Long>> held;
        List<String> stats = new ArrayList<>();
        try (Boot first = new Boot(dir, cmdline, "WrapFirst")) {
            Tracer tracer = Ringtrace.tracer(first.kit.system(), first.ts);
            io.ringtrace.protocol.event.EventType tick = tracer.define("app", "tick").u64("n").register();
            first.fs.write("instances/boot_map/events/app/tick/enable", "1");
            io.ringtrace.protocol.event.EventWriter w = tracer.writer(tick);
            for (long n = 0; n < 120_000; n++) { // 16-byte events: a CPU's 1M / 2 holds about 26,000
                assertTrue(w.recordOn((int) (n & 1), n));
            }
            held = ticksPerCpu(first.fs.read("instances/boot_map/trace"));
            for (int cpu = 0; cpu < 2; cpu++) {
                String st = first.fs.read("instances/boot_map/per_cpu/cpu" + cpu + "/stats");
                assertTrue(!st.startsWith("overrun: 0"), st);
                stats.add(st.substring(0, st.indexOf('\n')));
                assertEquals(stats.get(cpu), "entries: " + held.get(cpu).size());
                assertTrue(held.get(cpu).size() > 20_000, stats.get(cpu));
            }
        }
        try (Boot second = new Boot(dir, cmdline, "WrapSecond")) {
            List<List<Long>> back = ticksPerCpu(second.fs.read("instances/backup/trace"));
            for (int cpu = 0; cpu < 2; cpu++) {
                List<Long> a = held.get(cpu);
                List<Long> b = back.get(cpu);
                String brief = "CPU " + cpu + ": held " + a.size() + " events " + a.get(0) + ".." + a.get(a.size() - 1)
                        + ", backup " + b.size() + (b.isEmpty() ? "" : " events " + b.get(0) + ".." + b.get(b.size() - 1));
                assertTrue(a.equals(b), brief);
            }
            for (int cpu = 0; cpu < 2; cpu++) {
                String st = second.fs.read("instances/backup/per_cpu/cpu" + cpu + "/stats");
                assertEquals(stats.get(cpu), st.substring(0, st.indexOf('\n')));
            }
        }
    }

    /**
     * Events read out of the persistent instance with trace_pipe do not come back in the backup
     * after an orderly stop, except the page the reader was on (the kernel's reader page comes
     * back whole too). The crash case is PersistentCpuBufferJournalTest's.
     */
    @Test
    void consumedPagesDoNotComeBackInTheBackup(@TempDir Path dir) throws Exception {
        try (Boot first = new Boot(dir, NO_EVENTS, "ConsumeFirst")) {
            for (int i = 0; i < 600; i++) { // about 5 sub-buffers of CPU 0
                first.marker("boot_map", 2, "old " + i);
            }
            Thread.sleep(500); // committed (every 100 ms) before they are read out
            try (TraceFs.Handle h = first.fs.open("instances/boot_map/trace_pipe",
                    OpenFlags.O_RDONLY | OpenFlags.O_NONBLOCK)) {
                while (true) {
                    try {
                        if (h.read(65536).length == 0) {
                            break;
                        }
                    } catch (io.ringtrace.protocol.ErrnoException e) {
                        break; // EAGAIN: read out
                    }
                }
            }
            for (int i = 0; i < 300; i++) { // past the page the reader was on
                first.marker("boot_map", 2, "new " + i);
            }
        }
        try (Boot second = new Boot(dir, NO_EVENTS, "ConsumeSecond")) {
            List<String> back = markersPerCpu(second.fs.read("instances/backup/trace")).get(0);
            List<String> olds = back.stream().filter(m -> m.startsWith("old ")).toList();
            for (int i = 0; i < 300; i++) {
                assertTrue(back.contains("new " + i), "new " + i + " is back");
            }
            // at most the reader's page of the read-out events: the last ones, none of the first
            assertTrue(olds.size() < 200, olds.size() + " read-out events came back: " + olds.subList(0, Math.min(3, olds.size())));
            assertTrue(!olds.contains("old 0") && !olds.contains("old 300"), olds.toString());
        }
    }
}
