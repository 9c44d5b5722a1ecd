package io.ringtrace.actors;

import io.ringtrace.actors.fs.OpenFlags;
import io.ringtrace.actors.fs.Stat;
import io.ringtrace.protocol.Errno;
import io.ringtrace.protocol.ErrnoException;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.LoggingTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad input anywhere gets an errno, never an exception or a dead instance (which would lose its
 * recorded data): random and hostile writes to every writable file of an instance, and hostile
 * paths.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(300)
class HostileInputTest {
    private final ActorTestKit kit = ActorTestKit.create("HostileInputTest");
    private TraceFs fs;

    @BeforeAll
    void start() {
        fs = TestEngines.start(kit, 2);
    }

    @AfterAll
    void stop() {
        kit.shutdownTestKit();
    }

    private void files(String dir, List<String> out) throws ErrnoException {
        for (Stat s : fs.list(dir)) {
            String p = dir + "/" + s.name();
            if (s.directory()) {
                if (!p.contains("/events/") || p.contains("/events/sched") || p.contains("/events/ftrace")) {
                    files(p, out);
                }
            } else if ((s.mode() & 0200) != 0) {
                out.add(p);
            }
        }
    }

    private static final String[] HOSTILE = {"", "\n", " ", "-1", "99999999999999999999999", "0x10", "1 2", "\u0000",
        "abc", "!", "!!", "*:*", ":", "sched:", "*", "(", "prev_pid == ", "prev_comm ~ \"[", "comm == \"x",
        "traceon:0", "enable_event:sched", "disable_event:x:y:z", "nop\n\n", "4294967296", "18446744073709551616",
        "+", "+5", "1\n2", "fff,ffffffff,ffffffff", "none", "0 if (", "if", "trace_printk_dest", "no",
        "x".repeat(300), "y".repeat(70000)};

    @Test
    void everyWritableFileAnswersHostileInputWithAnErrnoAndStaysAlive() throws Exception {
        fs.mkdir("instances/h");
        fs.write("instances/h/trace_marker", "precious");
        List<String> writable = new ArrayList<>();
        files("instances/h", writable);
        assertTrue(writable.size() > 40, writable.toString());
        Random rnd = new Random(42);
        List<String> inputs = new ArrayList<>(List.of(HOSTILE));
        for (int i = 0; i < 20; i++) {
            byte[] b = new byte[rnd.nextInt(200)];
            rnd.nextBytes(b);
            inputs.add(new String(b, StandardCharsets.ISO_8859_1));
        }
        // No file may crash: an internal error would be logged at ERROR and answered EIO.
        LoggingTestKit.error("failed").withOccurrences(0).expect(kit.system(), () -> {
            for (String f : writable) {
                for (String in : inputs) {
                    try (TraceFs.Handle h = fs.open(f, OpenFlags.O_WRONLY)) {
                        h.write(in.getBytes(StandardCharsets.ISO_8859_1));
                    } catch (ErrnoException e) {
                        assertTrue(e.errno() != Errno.EIO && e.errno() != Errno.ENODEV, f + " <- " + in + ": " + e.errno());
                    }
                }
            }
            return null;
        });
        // Still alive and answering.
        assertEquals("nop\n", fs.read("instances/h/current_tracer"));
        assertTrue(fs.read("instances/h/trace").startsWith("# tracer: nop\n"));
        fs.rmdir("instances/h");
    }

    @Test
    void hostilePathsGetErrnos() {
        for (String p : List.of("", "/", "//", "instances//x", "instances/../trace", "../../etc/passwd", "a\u0000b",
                "instances/" + "n".repeat(256), "per_cpu/cpu99/trace", "per_cpu/cpu-1/trace", "events/../../x",
                "trace/child", "instances")) {
            String e = GoldenKernelTest.errnoOf(() -> fs.open(p, OpenFlags.O_RDONLY).close());
            assertTrue(!e.equals("EIO") && !e.equals("ENODEV"), p + ": " + e);
        }
    }

    /**
     * mkdir and rmdir where tracefs makes and removes no directory answer what a Linux 6.18
     * tracefs answered (checked by hand on this machine's kernel, 2026-11-22): EEXIST for an entry
     * that exists, ENOTDIR through or at a file, ENOENT for a missing one, EPERM otherwise.
     */
    @Test
    void directoryOperationsOutsideInstancesAnswerAsTheKernel() throws Exception {
        fs.mkdir("instances/d");
        try {
            String[][] cases = {
                {"mkdir", "events", "EEXIST"}, {"mkdir", "trace", "EEXIST"}, {"mkdir", "per_cpu/cpu0", "EEXIST"},
                {"mkdir", "instances/d/events", "EEXIST"}, {"mkdir", "instances/d/events/sched", "EEXIST"},
                {"mkdir", "instances/d/newdir", "EPERM"}, {"mkdir", "newdir", "EPERM"}, {"mkdir", "per_cpu/cpu0/x", "EPERM"},
                {"mkdir", "trace/x", "ENOTDIR"}, {"mkdir", "nonexist/x", "ENOENT"},
                {"rmdir", "events", "EPERM"}, {"rmdir", "per_cpu/cpu0", "EPERM"},
                {"rmdir", "instances/d/events/sched", "EPERM"},
                {"rmdir", "trace", "ENOTDIR"}, {"rmdir", "instances/d/trace", "ENOTDIR"}, {"rmdir", "trace/x", "ENOTDIR"},
                {"rmdir", "nonexist", "ENOENT"}, {"rmdir", "nonexist/x", "ENOENT"},
            };
            for (String[] c : cases) {
                String e = GoldenKernelTest.errnoOf(() -> {
                    if (c[0].equals("mkdir")) {
                        fs.mkdir(c[1]);
                    } else {
                        fs.rmdir(c[1]);
                    }
                });
                assertEquals(c[2], e, c[0] + " " + c[1]);
            }
            assertTrue(fs.read("instances/d/trace").startsWith("# tracer: nop\n"));
        } finally {
            fs.rmdir("instances/d");
        }
    }
}
