package io.ringtrace.actors;

import io.ringtrace.actors.fs.Caller;
import io.ringtrace.actors.fs.OpenFlags;
import io.ringtrace.protocol.ErrnoException;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every trigger and non-trigger of update_last_data (tracefs-semantics 6.4, with seed patch 1:
 * every reset of the buffer resets last_boot_info too), on an instance holding previous-boot
 * data (BOOT | LAST_BOOT).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60)
class UpdateLastDataTest {
    private final ActorTestKit kit = ActorTestKit.create("UpdateLastDataTest");
    private ActorRef<TraceSystem.Command> system;
    private TraceFs fs;
    private final AtomicInteger seq = new AtomicInteger();
    private static final String PREVIOUS = "prev-boot\t[boot_id]\n";

    @BeforeAll
    void start() {
        system = TestEngines.spawn(kit, 2);
        fs = new TraceFs(kit.system(), system);
    }

    @AfterAll
    void stop() {
        kit.shutdownTestKit();
    }

    interface Op {
        void run(TraceFs fs, String base) throws Exception;
    }

    /** A LAST_BOOT instance with one previous-boot marker on each CPU. */
    private String lastBootInstance() throws Exception {
        String name = "lb" + seq.incrementAndGet();
        TraceArray a = TraceArray.ranged(name, 2, 8, InstanceFlags.BOOT | InstanceFlags.LAST_BOOT);
        a.setLastBootInfo(PREVIOUS);
        TestProbe<TraceSystem.InstanceCreated> p = kit.createTestProbe();
        system.tell(new TraceSystem.CreateInstance(a, null, p.ref()));
        p.receiveMessage();
        String base = "instances/" + name + "/";
        for (int pid = 0; pid < 2; pid++) {
            try (TraceFs.Handle h = fs.open(base + "trace_marker", OpenFlags.O_WRONLY, new Caller(pid, "old"))) {
                h.write("previous boot " + pid);
            }
        }
        assertEquals(PREVIOUS, fs.read(base + "last_boot_info"));
        return base;
    }

    static Stream<Arguments> triggers() {
        return Stream.of(
                Arguments.of("current_tracer write", (Op) (f, b) -> f.write(b + "current_tracer", "nop")),
                Arguments.of("set_event write", (Op) (f, b) -> f.write(b + "set_event", "sched:sched_switch")),
                Arguments.of("set_event_pid write", (Op) (f, b) -> f.write(b + "set_event_pid", "1")),
                Arguments.of("set_event_notrace_pid write", (Op) (f, b) -> f.write(b + "set_event_notrace_pid", "1")),
                Arguments.of("event enable", (Op) (f, b) -> f.write(b + "events/sched/sched_switch/enable", "1")),
                Arguments.of("system enable", (Op) (f, b) -> f.write(b + "events/irq/enable", "1")),
                Arguments.of("events/enable", (Op) (f, b) -> f.write(b + "events/enable", "0")),
                Arguments.of("trace O_TRUNC (patch 1)", (Op) (f, b) -> f.write(b + "trace", "")),
                Arguments.of("trace_clock write (clears, then empty)", (Op) (f, b) -> f.write(b + "trace_clock", "global")),
                Arguments.of("trace_pipe read to empty", (Op) (f, b) -> f.read(b + "trace_pipe")),
                Arguments.of("trace_pipe_raw read to empty", (Op) (f, b) -> {
                    f.read(b + "per_cpu/cpu0/trace_pipe_raw");
                    f.read(b + "per_cpu/cpu1/trace_pipe_raw");
                }),
                // ftrace_event_write calls tracing_update_buffers before it parses: even a
                // write that fails with EINVAL starts this boot.
                Arguments.of("failed set_event write", (Op) (f, b) -> {
                    try {
                        f.write(b + "set_event", "bogus:bogus");
                    } catch (ErrnoException expected) {
                        // EINVAL
                    }
                }),
                Arguments.of("per-CPU O_TRUNC of every CPU", (Op) (f, b) -> {
                    f.write(b + "per_cpu/cpu0/trace", "");
                    f.write(b + "per_cpu/cpu1/trace", "");
                }));
    }

    static Stream<Arguments> nonTriggers() {
        return Stream.of(
                Arguments.of("tracing_on write", (Op) (f, b) -> {
                    f.write(b + "tracing_on", "0");
                    f.write(b + "tracing_on", "1");
                }),
                Arguments.of("trace_marker write", (Op) (f, b) -> f.write(b + "trace_marker", "new data")),
                Arguments.of("reading trace", (Op) (f, b) -> f.read(b + "trace")),
                Arguments.of("buffer_percent write", (Op) (f, b) -> f.write(b + "buffer_percent", "20")),
                Arguments.of("trace_options write", (Op) (f, b) -> f.write(b + "trace_options", "noirq-info")),
                Arguments.of("per-CPU O_TRUNC while another CPU has data", (Op) (f, b) -> f.write(b + "per_cpu/cpu0/trace", "")),
                Arguments.of("trace_pipe_raw read while data remains", (Op) (f, b) -> f.read(b + "per_cpu/cpu0/trace_pipe_raw")));
    }

    @ParameterizedTest(name = "{0} drops the previous boot")
    @MethodSource("triggers")
    void triggers(String what, Op op) throws Exception {
        String base = lastBootInstance();
        op.run(fs, base);
        assertEquals("# Current\n", fs.read(base + "last_boot_info"), what);
        assertTrue(!fs.read(base + "trace").contains("previous boot"), what);
    }

    @ParameterizedTest(name = "{0} keeps the previous boot")
    @MethodSource("nonTriggers")
    void nonTriggers(String what, Op op) throws Exception {
        String base = lastBootInstance();
        op.run(fs, base);
        assertEquals(PREVIOUS, fs.read(base + "last_boot_info"), what);
    }
}
