package io.ringtrace.bench;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.ringtrace.actors.Ringtrace;
import io.ringtrace.actors.TraceFs;
import io.ringtrace.actors.TraceSystem;
import io.ringtrace.actors.Tracer;
import io.ringtrace.protocol.event.EventType;
import org.apache.pekko.actor.typed.ActorSystem;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Starts full ringtrace engines (ActorSystem + TraceSystem) the way an embedding application does. */
final class Engines {
    /** The boot command line of the issue: a persistent 12 MB instance and its backup. */
    static final String PERSISTENT_CMDLINE =
            "reserve_mem=12M:4096:trace trace_instance=boot_map@trace trace_instance=backup=boot_map";

    private Engines() {
    }

    static Config config(int cpus, Path dataDir, String cmdline, Map<String, Object> extra) {
        Map<String, Object> m = new HashMap<>();
        m.put("ringtrace.cpus", cpus);
        m.put("ringtrace.boot.cmdline", cmdline);
        m.put("ringtrace.http.port", 0);
        if (dataDir != null) {
            m.put("ringtrace.data-dir", dataDir.toAbsolutePath().toString());
        }
        m.putAll(extra);
        Config base = ConfigFactory.parseMap(m)
                .withValue("pekko.coordinated-shutdown.run-by-jvm-shutdown-hook", ConfigValueFactory.fromAnyRef("off"))
                .withValue("pekko.loglevel", ConfigValueFactory.fromAnyRef("WARNING"))
                .withValue("pekko.log-dead-letters", ConfigValueFactory.fromAnyRef("off"))
                .withFallback(ConfigFactory.load()).resolve();
        return Ringtrace.systemConfig(base);
    }

    static ActorSystem<TraceSystem.Command> start(String name, Config config) throws Exception {
        Quiet.logs();
        ActorSystem<TraceSystem.Command> system = ActorSystem.create(Ringtrace.create(config), name, config);
        try {
            Ringtrace.awaitBoot(system);
        } catch (Exception e) {
            stop(system);
            throw e;
        }
        return system;
    }

    static ActorSystem<TraceSystem.Command> start(String name, int cpus) throws Exception {
        return start(name, config(cpus, null, "", Map.of()));
    }

    /**
     * Defines bench/rec (u32 cpu, s64 value) in the engine of {@code tracer} and enables it in a
     * new {@code instances/INSTANCE}, through tracefs as a user would.
     */
    static EventType benchRecInto(Tracer tracer, TraceFs fs, String instance) throws Exception {
        EventType rec = tracer.define("bench", "rec").u32("cpu").s64("value").register();
        fs.mkdir("instances/" + instance);
        fs.write("instances/" + instance + "/events/bench/rec/enable", "1");
        return rec;
    }

    static void stop(ActorSystem<?> system) {
        system.terminate();
        try {
            system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("engine did not stop", e);
        }
    }

    static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
