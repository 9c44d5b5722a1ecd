package io.ringtrace.actors;

import com.typesafe.config.Config;
import io.ringtrace.config.RingtraceSettings;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * Entry points for an application that embeds ringtrace: a guardian behavior for a new
 * ActorSystem, or a {@link TraceSystem} to spawn inside an existing one, and the
 * {@link TraceFs} and {@link Tracer} APIs on top.
 *
 * <pre>{@code
 * ActorSystem<TraceSystem.Command> system = ActorSystem.create(Ringtrace.create(config), "ringtrace", config);
 * TraceFs fs = Ringtrace.fs(system);
 * Tracer tracer = Ringtrace.tracer(system);
 * }</pre>
 */
public final class Ringtrace {
    private Ringtrace() {
    }

    /**
     * The configuration to create the ActorSystem with: {@code base} plus, when the boot command
     * line maps a persistent instance, the LevelDB journal under {@code ringtrace.data-dir}
     * (created if missing).
     */
    public static Config systemConfig(Config base) {
        RingtraceSettings s = RingtraceSettings.create(base);
        boolean persistent = s.bootPlan().instances().stream().anyMatch(i -> i.persistent());
        return persistent ? io.ringtrace.persistence.JournalSetup.config(s.dataDir(), base) : base;
    }

    /** The TraceSystem behavior for the settings in {@code config} (ringtrace.*). */
    public static Behavior<TraceSystem.Command> create(Config config) {
        return TraceSystem.create(Engine.create(RingtraceSettings.create(config)), config);
    }

    /** A TraceFs on a system whose guardian is the TraceSystem. */
    public static TraceFs fs(ActorSystem<TraceSystem.Command> system) {
        return new TraceFs(system, system);
    }

    /** Waits until the boot (boot instances, persistent recovery) is complete. */
    public static void awaitBoot(ActorSystem<TraceSystem.Command> system) throws Exception {
        awaitBoot(system, system, Duration.ofSeconds(60));
    }

    public static void awaitBoot(ActorSystem<?> system, ActorRef<TraceSystem.Command> traceSystem, Duration timeout)
            throws Exception {
        bootCompleted(system, traceSystem, timeout).toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Completes when the boot is complete (fails after {@code timeout}), without blocking the caller. */
    public static CompletionStage<TraceSystem.BootCompleted> bootCompleted(ActorSystem<?> system,
            ActorRef<TraceSystem.Command> traceSystem, Duration timeout) {
        return AskPattern.ask(traceSystem, TraceSystem.AwaitBoot::new, timeout, system.scheduler());
    }

    /** The in-process recording API of the engine whose TraceSystem is {@code traceSystem}. */
    public static Tracer tracer(ActorSystem<?> system, ActorRef<TraceSystem.Command> traceSystem) throws Exception {
        Engine engine = AskPattern.<TraceSystem.Command, Engine>ask(traceSystem, TraceSystem.GetEngine::new,
                Duration.ofSeconds(10), system.scheduler()).toCompletableFuture().get(15, TimeUnit.SECONDS);
        return new Tracer(engine, system, traceSystem);
    }

    public static Tracer tracer(ActorSystem<TraceSystem.Command> system) throws Exception {
        return tracer(system, system);
    }
}
