package io.ringtrace.actors;

import io.ringtrace.actors.fs.OpenFlags;
import io.ringtrace.protocol.Errno;
import io.ringtrace.protocol.ErrnoException;
import io.ringtrace.protocol.event.SavedCmdlines;
import io.ringtrace.protocol.text.TraceOptions;
import org.apache.pekko.actor.DeadLetter;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.eventstream.EventStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Autoremove ordered by mailboxes, hammered: in every round a consumer drains a backup's
 * trace_pipe to the end while other threads open, read and close its files at random moments.
 * Every round must end with the instance removed exactly once, no open succeeding after
 * free_on_close was set, no open handle reading a removed instance, no dead letters, and no
 * instance left behind.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AutoremoveRaceTest {
    private final ActorTestKit kit = ActorTestKit.create("AutoremoveRaceTest");
    private ActorRef<TraceSystem.Command> system;
    private TraceFs fs;
    private TestProbe<TraceSystem.InstanceRemoved> removals;
    private TestProbe<DeadLetter> deadLetters;
    private final ExecutorService pool = Executors.newFixedThreadPool(5);

    @BeforeAll
    void start() {
        system = TestEngines.spawn(kit, 2);
        fs = new TraceFs(kit.system(), system, Duration.ofSeconds(3));
        removals = kit.createTestProbe();
        deadLetters = kit.createTestProbe();
        kit.system().eventStream().tell(new EventStream.Subscribe<>(TraceSystem.InstanceRemoved.class, removals.ref()));
        kit.system().eventStream().tell(new EventStream.Subscribe<>(DeadLetter.class, deadLetters.ref()));
    }

    @AfterAll
    void stop() {
        pool.shutdownNow();
        kit.shutdownTestKit();
    }

    private String backup(String name, int events) {
        TraceArray copy = TraceArray.ranged(name, 2, 8,
                InstanceFlags.BOOT | InstanceFlags.LAST_BOOT | InstanceFlags.VMALLOC | InstanceFlags.RDONLY);
        InstanceView writer = new InstanceView(name, copy.buffer(), TestEngines.engine(2).registry(),
                new SavedCmdlines(), TraceOptions.forInstance());
        for (int i = 0; i < events; i++) {
            byte[] b = ("old " + i).getBytes();
            try {
                writer.writeMarker(i % 2, 100 + i, "old", b, 0, b.length);
            } catch (ErrnoException e) {
                throw new AssertionError(e);
            }
        }
        TestProbe<TraceSystem.InstanceCreated> p = kit.createTestProbe();
        system.tell(new TraceSystem.CreateInstance(copy, null, p.ref()));
        p.receiveMessage();
        return "instances/" + name + "/";
    }

    private static final String[] FILES = {"trace", "per_cpu/cpu0/stats", "per_cpu/cpu1/trace", "buffer_size_kb",
        "last_boot_info", "tracing_on", "per_cpu/cpu1/trace_pipe_raw", "trace_options"};

    private void rounds(int rounds) throws Exception {
        for (int round = 0; round < rounds; round++) {
            String name = "race" + round;
            String base = backup(name, 1 + ThreadLocalRandom.current().nextInt(20));
            AtomicBoolean freeOnClose = new AtomicBoolean();
            ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
            AtomicInteger opened = new AtomicInteger();
            CyclicBarrier go = new CyclicBarrier(5);
            List<Future<?>> fs4 = new ArrayList<>();
            fs4.add(pool.submit(() -> {
                go.await();
                LockSupport.parkNanos(ThreadLocalRandom.current().nextInt(300_000));
                // Non-blocking: a racing trace_pipe_raw reader may empty the buffer first and run
                // update_last_data itself, after which a blocking trace_pipe would wait forever.
                try (TraceFs.Handle pipe = fs.open(base + "trace_pipe", OpenFlags.O_RDONLY | OpenFlags.O_NONBLOCK)) {
                    try {
                        while (pipe.read(4096).length > 0) {
                            // drain
                        }
                    } catch (ErrnoException e) {
                        if (e.errno() != Errno.EAGAIN) {
                            throw e;
                        }
                    }
                    // The buffer is empty and update_last_data has run (here or in a raw reader):
                    // free_on_close is set from here on.
                    freeOnClose.set(true);
                    LockSupport.parkNanos(ThreadLocalRandom.current().nextInt(200_000));
                } catch (ErrnoException e) {
                    // ENODEV: a raw reader drained it first and free_on_close refused this open.
                    if (e.errno() != Errno.ENODEV) {
                        problems.add("consumer: " + e.errno());
                    }
                    freeOnClose.set(true);
                }
                return null;
            }));
            for (int t = 0; t < 4; t++) {
                fs4.add(pool.submit(() -> {
                    go.await();
                    ThreadLocalRandom rnd = ThreadLocalRandom.current();
                    for (int i = 0; i < 12; i++) {
                        boolean wasFree = freeOnClose.get();
                        String f = FILES[rnd.nextInt(FILES.length)];
                        TraceFs.Handle h;
                        try {
                            h = fs.open(base + f, OpenFlags.O_RDONLY | OpenFlags.O_NONBLOCK);
                        } catch (ErrnoException e) {
                            if (e.errno() != Errno.ENODEV && e.errno() != Errno.ENOENT) {
                                problems.add("open " + f + ": " + e.errno());
                            }
                            continue;
                        }
                        if (wasFree) {
                            problems.add("open of " + f + " succeeded after free_on_close");
                        }
                        opened.incrementAndGet();
                        try {
                            h.read(256);
                        } catch (ErrnoException e) {
                            if (e.errno() != Errno.EAGAIN) {
                                problems.add("read through an open handle: " + e.errno());
                            }
                        }
                        LockSupport.parkNanos(rnd.nextInt(100_000));
                        h.close();
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs4) {
                f.get();
            }
            assertEquals(List.of(), new ArrayList<>(problems), "round " + round);
            assertEquals(new TraceSystem.InstanceRemoved(name, true), removals.receiveMessage(Duration.ofSeconds(5)),
                    "round " + round);
            assertFalse(fs.list("instances").stream().anyMatch(s -> s.name().equals(name)), "round " + round);
        }
        removals.expectNoMessage(Duration.ofMillis(100));
        deadLetters.expectNoMessage(Duration.ofMillis(100));
        assertTrue(fs.list("instances").isEmpty());
    }

    @Test
    @Timeout(300)
    void aThousandRacingRoundsEachRemoveTheBackupExactlyOnce() throws Exception {
        rounds(Integer.getInteger("ringtrace.race.rounds", 1000));
    }

    @Test
    @Tag("soak")
    @Timeout(3000)
    void tenThousandRounds() throws Exception {
        rounds(10_000);
    }
}
