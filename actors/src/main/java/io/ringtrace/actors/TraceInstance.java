package io.ringtrace.actors;

import io.ringtrace.actors.fs.Caller;
import io.ringtrace.actors.fs.DirNode;
import io.ringtrace.actors.fs.FileNode;
import io.ringtrace.actors.fs.FsReply;
import io.ringtrace.actors.fs.OpenFile;
import io.ringtrace.actors.fs.OpenFlags;
import io.ringtrace.persistence.PersistentInstanceMeta;
import io.ringtrace.protocol.Errno;
import io.ringtrace.protocol.ErrnoException;
import io.ringtrace.protocol.event.EventSpec;
import io.ringtrace.protocol.event.EventType;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * One trace instance (trace_array) as an actor. Its mailbox orders every file open ({@link Open},
 * the kernel's trace_array_get), close ({@link Close}, trace_array_put), read and write, so the
 * reference counts that decide rmdir (EBUSY) and autoremove need no lock.
 *
 * <p>Autoremove: when a close brings {@code ref} back to 1 while {@code free_on_close} is set, the
 * instance asks {@link TraceSystem} to remove it ({@link TraceSystem.AutoRemove}); TraceSystem
 * answers with {@link TryRemove}, which this actor grants only if {@code ref} is still 1 when it
 * reaches this mailbox. An open racing the removal is ordered by the mailboxes: it lands before
 * (the removal is refused and kicked again at the next last close) or after (ENODEV, or ENOENT
 * from TraceSystem once the name is gone).
 *
 * <p>Children: one {@link CpuBuffer} per CPU, which owns the wakeup of blocked readers of its
 * ring (and, for a persistent instance, its journal).
 */
public final class TraceInstance extends AbstractBehavior<TraceInstance.Command> {

    /** Messages of the instance protocol. */
    public sealed interface Command {
    }

    /** Get: open {@code path} (relative to the instance) with open(2) flags. Reply: Opened or Failed. */
    public record Open(String path, int flags, Caller caller, ActorRef<FsReply> replyTo) implements Command {
    }

    /** read(2) of up to {@code count} bytes. Reply: Data (empty = EOF) or Failed. May wait for data. */
    public record Read(long handle, int count, ActorRef<FsReply> replyTo) implements Command {
    }

    /** write(2). Reply: Written or Failed. */
    public record Write(long handle, byte[] data, Caller caller, ActorRef<FsReply> replyTo) implements Command {
    }

    /** Put: close the handle. Reply (if replyTo is not null): Done. */
    public record Close(long handle, ActorRef<FsReply> replyTo) implements Command {
    }

    /** stat of a path relative to the instance. Reply: Attributes or Failed(ENOENT). */
    public record Lookup(String path, ActorRef<FsReply> replyTo) implements Command {
    }

    /** readdir of a path relative to the instance. Reply: Entries or Failed. */
    public record ListDir(String path, ActorRef<FsReply> replyTo) implements Command {
    }

    /**
     * From TraceSystem: remove yourself if nothing holds you. For rmdir ({@code auto} false): EBUSY
     * while ref &gt; 1 or consuming readers are open. For autoremove: only if ref == 1 and
     * free_on_close.
     */
    public record TryRemove(boolean auto, ActorRef<RemoveAnswer> replyTo) implements Command {
    }

    /** The answer to {@link TryRemove}: removed (the actor stops) or refused with an errno. */
    public record RemoveAnswer(String name, ActorRef<Command> instance, boolean removed, Errno errno) {
    }

    /** Gives the instance's shared objects to an in-process producer (the Tracer API). */
    public record GetView(ActorRef<InstanceView> replyTo) implements Command {
    }

    /** From a CpuBuffer: its ring has data for blocked readers. */
    public record DataReady(int cpu) implements Command {
    }

    /** At boot: set the boot instance's events on, after every boot instance exists (seed 001). */
    public record ApplyBootEvents(List<String> events, ActorRef<Done> replyTo) implements Command {
    }

    /** At boot, top level: trace_event=, trace_options=, trace_clock=, traceoff_after_boot. */
    public record ApplyTopLevelBoot(io.ringtrace.config.BootCommandLine cmdline,
                                    ActorRef<Done> replyTo) implements Command {
    }

    /**
     * How a persistent instance finds its previous run: its region key (the reserve_mem label or
     * the memmap range) names the journal, the geometry must match the previous boot's.
     */
    public record PersistentSetup(String key, io.ringtrace.persistence.Geometry geometry, long bootStartMs,
                                  ActorRef<Booted> replyTo) {
    }

    /**
     * A persistent instance has recovered: the pages per CPU (oldest first), its last_boot_info,
     * and the application events of the run that recorded them (empty when that run's version did
     * not save them, or nothing was recovered).
     */
    public record Booted(String name, List<List<byte[]>> pages, String lastBootInfo,
                         io.ringtrace.protocol.TraceClock clock,
                         Optional<List<EventSpec>> savedEvents) {
    }

    private record GeometryAnswer(PersistentInstanceMeta.GeometryChecked checked)
            implements Command {
    }

    private record CpuRecovered(int cpu, io.ringtrace.persistence.PersistentCpuBuffer.Recovered recovered)
            implements Command {
    }

    private record PreviousAnswer(PersistentInstanceMeta.PreviousBoot previous)
            implements Command {
    }

    private record RecoveryFailed(String why) implements Command {
    }

    private enum PollReaders implements Command {
        INSTANCE
    }

    private record ParkedRead(OpenFile file, int count, ActorRef<FsReply> replyTo) {
    }

    /** Longest wait of an event registration for its spec to be saved by a persistent instance. */
    private static final Duration SAVE_EVENT_TIMEOUT = Duration.ofSeconds(10);

    /** Fallback poll for waits that are not about data (tracing turned off, closes). */
    private static final Duration POLL = Duration.ofMillis(20);

    private final ActorRef<TraceSystem.Command> system;
    private final TraceArray tr;
    private final InstanceTree tree;
    private final InstanceView view;
    private final TimerScheduler<Command> timers;
    private final Map<Long, OpenFile> files = new HashMap<>();
    private final List<ParkedRead> parked = new ArrayList<>();
    private final List<ActorRef<CpuBuffer.Command>> cpuBuffers = new ArrayList<>();
    private long nextHandle = 1;

    public static Behavior<Command> create(TraceArray tr, InstanceView view, ActorRef<TraceSystem.Command> system) {
        return create(tr, view, system, null);
    }

    /** An instance; with a {@link PersistentSetup} its buffers are recovered from the journal first. */
    public static Behavior<Command> create(TraceArray tr, InstanceView view, ActorRef<TraceSystem.Command> system,
                                           PersistentSetup persistent) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> Behaviors.withStash(100_000,
                stash -> new TraceInstance(ctx, timers, stash, tr, view, system, persistent).start())));
    }

    private final org.apache.pekko.actor.typed.javadsl.StashBuffer<Command> stash;
    private final PersistentSetup persistent;
    private ActorRef<PersistentInstanceMeta.Command> meta;
    private final List<ActorRef<io.ringtrace.persistence.PersistentCpuBuffer.Command>> journals = new ArrayList<>();
    private final Map<Integer, io.ringtrace.persistence.PersistentCpuBuffer.Recovered> recovered = new HashMap<>();
    private boolean geometryMismatch;
    /** Saves every application event registered while this persistent instance lives. */
    private Consumer<EventType> eventSaver;

    private TraceInstance(ActorContext<Command> ctx, TimerScheduler<Command> timers,
                          org.apache.pekko.actor.typed.javadsl.StashBuffer<Command> stash, TraceArray tr,
                          InstanceView view, ActorRef<TraceSystem.Command> system, PersistentSetup persistent) {
        super(ctx);
        this.stash = stash;
        this.persistent = persistent;
        this.timers = timers;
        this.tr = tr;
        this.view = view;
        this.system = system;
        this.tree = new InstanceTree(tr, view);
        // tracing_update_buffers(): enabling events or a pid filter starts this boot's tracing.
        view.events().setUpdateBuffersHook(tr::updateLastData);
        for (int cpu = 0; cpu < tr.cpus(); cpu++) {
            cpuBuffers.add(ctx.spawn(CpuBuffer.create(cpu, tr.buffer().cpu(cpu), ctx.getSelf()), "cpu" + cpu));
        }
    }

    private Behavior<Command> start() {
        if (persistent == null) {
            return this;
        }
        var ctx = getContext();
        meta = ctx.spawn(PersistentInstanceMeta.create(persistent.key()), "meta");
        for (int cpu = 0; cpu < tr.cpus(); cpu++) {
            journals.add(ctx.spawn(io.ringtrace.persistence.PersistentCpuBuffer.create(persistent.key(), cpu,
                    tr.buffer().cpu(cpu)), "journal-cpu" + cpu));
        }
        tr.onLastDataDropped(() -> meta.tell(new PersistentInstanceMeta.RecordBoot(
                io.ringtrace.persistence.BootRecord.newBoot(tr.clock().clockName(), persistent.bootStartMs()),
                ctx.getSystem().ignoreRef())));
        tr.onClockSet(c -> meta.tell(new PersistentInstanceMeta.SetClock(c.clockName(),
                ctx.getSystem().ignoreRef())));
        saveApplicationEvents();
        ctx.ask(PersistentInstanceMeta.GeometryChecked.class, meta,
                Duration.ofSeconds(60), r -> new PersistentInstanceMeta.CheckGeometry(
                        persistent.geometry(), r),
                (ok, err) -> ok != null ? new GeometryAnswer(ok) : new RecoveryFailed(String.valueOf(err)));
        return recovering();
    }

    /**
     * Hands the application events to the metadata: those registered so far now, each later one
     * from its {@code register()}, which waits until the metadata has answered (persisted, when
     * the data is this run's), so no page holding the event is committed before its spec. The
     * recording path is not involved: this runs once per registration.
     */
    private void saveApplicationEvents() {
        var registry = view.events().registry();
        var system = getContext().getSystem();
        var log = getContext().getLog();
        String name = tr.name();
        ActorRef<PersistentInstanceMeta.Command> m = meta;
        eventSaver = t -> {
            try {
                AskPattern.<PersistentInstanceMeta.Command, Done>ask(m,
                        r -> new PersistentInstanceMeta.DefineEvents(
                                List.of(EventSpec.of(t)), r),
                        SAVE_EVENT_TIMEOUT, system.scheduler())
                        .toCompletableFuture().get(SAVE_EVENT_TIMEOUT.toMillis() + 1000, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                log.warn("{}: event {} registered before its format was saved (interrupted)", name, t);
            } catch (ExecutionException | TimeoutException | IllegalStateException e) {
                log.warn("{}: event {} registered before its format was saved: {}", name, t, e.toString());
            }
        };
        registry.addApplicationEventListener(eventSaver);
        List<EventSpec> now = new ArrayList<>();
        for (var t : registry.applicationEvents()) {
            now.add(EventSpec.of(t));
        }
        meta.tell(new PersistentInstanceMeta.DefineEvents(now, system.ignoreRef()));
    }

    /** While a persistent instance recovers: its own answers are handled, everything else waits. */
    private Receive<Command> recovering() {
        return newReceiveBuilder()
                .onMessage(GeometryAnswer.class, this::onGeometry)
                .onMessage(CpuRecovered.class, this::onCpuRecovered)
                .onMessage(PreviousAnswer.class, this::onPrevious)
                .onMessage(RecoveryFailed.class, this::onRecoveryFailed)
                .onSignal(PostStop.class, s -> onStopped())
                .onAnyMessage(m -> {
                    stash.stash(m);
                    return Behaviors.same();
                })
                .build();
    }

    private Behavior<Command> onGeometry(GeometryAnswer m) {
        if (m.checked().mustReset()) {
            geometryMismatch = true;
            getContext().getLog().warn("{}: {}: the previous boot's data is discarded", tr.name(), m.checked().message());
        }
        for (int cpu = 0; cpu < journals.size(); cpu++) {
            int c = cpu;
            getContext().ask(io.ringtrace.persistence.PersistentCpuBuffer.Recovered.class, journals.get(cpu),
                    Duration.ofSeconds(120), io.ringtrace.persistence.PersistentCpuBuffer.GetRecovered::new,
                    (ok, err) -> ok != null ? new CpuRecovered(c, ok) : new RecoveryFailed(String.valueOf(err)));
        }
        return Behaviors.same();
    }

    private Behavior<Command> onCpuRecovered(CpuRecovered m) {
        recovered.put(m.cpu(), m.recovered());
        if (recovered.size() < journals.size()) {
            return Behaviors.same();
        }
        if (geometryMismatch) {
            for (var j : journals) {
                j.tell(new io.ringtrace.persistence.PersistentCpuBuffer.Reset(getContext().getSystem().ignoreRef()));
            }
        }
        getContext().ask(PersistentInstanceMeta.PreviousBoot.class, meta,
                Duration.ofSeconds(60), PersistentInstanceMeta.GetPrevious::new,
                (ok, err) -> ok != null ? new PreviousAnswer(ok) : new RecoveryFailed(String.valueOf(err)));
        return Behaviors.same();
    }

    private Behavior<Command> onPrevious(PreviousAnswer m) {
        List<List<byte[]>> pages = new ArrayList<>();
        long entries = 0;
        int discarded = 0;
        for (int cpu = 0; cpu < journals.size(); cpu++) {
            var r = recovered.get(cpu);
            pages.add(geometryMismatch ? List.of() : r.pages());
            entries += geometryMismatch ? 0 : r.entries();
            discarded += r.discardedPages();
        }
        var prev = m.previous().boot();
        if (prev.isPresent()) {
            io.ringtrace.protocol.TraceClock c = io.ringtrace.protocol.TraceClock.byName(prev.get().clock());
            if (c != null) {
                tr.restoreClock(c);
            }
        }
        tr.setLastBootInfo(LastBootInfo.text(prev.orElse(null)));
        if (entries > 0) {
            getContext().getLog().info("Ring buffer meta of {} is from previous boot! ({} events{})", tr.name(),
                    entries, discarded > 0 ? ", " + discarded + " pages discarded" : "");
        } else {
            // Nothing of a previous boot to keep: this boot is the one the journal describes from now on.
            meta.tell(new PersistentInstanceMeta.RecordBoot(
                    io.ringtrace.persistence.BootRecord.newBoot(tr.clock().clockName(), persistent.bootStartMs()),
                    getContext().getSystem().ignoreRef()));
        }
        persistent.replyTo().tell(new Booted(tr.name(), pages, tr.lastBootInfo(), tr.clock(),
                prev.isPresent() ? m.previous().events() : Optional.empty()));
        recovered.clear();
        return stash.unstashAll(this);
    }

    private Behavior<Command> onRecoveryFailed(RecoveryFailed m) {
        getContext().getLog().error("{}: recovery of the persistent buffer failed: {}", tr.name(), m.why());
        persistent.replyTo().tell(new Booted(tr.name(), List.of(), "# Current\n", tr.clock(),
                Optional.empty()));
        return stash.unstashAll(this);
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Open.class, this::onOpen)
                .onMessage(Read.class, this::onRead)
                .onMessage(Write.class, this::onWrite)
                .onMessage(Close.class, this::onClose)
                .onMessage(Lookup.class, this::onLookup)
                .onMessage(ListDir.class, this::onListDir)
                .onMessage(TryRemove.class, this::onTryRemove)
                .onMessage(GetView.class, this::onGetView)
                .onMessage(ApplyBootEvents.class, this::onApplyBootEvents)
                .onMessage(ApplyTopLevelBoot.class, this::onApplyTopLevelBoot)
                .onMessage(DataReady.class, m -> retryParked())
                .onMessageEquals(PollReaders.INSTANCE, this::retryParked)
                .onSignal(PostStop.class, s -> onStopped())
                .build();
    }

    private Behavior<Command> onOpen(Open m) {
        Object node = tree.root().resolve(m.path());
        if (node == null) {
            m.replyTo().tell(new FsReply.Failed(Errno.ENOENT));
            return this;
        }
        if (node instanceof DirNode) {
            if (OpenFlags.writable(m.flags())) {
                m.replyTo().tell(new FsReply.Failed(Errno.EISDIR));
                return this;
            }
            m.replyTo().tell(new FsReply.Failed(Errno.EISDIR));
            return this;
        }
        FileNode f = (FileNode) node;
        if (f.holdsRef() && tr.freeOnClose) {
            m.replyTo().tell(new FsReply.Failed(Errno.ENODEV));
            return this;
        }
        OpenFile file = new OpenFile(nextHandle++, f, m.flags(), m.caller());
        try {
            if (OpenFlags.truncate(m.flags()) && tree.refusesWrite(f)) {
                throw new ErrnoException(Errno.EPERM);
            }
            f.open(file);
        } catch (ErrnoException e) {
            m.replyTo().tell(new FsReply.Failed(e.errno()));
            return this;
        } catch (RuntimeException e) {
            getContext().getLog().error("open of {} in {} failed", f.name(), tr.name(), e);
            m.replyTo().tell(new FsReply.Failed(Errno.EIO));
            return this;
        }
        if (f.holdsRef()) {
            tr.ref++;
        }
        if (f.holdsTraceRef()) {
            tr.traceRef++;
        }
        files.put(file.id(), file);
        m.replyTo().tell(new FsReply.Opened(file.id(), getContext().getSelf(), f.stat()));
        return this;
    }

    private Behavior<Command> onRead(Read m) {
        OpenFile file = files.get(m.handle());
        if (file == null) {
            m.replyTo().tell(new FsReply.Failed(Errno.EBADF));
            return this;
        }
        if (!OpenFlags.readable(file.flags())) {
            m.replyTo().tell(new FsReply.Failed(Errno.EBADF));
            return this;
        }
        attemptRead(new ParkedRead(file, m.count(), m.replyTo()));
        return this;
    }

    /** Runs a read; parks it when the node says it must wait. Returns true when answered. */
    private boolean attemptRead(ParkedRead r) {
        try {
            byte[] data = r.count() <= 0 ? new byte[0] : r.file().node().read(r.file(), r.count());
            if (data == null) {
                if (!parked.contains(r)) {
                    parked.add(r);
                    timers.startTimerWithFixedDelay(PollReaders.INSTANCE, POLL);
                    cpuBuffers.forEach(b -> b.tell(CpuBuffer.Arm.INSTANCE));
                }
                return false;
            }
            r.replyTo().tell(new FsReply.Data(data));
        } catch (ErrnoException e) {
            r.replyTo().tell(new FsReply.Failed(e.errno()));
        } catch (RuntimeException e) {
            // A bug must not stop the instance (and lose its recorded data): the caller gets EIO.
            getContext().getLog().error("read of {} in {} failed", r.file().node().name(), tr.name(), e);
            r.replyTo().tell(new FsReply.Failed(Errno.EIO));
        }
        afterStateChange();
        return true;
    }

    private Behavior<Command> retryParked() {
        Iterator<ParkedRead> it = new ArrayList<>(parked).iterator();
        while (it.hasNext()) {
            ParkedRead r = it.next();
            if (r.file().node().ready(r.file())) {
                parked.remove(r);
                attemptRead(r);
            }
        }
        if (parked.isEmpty()) {
            timers.cancel(PollReaders.INSTANCE);
        }
        return this;
    }

    private Behavior<Command> onWrite(Write m) {
        OpenFile file = files.get(m.handle());
        if (file == null || !OpenFlags.writable(file.flags())) {
            m.replyTo().tell(new FsReply.Failed(Errno.EBADF));
            return this;
        }
        try {
            if (tree.refusesWrite(file.node())) {
                throw new ErrnoException(Errno.EPERM);
            }
            int n = file.node().write(file, m.data(), m.caller());
            m.replyTo().tell(new FsReply.Written(n));
        } catch (ErrnoException e) {
            m.replyTo().tell(new FsReply.Failed(e.errno()));
        } catch (RuntimeException e) {
            getContext().getLog().error("write to {} in {} failed", file.node().name(), tr.name(), e);
            m.replyTo().tell(new FsReply.Failed(Errno.EIO));
        }
        afterStateChange();
        return this;
    }

    private Behavior<Command> onClose(Close m) {
        OpenFile file = files.remove(m.handle());
        if (file != null) {
            for (ParkedRead r : new ArrayList<>(parked)) {
                if (r.file() == file) {
                    parked.remove(r);
                    r.replyTo().tell(new FsReply.Data(new byte[0]));
                }
            }
            file.node().release(file);
            if (file.node().holdsTraceRef()) {
                tr.traceRef--;
            }
            if (file.node().holdsRef()) {
                tr.ref--;
                if (tr.ref == 1 && tr.freeOnClose) {
                    system.tell(new TraceSystem.AutoRemove(tr.name(), getContext().getSelf()));
                }
            }
        }
        if (m.replyTo() != null) {
            m.replyTo().tell(FsReply.Done.INSTANCE);
        }
        return this;
    }

    private Behavior<Command> onLookup(Lookup m) {
        Object node = tree.root().resolve(m.path());
        if (node == null) {
            m.replyTo().tell(new FsReply.Failed(Errno.ENOENT));
        } else {
            m.replyTo().tell(new FsReply.Attributes(DirNode.statOf(node)));
        }
        return this;
    }

    private Behavior<Command> onListDir(ListDir m) {
        Object node = tree.root().resolve(m.path());
        if (node == null) {
            m.replyTo().tell(new FsReply.Failed(Errno.ENOENT));
        } else if (!(node instanceof DirNode)) {
            m.replyTo().tell(new FsReply.Failed(Errno.ENOTDIR));
        } else {
            m.replyTo().tell(new FsReply.Entries(((DirNode) node).list()));
        }
        return this;
    }

    private Behavior<Command> onTryRemove(TryRemove m) {
        boolean busy = m.auto()
                ? !(tr.ref == 1 && tr.freeOnClose)
                : tr.ref > 1 || tr.traceRef > 0;
        if (busy) {
            m.replyTo().tell(new RemoveAnswer(tr.name(), getContext().getSelf(), false, Errno.EBUSY));
            return this;
        }
        m.replyTo().tell(new RemoveAnswer(tr.name(), getContext().getSelf(), true, null));
        return Behaviors.stopped();
    }

    private Behavior<Command> onApplyBootEvents(ApplyBootEvents m) {
        if (!m.events().isEmpty()) {
            if (tr.isReadOnly()) {
                for (String e : m.events()) {
                    getContext().getLog().warn("Failed to enable trace event: {} ({} is read-only: EACCES)", e, tr.name());
                }
            } else {
                // A persistent buffer starts recording this boot: the previous boot's data goes
                // (the backup copy was taken before this point).
                tr.updateLastData();
                for (String e : m.events()) {
                    enableBootEvent(e);
                }
            }
        }
        m.replyTo().tell(org.apache.pekko.Done.getInstance());
        return this;
    }

    /** early_enable_events: disable, then enable; a failure is logged and boot goes on. */
    private void enableBootEvent(String token) {
        try {
            view.events().writeSetEvent("!" + token);
        } catch (ErrnoException ignored) {
            // nothing to disable
        }
        try {
            view.events().writeSetEvent(token);
        } catch (ErrnoException e) {
            getContext().getLog().warn("Failed to enable trace event: {}", token);
        }
    }

    private Behavior<Command> onApplyTopLevelBoot(ApplyTopLevelBoot m) {
        var cl = m.cmdline();
        for (var o : cl.traceOptions()) {
            try {
                view.options().write((o.enabled() ? "" : "no") + o.name(), tr.tracer());
                if ("overwrite".equals(o.name())) {
                    tr.buffer().setOverwrite(o.enabled());
                }
            } catch (ErrnoException e) {
                getContext().getLog().warn("Failed to set trace option: {}", o.name());
            }
        }
        cl.traceClock().ifPresent(tr::setClock);
        for (String list : cl.traceEvents()) {
            for (String e : list.split(",")) {
                if (!e.isBlank()) {
                    enableBootEvent(e.strip());
                }
            }
        }
        if (cl.traceoffAfterBoot()) {
            tr.setTracingOn(false);
        }
        m.replyTo().tell(org.apache.pekko.Done.getInstance());
        return this;
    }

    private Behavior<Command> onGetView(GetView m) {
        m.replyTo().tell(view);
        return this;
    }

    /** After any read or write: a new free_on_close with nothing open kicks the removal at once. */
    private void afterStateChange() {
        if (tr.freeOnClose && tr.ref == 1) {
            system.tell(new TraceSystem.AutoRemove(tr.name(), getContext().getSelf()));
        }
    }

    private Behavior<Command> onStopped() {
        if (eventSaver != null) {
            view.events().registry().removeApplicationEventListener(eventSaver);
            eventSaver = null;
        }
        for (ParkedRead r : parked) {
            r.replyTo().tell(new FsReply.Failed(Errno.ENODEV));
        }
        parked.clear();
        tr.buffer().setTracingOn(false);
        view.detach();
        return this;
    }
}
