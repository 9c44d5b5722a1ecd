package io.ringtrace.persistence;

import static io.ringtrace.persistence.TestSupport.config;
import static io.ringtrace.persistence.TestSupport.flush;
import static io.ringtrace.persistence.TestSupport.marker;
import static io.ringtrace.persistence.TestSupport.markersAfterRestart;
import static io.ringtrace.persistence.TestSupport.markersOf;
import static io.ringtrace.persistence.TestSupport.recovered;
import static io.ringtrace.persistence.TestSupport.ring;
import static io.ringtrace.persistence.TestSupport.start;
import static io.ringtrace.persistence.TestSupport.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import io.ringtrace.protocol.ring.RingBuffer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What survives when nothing flushes: only what the commit timer persisted. The in-JVM tests stop
 * the ActorSystem with the shutdown flush off (the journal keeps exactly what a crash would); the
 * last one kills a real writer process with SIGKILL.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PersistentCpuBufferCrashTest {

    private static final String NO_SHUTDOWN_FLUSH = "ringtrace.persistence.flush-on-shutdown = off\n";

    @Test
    void withoutTimerOnlyFlushedDataSurvives(@TempDir Path dir) {
        Config cfg = config(dir, NO_SHUTDOWN_FLUSH + "ringtrace.persistence.commit-interval = 1h");
        List<String> flushed = new ArrayList<>();
        ActorTestKit first = start("first", cfg);
        try {
            RingBuffer ring = ring(0, 8);
            ActorRef<PersistentCpuBuffer.Command> buffer =
                    first.spawn(PersistentCpuBuffer.create("crash", 0, ring), "cpu0");
            recovered(first, buffer);
            for (int i = 0; i < 60; i++) {
                write(ring, marker("flushed", i));
                flushed.add(marker("flushed", i));
            }
            flush(first, buffer);
            for (int i = 0; i < 60; i++) {
                write(ring, marker("lost", i)); // same page as the flushed ones, never committed
            }
        } finally {
            first.shutdownTestKit();
        }
        assertEquals(flushed, markersAfterRestart("second", cfg, "crash", 8));
    }

    @Test
    void writesOlderThanTheCommitIntervalSurviveWithoutFlush(@TempDir Path dir) throws Exception {
        Config cfg = config(dir, NO_SHUTDOWN_FLUSH + "ringtrace.persistence.commit-interval = 100ms");
        List<String> old = new ArrayList<>();
        List<String> recent = new ArrayList<>();
        ActorTestKit first = start("first", cfg);
        try {
            RingBuffer ring = ring(0, 16);
            ActorRef<PersistentCpuBuffer.Command> buffer =
                    first.spawn(PersistentCpuBuffer.create("timer", 0, ring), "cpu0");
            recovered(first, buffer);
            for (int i = 0; i < 250; i++) { // a bit over 2 pages
                write(ring, marker("old", i));
                old.add(marker("old", i));
            }
            Thread.sleep(600); // several commit intervals
            for (int i = 0; i < 50; i++) {
                write(ring, marker("recent", i));
                recent.add(marker("recent", i));
            }
        } finally {
            first.shutdownTestKit(); // no flush: what the timer committed is what is left
        }
        List<String> got = markersAfterRestart("second", cfg, "timer", 16);
        assertTrue(got.size() >= old.size(), "every write older than the interval survived: " + got.size());
        assertEquals(old, got.subList(0, old.size()));
        assertEquals(recent.subList(0, got.size() - old.size()), got.subList(old.size(), got.size()),
                "after them at most a prefix of the recent writes");
    }

    /**
     * A writer process records markers and reports how far it got; it is killed with SIGKILL; a
     * new ActorSystem on its data directory finds every marker reported at least half a second
     * (five commit intervals) before the kill, and nothing out of order.
     */
    @Test
    void killMinus9LosesAtMostTheCommitWindow(@TempDir Path dir) throws Exception {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx256m", "-cp", classpath,
                CrashWriter.class.getName(), dir.toString());
        pb.redirectErrorStream(true);
        pb.redirectOutput(ProcessBuilder.Redirect.PIPE);
        Process child = pb.start();
        int reported = -1;
        StringBuilder output = new StringBuilder();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                if (!line.startsWith("written ")) {
                    output.append(line).append('\n');
                } else {
                    reported = Integer.parseInt(line.substring(8).trim());
                    if (reported >= 400) {
                        break;
                    }
                }
            }
            assertTrue(reported >= 400, "the writer reported progress (last " + reported + "):\n" + output);
            Thread.sleep(500);
            child.destroyForcibly(); // SIGKILL
            assertTrue(child.waitFor(10, TimeUnit.SECONDS));
        } finally {
            child.destroyForcibly();
        }
        assertEquals(137, child.exitValue(), "killed by SIGKILL");

        ActorTestKit after = start("after", config(dir, NO_SHUTDOWN_FLUSH));
        try {
            ActorRef<PersistentCpuBuffer.Command> buffer = after.spawn(
                    PersistentCpuBuffer.create(CrashWriter.INSTANCE, 0, ring(0, CrashWriter.PAGES)), "cpu0");
            List<String> got = markersOf(recovered(after, buffer).pages());
            assertTrue(got.size() > reported, "markers up to " + reported + " survived, got " + got.size());
            for (int i = 0; i < got.size(); i++) {
                assertEquals(marker("crash", i), got.get(i), "marker " + i);
            }
        } finally {
            after.shutdownTestKit();
        }
    }
}
