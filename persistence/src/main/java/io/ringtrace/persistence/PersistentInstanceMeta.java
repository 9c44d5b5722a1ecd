package io.ringtrace.persistence;

import io.ringtrace.protocol.CborSerializable;
import io.ringtrace.protocol.event.EventSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * The persistent metadata of one persistent instance: the kernel's range meta
 * ({@code ring_buffer_meta}, here the {@link Geometry}) and scratch area ({@code trace_scratch},
 * here the {@link BootRecord} of the boot that recorded the data: boot id, clock, start time), and
 * the application event specs of that boot ({@link EventSpec}: ids are given out per run, so the
 * data decodes only with the events of the run that recorded it; the kernel's events have fixed
 * ids and are not saved).
 *
 * <p>Boot sequence for the owning instance:
 * <ol>
 *   <li>{@link CheckGeometry} with the geometry of this boot. A different stored geometry is the
 *       kernel's "Ring buffer boot meta mismatch": the stored boot record is dropped
 *       ({@link MetaReset}) and the reply tells the instance to {@code Reset} its CPU buffers.</li>
 *   <li>{@link GetPrevious}: the boot that recorded the data found at start ({@code last_boot_info}
 *       while the instance is LAST_BOOT). It stays the answer for the whole run, whatever is
 *       recorded afterwards, unless a geometry mismatch dropped it.</li>
 *   <li>{@link RecordBoot} when the data starts being this boot's (at boot when nothing was
 *       recovered, or when update_last_data clears LAST_BOOT); {@link SetClock} when
 *       {@code trace_clock} changes while the data is this boot's.</li>
 * </ol>
 *
 * <p>Application events: the instance sends {@link DefineEvents} with the events registered before
 * it started and then with each one as it is registered, and waits for the answer before the
 * registration returns. This actor keeps them as this run's events; while the data is this run's
 * (after a {@link RecordBoot} of this run) new ones are persisted ({@link EventsDefined}) before
 * the answer, so a page holding an event is never in the journal without the event's spec. While
 * the data is still a previous run's (LAST_BOOT) nothing is persisted: that run's specs stay, and
 * this run's go into the journal with the {@link BootRecorded} that makes the data this run's.
 */
public final class PersistentInstanceMeta
        extends EventSourcedBehavior<PersistentInstanceMeta.Command, PersistentInstanceMeta.Event, PersistentInstanceMeta.MetaState> {

    // ---------------------------------------------------------------- protocol

    /** Messages understood by the instance metadata. */
    public sealed interface Command {
    }

    /**
     * Compares {@code geometry} with the stored one; stores it when there is none or it differs.
     */
    public record CheckGeometry(Geometry geometry, ActorRef<GeometryChecked> replyTo) implements Command {
    }

    /**
     * Answer to {@link CheckGeometry}.
     *
     * @param mismatch null when the stored geometry was equal or absent (first boot of the
     *                 instance); otherwise the differing field ("total size", "cpus",
     *                 "subbuf size"): the previous data must be reset
     * @param previous the geometry stored before, if any
     */
    public record GeometryChecked(String mismatch, Optional<Geometry> previous) {

        /** True when the CPU buffers hold data of another geometry and must be reset. */
        public boolean mustReset() {
            return mismatch != null;
        }

        /** The kernel's log line for the mismatch, e.g. "Ring buffer boot meta mismatch of cpus". */
        public String message() {
            return mismatch == null ? "" : "Ring buffer boot meta mismatch of " + mismatch;
        }
    }

    /** Records that the data is now this boot's (with this run's application events). */
    public record RecordBoot(BootRecord boot, ActorRef<Done> replyTo) implements Command {
    }

    /**
     * Application events of this run (registered before the instance started, or just now).
     * Replies once they are in the journal when the data is this run's, at once otherwise.
     */
    public record DefineEvents(List<EventSpec> events, ActorRef<Done> replyTo) implements Command {
    }

    /** Records the clock of the current boot record (no-op when there is none). */
    public record SetClock(String clock, ActorRef<Done> replyTo) implements Command {
    }

    /** Asks which boot recorded the data found at start. */
    public record GetPrevious(ActorRef<PreviousBoot> replyTo) implements Command {
    }

    /**
     * Answer to {@link GetPrevious}: empty on the first boot or after a geometry mismatch.
     *
     * @param boot   the boot that recorded the data found at start
     * @param events that boot's application events; empty also when the data was saved by a
     *               version of ringtrace that did not save them (decode with the live registry)
     */
    public record PreviousBoot(Optional<BootRecord> boot, Optional<List<EventSpec>> events) {
    }

    /** Asks for the stored state now. */
    public record GetState(ActorRef<MetaState> replyTo) implements Command {
    }

    // ---------------------------------------------------------------- events and state

    /** Persisted records of the instance metadata. */
    public sealed interface Event extends CborSerializable {
    }

    /** The geometry was stored for the first time. */
    public record GeometryRecorded(Geometry geometry) implements Event {
    }

    /** The stored geometry differed: the boot record is dropped and {@code geometry} stored. */
    public record MetaReset(Geometry geometry, String mismatch) implements Event {
    }

    /**
     * The data is now recorded by {@code boot}, whose application events so far are
     * {@code events} (null in records of versions that did not save them).
     */
    public record BootRecorded(BootRecord boot, List<EventSpec> events) implements Event {
    }

    /** Application events registered by the boot that records the data, after its {@link BootRecorded}. */
    public record EventsDefined(List<EventSpec> events) implements Event {
    }

    /** The current boot record's clock changed. */
    public record ClockSet(String clock) implements Event {
    }

    /**
     * The stored metadata (also the snapshot).
     *
     * @param geometry the region geometry, null before the first {@link CheckGeometry}
     * @param boot     the boot that recorded the data, null when none is known
     * @param events   the application events of that boot; null when none is known or the data
     *                 was saved by a version that did not save them
     */
    public record MetaState(Geometry geometry, BootRecord boot, List<EventSpec> events) implements CborSerializable {
        static final MetaState EMPTY = new MetaState(null, null, null);

        MetaState withEvents(List<EventSpec> more) {
            List<EventSpec> all = new ArrayList<>(events == null ? List.of() : events);
            all.addAll(more);
            return new MetaState(geometry, boot, List.copyOf(all));
        }
    }

    // ---------------------------------------------------------------- creation

    /** The persistence id of the metadata of instance {@code instance}. */
    public static PersistenceId persistenceId(String instance) {
        return PersistenceId.ofUniqueId("ringtrace|" + instance + "|meta");
    }

    /** The metadata actor of persistent instance {@code instance}. */
    public static Behavior<Command> create(String instance) {
        return Behaviors.setup(ctx -> new PersistentInstanceMeta(persistenceId(instance), ctx));
    }

    private final ActorContext<Command> ctx;
    /** The boot record found at start; what {@link GetPrevious} answers. */
    private BootRecord previous;
    /** Its application events (null: not saved). */
    private List<EventSpec> previousEvents;
    /** This run's application events by {@code system:name} (not persisted as such). */
    private final Map<String, EventSpec> thisRun = new LinkedHashMap<>();
    /** True once a {@link RecordBoot} of this run is persisted: the data is this run's. */
    private boolean dataIsThisRun;

    private PersistentInstanceMeta(PersistenceId id, ActorContext<Command> ctx) {
        super(id);
        this.ctx = ctx;
    }

    @Override
    public MetaState emptyState() {
        return MetaState.EMPTY;
    }

    @Override
    public RetentionCriteria retentionCriteria() {
        return RetentionCriteria.snapshotEvery(16, 1).withDeleteEventsOnSnapshot();
    }

    // ---------------------------------------------------------------- commands

    @Override
    public CommandHandler<Command, Event, MetaState> commandHandler() {
        return newCommandHandlerBuilder().forAnyState()
                .onCommand(CheckGeometry.class, this::onCheckGeometry)
                .onCommand(RecordBoot.class, this::onRecordBoot)
                .onCommand(SetClock.class, this::onSetClock)
                .onCommand(DefineEvents.class, this::onDefineEvents)
                .onCommand(GetPrevious.class, this::onGetPrevious)
                .onCommand(GetState.class, this::onGetState)
                .build();
    }

    private Effect<Event, MetaState> onCheckGeometry(MetaState state, CheckGeometry check) {
        Optional<Geometry> stored = Optional.ofNullable(state.geometry());
        if (stored.isEmpty()) {
            return Effect().persist(new GeometryRecorded(check.geometry()))
                    .thenReply(check.replyTo(), s -> new GeometryChecked(null, stored));
        }
        String mismatch = check.geometry().mismatch(stored.get());
        if (mismatch == null) {
            return Effect().reply(check.replyTo(), new GeometryChecked(null, stored));
        }
        ctx.getLog().warn("{}: Ring buffer boot meta mismatch of {} (stored {}, now {})",
                persistenceId().id(), mismatch, stored.get(), check.geometry());
        return Effect().persist(new MetaReset(check.geometry(), mismatch))
                .thenRun(s -> {
                    previous = null;
                    previousEvents = null;
                })
                .thenReply(check.replyTo(), s -> new GeometryChecked(mismatch, stored));
    }

    private Effect<Event, MetaState> onRecordBoot(MetaState state, RecordBoot record) {
        return Effect().persist(new BootRecorded(record.boot(), List.copyOf(thisRun.values())))
                .thenRun(s -> dataIsThisRun = true)
                .thenReply(record.replyTo(), s -> Done.getInstance());
    }

    private Effect<Event, MetaState> onDefineEvents(MetaState state, DefineEvents define) {
        List<EventSpec> added = new ArrayList<>();
        for (EventSpec e : define.events()) {
            String key = e.system() + ":" + e.name();
            if (!e.equals(thisRun.get(key))) {
                thisRun.put(key, e);
                added.add(e);
            }
        }
        if (added.isEmpty() || !dataIsThisRun) {
            return Effect().reply(define.replyTo(), Done.getInstance());
        }
        return Effect().persist(new EventsDefined(List.copyOf(added)))
                .thenReply(define.replyTo(), s -> Done.getInstance());
    }

    private Effect<Event, MetaState> onSetClock(MetaState state, SetClock set) {
        if (state.boot() == null || set.clock().equals(state.boot().clock())) {
            return Effect().reply(set.replyTo(), Done.getInstance());
        }
        return Effect().persist(new ClockSet(set.clock()))
                .thenReply(set.replyTo(), s -> Done.getInstance());
    }

    private Effect<Event, MetaState> onGetPrevious(MetaState state, GetPrevious get) {
        return Effect().reply(get.replyTo(), new PreviousBoot(Optional.ofNullable(previous),
                Optional.ofNullable(previous == null ? null : previousEvents)));
    }

    private Effect<Event, MetaState> onGetState(MetaState state, GetState get) {
        return Effect().reply(get.replyTo(), state);
    }

    // ---------------------------------------------------------------- events

    @Override
    public EventHandler<MetaState, Event> eventHandler() {
        return newEventHandlerBuilder().forAnyState()
                .onEvent(GeometryRecorded.class, (state, e) -> new MetaState(e.geometry(), state.boot(), state.events()))
                .onEvent(MetaReset.class, (state, e) -> new MetaState(e.geometry(), null, null))
                .onEvent(BootRecorded.class, (state, e) -> new MetaState(state.geometry(), e.boot(), e.events()))
                .onEvent(EventsDefined.class, (state, e) -> state.withEvents(e.events()))
                .onEvent(ClockSet.class, (state, e) -> new MetaState(state.geometry(),
                        state.boot() == null ? null : state.boot().withClock(e.clock()), state.events()))
                .build();
    }

    // ---------------------------------------------------------------- signals

    @Override
    public SignalHandler<MetaState> signalHandler() {
        return newSignalHandlerBuilder()
                .onSignal(RecoveryCompleted.instance(), state -> {
                    previous = state.boot();
                    previousEvents = state.events();
                })
                .build();
    }
}
