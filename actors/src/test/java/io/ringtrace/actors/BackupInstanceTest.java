package io.ringtrace.actors;

import io.ringtrace.actors.fs.OpenFlags;
import io.ringtrace.actors.fs.Stat;
import io.ringtrace.protocol.Errno;
import io.ringtrace.protocol.ErrnoException;
import io.ringtrace.protocol.ring.RingBuffer;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.LoggingTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.eventstream.EventStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The read-only backup instance of seed patches 2 and 3: its reduced tree with modes, EPERM on
 * every kept control file, ENOENT for every file the patch stops creating, erase with O_TRUNC,
 * and removal after it is read out or erased, once its last file closes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(180)
class BackupInstanceTest {
    private final ActorTestKit kit = ActorTestKit.create("BackupInstanceTest");
    private ActorRef<TraceSystem.Command> system;
    private TraceFs fs;
    private TestProbe<TraceSystem.InstanceRemoved> removals;
    private final AtomicInteger seq = new AtomicInteger();
    private final Map<String, ActorRef<TraceInstance.Command>> refs = new java.util.concurrent.ConcurrentHashMap<>();

    @BeforeAll
    void start() {
        system = TestEngines.spawn(kit, 2);
        fs = new TraceFs(kit.system(), system, Duration.ofSeconds(5));
        removals = kit.createTestProbe();
        kit.system().eventStream().tell(new EventStream.Subscribe<>(TraceSystem.InstanceRemoved.class, removals.ref()));
    }

    @AfterAll
    void stop() {
        kit.shutdownTestKit();
    }

    /** A backup copy holding {@code events} markers of a previous boot, as the boot makes one. */
    String backup(int events) {
        String name = "backup" + seq.incrementAndGet();
        // The previous boot's pages, recorded by a persistent ring.
        TraceArray source = TraceArray.ranged("src", 2, 8, InstanceFlags.BOOT);
        InstanceView v = new InstanceView("src", source.buffer(), TestEngines.engine(2).registry(),
                new io.ringtrace.protocol.event.SavedCmdlines(), io.ringtrace.protocol.text.TraceOptions.forInstance());
        for (int i = 0; i < events; i++) {
            byte[] b = ("old " + i).getBytes();
            try {
                v.writeMarker(i % 2, 100 + i, "old", b, 0, b.length);
            } catch (ErrnoException e) {
                throw new AssertionError(e);
            }
        }
        TraceArray copy = TraceArray.ranged(name, 2, 8,
                InstanceFlags.BOOT | InstanceFlags.LAST_BOOT | InstanceFlags.VMALLOC | InstanceFlags.RDONLY);
        for (int cpu = 0; cpu < 2; cpu++) {
            copy.buffer().cpu(cpu).restore(pages(source.buffer().cpu(cpu)));
        }
        copy.setLastBootInfo("prev\t[boot_id]\n");
        TestProbe<TraceSystem.InstanceCreated> p = kit.createTestProbe();
        system.tell(new TraceSystem.CreateInstance(copy, null, p.ref()));
        refs.put(name, p.receiveMessage().ref());
        return name;
    }

    private static List<byte[]> pages(RingBuffer ring) {
        List<byte[]> out = new ArrayList<>();
        for (long s = ring.oldestPageSeq(); s <= ring.writePageSeq(); s++) {
            byte[] page = new byte[ring.subbufSize()];
            if (ring.copyPage(s, page) > 0) {
                out.add(page);
            }
        }
        return out;
    }

    private Map<String, String> listing(String path) throws ErrnoException {
        Map<String, String> out = new LinkedHashMap<>();
        for (Stat s : fs.list(path)) {
            out.put(s.name(), s.modeString());
        }
        return out;
    }

    private static String errno(GoldenKernelTest.Op op) {
        return GoldenKernelTest.errnoOf(op);
    }

    @Test
    void theTreeOfABackupHasTheReducedFilesAndModes() throws Exception {
        String b = "instances/" + backup(4) + "/";
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("available_tracers", "-r--r-----");
        expected.put("buffer_size_kb", "-r--r-----");
        expected.put("buffer_subbuf_size_kb", "-r--r-----");
        expected.put("buffer_total_size_kb", "-r--r-----");
        expected.put("current_tracer", "-r--r-----");
        expected.put("events", "drwxr-xr-x");
        expected.put("last_boot_info", "-r--r-----");
        expected.put("options", "drwxr-x---");
        expected.put("per_cpu", "drwxr-x---");
        expected.put("timestamp_mode", "-r--r-----");
        expected.put("trace", "-rw-r-----");
        expected.put("trace_clock", "-r--r-----");
        expected.put("trace_options", "-rw-r-----");
        expected.put("trace_pipe", "-r--r-----");
        expected.put("tracing_cpumask", "-r--r-----");
        expected.put("tracing_on", "-r--r-----");
        assertEquals(expected, listing(b));
        assertEquals(List.of("buffer_meta", "buffer_size_kb", "stats", "trace", "trace_pipe", "trace_pipe_raw"),
                new ArrayList<>(listing(b + "per_cpu/cpu0").keySet()));
        Map<String, String> events = listing(b + "events");
        assertEquals("-r--r-----", events.get("header_page"));
        assertEquals("-r--r-----", events.get("header_event"));
        assertFalse(events.containsKey("enable"));
        assertEquals(List.of("format", "id"), new ArrayList<>(listing(b + "events/sched/sched_switch").keySet()));
        assertTrue(listing(b + "events/sched").keySet().stream().allMatch(n -> n.startsWith("sched_")));
        assertEquals(List.of("print"), new ArrayList<>(listing(b + "events/ftrace").keySet()).subList(0, 1));
    }

    @Test
    void everyKeptControlFileRefusesWritesWithEperm() throws Exception {
        String b = "instances/" + backup(4) + "/";
        for (String f : List.of("current_tracer", "tracing_cpumask", "buffer_size_kb", "buffer_subbuf_size_kb",
                "trace_clock", "tracing_on", "per_cpu/cpu0/buffer_size_kb")) {
            String before = fs.read(b + f);
            assertEquals("EPERM", errno(() -> fs.write(b + f, "1")), f);
            assertEquals(before, fs.read(b + f), f + " unchanged");
        }
        // trace_options stays writable: it changes only how output is printed.
        fs.write(b + "trace_options", "noirq-info");
        assertTrue(fs.read(b + "trace_options").contains("noirq-info\n"));
    }

    @Test
    void filesThePatchStopsCreatingDoNotExist() throws Exception {
        String b = "instances/" + backup(4) + "/";
        for (String f : List.of("free_buffer", "trace_marker", "trace_marker_raw", "buffer_percent", "snapshot",
                "error_log", "set_event", "set_event_pid", "set_event_notrace_pid", "events/enable",
                "events/sched/enable", "events/sched/filter", "events/sched/sched_switch/enable",
                "events/sched/sched_switch/filter", "events/sched/sched_switch/trigger")) {
            assertEquals("ENOENT", errno(() -> fs.open(b + f, OpenFlags.O_WRONLY).close()), f);
        }
    }

    @Test
    void bootEventsOnABackupAreRefusedAndLogged() {
        String name = backup(2);
        TestProbe<org.apache.pekko.Done> done = kit.createTestProbe();
        LoggingTestKit.warn("Failed to enable trace event: sched").expect(kit.system(), () -> {
            refs.get(name).tell(new TraceInstance.ApplyBootEvents(List.of("sched"), done.ref()));
            done.receiveMessage();
            return null;
        });
    }

    @Test
    void readingTracePipeToTheEndRemovesTheBackupAfterTheLastClose() throws Exception {
        String name = backup(6);
        String b = "instances/" + name + "/";
        try (TraceFs.Handle pipe = fs.open(b + "trace_pipe", OpenFlags.O_RDONLY)) {
            String text = new String(pipe.readAll());
            assertEquals(6, text.lines().count(), text);
            // free_on_close is set: new opens are refused, the open reader keeps it alive.
            assertEquals("ENODEV", errno(() -> fs.open(b + "trace", OpenFlags.O_RDONLY).close()));
            assertTrue(fs.list("instances").stream().anyMatch(s -> s.name().equals(name)));
            removals.expectNoMessage(Duration.ofMillis(200));
        }
        assertEquals(new TraceSystem.InstanceRemoved(name, true), removals.receiveMessage(Duration.ofSeconds(5)));
        assertFalse(fs.list("instances").stream().anyMatch(s -> s.name().equals(name)));
        assertEquals("ENOENT", errno(() -> fs.open(b + "trace", OpenFlags.O_RDONLY).close()));
    }

    @Test
    void readingTraceToTheEndKeepsTheBackup() throws Exception {
        // trace is not a consuming read: reading it out (in pieces, as the text is printed per
        // read) and closing neither sets free_on_close nor removes the backup.
        String name = backup(6);
        String b = "instances/" + name + "/";
        String first;
        try (TraceFs.Handle h = fs.open(b + "trace", OpenFlags.O_RDONLY)) {
            StringBuilder text = new StringBuilder();
            for (byte[] piece = h.read(10); piece.length > 0; piece = h.read(10)) {
                text.append(new String(piece));
            }
            first = text.toString();
        }
        assertEquals(6, first.lines().filter(l -> l.contains("tracing_mark_write: old ")).count(), first);
        removals.expectNoMessage(Duration.ofMillis(300));
        assertTrue(fs.list("instances").stream().anyMatch(s -> s.name().equals(name)));
        assertEquals(first, fs.read(b + "trace"));
    }

    @Test
    void erasingWithOTruncRemovesTheBackupAfterTheLastClose() throws Exception {
        String name = backup(6);
        String b = "instances/" + name + "/";
        TraceFs.Handle reader = fs.open(b + "per_cpu/cpu0/stats", OpenFlags.O_RDONLY);
        fs.write(b + "trace", "");
        removals.expectNoMessage(Duration.ofMillis(200));
        reader.close();
        assertEquals(new TraceSystem.InstanceRemoved(name, true), removals.receiveMessage(Duration.ofSeconds(5)));
    }

    @Test
    void rmdirByHandStillWorks() throws Exception {
        String name = backup(3);
        fs.rmdir("instances/" + name);
        assertEquals(new TraceSystem.InstanceRemoved(name, false), removals.receiveMessage(Duration.ofSeconds(5)));
    }
}
