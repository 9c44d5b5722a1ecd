package io.ringtrace.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * An embedder's JVM ends when its main returns after the ActorSystem has stopped, also after the
 * journal's LevelDB has flushed and compacted in its native background thread. (LevelDB JNI with
 * a Java logger attaches that thread to the JVM as a non-daemon thread on its first log line, and
 * it never ends: the JVM then waits for it forever.)
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class JournalExitTest {

    @Test
    void jvmExitsAfterTheSystemStopsWhenLevelDbHasCompacted(@TempDir Path dir) throws Exception {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path out = dir.resolve("out.txt");
        Process child = new ProcessBuilder(java, "-Xmx256m", "-cp", classpath,
                ExitingWriter.class.getName(), dir.resolve("data").toString())
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (!Files.readString(out, StandardCharsets.UTF_8).contains("stopped\n") && child.isAlive()
                    && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            String text = Files.readString(out, StandardCharsets.UTF_8);
            assertTrue(text.contains("stopped\n"), "main returned:\n" + text);
            assertTrue(text.matches("(?s).*deletes [1-9][0-9]*\n.*"), "the journal deleted and compacted:\n" + text);
            boolean exited = child.waitFor(15, TimeUnit.SECONDS);
            assertTrue(exited, "the JVM exited within 15 s of main's return; non-daemon threads:\n"
                    + threads(child));
            assertEquals(0, child.exitValue(), text);
        } finally {
            child.destroyForcibly();
        }
    }

    /** The thread dump of a JVM that did not exit (jcmd of the same JDK). */
    private static String threads(Process p) throws Exception {
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        Process d = new ProcessBuilder(jcmd, Long.toString(p.pid()), "Thread.print").redirectErrorStream(true).start();
        String dump = new String(d.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        d.waitFor(10, TimeUnit.SECONDS);
        StringBuilder sb = new StringBuilder();
        for (String line : dump.split("\n")) {
            if (line.startsWith("\"") && line.contains("\" #") && !line.contains(" daemon ")) {
                sb.append(line).append('\n');
            }
        }
        return sb.toString();
    }
}
