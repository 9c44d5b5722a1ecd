package io.ringtrace.persistence;

import io.ringtrace.protocol.CborSerializable;
import io.ringtrace.protocol.ring.PageFormat;
import io.ringtrace.protocol.ring.RingBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import org.apache.pekko.Done;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.Scheduler;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.persistence.JournalProtocol;
import org.apache.pekko.persistence.Persistence;
import org.apache.pekko.persistence.typed.DeleteEventsFailed;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EffectBuilder;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * One CPU buffer of a persistent instance ({@code trace_instance=NAME@LABEL}): the kernel's
 * range-mapped ring_buffer_per_cpu, whose pages live in reserved memory that survives a reboot.
 * Here the pages live in a {@link RingBuffer} that producers write into directly (the hot path
 * never touches this actor), and this event-sourced actor copies them to the journal.
 *
 * <h2>What is persisted when</h2>
 * A commit copies the pages that changed since the last one ({@link RingBuffer#writePageSeq},
 * {@link RingBuffer#copyPage}: the page being filled plus any the writer finished meanwhile;
 * nothing when the ring is idle; the finished ones are copied without the ring's writer guard, so
 * producers are never held up) and persists them as one atomic journal write of
 * {@link PagesCommitted} entries, each carrying up to {@value #ENTRY_BYTES} bytes of page images in
 * one {@code byte[]} (a single CBOR byte string). Commits are driven by what is pending: the next
 * one starts as soon as the previous one is in the journal when at least an eighth of the ring
 * is waiting, otherwise {@code commit-interval} after the previous one started (so an event
 * waits at most about one interval plus one journal write). {@link Flush} and {@link Stop} commit
 * at once. A page is identified by its sequence number, so a later image of the same page replaces
 * the earlier one; the state is the newest {@code nrPages} page images (what
 * {@link RingBuffer#restore} can take back). {@link Reset} persists {@link BufferReset}, which
 * empties that set; a reset done on the ring directly is noticed at the next commit and persisted
 * the same way.
 *
 * <h2>Bounded disk and recovery, without snapshots</h2>
 * The journal itself holds the ring. Every entry is either <em>live</em> (it holds the newest
 * image of at least one page of the state) or obsolete. Obsolete entries at the head of the
 * journal are deleted (Pekko's {@code DeleteMessagesTo}) once they add up to half of
 * {@code journal-slack} buffers of page images; every {@code compaction-every} buffers of deleted
 * images (every delete for a buffer smaller than LevelDB's 4 MiB write buffer) this actor asks
 * {@link QuietLeveldbJournal} to compact its key range, on the journal's compaction thread.
 * Superseded images that cannot be deleted yet because an older entry is still live (typically
 * the page being filled, committed again at every interval, behind every live page) are
 * <em>carried forward</em> once they exceed {@code journal-slack} buffers: the live images of the
 * head of the journal are persisted again, ahead of the next commit and in the same write, which
 * makes that head obsolete (the shortest head that frees half the slack at a cost of at most half
 * of what it frees; otherwise every live image, a checkpoint of the buffer). So the journal holds
 * at most {@code 1 + journal-slack} buffers of page images plus one commit, and recovery replays
 * exactly that. No snapshot is written: a ring rewritten faster than it is committed costs one
 * journal write of each page image and nothing else; a page filled slowly costs a checkpoint of
 * the buffer per {@code journal-slack} buffers of commits, what a snapshot every half buffer of
 * images cost before.
 *
 * <h2>Recovery</h2>
 * On {@link RecoveryCompleted} the recovered pages (oldest first) are handed to
 * {@link RingBuffer#restore} once; the writer then continues on a new page. Pages read in the
 * previous run are recovered too, like the kernel's rewind of the persistent buffer. Producers
 * must not record into the ring before {@link GetRecovered} has been answered (restore replaces the
 * content). {@link GetRecovered} answers with those pages for the backup copy and the LAST_BOOT
 * decision. The persisted format is part of the persistence id ({@value #FORMAT}), so data of
 * another format is never replayed: the buffer starts empty. Data of the previous format (a
 * snapshot per CPU and one journal entry per page, persistence id without a format tag) is
 * logged and deleted when its snapshot file is found.
 *
 * <p>Threads: the ring's persistence hooks are called from this actor only (the owning instance
 * may read and consume meanwhile). Prefer {@link Reset} to resetting the ring directly: it is
 * persisted before it answers.
 */
public final class PersistentCpuBuffer
        extends EventSourcedBehavior<PersistentCpuBuffer.Command, PersistentCpuBuffer.Event, PersistentCpuBuffer.PageSet> {

    /** Version tag of the persisted format, part of the persistence id. */
    static final String FORMAT = "v2";
    /** Most page-image bytes in one journal entry. */
    static final int ENTRY_BYTES = 256 * 1024;

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
     * @param replayedEntries journal entries replayed
     * @param replayedPages  page images in those entries (superseded ones included)
     * @param replayedBytes  bytes of those page images
     */
    public record Recovered(List<byte[]> pages, long entries, int discardedPages,
                            long replayedEntries, long replayedPages, long replayedBytes) {

        /** True when the previous run left at least one event. */
        public boolean hasData() {
            return entries > 0;
        }
    }

    /**
     * Persistence counters of this run.
     *
     * @param lastSequenceNr   journal sequence number of the last entry
     * @param livePages        page images in the state (what a restart would recover)
     * @param commits          commits persisted (each one journal write)
     * @param pagesCommitted   page images persisted by commits
     * @param bytesCommitted   bytes of those page images
     * @param carried          carry-forwards persisted (live images of the journal's head written
     *                         again so that the head can be deleted)
     * @param carriedPages     page images persisted again by them
     * @param journalEntries   journal entries not deleted (what a restart would replay)
     * @param journalPages     page images in those entries
     * @param deletes          journal deletes requested
     * @param compactions      compactions of the journal range requested
     * @param replayedPages    page images replayed by the recovery of this run
     */
    public record Stats(long lastSequenceNr, int livePages, long commits, long pagesCommitted,
                        long bytesCommitted, long carried, long carriedPages, int journalEntries,
                        long journalPages, long deletes, long compactions, long replayedPages) {
    }

    // ---------------------------------------------------------------- events

    /** Persisted records of a persistent CPU buffer. */
    public sealed interface Event extends CborSerializable {
    }

    /**
     * Images of the sub-buffers {@code seqs} at commit time (header, data, zeros after the data),
     * one after the other in {@code images} ({@code seqs.length} pages of the ring's sub-buffer
     * size). A later image of the same sequence number replaces an earlier one.
     */
    public record PagesCommitted(long[] seqs, byte[] images) implements Event {
    }

    /** The ring was reset; every page before it is gone. */
    public record BufferReset(long seq) implements Event {
    }

    /**
     * The ring no longer holds the pages before {@code seq}: a consuming reader went past them
     * (trace_pipe, extract), or the writer overwrote them. Their images are dropped, so a
     * recovery brings back what the ring held, not pages already read out (the kernel's persistent
     * ring likewise keeps only the pages from its head, and the reader page).
     */
    public record PagesConsumed(long seq) implements Event {
    }

    // ---------------------------------------------------------------- state

    /** One journal entry not deleted yet: its sequence number, images, and how many are live. */
    static final class Entry {
        final long seqNr;
        final int images;
        int live;

        Entry(long seqNr, int images) {
            this.seqNr = seqNr;
            this.images = images;
        }
    }

    /** The newest image of one page: a slice of an entry's {@code images}. */
    private record Image(Entry owner, byte[] data, int offset) {
    }

    /**
     * The newest {@code limit} page images by sequence number, and the journal entries not deleted
     * yet with how many of the state's images each holds. Mutable, changed only by the event
     * handlers and by {@link #dropPrefix}; the page arrays are never modified once committed.
     */
    static final class PageSet {
        private final int limit;
        private final int pageSize;
        private final TreeMap<Long, Image> pages = new TreeMap<>();
        private final ArrayDeque<Entry> journal = new ArrayDeque<>();
        private long journalImages;
        private long highestSeq = -1;

        PageSet(int limit, int pageSize) {
            this.limit = limit;
            this.pageSize = pageSize;
        }

        Entry append(long seqNr, int images) {
            Entry e = new Entry(seqNr, images);
            journal.addLast(e);
            journalImages += images;
            return e;
        }

        void put(long seq, byte[] data, int offset, Entry owner) {
            if (seq <= highestSeq - limit) {
                return;
            }
            Image old = pages.put(seq, new Image(owner, data, offset));
            owner.live++;
            if (old != null) {
                old.owner().live--;
            }
            if (seq > highestSeq) {
                highestSeq = seq;
                while (pages.firstKey() <= highestSeq - limit) {
                    pages.pollFirstEntry().getValue().owner().live--;
                }
            }
        }

        /** The lowest page sequence held, or Long.MAX_VALUE when none. */
        long firstSeq() {
            return pages.isEmpty() ? Long.MAX_VALUE : pages.firstKey();
        }

        /** Drops the images of the pages before {@code seq}. */
        void dropBelow(long seq) {
            while (!pages.isEmpty() && pages.firstKey() < seq) {
                pages.pollFirstEntry().getValue().owner().live--;
            }
        }

        void clear(long seq) {
            for (Image i : pages.values()) {
                i.owner().live--;
            }
            pages.clear();
            highestSeq = Math.max(highestSeq, seq);
        }

        boolean has(long seq) {
            return pages.containsKey(seq);
        }

        /** True when the newest image of {@code seq} equals {@code page[offset, offset + pageSize)}. */
        boolean sameImage(long seq, byte[] page, int offset) {
            Image i = pages.get(seq);
            return i != null
                    && Arrays.equals(i.data(), i.offset(), i.offset() + pageSize, page, offset, offset + pageSize);
        }

        int size() {
            return pages.size();
        }

        long highestSeq() {
            return highestSeq;
        }

        long lastSeq() {
            return pages.isEmpty() ? -1 : pages.lastKey();
        }

        /** Copies of the page images, oldest first. */
        List<byte[]> images() {
            List<byte[]> out = new ArrayList<>(pages.size());
            for (Image i : pages.values()) {
                out.add(Arrays.copyOfRange(i.data(), i.offset(), i.offset() + pageSize));
            }
            return out;
        }

        Iterable<Entry> journalEntriesView() {
            return journal;
        }

        /** Page sequences of the live images held by the first {@code n} journal entries, ascending. */
        List<Long> liveSeqsOf(int n) {
            java.util.Set<Entry> head = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
            var it = journal.iterator();
            for (int i = 0; i < n; i++) {
                head.add(it.next());
            }
            List<Long> out = new ArrayList<>();
            for (var e : pages.entrySet()) {
                if (head.contains(e.getValue().owner())) {
                    out.add(e.getKey());
                }
            }
            return out;
        }

        void copyImage(long seq, byte[] dst, int offset) {
            Image i = pages.get(seq);
            System.arraycopy(i.data(), i.offset(), dst, offset, pageSize);
        }

        /** Page images in entries not deleted that are not the newest image of a page of the state. */
        long deadImages() {
            return journalImages - pages.size();
        }

        /** Number of entries at the head of the journal holding no live image. */
        int obsoletePrefix() {
            int n = 0;
            for (Entry e : journal) {
                if (e.live > 0) {
                    break;
                }
                n++;
            }
            return n;
        }

        long imagesOfPrefix(int n) {
            long sum = 0;
            var it = journal.iterator();
            for (int i = 0; i < n; i++) {
                sum += it.next().images;
            }
            return sum;
        }

            /** Forgets the first {@code n} entries (deleted from the journal); their last sequence number. */
        long dropPrefix(int n) {
            long last = -1;
            for (int i = 0; i < n; i++) {
                Entry e = journal.pollFirst();
                journalImages -= e.images;
                last = e.seqNr;
            }
            return last;
        }

        int journalEntries() {
            return journal.size();
        }

        long journalImages() {
            return journalImages;
        }
    }

    // ---------------------------------------------------------------- creation

    /** The persistence id of CPU {@code cpu} of instance {@code instance}. */
    public static PersistenceId persistenceId(String instance, int cpu) {
        return PersistenceId.ofUniqueId("ringtrace|" + instance + "|cpu" + cpu + "|" + FORMAT);
    }

    /** The persistence id the previous format used (a snapshot plus one journal entry per page). */
    static String legacyPersistenceId(String instance, int cpu) {
        return "ringtrace|" + instance + "|cpu" + cpu;
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
                new PersistentCpuBuffer(instance, cpu, ring, settings, ctx, timers)));
    }

    // ---------------------------------------------------------------- actor state (not persisted)

    private final String instance;
    private final int cpu;
    private final RingBuffer ring;
    private final JournalSettings settings;
    private final ActorContext<Command> ctx;
    private final TimerScheduler<Command> timers;
    private final int pageSize;
    /** Pages kept in the state: what restore can take back. */
    private final int livePageLimit;
    /** Pages per journal entry. */
    private final int entryPages;
    /** Obsolete page images at the head of the journal that trigger a delete. */
    private final long pruneImages;
    /** Superseded page images in the journal that trigger a carry-forward. */
    private final long slackImages;
    /** Deleted page images between two compactions of this buffer's journal range. */
    private final long compactionPages;
    /** Pages the writer may finish during a commit before the next one starts at once. */
    private final long eagerPages;

    private boolean recovering = true;
    private long replayedEntries;
    private long replayedPages;
    private long replayedBytes;
    private Recovered recovered;

    /** persisted sequence number = ring sequence number + seqOffset (fixed per run). */
    private long seqOffset;
    /** First ring sequence number that may have changed since the last commit. */
    private long scanFrom;
    /** The ring's raw entries counter at the last commit; it only goes down when the ring is reset. */
    private long lastEntriesWritten;
    /** The ring's reset count at the last commit (a change means pages before resetSeq are gone). */
    private long lastResetCount;
    /** The highest {@link PagesConsumed} mark persisted (persisted sequence numbers). */
    private long consumedMark = -1;
    /** When the last commit started (System.nanoTime). */
    private long commitStarted;
    /** Highest journal sequence number seen by the event handler. */
    private long lastEntrySeqNr;

    private long commits;
    private long pagesCommitted;
    private long bytesCommitted;
    private long carried;
    private long carriedPages;
    private long deletes;
    private long compactions;
    /** Page images deleted since the last compaction request. */
    private long deletedSinceCompaction;
    private Cancellable shutdownFlush;
    private org.apache.pekko.actor.ActorRef journalRef;

    private PersistentCpuBuffer(String instance, int cpu, RingBuffer ring, JournalSettings settings,
                                ActorContext<Command> ctx, TimerScheduler<Command> timers) {
        super(persistenceId(instance, cpu));
        this.instance = instance;
        this.cpu = cpu;
        this.ring = ring;
        this.settings = settings;
        this.ctx = ctx;
        this.timers = timers;
        this.pageSize = ring.subbufSize();
        this.livePageLimit = ring.nrPages();
        // small entries for small rings, so that an entry is mostly live or mostly superseded
        this.entryPages = Math.max(1, Math.min(ENTRY_BYTES / pageSize, livePageLimit / 16));
        this.slackImages = settings.slackPages(livePageLimit);
        this.pruneImages = Math.max(1, slackImages / 2);
        this.eagerPages = Math.max(1, livePageLimit / 8);
        this.compactionPages = settings.compactionPages(livePageLimit, pageSize);
    }

    @Override
    public PageSet emptyState() {
        return new PageSet(livePageLimit, pageSize);
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
        List<Event> batch = commitBatch(state);
        if (batch.isEmpty()) {
            scheduleNextCommit();
            return Effect().none();
        }
        return Effect().persist(batch).thenRun(s -> {
            prune(s);
            scheduleNextCommit();
        });
    }

    private Effect<Event, PageSet> onFlush(PageSet state, Flush flush) {
        List<Event> batch = commitBatch(state);
        if (batch.isEmpty()) {
            return Effect().reply(flush.replyTo(), Done.getInstance());
        }
        return Effect().persist(batch).thenRun(this::prune).thenReply(flush.replyTo(), s -> Done.getInstance());
    }

    private Effect<Event, PageSet> onReset(PageSet state, Reset reset) {
        prune(state);
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
                r.discardedPages(), r.replayedEntries(), r.replayedPages(), r.replayedBytes()));
    }

    private Effect<Event, PageSet> onGetStats(PageSet state, GetStats get) {
        return Effect().reply(get.replyTo(), new Stats(lastSequenceNumber(ctx), state.size(), commits,
                pagesCommitted, bytesCommitted, carried, carriedPages, state.journalEntries(),
                state.journalImages(), deletes, compactions, replayedPages));
    }

    private Effect<Event, PageSet> onStop(PageSet state, Stop stop) {
        List<Event> batch = commitBatch(state);
        EffectBuilder<Event, PageSet> effect = batch.isEmpty() ? Effect().none() : Effect().persist(batch);
        return effect.thenRun(s -> stop.replyTo().tell(Done.getInstance())).thenStop();
    }

    /**
     * After a commit is in the journal (or found nothing to do): the next one at once when the
     * writer has finished enough pages meanwhile, otherwise one commit interval after this one
     * started. One tick is outstanding at most (a single timer key).
     */
    private void scheduleNextCommit() {
        long pending = ring.writePageSeq() - scanFrom;
        Duration delay = Duration.ZERO;
        if (pending < eagerPages) {
            long elapsed = System.nanoTime() - commitStarted;
            delay = settings.commitInterval().minusNanos(elapsed);
        }
        if (delay.isNegative() || delay.isZero()) {
            timers.cancel(Tick.INSTANCE);
            ctx.getSelf().tell(Tick.INSTANCE);
        } else {
            timers.startSingleTimer(Tick.INSTANCE, Tick.INSTANCE, delay);
        }
    }

    /**
     * What one commit persists: first the journal maintenance (obsolete entries deleted; live
     * images carried forward when superseded ones exceed the slack), then the pages changed
     * since the last commit. Called only when no write is in flight (the state is what the journal
     * holds).
     */
    private List<Event> commitBatch(PageSet state) {
        commitStarted = System.nanoTime();
        prune(state);
        List<Event> batch = new ArrayList<>(0);
        carryForward(state, batch);
        changedPages(state, batch);
        consumedPages(state, batch);
        return batch;
    }

    /**
     * A {@link PagesConsumed} when the ring's oldest page moved past what was persisted: read
     * after the pages are copied, so pages of the batch the reader has finished meanwhile go too.
     */
    private void consumedPages(PageSet state, List<Event> batch) {
        long head = ring.oldestPageSeq() + seqOffset;
        if (head <= consumedMark) {
            return;
        }
        // the lowest page the state will hold once the batch is applied (a reset clears before it)
        long lowest = state.firstSeq();
        for (Event e : batch) {
            if (e instanceof BufferReset) {
                lowest = Long.MAX_VALUE;
            } else if (e instanceof PagesCommitted) {
                for (long q : ((PagesCommitted) e).seqs()) {
                    lowest = Math.min(lowest, q);
                }
            }
        }
        if (lowest < head) {
            batch.add(new PagesConsumed(head));
        }
    }

    /** Deletes the journal entries at the head that hold no live image, once they are enough. */
    private void prune(PageSet state) {
        int n = state.obsoletePrefix();
        if (n == 0 || (state.imagesOfPrefix(n) < pruneImages && n < state.journalEntries())) {
            return;
        }
        long images = state.imagesOfPrefix(n);
        long toSeqNr = state.dropPrefix(n);
        org.apache.pekko.actor.ActorRef self = Adapter.toClassic(ctx.getSelf());
        journal().tell(new JournalProtocol.DeleteMessagesTo(persistenceId().id(), toSeqNr, self), self);
        deletes++;
        deletedSinceCompaction += images;
        if (deletedSinceCompaction >= compactionPages) {
            journal().tell(new QuietLeveldbJournal.CompactRange(persistenceId().id(), toSeqNr), self);
            deletedSinceCompaction = 0;
            compactions++;
        }
    }

    private org.apache.pekko.actor.ActorRef journal() {
        if (journalRef == null) {
            journalRef = Persistence.get(Adapter.toClassic(ctx.getSystem()))
                    .journalFor(journalPluginId(), com.typesafe.config.ConfigFactory.empty());
        }
        return journalRef;
    }

    /**
     * When the journal holds {@code journal-slack} buffers of superseded images that cannot be
     * deleted (an older entry still holds a live image), persists again the live images of the
     * entries at its head, so that those entries can be deleted after this write: the shortest
     * head that frees at least half the slack while its live images are at most half of what it
     * frees; when there is none (typically a slowly filled page: its superseded images are at the
     * end of the journal, behind every live page), every live image (a checkpoint of the buffer,
     * what a snapshot was in the previous format).
     */
    private void carryForward(PageSet state, List<Event> batch) {
        if (state.deadImages() < slackImages) {
            return;
        }
        int prefix = state.journalEntries();
        int n = 0;
        long images = 0;
        long live = 0;
        for (Entry e : state.journalEntriesView()) {
            n++;
            images += e.images;
            live += e.live;
            long dead = images - live;
            if (dead * 2 >= slackImages && dead >= 2 * live) {
                prefix = n;
                break;
            }
        }
        List<Long> seqs = state.liveSeqsOf(prefix);
        for (int from = 0; from < seqs.size(); from += entryPages) {
            int k = Math.min(entryPages, seqs.size() - from);
            long[] chunk = new long[k];
            byte[] images2 = new byte[k * pageSize];
            for (int i = 0; i < k; i++) {
                chunk[i] = seqs.get(from + i);
                state.copyImage(chunk[i], images2, i * pageSize);
            }
            batch.add(new PagesCommitted(chunk, images2));
        }
        carried++;
        carriedPages += seqs.size();
    }

    /**
     * The pages changed since the last commit, as entries: every sub-buffer from the one that was
     * being filled at the last commit up to the one being filled now (at most the ring's worth),
     * skipping pages no longer in the ring, pages never written and images identical to the
     * persisted ones. When the ring was reset behind this actor's back (its raw entries counter
     * went down, e.g. through {@code TraceBuffer.reset()}), they are preceded by a
     * {@link BufferReset} of every page committed before.
     */
    private void changedPages(PageSet state, List<Event> batch) {
        long entriesWritten = ring.entriesWritten();
        long resets = ring.resetCount();
        long write = ring.writePageSeq();
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
        int max = (int) Math.min(entryPages, write - from + 1);
        long[] seqs = new long[max];
        byte[] images = new byte[max * pageSize];
        int n = 0;
        int pages = 0;
        for (long s = from; s <= write; s++) {
            int off = n * pageSize;
            if (ring.copyPage(s, images, off) < 0) {
                continue;
            }
            long seq = s + seqOffset;
            boolean persisted = !resetBehind && state.has(seq);
            if (persisted ? state.sameImage(seq, images, off)
                    : PageFormat.getLong(images, off + PageFormat.COMMIT_OFFSET) == 0) {
                continue; // unchanged, or never written
            }
            seqs[n++] = seq;
            pages++;
            if (n == seqs.length && s < write) {
                batch.add(new PagesCommitted(seqs, images));
                int rest = (int) Math.min(entryPages, write - s);
                seqs = new long[rest];
                images = new byte[rest * pageSize];
                n = 0;
            }
        }
        if (n == seqs.length) {
            batch.add(new PagesCommitted(seqs, images));
        } else if (n > 0) {
            batch.add(new PagesCommitted(Arrays.copyOf(seqs, n), Arrays.copyOf(images, n * pageSize)));
        }
        scanFrom = write;
        lastEntriesWritten = entriesWritten;
        if (pages > 0) {
            commits++;
            pagesCommitted += pages;
            bytesCommitted += (long) pages * pageSize;
        }
    }

    // ---------------------------------------------------------------- events

    @Override
    public EventHandler<PageSet, Event> eventHandler() {
        return newEventHandlerBuilder().forAnyState()
                .onEvent(PagesCommitted.class, this::onPagesCommitted)
                .onEvent(BufferReset.class, this::onBufferReset)
                .onEvent(PagesConsumed.class, this::onPagesConsumed)
                .build();
    }

    private PageSet onPagesCommitted(PageSet state, PagesCommitted event) {
        long[] seqs = event.seqs();
        byte[] images = event.images();
        if (images.length != seqs.length * pageSize) {
            throw new IllegalStateException("journal entry of " + images.length + " bytes for " + seqs.length
                    + " pages of " + pageSize + " bytes (another geometry?)");
        }
        Entry entry = state.append(entrySeqNr(), seqs.length);
        if (recovering) {
            replayedEntries++;
            replayedPages += seqs.length;
            replayedBytes += images.length;
        }
        for (int i = 0; i < seqs.length; i++) {
            state.put(seqs[i], images, i * pageSize, entry);
        }
        return state;
    }

    private PageSet onBufferReset(PageSet state, BufferReset event) {
        state.clear(event.seq());
        state.append(entrySeqNr(), 0);
        if (recovering) {
            replayedEntries++;
        }
        return state;
    }

    private PageSet onPagesConsumed(PageSet state, PagesConsumed event) {
        state.dropBelow(event.seq());
        state.append(entrySeqNr(), 0);
        consumedMark = Math.max(consumedMark, event.seq());
        if (recovering) {
            replayedEntries++;
        }
        return state;
    }

    /** The journal sequence number of the entry being applied (replayed or just persisted). */
    private long entrySeqNr() {
        long nr = lastSequenceNumber(ctx);
        if (nr <= lastEntrySeqNr) {
            throw new IllegalStateException("journal sequence number went back: " + nr + " after " + lastEntrySeqNr);
        }
        lastEntrySeqNr = nr;
        return nr;
    }

    // ---------------------------------------------------------------- signals

    @Override
    public SignalHandler<PageSet> signalHandler() {
        return newSignalHandlerBuilder()
                .onSignal(RecoveryCompleted.instance(), this::onRecoveryCompleted)
                .onSignal(DeleteEventsFailed.class, (state, failed) ->
                        ctx.getLog().warn("journal retention of {} failed", persistenceId().id(), failed.getFailure()))
                .onSignal(PostStop.instance(), this::onPostStop)
                .build();
    }

    /** Hands the recovered pages to the ring once, then starts committing. */
    private void onRecoveryCompleted(PageSet state) {
        recovering = false;
        dropLegacyData();
        List<byte[]> pages = state.images();
        if (pages.size() > livePageLimit) {
            pages = pages.subList(pages.size() - livePageLimit, pages.size());
        }
        long lastSeq = state.lastSeq();
        int discarded = 0;
        if (!pages.isEmpty()) {
            discarded = ring.restore(pages);
        }
        long write = ring.writePageSeq();
        // the restored pages sit just below the new write page; keep persisted numbers increasing
        long base = Math.max(lastSeq, state.highestSeq());
        seqOffset = base < 0 ? 0 : base + 1 - write;
        scanFrom = write;
        lastEntriesWritten = ring.entriesWritten();
        lastResetCount = ring.resetCount();
        recovered = new Recovered(List.copyOf(pages), ring.entries(), discarded, replayedEntries,
                replayedPages, replayedBytes);
        if (!pages.isEmpty()) {
            ctx.getLog().info("{}: {} pages from previous run ({} events, {} invalid; {} page images replayed from "
                            + "{} journal entries)", persistenceId().id(), pages.size(), ring.entries(), discarded,
                    replayedPages, replayedEntries);
        }
        prune(state);
        commitStarted = System.nanoTime();
        timers.startSingleTimer(Tick.INSTANCE, Tick.INSTANCE, settings.commitInterval());
        if (settings.flushOnShutdown()) {
            registerShutdownFlush();
        }
    }

    /**
     * Data of the previous persisted format (a snapshot file per CPU and one journal entry per
     * page, persistence id without the format tag) is not read: when its snapshot file is found it
     * is logged and removed with its journal entries.
     */
    private void dropLegacyData() {
        String legacy = legacyPersistenceId(instance, cpu);
        Path file;
        try {
            file = LatestSnapshotStore.fileFor(Path.of(ctx.getSystem().settings().config()
                    .getString(JournalSetup.SNAPSHOT_PLUGIN_ID + ".dir")), legacy);
        } catch (RuntimeException e) {
            return;
        }
        if (!Files.exists(file)) {
            return;
        }
        ctx.getLog().warn("{}: data of an older persisted format found; it is not recovered and is deleted",
                legacy);
        try {
            Files.deleteIfExists(file);
        } catch (java.io.IOException e) {
            ctx.getLog().warn("cannot delete {}", file, e);
        }
        journal().tell(new JournalProtocol.DeleteMessagesTo(legacy, Long.MAX_VALUE,
                Adapter.toClassic(ctx.getSystem().ignoreRef())), org.apache.pekko.actor.ActorRef.noSender());
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
