package io.ringtrace.persistence;

import com.typesafe.config.Config;
import io.ringtrace.protocol.ring.RingBuffer;
import java.nio.file.Path;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The process {@link JournalExitTest} starts: an embedder's main that wraps a small persistent
 * buffer many times (so that LevelDB flushes and compacts in its background thread), stops its
 * ActorSystem and returns. Prints "stopped" just before main returns; the JVM must then exit on
 * its own, with no System.exit.
 */
public final class ExitingWriter {

    private ExitingWriter() {
    }

    public static void main(String[] args) {
        Config cfg = TestSupport.config(Path.of(args[0]),
                "ringtrace.persistence.commit-interval = 1h\nringtrace.persistence.fsync = off");
        ActorTestKit kit = ActorTestKit.create("exiting", cfg);
        try {
            RingBuffer ring = TestSupport.ring(0, 8);
            ActorRef<PersistentCpuBuffer.Command> buffer =
                    kit.spawn(PersistentCpuBuffer.create("exiting", 0, ring), "cpu0");
            TestSupport.recovered(kit, buffer);
            int perPage = 4080 / 28;
            for (int i = 0; i < 8 * 40 * perPage; i++) {
                TestSupport.write(ring, TestSupport.marker("exit", i));
                if (i % (4 * perPage) == 0) {
                    TestSupport.flush(kit, buffer);
                }
            }
            TestSupport.flush(kit, buffer);
            System.out.println("deletes " + TestSupport.stats(kit, buffer).deletes());
        } finally {
            kit.shutdownTestKit();
        }
        System.out.println("stopped");
        System.out.flush();
    }
}
