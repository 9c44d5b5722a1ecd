package io.ringtrace.persistence;

import io.ringtrace.protocol.CborSerializable;
import io.ringtrace.protocol.ring.PageFormat;
import io.ringtrace.protocol.ring.RingBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.pekko.Done;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.Scheduler;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.persistence.typed.DeleteEventsFailed;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.SnapshotAdapter;
import org.apache.pekko.persistence.typed.SnapshotCompleted;
import org.apache.pekko.persistence.typed.SnapshotFailed;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EffectBuilder;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * One CPU buffer of a persistent instance ({@code trace_instance=NAME@LABEL}): the kernel's
 * range-mapped ring_buffer_per_cpu, whose pages live in reserved memory that survives a reboot.
 * Here the pages live in a {@link RingBuffer} that producers write into directly (the hot path
 * never touches this actor), and this event-sourced actor copies them to the journal.
 *
 * <h2>What is persisted when</h2>
 * Every {@code commit-interval} (and on {@link Flush} / {@link Stop}) the actor copies the pages
 * that changed since the last commit ({@link RingBuffer#writePageSeq}, {@link RingBuffer#copyPage}:
 * the page being filled plus any the writer finished meanwhile; nothing when the ring is idle)
 * and persists them as one atomic batch of {@link PageCommitted} events, one journal write. A page
 * is identified by its sequence number, so a later image of the same page replaces the earlier
 * one; the state is the newest {@code nrPages} page images (what {@link RingBuffer#restore} can
 * take back). {@link Reset} persists {@link BufferReset}, which empties that set; a reset done on
 * the ring directly is noticed at the next commit and persisted the same way.
 *
 * <h2>Bounded disk and recovery</h2>
 * Each persisted page image is one journal entry, so sequence numbers count page images. After
 * every {@code snapshot-every × nrPages} of them a snapshot of the live page set ({@link LivePages},
 * at most one buffer) replaces the previous one ({@link LatestSnapshotStore}), every journal entry
 * up to it is deleted and LevelDB compacts that range. On disk: one snapshot plus less than
 * {@code snapshot-every} buffers of journal (about 1.5 buffers by default; 2.5 while a snapshot is
 * being written). Recovery loads the snapshot and replays at most {@code snapshot-every} buffers of
 * page images (plus one commit batch if the process died between a batch and its snapshot), however
 * long the instance ran.
 *
 * <h2>Recovery</h2>
 * On {@link RecoveryCompleted} the recovered pages (oldest first) are handed to
 * {@link RingBuffer#restore} once; the writer then continues on a new page. Pages read in the
 * previous run are recovered too, like the kernel's rewind of the persistent buffer. Producers
 * must not record into the ring before {@link GetRecovered} has been answered (restore replaces the
 * content). {@link GetRecovered} answers with those pages for the backup copy and the LAST_BOOT
 * decision.
 *
 * <p>Threads: the ring's persistence hooks are called from this actor only (every RingBuffer method
 * takes the ring's guard, so the owning instance may read and consume meanwhile). Prefer
 * {@link Reset} to resetting the ring directly: it is persisted before it answers. Not meant to run under a restarting supervisor (the state is mutable and
 * only ever replaced by recovery in a fresh actor).
 */
public final class PersistentCpuBuffer
        extends EventSourcedBehavior<PersistentCpuBuffer.Command, PersistentCpuBuffer.Event, PersistentCpuBuffer.PageSet> {

    // ---------------------------------------------------------------- protocol

    /** Messages understood by a persistent CPU buffer. */
    public sealed interface Command {
    }

    /** Persists the pages changed since the last commit now; replies when they are in the journal. */
    public record Flush(ActorRef<Done> replyTo) implements Command {
    }

    /**
     * Erases the ring (ring_buffer_reset_cpu) and persists {@link BufferReset}, so nothing of
     * before comes back at the next start. Replies when the reset is in the journal.
     */
    public record Reset(ActorRef<Done> replyTo) implements Command {
    }

    /** Asks for what recovery found (answered once recovery has completed). */
    public record GetRecovered(ActorRef<Recovered> replyTo) implements Command {
    }

    /** Asks for the persistence counters. */
    public record GetStats(ActorRef<Stats> replyTo) implements Command {
    }

    /** Flushes, replies, and stops the actor (passivation, shutdown of the instance). */
    public record Stop(ActorRef<Done> replyTo) implements Command {
    }

    private enum Tick implements Command {
        INSTANCE
    }

    /**
     * What the previous run left.
     *
     * @param pages          recovered sub-buffers, oldest first, exactly as persisted (each
     *                       {@code subbufSize} bytes; the kernel's page format); fresh copies
     * @param entries        events in the ring right after {@link RingBuffer#restore}
     * @param discardedPages pages restore found invalid (kept as lost-events marks)
     * @param replayedEvents journal entries (page images) replayed after the snapshot
     * @param replayedBytes  bytes of those page images
     * @param snapshotPages  pages loaded from the snapshot
     */
    public record Recovered(List<byte[]> pages, long entries, int discardedPages,
                            long replayedEvents, long replayedBytes, int snapshotPages) {

        /** True when the previous run left at least one event. */
        public boolean hasData() {
            return entries > 0;
        }
    }

    /**
     * Persistence counters of this run.
     *
     * @param lastSequenceNr   journal sequence number of the last page image
     * @param livePages        page images in the state (what a restart would recover)
     * @param commits          commit batches persisted
     * @param pagesCommitted   page images persisted
     * @param bytesCommitted   bytes of those page images
     * @param snapshots        snapshots saved
     * @param snapshotEvery    page images between two snapshots
     * @param replayedEvents   page images replayed by the recovery of this run
     * @param snapshotPages    pages loaded from the snapshot by the recovery of this run
     */
    public record Stats(long lastSequenceNr, int livePages, long commits, long pagesCommitted,
                        long bytesCommitted, long snapshots, int snapshotEvery, long replayedEvents,
                        int snapshotPages) {
    }

    // ---------------------------------------------------------------- events and snapshot

    /** Persisted records of a persistent CPU buffer. */
    public sealed interface Event extends CborSerializable {
    }

    /**
     * The image of sub-buffer {@code seq} at commit time (header, data, zeros after the data).
     * A later image of the same sequence number replaces it.
     */
    public record PageCommitted(long seq, byte[] page) implements Event {
    }

    /** The ring was reset; every page up to and including {@code seq} is gone. */
    public record BufferReset(long seq) implements Event {
    }

    /** Snapshot: the live page images, oldest first, and the highest sequence number seen. */
    public record LivePages(long highestSeq, List<PageCommitted> pages) implements CborSerializable {
    }

    /**
     * The newest {@code limit} page images by sequence number. Mutable, changed only by the event
     * handlers; the snapshot adapter turns it into an immutable {@link LivePages} (the page arrays
     * themselves are never modified once committed).
     */
    static final class PageSet {
        private final int limit;
        private final TreeMap<Long, byte[]> pages = new TreeMap<>();
        private long highestSeq = -1;

        PageSet(int limit) {
            this.limit = limit;
        }

        void put(long seq, byte[] image) {
            if (seq <= highestSeq - limit) {
                return;
            }
            pages.put(seq, image);
            highestSeq = Math.max(highestSeq, seq);
            while (pages.firstKey() <= highestSeq - limit) {
                pages.pollFirstEntry();
            }
        }

        void clear(long seq) {
            pages.clear();
            highestSeq = Math.max(highestSeq, seq);
        }

        byte[] image(long seq) {
            return pages.get(seq);
        }

        int size() {
            return pages.size();
        }

        long highestSeq() {
            return highestSeq;
        }

        Map.Entry<Long, byte[]> last() {
            return pages.lastEntry();
        }

        List<byte[]> images() {
            return new ArrayList<>(pages.values());
        }

        LivePages toSnapshot() {
            List<PageCommitted> list = new ArrayList<>(pages.size());
            pages.forEach((seq, page) -> list.add(new PageCommitted(seq, page)));
            return new LivePages(highestSeq, List.copyOf(list));
        }

        static PageSet of(LivePages snapshot, int limit) {
            PageSet set = new PageSet(limit);
            set.highestSeq = snapshot.highestSeq();
            for (PageCommitted p : snapshot.pages()) {
                set.put(p.seq(), p.page());
            }
            return set;
        }
    }

    // ---------------------------------------------------------------- creation

    /** The persistence id of CPU {@code cpu} of instance {@code instance}. */
    public static PersistenceId persistenceId(String instance, int cpu) {
        return PersistenceId.ofUniqueId("ringtrace|" + instance + "|cpu" + cpu);
    }

    /**
     * The CPU buffer {@code cpu} of persistent instance {@code instance}, persisting {@code ring}
     * (which must have the instance's fixed geometry) with the settings read from the system's
     * configuration.
     */
    public static Behavior<Command> create(String instance, int cpu, RingBuffer ring) {
        return Behaviors.setup(ctx -> create(instance, cpu, ring,
                JournalSettings.create(ctx.getSystem().settings().config())));
    }

    /** As {@link #create(String, int, RingBuffer)} with explicit settings. */
    public static Behavior<Command> create(String instance, int cpu, RingBuffer ring,
                                           JournalSettings settings) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers ->
                new PersistentCpuBuffer(persistenceId(instance, cpu), ring, settings, ctx, timers)));
    }

    // ---------------------------------------------------------------- actor state (not persisted)

    private final RingBuffer ring;
    private final JournalSettings settings;
    private final ActorContext<Command> ctx;
    private final TimerScheduler<Command> timers;
    private final int pageSize;
    /** Pages kept in the state: what restore can take back. */
    private final int livePageLimit;
    private final int snapshotEvery;
    private final byte[] scratch;

    private boolean recovering = true;
    private long replayedEvents;
    private long replayedBytes;
    private int snapshotPages;
    private Recovered recovered;

    /** persisted sequence number = ring sequence number + seqOffset (fixed per run). */
    private long seqOffset;
    /** First ring sequence number that may have changed since the last commit. */
    private long scanFrom;
    /** The ring's raw entries counter at the last commit; it only goes down when the ring is reset. */
    private long lastEntriesWritten;
    /** The ring's reset count at the last commit (a change means pages before resetSeq are gone). */
    private long lastResetCount;

    private long commits;
    private long pagesCommitted;
    private long bytesCommitted;
    private long snapshots;
    private Cancellable shutdownFlush;

    private PersistentCpuBuffer(PersistenceId id, RingBuffer ring, JournalSettings settings,
                                ActorContext<Command> ctx, TimerScheduler<Command> timers) {
        super(id);
        this.ring = ring;
        this.settings = settings;
        this.ctx = ctx;
        this.timers = timers;
        this.pageSize = ring.subbufSize();
        this.livePageLimit = ring.nrPages();
        this.snapshotEvery = settings.snapshotEveryPages(livePageLimit);
        this.scratch = new byte[pageSize];
    }

    @Override
    public PageSet emptyState() {
        return new PageSet(livePageLimit);
    }

    @Override
    public RetentionCriteria retentionCriteria() {
        return RetentionCriteria.snapshotEvery(snapshotEvery, 1).withDeleteEventsOnSnapshot();
    }

    @Override
    public SnapshotAdapter<PageSet> snapshotAdapter() {
        return new SnapshotAdapter<>() {
            @Override
            public Object toJournal(PageSet state) {
                return state.toSnapshot();
            }

            @Override
            public PageSet fromJournal(Object from) {
                LivePages live = (LivePages) from;
                snapshotPages = live.pages().size();
                return PageSet.of(live, livePageLimit);
            }
        };
    }

    // ---------------------------------------------------------------- commands

    @Override
    public CommandHandler<Command, Event, PageSet> commandHandler() {
        return newCommandHandlerBuilder().forAnyState()
                .onCommand(Tick.class, this::onTick)
                .onCommand(Flush.class, this::onFlush)
                .onCommand(Reset.class, this::onReset)
                .onCommand(GetRecovered.class, this::onGetRecovered)
                .onCommand(GetStats.class, this::onGetStats)
                .onCommand(Stop.class, this::onStop)
                .build();
    }

    private Effect<Event, PageSet> onTick(PageSet state, Tick tick) {
        List<Event> batch = changedPages(state);
        return batch.isEmpty() ? Effect().none() : Effect().persist(batch);
    }

    private Effect<Event, PageSet> onFlush(PageSet state, Flush flush) {
        List<Event> batch = changedPages(state);
        if (batch.isEmpty()) {
            return Effect().reply(flush.replyTo(), Done.getInstance());
        }
        return Effect().persist(batch).thenReply(flush.replyTo(), s -> Done.getInstance());
    }

    private Effect<Event, PageSet> onReset(PageSet state, Reset reset) {
        return Effect().persist(new BufferReset(ring.writePageSeq() + seqOffset))
                .thenRun(this::resetRing)
                .thenReply(reset.replyTo(), s -> Done.getInstance());
    }

    private void resetRing() {
        ring.reset();
        scanFrom = ring.writePageSeq();
        lastEntriesWritten = ring.entriesWritten();
        lastResetCount = ring.resetCount();
    }

    private Effect<Event, PageSet> onGetRecovered(PageSet state, GetRecovered get) {
        List<byte[]> copies = new ArrayList<>(recovered.pages().size());
        for (byte[] p : recovered.pages()) {
            copies.add(p.clone());
        }
        Recovered r = recovered;
        return Effect().reply(get.replyTo(), new Recovered(List.copyOf(copies), r.entries(),
                r.discardedPages(), r.replayedEvents(), r.replayedBytes(), r.snapshotPages()));
    }

    private Effect<Event, PageSet> onGetStats(PageSet state, GetStats get) {
        return Effect().reply(get.replyTo(), new Stats(lastSequenceNumber(ctx), state.size(), commits,
                pagesCommitted, bytesCommitted, snapshots, snapshotEvery, replayedEvents, snapshotPages));
    }

    private Effect<Event, PageSet> onStop(PageSet state, Stop stop) {
        List<Event> batch = changedPages(state);
        EffectBuilder<Event, PageSet> effect = batch.isEmpty() ? Effect().none() : Effect().persist(batch);
        return effect.thenRun(s -> stop.replyTo().tell(Done.getInstance())).thenStop();
    }

    /**
     * The pages changed since the last commit, as events: every sub-buffer from the one that was
     * being filled at the last commit up to the one being filled now (at most the ring's worth),
     * skipping pages no longer in the ring and images identical to the persisted ones. When the
     * ring was reset behind this actor's back (its raw entries counter went down, e.g. through
     * {@code TraceBuffer.reset()}), the batch starts with a {@link BufferReset} of every page
     * committed before.
     */
    private List<Event> changedPages(PageSet state) {
        long entriesWritten = ring.entriesWritten();
        long resets = ring.resetCount();
        long write = ring.writePageSeq();
        List<Event> batch = new ArrayList<>(0);
        boolean resetBehind = resets != lastResetCount || entriesWritten < lastEntriesWritten;
        if (resetBehind) {
            // Every page before the reset is gone, whatever was written since (a reset on the
            // ring itself, e.g. echo > trace, not through this actor).
            long resetSeq = Math.max(ring.resetSeq(), scanFrom);
            batch.add(new BufferReset(resetSeq + seqOffset));
            scanFrom = Math.max(scanFrom, ring.resetSeq());
            lastResetCount = resets;
        }
        long from = Math.max(scanFrom, write - livePageLimit);
        for (long s = from; s <= write; s++) {
            if (ring.copyPage(s, scratch) < 0) {
                continue;
            }
            long seq = s + seqOffset;
            byte[] old = resetBehind ? null : state.image(seq);
            if (old == null ? PageFormat.getLong(scratch, PageFormat.COMMIT_OFFSET) == 0
                    : Arrays.equals(old, scratch)) {
                continue;
            }
            batch.add(new PageCommitted(seq, scratch.clone()));
            pagesCommitted++;
            bytesCommitted += pageSize;
        }
        scanFrom = write;
        lastEntriesWritten = entriesWritten;
        if (!batch.isEmpty()) {
            commits++;
        }
        return batch;
    }

    // ---------------------------------------------------------------- events

    @Override
    public EventHandler<PageSet, Event> eventHandler() {
        return newEventHandlerBuilder().forAnyState()
                .onEvent(PageCommitted.class, this::onPageCommitted)
                .onEvent(BufferReset.class, this::onBufferReset)
                .build();
    }

    private PageSet onPageCommitted(PageSet state, PageCommitted event) {
        if (recovering) {
            replayedEvents++;
            replayedBytes += event.page().length;
        }
        state.put(event.seq(), event.page());
        return state;
    }

    private PageSet onBufferReset(PageSet state, BufferReset event) {
        state.clear(event.seq());
        return state;
    }

    // ---------------------------------------------------------------- signals

    @Override
    public SignalHandler<PageSet> signalHandler() {
        return newSignalHandlerBuilder()
                .onSignal(RecoveryCompleted.instance(), this::onRecoveryCompleted)
                .onSignal(SnapshotCompleted.class, (state, done) -> snapshots++)
                .onSignal(SnapshotFailed.class, (state, failed) ->
                        ctx.getLog().warn("snapshot of {} failed", persistenceId().id(), failed.getFailure()))
                .onSignal(DeleteEventsFailed.class, (state, failed) ->
                        ctx.getLog().warn("journal retention of {} failed", persistenceId().id(), failed.getFailure()))
                .onSignal(PostStop.instance(), this::onPostStop)
                .build();
    }

    /** Hands the recovered pages to the ring once, then starts the commit timer. */
    private void onRecoveryCompleted(PageSet state) {
        recovering = false;
        List<byte[]> pages = new ArrayList<>();
        long lastSeq = -1;
        for (byte[] p : state.images()) {
            if (p.length == pageSize) {
                pages.add(p);
            }
        }
        if (pages.size() > livePageLimit) {
            pages = pages.subList(pages.size() - livePageLimit, pages.size());
        }
        int discarded = 0;
        if (!pages.isEmpty()) {
            lastSeq = state.last().getKey();
            discarded = ring.restore(pages);
        }
        long write = ring.writePageSeq();
        // the restored pages sit just below the new write page; keep persisted numbers increasing
        long base = Math.max(lastSeq, state.highestSeq());
        seqOffset = base < 0 ? 0 : base + 1 - write;
        scanFrom = write;
        lastEntriesWritten = ring.entriesWritten();
        lastResetCount = ring.resetCount();
        recovered = new Recovered(List.copyOf(pages), ring.entries(), discarded, replayedEvents,
                replayedBytes, snapshotPages);
        if (!pages.isEmpty()) {
            ctx.getLog().info("{}: {} pages from previous run ({} events, {} invalid; {} replayed, {} from snapshot)",
                    persistenceId().id(), pages.size(), ring.entries(), discarded, replayedEvents, snapshotPages);
        }
        timers.startTimerAtFixedRate(Tick.INSTANCE, settings.commitInterval());
        if (settings.flushOnShutdown()) {
            registerShutdownFlush();
        }
    }

    private void registerShutdownFlush() {
        ActorRef<Command> self = ctx.getSelf();
        Duration timeout = settings.flushTimeout();
        Scheduler scheduler = ctx.getSystem().scheduler();
        shutdownFlush = CoordinatedShutdown.get(ctx.getSystem()).addCancellableTask(
                CoordinatedShutdown.PhaseServiceStop(), "flush-" + persistenceId().id(),
                () -> AskPattern.<Command, Done>ask(self, Flush::new, timeout, scheduler)
                        .exceptionally(failure -> Done.getInstance()));
    }

    private void onPostStop(PageSet state) {
        if (shutdownFlush != null) {
            shutdownFlush.cancel();
        }
    }
}
