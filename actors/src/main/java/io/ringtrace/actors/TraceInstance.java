package io.ringtrace.actors;

import io.ringtrace.actors.fs.Caller;
import io.ringtrace.actors.fs.DirNode;
import io.ringtrace.actors.fs.FileNode;
import io.ringtrace.actors.fs.FsReply;
import io.ringtrace.actors.fs.OpenFile;
import io.ringtrace.actors.fs.OpenFlags;
import io.ringtrace.protocol.Errno;
import io.ringtrace.protocol.ErrnoException;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

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

    private enum PollReaders implements Command {
        INSTANCE
    }

    private record ParkedRead(OpenFile file, int count, ActorRef<FsReply> replyTo) {
    }

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
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new TraceInstance(ctx, timers, tr, view, system)));
    }

    private TraceInstance(ActorContext<Command> ctx, TimerScheduler<Command> timers, TraceArray tr,
                          InstanceView view, ActorRef<TraceSystem.Command> system) {
        super(ctx);
        this.timers = timers;
        this.tr = tr;
        this.view = view;
        this.system = system;
        this.tree = new InstanceTree(tr, view);
        for (int cpu = 0; cpu < tr.cpus(); cpu++) {
            cpuBuffers.add(ctx.spawn(CpuBuffer.create(cpu, tr.buffer().cpu(cpu), ctx.getSelf()), "cpu" + cpu));
        }
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
        for (ParkedRead r : parked) {
            r.replyTo().tell(new FsReply.Failed(Errno.ENODEV));
        }
        parked.clear();
        tr.buffer().setTracingOn(false);
        view.detach();
        return this;
    }
}
