package io.ringtrace.actors;

import io.ringtrace.config.BootInstance;
import io.ringtrace.config.BootPlan;
import io.ringtrace.persistence.Geometry;
import io.ringtrace.protocol.event.EventRegistry;
import io.ringtrace.protocol.ring.PageFormat;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One boot of the engine: the kernel's enable_instances() for the boot command line. Boot
 * instances are created one by one in command-line order; a persistent one
 * ({@code trace_instance=NAME@LABEL}) first recovers its buffers from the journal; a backup
 * ({@code trace_instance=B=S}) is a read-only in-memory copy of what S recovered, decoded with the
 * application events S saved of the run that recorded it. Only after every
 * boot instance exists are their events enabled (seed 001, April 2026), so the backup holds exactly
 * the previous run while the persistent instance starts recording this one. Then the top level's
 * parameters, and TraceSystem is told the boot is complete. Every problem is logged and skipped.
 */
final class BootLoader extends AbstractBehavior<BootLoader.Command> {

    sealed interface Command {
    }

    private record Created(BootInstance instance, ActorRef<TraceInstance.Command> ref) implements Command {
    }

    private record CreateFailed(BootInstance instance, String why) implements Command {
    }

    private record Recovered(BootInstance instance, ActorRef<TraceInstance.Command> ref,
                             TraceInstance.Booted booted) implements Command {
    }

    private record Applied(int remaining) implements Command {
    }

    private final Engine engine;
    private final BootPlan plan;
    private final ActorRef<TraceSystem.Command> system;
    private final long bootStartMs;
    private final ArrayDeque<BootInstance> todo;
    private final Map<String, TraceInstance.Booted> persistentResults = new HashMap<>();
    private final List<Map.Entry<ActorRef<TraceInstance.Command>, List<String>>> created = new ArrayList<>();
    private ActorRef<TraceInstance.Command> top;
    private int pending;

    static Behavior<Command> create(Engine engine, BootPlan plan, ActorRef<TraceSystem.Command> system,
                                    ActorRef<TraceInstance.Command> top, long bootStartMs) {
        return Behaviors.setup(ctx -> new BootLoader(ctx, engine, plan, system, top, bootStartMs).next());
    }

    private BootLoader(ActorContext<Command> ctx, Engine engine, BootPlan plan, ActorRef<TraceSystem.Command> system,
                       ActorRef<TraceInstance.Command> top, long bootStartMs) {
        super(ctx);
        this.engine = engine;
        this.plan = plan;
        this.system = system;
        this.top = top;
        this.bootStartMs = bootStartMs;
        this.todo = new ArrayDeque<>(plan.instances());
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Created.class, this::onCreated)
                .onMessage(CreateFailed.class, this::onCreateFailed)
                .onMessage(Recovered.class, this::onRecovered)
                .onMessage(Applied.class, this::onApplied)
                .build();
    }

    /** Creates the next boot instance, or, when all exist, enables their events. */
    private Behavior<Command> next() {
        BootInstance bi = todo.poll();
        if (bi == null) {
            return enableEvents();
        }
        int cpus = engine.cpus();
        if (bi.persistent()) {
            Geometry g = new Geometry(bi.rangeSize(), cpus, PageFormat.DEFAULT_SUBBUF_SIZE);
            if (g.nrPages() < 2) {
                getContext().getLog().warn("Tracing: Failed to create instance buffer {} (region too small)", bi.name());
                return next();
            }
            TraceArray array = TraceArray.ranged(bi.name(), cpus, g.nrPages(),
                    InstanceFlags.BOOT | InstanceFlags.LAST_BOOT);
            if (bi.memmap()) {
                array.pin();
            }
            String key = bi.region().get().key();
            ActorRef<TraceInstance.Booted> bootedAdapter = getContext().messageAdapter(TraceInstance.Booted.class,
                    b -> new Recovered(bi, null, b));
            ask(bi, array, new TraceInstance.PersistentSetup(key, g, bootStartMs, bootedAdapter), null);
        } else if (bi.backup()) {
            TraceInstance.Booted source = persistentResults.get(bi.backupOf().get());
            if (source == null) {
                getContext().getLog().warn("Tracing: Instance {} is not boot mapped", bi.backupOf().get());
                return next();
            }
            int pages = Math.max(2, source.pages().stream().mapToInt(List::size).max().orElse(2));
            TraceArray array = TraceArray.ranged(bi.name(), cpus, Math.max(pages, sourcePages(bi)),
                    InstanceFlags.BOOT | InstanceFlags.LAST_BOOT | InstanceFlags.VMALLOC | InstanceFlags.RDONLY);
            for (int cpu = 0; cpu < cpus && cpu < source.pages().size(); cpu++) {
                array.buffer().cpu(cpu).restore(source.pages().get(cpu));
            }
            array.restoreClock(source.clock());
            array.setLastBootInfo(source.lastBootInfo());
            ask(bi, array, null, backupEvents(bi, source));
        } else {
            ask(bi, engine.newArray(bi.name(), 0), null, null);
        }
        return this;
    }

    /**
     * The events a backup decodes its data with and shows under its {@code events/}: the kernel's
     * built-in events plus the application events the source saved of the run that recorded the
     * data, with that run's ids. Data saved by a version that did not save them decodes with the
     * engine's registry (application events registered in the same order keep their ids).
     */
    private EventRegistry backupEvents(BootInstance backup, TraceInstance.Booted source) {
        if (source.savedEvents().isEmpty()) {
            return null;
        }
        return EventRegistry.withSaved(source.savedEvents().get(), conflict -> getContext().getLog().warn(
                "Tracing: {}: event of the previous boot left out: {}", backup.name(), conflict));
    }

    /** The backup's ring size: the source's (the same reserved range). */
    private int sourcePages(BootInstance backup) {
        return plan.instance(backup.backupOf().get())
                .map(src -> new Geometry(src.rangeSize(), engine.cpus(), PageFormat.DEFAULT_SUBBUF_SIZE).nrPages())
                .orElse(2);
    }

    private void ask(BootInstance bi, TraceArray array, TraceInstance.PersistentSetup setup, EventRegistry events) {
        if (bi.traceoff()) {
            array.setTracingOn(false);
        }
        if (bi.traceprintk()) {
            getContext().getLog().info("Tracing: {}: traceprintk has no effect (ringtrace has no trace_printk)", bi.name());
        }
        getContext().ask(TraceSystem.InstanceCreated.class, system, Duration.ofSeconds(30),
                r -> new TraceSystem.CreateInstance(array, setup, events, r),
                (ok, err) -> ok != null && ok.ref() != null ? new Created(bi, ok.ref())
                        : new CreateFailed(bi, ok != null ? "name in use" : String.valueOf(err)));
    }

    private Behavior<Command> onCreated(Created m) {
        created.add(Map.entry(m.ref(), m.instance().events()));
        if (m.instance().persistent()) {
            // Wait for its recovery before the next entry (a backup may copy it).
            return this;
        }
        return next();
    }


    private Behavior<Command> onRecovered(Recovered m) {
        persistentResults.put(m.instance().name(), m.booted());
        return next();
    }

    private Behavior<Command> onCreateFailed(CreateFailed m) {
        getContext().getLog().warn("Tracing: Failed to create instance buffer {} ({})", m.instance().name(), m.why());
        return next();
    }

    private Behavior<Command> enableEvents() {
        pending = created.size() + 1;
        ActorRef<Done> done = getContext().messageAdapter(Done.class, d -> new Applied(--pending));
        for (var e : created) {
            e.getKey().tell(new TraceInstance.ApplyBootEvents(e.getValue(), done));
        }
        top.tell(new TraceInstance.ApplyTopLevelBoot(plan.commandLine(), done));
        return this;
    }

    private Behavior<Command> onApplied(Applied m) {
        if (m.remaining() > 0) {
            return this;
        }
        system.tell(TraceSystem.BootDone.INSTANCE);
        return Behaviors.stopped();
    }
}
