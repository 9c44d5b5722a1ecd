package io.ringtrace.app;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.ringtrace.actors.Ringtrace;
import io.ringtrace.actors.TraceFs;
import io.ringtrace.actors.TraceSystem;
import io.ringtrace.actors.fs.OpenFlags;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.ServerBinding;
import picocli.CommandLine;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The command line's client commands ({@code ls}, {@code mkdir}, {@code write}, {@code cat},
 * {@code rmdir}) against a daemon served as {@code boot} serves it: the README's walkthrough,
 * with the shell tools' messages and exit codes for the kernel's errors.
 */
@Timeout(120)
class CommandLineTest {
    @TempDir
    static Path tmp;
    static ActorSystem<TraceSystem.Command> system;
    static String daemon;

    /** What one command printed and returned. */
    record Run(int rc, String out, String err) {
    }

    @BeforeAll
    static void boot() throws Exception {
        Config config = Ringtrace.systemConfig(ConfigFactory.parseMap(Map.of(
                        "ringtrace.cpus", 2,
                        "ringtrace.data-dir", tmp.toString(),
                        "ringtrace.boot.cmdline", "",
                        "ringtrace.http.host", "127.0.0.1",
                        "ringtrace.http.port", 0,
                        "ringtrace.workload.enabled", false))
                .withValue("pekko.coordinated-shutdown.run-by-jvm-shutdown-hook", ConfigValueFactory.fromAnyRef("off"))
                .withFallback(ConfigFactory.load()).resolve());
        system = ActorSystem.create(Ringtrace.create(config), "CommandLineTest", config);
        ServerBinding b = Daemon.serve(system, config);
        daemon = "http://127.0.0.1:" + b.localAddress().getPort();
    }

    @AfterAll
    static void stop() throws Exception {
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    /** {@code ringtrace VERB --url=DAEMON ARGS}, in this JVM, its stdout and stderr captured. */
    static Run run(String verb, String... args) {
        return runAt(daemon, verb, args);
    }

    static Run runAt(String url, String verb, String... args) {
        List<String> argv = new ArrayList<>(List.of(verb, "--url=" + url));
        argv.addAll(List.of(args));
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
        try {
            int rc = Main.run(argv.toArray(new String[0]));
            return new Run(rc, o.toString(StandardCharsets.UTF_8), commandLines(e.toString(StandardCharsets.UTF_8)));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    /** The command's own lines of stderr (the daemon, in this JVM, logs there too). */
    private static String commandLines(String err) {
        StringBuilder b = new StringBuilder();
        for (String line : err.split("\n")) {
            if (line.startsWith("ringtrace: ")) {
                b.append(line).append('\n');
            }
        }
        return b.toString();
    }

    @Test
    void readmeWalkthrough() throws Exception {
        Run ls = run("ls");
        assertEquals(0, ls.rc(), ls.err());
        assertTrue(ls.out().contains("drwxr-x--- instances\n"), ls.out());
        assertTrue(ls.out().contains("-rw-r----- tracing_on\n"), ls.out());

        assertEquals(new Run(0, "", ""), run("mkdir", "instances/foo"));
        assertEquals(new Run(0, "", ""), run("write", "instances/foo/trace_marker", "hello", "world"));
        Run cat = run("cat", "instances/foo/trace");
        assertEquals(0, cat.rc(), cat.err());
        assertTrue(cat.out().startsWith("# tracer: nop\n"), cat.out());
        assertTrue(cat.out().endsWith(": tracing_mark_write: hello world\n"), cat.out());

        // a reader holds the instance: rmdir answers EBUSY, as the kernel does
        TraceFs fs = Ringtrace.fs(system);
        try (TraceFs.Handle pipe = fs.open("instances/foo/trace_pipe", OpenFlags.O_RDONLY)) {
            assertEquals(new Run(1, "", "ringtrace: rmdir error: Device or resource busy\n"),
                    run("rmdir", "instances/foo"));
        }
        // cat --nonblock of a pipe prints what it holds and stops there (consumed: a second one prints nothing)
        Run drained = run("cat", "--nonblock", "instances/foo/trace_pipe");
        assertEquals(0, drained.rc(), drained.err());
        assertTrue(drained.out().endsWith(": tracing_mark_write: hello world\n"), drained.out());
        assertEquals(new Run(0, "", ""), run("cat", "--nonblock", "instances/foo/trace_pipe"));
        assertEquals(new Run(0, "", ""), run("rmdir", "instances/foo"));
        assertTrue(!run("ls", "instances").out().contains("foo"));
    }

    @Test
    void errorsAreTheShellToolsMessages() {
        assertEquals(new Run(1, "", "ringtrace: write error: Invalid argument\n"), run("write", "tracing_on", "abc"));
        assertEquals(new Run(1, "", "ringtrace: read error: No such file or directory\n"), run("cat", "nosuch"));
        assertEquals(new Run(1, "", "ringtrace: mkdir error: File exists\n"), run("mkdir", "instances"));
        assertEquals("1\n", run("cat", "tracing_on").out());
    }

    /** What picocli would run for {@code args}: the subcommand object it parsed, as text. */
    private static String picocli(String... args) {
        CommandLine.ParseResult r = new CommandLine(new Main()).parseArgs(args);
        return describe((Main.ClientCommand) r.subcommand().commandSpec().userObject());
    }

    private static String describe(Main.ClientCommand c) {
        String s = c.getClass().getSimpleName() + " url=" + c.url;
        if (c instanceof Main.Cat) {
            return s + " path=" + ((Main.Cat) c).path + " nonblock=" + ((Main.Cat) c).nonblock;
        } else if (c instanceof Main.Pipe) {
            return s + " path=" + ((Main.Pipe) c).path;
        } else if (c instanceof Main.Write) {
            Main.Write w = (Main.Write) c;
            return s + " path=" + w.path + " text=" + w.text + " n=" + w.noNewline;
        } else if (c instanceof Main.Ls) {
            return s + " path=" + ((Main.Ls) c).path;
        } else if (c instanceof Main.Mkdir) {
            return s + " path=" + ((Main.Mkdir) c).path;
        }
        return s + " path=" + ((Main.Rmdir) c).path;
    }

    @Test
    void quickPathParsesAsPicocliDoes() {
        String[][] lines = {
            {"cat", "trace"}, {"cat", "--nonblock", "instances/a/trace_pipe"}, {"cat", "x", "--nonblock"},
            {"cat", "--url=http://h:1", "trace"}, {"cat", "--url", "http://h:1", "trace"},
            {"pipe"}, {"pipe", "instances/a/trace_pipe"}, {"write", "trace_marker"},
            {"write", "trace_marker", "hello", "world"}, {"echo", "-n", "tracing_on", "0"},
            {"write", "trace_marker", "-n", "x"}, {"ls"}, {"ls", "instances"}, {"mkdir", "instances/a"},
            {"rmdir", "instances/a"}, {"ls", "--url=u", "per_cpu"},
        };
        for (String[] line : lines) {
            Main.ClientCommand q = Main.quick(line);
            assertTrue(q != null, String.join(" ", line));
            assertEquals(picocli(line), describe(q), String.join(" ", line));
        }
        // anything else is picocli's: help, unknown or repeated options, wrong operand counts
        String[][] others = {
            {}, {"--help"}, {"cat", "--help"}, {"cat"}, {"cat", "a", "b"}, {"cat", "-x", "a"}, {"mkdir"},
            {"ls", "a", "b"}, {"write"}, {"write", "buffer_size_kb", "-1"}, {"cat", "--nonblock", "--nonblock", "a"},
            {"ls", "--url=a", "--url=b"}, {"cat", "--", "a"}, {"boot"}, {"extract", "-o", "x"}, {"pipe", "a", "b"},
        };
        for (String[] line : others) {
            assertEquals(null, Main.quick(line), String.join(" ", line));
        }
    }

    @Test
    void helpAndUsageErrorsStillComeFromPicocli() {
        Run help = runAt(daemon, "cat", "--help");
        assertEquals(0, help.rc());
        assertTrue(help.out().startsWith("Usage: ringtrace cat [-hV] [--nonblock] [--url=<url>] PATH"), help.out());
        Run usage = run("cat");
        assertEquals(2, usage.rc());
    }

    @Test
    void noDaemonIsSaidSo() {
        Run r = runAt("http://127.0.0.1:1", "ls");
        assertEquals(1, r.rc());
        assertTrue(r.err().startsWith("ringtrace: no daemon at http://127.0.0.1:1"), r.err());
    }
}
