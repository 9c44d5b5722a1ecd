package io.ringtrace.actors;

import io.ringtrace.actors.fs.Caller;
import io.ringtrace.actors.fs.FsReply;
import io.ringtrace.actors.fs.OpenFlags;
import io.ringtrace.protocol.Errno;
import io.ringtrace.protocol.ErrnoException;
import org.apache.pekko.actor.DeadLetter;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
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
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Get/Put protocol: every open is a Get to the instance, every close a Put, and rmdir is
 * refused with EBUSY exactly while a reference-holding file is open (tracefs-semantics 1.3, 3.2).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class RefcountProtocolTest {
    private final ActorTestKit kit = ActorTestKit.create("RefcountProtocolTest");
    private ActorRef<TraceSystem.Command> system;
    private TestProbe<DeadLetter> deadLetters;

    @BeforeAll
    void start() {
        system = TestEngines.spawn(kit, 2);
        deadLetters = kit.createTestProbe(DeadLetter.class);
        kit.system().eventStream().tell(new EventStream.Subscribe<>(DeadLetter.class, deadLetters.ref()));
    }

    @AfterAll
    void stop() {
        kit.shutdownTestKit();
    }

    private FsReply ask(java.util.function.Function<ActorRef<FsReply>, TraceSystem.Command> msg) {
        TestProbe<FsReply> p = kit.createTestProbe(FsReply.class);
        system.tell(msg.apply(p.ref()));
        return p.receiveMessage(Duration.ofSeconds(5));
    }

    private FsReply open(String path, int flags) {
        return ask(r -> new TraceSystem.OpenPath(path, flags, new Caller(1, "test"), r));
    }

    private void close(FsReply opened) {
        FsReply.Opened o = (FsReply.Opened) opened;
        TestProbe<FsReply> p = kit.createTestProbe(FsReply.class);
        o.instance().tell(new TraceInstance.Close(o.handle(), p.ref()));
        p.expectMessage(FsReply.Done.INSTANCE);
    }

    @Test
    void rmdirIsBusyWhileAReferenceIsHeldAndWorksAfterThePut() {
        assertEquals(FsReply.Done.INSTANCE, ask(r -> new TraceSystem.Mkdir("instances/a", r)));
        FsReply trace = open("instances/a/trace", OpenFlags.O_RDONLY);
        assertInstanceOf(FsReply.Opened.class, trace);
        assertEquals(new FsReply.Failed(Errno.EBUSY), ask(r -> new TraceSystem.Rmdir("instances/a", r)));
        close(trace);
        assertEquals(FsReply.Done.INSTANCE, ask(r -> new TraceSystem.Rmdir("instances/a", r)));
        assertEquals(new FsReply.Failed(Errno.ENOENT), open("instances/a/trace", OpenFlags.O_RDONLY));
        assertEquals(new FsReply.Failed(Errno.ENOENT), ask(r -> new TraceSystem.Rmdir("instances/a", r)));
    }

    @Test
    void formatIdAndOptionFilesHoldNoReference() {
        ask(r -> new TraceSystem.Mkdir("instances/b", r));
        FsReply format = open("instances/b/events/sched/sched_switch/format", OpenFlags.O_RDONLY);
        FsReply id = open("instances/b/events/sched/sched_switch/id", OpenFlags.O_RDONLY);
        FsReply option = open("instances/b/options/overwrite", OpenFlags.O_RDONLY);
        assertInstanceOf(FsReply.Opened.class, format);
        assertInstanceOf(FsReply.Opened.class, id);
        assertInstanceOf(FsReply.Opened.class, option);
        // The kernel lets rmdir through with these open (the quirk of section 1.4).
        assertEquals(FsReply.Done.INSTANCE, ask(r -> new TraceSystem.Rmdir("instances/b", r)));
    }

    @Test
    void everyReferenceHoldingFileBlocksRmdir() {
        ask(r -> new TraceSystem.Mkdir("instances/c", r));
        String[] files = {"trace", "trace_pipe", "per_cpu/cpu1/trace_pipe_raw", "per_cpu/cpu0/stats",
            "buffer_size_kb", "current_tracer", "set_event", "events/sched/sched_switch/enable",
            "events/sched/sched_switch/filter", "events/sched/sched_switch/trigger", "events/enable",
            "events/header_page", "error_log", "tracing_on", "trace_clock", "trace_options"};
        for (String f : files) {
            FsReply h = open("instances/c/" + f, OpenFlags.O_RDONLY);
            assertInstanceOf(FsReply.Opened.class, h, f);
            assertEquals(new FsReply.Failed(Errno.EBUSY), ask(r -> new TraceSystem.Rmdir("instances/c", r)), f);
            close(h);
        }
        FsReply marker = open("instances/c/trace_marker", OpenFlags.O_WRONLY);
        assertEquals(new FsReply.Failed(Errno.EBUSY), ask(r -> new TraceSystem.Rmdir("instances/c", r)));
        close(marker);
        assertEquals(FsReply.Done.INSTANCE, ask(r -> new TraceSystem.Rmdir("instances/c", r)));
    }

    @Test
    void tracePipeIsOneReaderPerCpu() {
        ask(r -> new TraceSystem.Mkdir("instances/d", r));
        FsReply all = open("instances/d/trace_pipe", OpenFlags.O_RDONLY);
        assertInstanceOf(FsReply.Opened.class, all);
        assertEquals(new FsReply.Failed(Errno.EBUSY), open("instances/d/trace_pipe", OpenFlags.O_RDONLY));
        assertEquals(new FsReply.Failed(Errno.EBUSY), open("instances/d/per_cpu/cpu0/trace_pipe", OpenFlags.O_RDONLY));
        close(all);
        FsReply cpu0 = open("instances/d/per_cpu/cpu0/trace_pipe", OpenFlags.O_RDONLY);
        FsReply cpu1 = open("instances/d/per_cpu/cpu1/trace_pipe", OpenFlags.O_RDONLY);
        assertInstanceOf(FsReply.Opened.class, cpu0);
        assertInstanceOf(FsReply.Opened.class, cpu1);
        assertEquals(new FsReply.Failed(Errno.EBUSY), open("instances/d/per_cpu/cpu0/trace_pipe", OpenFlags.O_RDONLY));
        assertEquals(new FsReply.Failed(Errno.EBUSY), open("instances/d/trace_pipe", OpenFlags.O_RDONLY));
        close(cpu0);
        close(cpu1);
        assertEquals(FsReply.Done.INSTANCE, ask(r -> new TraceSystem.Rmdir("instances/d", r)));
    }

    /**
     * Many threads open and close files while rmdir is tried again and again: rmdir succeeds only
     * when nothing is open, no handle ever reads a removed instance, every open after the removal
     * fails with ENOENT, and the protocol produces no dead letters.
     */
    @Test
    void concurrentOpenersRaceRmdir() throws Exception {
        TraceFs fs = new TraceFs(kit.system(), system, Duration.ofSeconds(5));
        String[] files = {"trace", "tracing_on", "buffer_size_kb", "per_cpu/cpu0/stats", "set_event", "trace_pipe"};
        for (int round = 0; round < 20; round++) {
            String inst = "instances/race" + round;
            fs.mkdir(inst);
            AtomicBoolean removed = new AtomicBoolean();
            AtomicInteger opens = new AtomicInteger();
            ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
            int threads = 6;
            CountDownLatch started = new CountDownLatch(threads);
            List<Thread> ts = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Thread th = new Thread(() -> {
                    started.countDown();
                    ThreadLocalRandom rnd = ThreadLocalRandom.current();
                    for (int i = 0; i < 200; i++) {
                        String f = files[rnd.nextInt(files.length)];
                        int flags = OpenFlags.O_RDONLY | OpenFlags.O_NONBLOCK;
                        TraceFs.Handle h;
                        try {
                            h = fs.open(inst + "/" + f, flags);
                        } catch (ErrnoException e) {
                            if (e.errno() == Errno.ENOENT) {
                                if (!removed.get()) {
                                    // ENOENT only once the removal has been answered (it can race the flag by a hair).
                                    continue;
                                }
                                return;
                            }
                            if (e.errno() != Errno.EBUSY) {
                                problems.add("open " + f + ": " + e.errno());
                            }
                            continue;
                        }
                        opens.incrementAndGet();
                        try {
                            h.read(128);
                        } catch (ErrnoException e) {
                            if (e.errno() != Errno.EAGAIN) {
                                problems.add("read of open " + f + " failed: " + e.errno());
                            }
                        }
                        h.close();
                    }
                }, "opener-" + t);
                ts.add(th);
                th.start();
            }
            started.await();
            int busy = 0;
            while (true) {
                try {
                    fs.rmdir(inst);
                    removed.set(true);
                    break;
                } catch (ErrnoException e) {
                    assertEquals(Errno.EBUSY, e.errno());
                    busy++;
                }
            }
            for (Thread th : ts) {
                th.join();
            }
            assertEquals(List.of(), new ArrayList<>(problems));
            assertTrue(opens.get() > 0);
            try {
                fs.open(inst + "/trace", OpenFlags.O_RDONLY);
                throw new AssertionError("open after removal succeeded");
            } catch (ErrnoException e) {
                assertEquals(Errno.ENOENT, e.errno());
            }
            assertTrue(busy >= 0);
        }
        deadLetters.expectNoMessage(Duration.ofMillis(200));
    }
}
