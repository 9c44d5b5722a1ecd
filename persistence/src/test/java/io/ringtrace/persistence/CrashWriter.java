package io.ringtrace.persistence;

import com.typesafe.config.Config;
import io.ringtrace.protocol.ring.RingBuffer;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The process the kill -9 test kills: records markers "crash-NNNNNN" into a persistent buffer
 * at a steady pace and prints "written N" after every tenth, until it is killed.
 */
public final class CrashWriter {

    static final String INSTANCE = "crash9";
    static final int PAGES = 64;

    private CrashWriter() {
    }

    public static void main(String[] args) throws Exception {
        Config cfg = TestSupport.config(Path.of(args[0]), "ringtrace.persistence.flush-on-shutdown = off");
        ActorTestKit kit = ActorTestKit.create("writer", cfg);
        RingBuffer ring = TestSupport.ring(0, PAGES);
        ActorRef<PersistentCpuBuffer.Command> buffer =
                kit.spawn(PersistentCpuBuffer.create(INSTANCE, 0, ring), "cpu0");
        TestSupport.recovered(kit, buffer);
        for (int i = 0; ; i++) {
            TestSupport.write(ring, TestSupport.marker("crash", i));
            if (i % 10 == 0) {
                System.out.println("written " + i);
                System.out.flush();
                Thread.sleep(Duration.ofMillis(10).toMillis());
            }
        }
    }
}
