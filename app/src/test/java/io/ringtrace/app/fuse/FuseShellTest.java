package io.ringtrace.app.fuse;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The mount as a shell user sees it: real processes (bash, cat, python3) against a ringtrace
 * engine mounted through FUSE, checking what tracefs does — modes in {@code ls -l}, errno texts,
 * instances made and removed with mkdir/rmdir, EBUSY while a file is open, a blocking
 * {@code cat trace_pipe} woken by a marker and killable, O_TRUNC erasing {@code trace}.
 * Each test works in its own instance. Skipped with a printed reason when FUSE is not usable.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class FuseShellTest {
    @TempDir
    static Path tmp;
    private FuseTestSupport.MountedEngine engine;
    private Path mnt;
    private String skip;

    @BeforeAll
    void mount() throws Exception {
        skip = FuseTestSupport.fuseSkipReason();
        if (skip == null) {
            engine = FuseTestSupport.startAndMount("FuseShellTest", 2, tmp, "");
            mnt = engine.mnt;
        }
    }

    /** Each test is reported as skipped, with the reason, when FUSE is not usable here. */
    @BeforeEach
    void requireMount() {
        FuseTestSupport.skipIf(skip);
    }

    @AfterAll
    void unmount() {
        if (engine != null) {
            engine.close();
            assertNull(FuseSupport.mountAt(mnt), "mount left behind at " + mnt);
        }
    }

    private FuseTestSupport.Result sh(String script) throws Exception {
        return FuseTestSupport.bash(mnt, script);
    }

    @Test
    void lsShowsTracefsModesOwnersAndSizes() throws Exception {
        FuseTestSupport.Result r = sh("mkdir instances/ls && ls -l instances/ls && ls -ld instances/ls && ls -l");
        assertEquals(0, r.rc(), r.toString());
        String out = r.out();
        assertTrue(out.matches("(?s).*\\n-rw-r----- 1 root root 0 [^\\n]* tracing_on\\n.*"), out);
        assertTrue(out.matches("(?s).*\\n--w--w---- 1 root root 0 [^\\n]* trace_marker\\n.*"), out);
        assertTrue(out.matches("(?s).*\\n-r--r----- 1 root root 0 [^\\n]* trace_pipe\\n.*"), out);
        assertTrue(out.matches("(?s).*\\n--w------- 1 root root 0 [^\\n]* free_buffer\\n.*"), out);
        assertTrue(out.matches("(?s).*\\ndrwxr-x--- \\d+ root root 0 [^\\n]* per_cpu\\n.*"), out);
        assertTrue(out.matches("(?s).*\\ndrwxr-xr-x \\d+ root root 0 [^\\n]* events\\n.*"), out);
        assertTrue(out.matches("(?s).*\\ndrwxr-x--- \\d+ root root 0 [^\\n]* instances/ls\\n.*"), out);
        assertTrue(out.matches("(?s).*\\ndrwxr-x--- \\d+ root root 0 [^\\n]* instances\\n.*"), out);
        assertEquals(0, sh("rmdir instances/ls").rc());
    }

    @Test
    void catAndEchoWorkAndBadValuesGiveInvalidArgument() throws Exception {
        FuseTestSupport.Result r = sh("mkdir instances/echo && cd instances/echo && cat tracing_on"
                + " && echo 0 > tracing_on && cat tracing_on"
                + " && { echo abc > tracing_on; echo rc=$?; } ; cat tracing_on; cat buffer_size_kb");
        assertEquals(0, r.rc(), r.toString());
        assertEquals("1\n0\nrc=1\n0\n1410\n", r.out(), r.toString());
        assertTrue(r.err().contains("write error: Invalid argument"), r.err());
        assertEquals(0, sh("rmdir instances/echo").rc());
    }

    @Test
    void mkdirAndRmdirMakeAndRemoveInstances() throws Exception {
        FuseTestSupport.Result r = sh("mkdir instances/d1 && ls instances && ls instances/d1/per_cpu"
                + " && rmdir instances/d1 && ls instances && mkdir instances/d1 && rmdir instances/d1"
                + " && mkdir instances/d2 && { mkdir instances/d2; echo rc=$?; }; rmdir instances/d2;"
                + " { rmdir instances/none; echo rc=$?; }; { mkdir events/x; echo rc=$?; }");
        assertEquals("d1\ncpu0\ncpu1\nrc=1\nrc=1\nrc=1\n", r.out(), r.toString());
        assertTrue(r.err().contains("cannot create directory 'instances/d2': File exists"), r.err());
        assertTrue(r.err().contains("failed to remove 'instances/none': No such file or directory"), r.err());
        assertTrue(r.err().contains("cannot create directory 'events/x': Operation not permitted"), r.err());
    }

    @Test
    void rmdirIsBusyWhileAFileOfTheInstanceIsOpen() throws Exception {
        FuseTestSupport.Result r = sh("mkdir instances/busy && exec 3< instances/busy/trace"
                + " && { rmdir instances/busy; echo rc=$?; } && exec 3<&- && rmdir instances/busy && echo removed"
                + " && ls instances");
        assertEquals(0, r.rc(), r.toString());
        assertEquals("rc=1\nremoved\n", r.out(), r.toString());
        assertTrue(r.err().contains("failed to remove 'instances/busy': Device or resource busy"), r.err());
    }

    @Test
    void closeThenRmdirIsNeverBusy() throws Exception {
        FuseTestSupport.assumePython();
        // RELEASE reaches the file system after close(2) returns: rmdir must still see it closed.
        FuseTestSupport.Result r = FuseTestSupport.run(List.of("python3", "-c", String.join("\n",
                "import os",
                "for i in range(100):",
                "    os.mkdir('instances/race')",
                "    fd = os.open('instances/race/trace', os.O_RDONLY)",
                "    os.close(fd)",
                "    os.rmdir('instances/race')",
                "print('ok')")), mnt, Duration.ofSeconds(60));
        assertEquals("ok\n", r.out(), r.toString());
    }

    /** A marker written through the mount is recorded on the CPU its writer runs on, as the kernel does. */
    @Test
    void aMarkerIsRecordedOnTheWritersCpu() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Runtime.getRuntime().availableProcessors() >= 2,
                "needs 2 CPUs to pin writers to");
        org.junit.jupiter.api.Assumptions.assumeTrue(FuseTestSupport.run(List.of("taskset", "-c", "0", "true"), mnt,
                Duration.ofSeconds(10)).rc() == 0, "needs taskset");
        FuseTestSupport.Result r = sh("mkdir instances/cpu && for c in 0 0 1 1 1 0; do"
                + " taskset -c $c sh -c \"echo on-cpu-$c > instances/cpu/trace_marker\"; done"
                + " && grep -o '\\[00[01]\\].*on-cpu-[01]' instances/cpu/trace | sed 's/].*on-cpu-/ /'"
                + " && rmdir instances/cpu");
        assertEquals(0, r.rc(), r.toString());
        // (a CPU chosen by pid alternates with consecutive pids: this order cannot come from it)
        assertEquals("[000 0\n[000 0\n[001 1\n[001 1\n[001 1\n[000 0\n", r.out(), r.toString());
    }

    /**
     * pread and lseek work on the text files as on the kernel's seq_file files (libtracefs reads
     * events/header_page, seeks back to 0 and reads it again when trace-cmd extracts); the pipes
     * are not seekable (ESPIPE). Expected values as this machine's 6.18 tracefs answered them.
     */
    @Test
    void preadAndLseekWorkOnTextFilesAndThePipesAreNotSeekable() throws Exception {
        FuseTestSupport.assumePython();
        assertEquals(0, sh("mkdir instances/seek").rc());
        FuseTestSupport.Result r = FuseTestSupport.run(List.of("python3", "-c", String.join("\n",
                "import os",
                "fd = os.open('instances/seek/trace_clock', os.O_RDONLY)",
                "print(os.pread(fd, 10, 3), os.pread(fd, 10, 3))",
                "os.lseek(fd, 2, 0); print(os.read(fd, 6))",
                "os.lseek(fd, 0, 0); print(os.read(fd, 100))",
                "print(os.read(fd, 100))",
                "os.lseek(fd, 1000, 0); print(os.read(fd, 10))",
                "p = os.open('instances/seek/trace_pipe', os.O_RDONLY | os.O_NONBLOCK)",
                "for op in (lambda: os.pread(p, 10, 3), lambda: os.lseek(p, 0, 0)):",
                "    try:",
                "        op(); print('no error')",
                "    except OSError as e:",
                "        print('errno', e.errno)",
                "h = os.open('events/header_page', os.O_RDONLY)",
                "a = os.read(h, 4096); os.lseek(h, 0, 0); b = os.read(h, 4096); print(len(a), a == b)")),
                mnt, Duration.ofSeconds(60));
        assertEquals(String.join("\n",
                "b'cal] globa' b'cal] globa'",
                "b'ocal] '",
                "b'[local] global counter uptime perf mono mono_raw boot tai x86-tsc\\n'",
                "b''",
                "b''",
                "errno 29",
                "errno 29",
                "205 True", ""), r.out(), r.toString());
        assertEquals(0, sh("rmdir instances/seek").rc());
    }

    @Test
    void blockingCatOfTracePipeIsWokenByAMarkerAndCanBeKilled() throws Exception {
        assertEquals(0, sh("mkdir instances/pipe").rc());
        Path out = tmp.resolve("pipe.out");
        Process cat = new ProcessBuilder("cat", "instances/pipe/trace_pipe").directory(mnt.toFile())
                .redirectOutput(out.toFile()).redirectError(tmp.resolve("pipe.err").toFile()).start();
        try {
            Thread.sleep(700);
            assertTrue(cat.isAlive(), "cat trace_pipe must block on an empty buffer");
            assertEquals("", Files.readString(out));
            FuseTestSupport.Result busy = sh("rmdir instances/pipe");
            assertTrue(busy.err().contains("Device or resource busy"), busy.toString());
            assertEquals(0, sh("echo hello-from-marker > instances/pipe/trace_marker").rc());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!Files.readString(out).contains("hello-from-marker") && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            String line = Files.readString(out);
            assertTrue(line.matches("(?s) *bash-\\d+ +\\[\\d{3}] \\S{5} +\\d+\\.\\d{6}: tracing_mark_write: "
                    + "hello-from-marker\\n"), line);
            assertTrue(cat.isAlive(), "cat keeps following the pipe");
            // SIGTERM reaches a reader blocked in FUSE: the read is interrupted and cat exits.
            cat.destroy();
            assertTrue(cat.waitFor(5, TimeUnit.SECONDS), "cat blocked in trace_pipe did not die on SIGTERM");
        } finally {
            cat.destroyForcibly();
            cat.waitFor(5, TimeUnit.SECONDS);
        }
        FuseTestSupport.Result r = sh("rmdir instances/pipe && echo removed");
        assertEquals("removed\n", r.out(), r.toString());
    }

    @Test
    void nonBlockingReadsGiveEagainAndPipesAreNotSeekable() throws Exception {
        FuseTestSupport.assumePython();
        assertEquals(0, sh("mkdir instances/nb").rc());
        FuseTestSupport.Result r = FuseTestSupport.run(List.of("python3", "-c", String.join("\n",
                "import errno, fcntl, os",
                "p = 'instances/nb/trace_pipe'",
                "fd = os.open(p, os.O_RDONLY | os.O_NONBLOCK)",
                "try:",
                "    os.read(fd, 100); print('data')",
                "except BlockingIOError: print('EAGAIN')",
                "try:",
                "    os.lseek(fd, 0, 0); print('seek')",
                "except OSError as e: print(errno.errorcode[e.errno])",
                "with open('instances/nb/trace_marker', 'w') as m: m.write('nb-line')",
                "print(os.read(fd, 4096).decode().split(': ')[-1].strip())",
                "os.close(fd)",
                "fd = os.open(p, os.O_RDONLY)",
                "fcntl.fcntl(fd, fcntl.F_SETFL, os.O_NONBLOCK)",
                "try:",
                "    os.read(fd, 100); print('data')",
                "except BlockingIOError: print('EAGAIN after fcntl')",
                "os.close(fd)")), mnt, Duration.ofSeconds(30));
        assertEquals("EAGAIN\nESPIPE\nnb-line\nEAGAIN after fcntl\n", r.out(), r.toString());
        assertEquals(0, sh("rmdir instances/nb").rc());
    }

    @Test
    void echoIntoTraceErasesIt() throws Exception {
        FuseTestSupport.Result r = sh("mkdir instances/erase && cd instances/erase"
                + " && echo first > trace_marker && echo second > trace_marker"
                + " && grep -c tracing_mark_write trace && grep entries-in-buffer trace"
                + " && echo > trace && grep -c tracing_mark_write trace; grep entries-in-buffer trace");
        assertEquals("2\n# entries-in-buffer/entries-written: 2/2   #P:2\n0\n"
                + "# entries-in-buffer/entries-written: 0/0   #P:2\n", r.out(), r.toString());
        assertEquals(0, sh("rmdir instances/erase").rc());
    }

    @Test
    void filesCannotBeCreatedOrRemoved() throws Exception {
        FuseTestSupport.Result r = sh("{ rm -f tracing_on; echo rc=$?; }; { touch newfile; echo rc=$?; };"
                + " { mv trace trace2; echo rc=$?; }; ls tracing_on trace");
        assertEquals("rc=1\nrc=1\nrc=1\ntrace\ntracing_on\n", r.out(), r.toString());
        assertTrue(r.err().contains("cannot remove 'tracing_on': Operation not permitted"), r.err());
        assertTrue(r.err().contains("cannot touch 'newfile': Permission denied"), r.err());
        assertFalse(Files.exists(mnt.resolve("newfile")));
    }
}
