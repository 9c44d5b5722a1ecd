package io.ringtrace.actors;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.ringtrace.config.RingtraceSettings;
import io.ringtrace.persistence.BootRecord;
import io.ringtrace.persistence.PersistentInstanceMeta;
import io.ringtrace.protocol.ErrnoException;
import io.ringtrace.protocol.event.EventSpec;
import io.ringtrace.protocol.event.EventType;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Application events have ids given out per run, in registration order. The backup of a
 * persistent instance prints the previous run's events as that run printed them, and its
 * {@code events/} describes them, whatever the new run registers and in whichever order: the
 * persistent instance saves the application events of the run that records its data. Data saved
 * by a version that did not save them decodes with the live registry, as before.
 */
@Timeout(180)
class BackupEventDefinitionsTest {
    private static final String CMDLINE =
            "reserve_mem=12M:4096:trace trace_instance=boot_map@trace trace_instance=backup=boot_map";

    static Config config(Path dir) {
        return ConfigFactory.parseString(
                "ringtrace.cpus = 2\n"
                        + "ringtrace.boot.cmdline = \"" + CMDLINE + "\"\n"
                        + "ringtrace.data-dir = \"" + dir.toAbsolutePath() + "\"\n")
                .withFallback(ConfigFactory.load()).resolve();
    }

    /** One boot: an ActorSystem with the engine on {@code dir}, and its tracer. */
    static final class Boot implements AutoCloseable {
        final ActorTestKit kit;
        final TraceFs fs;
        final Tracer tracer;

        Boot(Path dir, String name) throws Exception {
            Config cfg = config(dir);
            kit = ActorTestKit.create(name, Ringtrace.systemConfig(cfg));
            ActorRef<TraceSystem.Command> ts = kit.spawn(
                    TraceSystem.create(Engine.create(RingtraceSettings.create(cfg)), cfg), "trace");
            Ringtrace.awaitBoot(kit.system(), ts, Duration.ofSeconds(60));
            fs = new TraceFs(kit.system(), ts);
            tracer = Ringtrace.tracer(kit.system(), ts);
        }

        /**
         * The event lines of an instance's trace (the header left out), each from its pid on: the
         * task names of the previous run are not kept (saved_cmdlines is not persisted), so the
         * backup prints {@code <...>-PID} where the run itself printed {@code main-PID}.
         */
        List<String> events(String instance) throws ErrnoException {
            return fs.read("instances/" + instance + "/trace").lines()
                    .filter(l -> !l.startsWith("#"))
                    .map(l -> l.replaceFirst("^\\s*\\S+-(\\d+)\\s+", "$1 "))
                    .collect(Collectors.toList());
        }

        String format(String instance, String event) throws ErrnoException {
            return fs.read("instances/" + instance + "/events/" + event + "/format");
        }

        boolean hasEvent(String instance, String event) {
            try {
                fs.read("instances/" + instance + "/events/" + event + "/id");
                return true;
            } catch (ErrnoException e) {
                return false;
            }
        }

        @Override
        public void close() {
            kit.shutdownTestKit();
        }
    }

    /** What run 1 printed: app/myev (id 4096) recorded into boot_map on both CPUs, and markers. */
    record Run1(List<String> lines, String format) {
    }

    private static Run1 run1(Path dir) throws Exception {
        try (Boot first = new Boot(dir, "Run1")) {
            EventType myev = first.tracer.define("app", "myev").u32("x").register();
            assertEquals(4096, myev.id());
            first.fs.write("instances/boot_map/events/app/myev/enable", "1");
            for (int i = 0; i < 6; i++) {
                assertTrue(first.tracer.recorder().record(myev, i % 2, 1000 + i));
            }
            first.tracer.marker("boot_map", 0, "run1 marker");
            List<String> lines = first.events("boot_map");
            assertEquals(7, lines.size(), String.join("\n", lines));
            assertEquals(6, lines.stream().filter(l -> l.contains(" myev: x=10")).count(), String.join("\n", lines));
            return new Run1(lines, first.format("boot_map", "app/myev"));
        }
    }

    @Test
    void aRunThatRegistersNothingShowsThePreviousRunsEventsInTheBackup(@TempDir Path dir) throws Exception {
        Run1 before = run1(dir);
        try (Boot second = new Boot(dir, "Run2Nothing")) {
            List<String> backup = second.events("backup");
            assertFalse(String.join("\n", backup).contains("Unknown type"), String.join("\n", backup));
            assertEquals(before.lines(), backup);
            // The backup's events/ describes the data it holds: the previous run's events.
            assertEquals(before.format(), second.format("backup", "app/myev"));
            assertEquals("4096\n", second.fs.read("instances/backup/events/app/myev/id"));
            assertFalse(second.hasEvent("boot_map", "app/myev"), "not registered in this run");
        }
    }

    @Test
    void aRunThatRegistersOtherEventsFirstShowsThePreviousRunsEventsInTheBackup(@TempDir Path dir)
            throws Exception {
        Run1 before = run1(dir);
        try (Boot second = new Boot(dir, "Run2Other")) {
            EventType other = second.tracer.define("app", "other").u8("a").string("s").register();
            EventType myev = second.tracer.define("app", "myev").u32("x").register();
            assertEquals(4096, other.id(), "this run gives the previous run's myev id to another event");
            assertEquals(4097, myev.id());
            List<String> backup = second.events("backup");
            assertFalse(String.join("\n", backup).contains(" other: "), String.join("\n", backup));
            assertEquals(before.lines(), backup);
            assertEquals(before.format(), second.format("backup", "app/myev"));
            assertFalse(second.hasEvent("backup", "app/other"), "the previous run had no app/other");
            assertTrue(second.format("boot_map", "app/myev").contains("ID: 4097\n"), "live instances: this run's");
            assertTrue(second.format("boot_map", "app/other").contains("ID: 4096\n"));
        }
    }

    @Test
    void eventsRegisteredBeforeAndAfterTheDataBecomesThisRunsAreSavedForTheNext(@TempDir Path dir)
            throws Exception {
        run1(dir);
        List<String> run2;
        String lateFormat;
        try (Boot second = new Boot(dir, "Run2Records")) {
            // Registered while boot_map still holds run 1's data (LAST_BOOT): saved when it becomes
            // this run's, which enabling an event on it does.
            EventType other = second.tracer.define("app", "other").u8("a").string("s").register();
            EventType myev = second.tracer.define("app", "myev").u32("x").register();
            second.fs.write("instances/boot_map/events/app/enable", "1");
            assertEquals("# Current\n", second.fs.read("instances/boot_map/last_boot_info"));
            // Registered while the data is this run's: saved before register() returns.
            EventType late = second.tracer.define("app", "late").u16("n").s64("v").register();
            second.fs.write("instances/boot_map/events/app/late/enable", "1");
            for (int i = 0; i < 4; i++) {
                second.tracer.recorder().begin(other, i % 2).putByte((byte) (7 + i)).putString("hello " + i).commit();
                assertTrue(second.tracer.recorder().record(myev, i % 2, 2000 + i));
                assertTrue(second.tracer.recorder().record(late, i % 2, 30 + i, -5 - i));
            }
            run2 = second.events("boot_map");
            assertEquals(12, run2.size(), String.join("\n", run2));
            lateFormat = second.format("boot_map", "app/late");
        }
        try (Boot third = new Boot(dir, "Run3")) {
            EventType first = third.tracer.define("app", "late").u16("n").s64("v").register();
            assertEquals(4096, first.id());
            assertEquals(run2, third.events("backup"));
            assertEquals(lateFormat, third.format("backup", "app/late"));
            assertTrue(lateFormat.contains("ID: 4098\n"), lateFormat);
            assertNotEquals(third.format("boot_map", "app/late"), third.format("backup", "app/late"));
        }
    }

    @Test
    void registerReturnsOnceTheEventIsInTheJournal(@TempDir Path dir) throws Exception {
        try (Boot boot = new Boot(dir, "Register")) {
            EventType myev = boot.tracer.define("app", "myev").u32("x").register();
            // What a restart after a kill -9 right now would recover: read the journal afresh.
            TestProbe<PersistentInstanceMeta.MetaState> state = boot.kit.createTestProbe();
            ActorRef<PersistentInstanceMeta.Command> reader = boot.kit.spawn(
                    PersistentInstanceMeta.create("trace"), "journal-reader");
            reader.tell(new PersistentInstanceMeta.GetState(state.ref()));
            assertEquals(List.of(EventSpec.of(myev)),
                    state.expectMessageClass(PersistentInstanceMeta.MetaState.class, Duration.ofSeconds(10)).events());
        }
    }

    /**
     * Appends records to the metadata journal of a persistent instance as an older version of
     * ringtrace wrote them: a boot record without application events.
     */
    static final class OlderVersionMeta
            extends EventSourcedBehavior<OlderVersionMeta.Append, PersistentInstanceMeta.Event, Object> {

        record Append(PersistentInstanceMeta.Event event, ActorRef<Done> replyTo) {
        }

        OlderVersionMeta(PersistenceId id) {
            super(id);
        }

        @Override
        public Object emptyState() {
            return "";
        }

        @Override
        public CommandHandler<Append, PersistentInstanceMeta.Event, Object> commandHandler() {
            return newCommandHandlerBuilder().forAnyState()
                    .onCommand(Append.class, (s, a) -> Effect().persist(a.event())
                            .thenReply(a.replyTo(), x -> Done.getInstance()))
                    .build();
        }

        @Override
        public EventHandler<Object, PersistentInstanceMeta.Event> eventHandler() {
            return newEventHandlerBuilder().forAnyState().onAnyEvent((s, e) -> s);
        }
    }

    @Test
    void dataSavedWithoutEventDefinitionsRecoversWithTheLiveRegistry(@TempDir Path dir) throws Exception {
        Run1 before = run1(dir);
        BootRecord old = new BootRecord("older-version-boot", "local", 1_700_000_000_000L);
        // The journal alone (no engine): the boot record becomes one without application events,
        // as a version that did not save them wrote it.
        ActorTestKit rewrite = ActorTestKit.create("OlderVersion", Ringtrace.systemConfig(config(dir)));
        try {
            TestProbe<Done> done = rewrite.createTestProbe();
            ActorRef<OlderVersionMeta.Append> writer = rewrite.spawn(
                    new OlderVersionMeta(PersistentInstanceMeta.persistenceId("trace")), "older");
            writer.tell(new OlderVersionMeta.Append(new PersistentInstanceMeta.BootRecorded(old, null), done.ref()));
            done.expectMessage(Duration.ofSeconds(10), Done.getInstance());
        } finally {
            rewrite.shutdownTestKit();
        }
        try (Boot second = new Boot(dir, "AfterOlderVersion")) {
            assertTrue(second.fs.read("instances/backup/last_boot_info").contains("older-version-boot"));
            // No saved events: the backup decodes with this run's registry, as before. Registered
            // in the same order, the events keep their ids and print as the previous run did.
            assertTrue(second.hasEvent("backup", "sched/sched_switch"));
            assertFalse(second.hasEvent("backup", "app/myev"), "the live registry has no app/myev yet");
            second.tracer.define("app", "myev").u32("x").register();
            assertEquals(before.lines(), second.events("backup"));
            assertEquals(before.format(), second.format("backup", "app/myev"));
        }
    }
}
