package io.ringtrace.actors;

import io.ringtrace.actors.fs.Caller;
import io.ringtrace.actors.fs.FsReply;
import io.ringtrace.actors.fs.Stat;
import io.ringtrace.protocol.Errno;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.StashBuffer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;


/**
 * The root of the tracefs tree and the registry of instances: the kernel's trace_types_lock.
 * mkdir, rmdir and autoremove are serialized here; while one removal waits for its instance's
 * answer, every other message is stashed, as the kernel holds the lock across
 * __remove_instance. Opens are forwarded through this actor so that an open and a removal reach
 * the instance in the order TraceSystem saw them.
 */
public final class TraceSystem extends AbstractBehavior<TraceSystem.Command> {

    public sealed interface Command {
    }

    /** mkdir of a path from the tracefs root, e.g. {@code instances/foo}. Reply: Done or Failed. */
    public record Mkdir(String path, ActorRef<FsReply> replyTo) implements Command {
    }

    /** rmdir of a path from the tracefs root. Reply: Done or Failed. */
    public record Rmdir(String path, ActorRef<FsReply> replyTo) implements Command {
    }

    /** open(2) of a path from the tracefs root. Reply: Opened or Failed. */
    public record OpenPath(String path, int flags, Caller caller, ActorRef<FsReply> replyTo) implements Command {
    }

    /** stat(2). Reply: Attributes or Failed. */
    public record StatPath(String path, ActorRef<FsReply> replyTo) implements Command {
    }

    /** readdir. Reply: Entries or Failed. */
    public record ListPath(String path, ActorRef<FsReply> replyTo) implements Command {
    }

    /** From an instance: its last reference closed with free_on_close set. */
    public record AutoRemove(String name, ActorRef<TraceInstance.Command> instance) implements Command {
    }

    /** The names of the instances under {@code instances/}. */
    public record GetInstances(ActorRef<List<String>> replyTo) implements Command {
    }

    /** The producer view of an instance ("" = top level), or null if there is none. */
    public record GetInstanceView(String name, ActorRef<InstanceViewReply> replyTo) implements Command {
    }

    public record InstanceViewReply(InstanceView view) {
    }

    /**
     * Creates a boot instance from a ready TraceArray (recovering it first when {@code persistent}
     * is given). Its events are {@code events} (a backup's: those of the run that recorded its
     * data), or the engine's registry when null. Reply: the instance, or null when the name is
     * taken.
     */
    record CreateInstance(TraceArray array, TraceInstance.PersistentSetup persistent,
                          io.ringtrace.protocol.event.EventRegistry events,
                          ActorRef<InstanceCreated> replyTo) implements Command {

        CreateInstance(TraceArray array, TraceInstance.PersistentSetup persistent, ActorRef<InstanceCreated> replyTo) {
            this(array, persistent, null, replyTo);
        }
    }

    record InstanceCreated(ActorRef<TraceInstance.Command> ref) {
    }

    /** From the BootLoader: every boot instance exists and their events are on. */
    enum BootDone implements Command {
        INSTANCE
    }

    /** Replies {@link BootCompleted} once the boot instances exist and their events are on. */
    public record AwaitBoot(ActorRef<BootCompleted> replyTo) implements Command {
    }

    public enum BootCompleted {
        INSTANCE
    }

    /** The engine (settings, event registry, saved_cmdlines) for in-process producers. */
    public record GetEngine(ActorRef<Engine> replyTo) implements Command {
    }

    /**
     * Published on the system's event stream when an instance is gone (rmdir or autoremove), so
     * that tools and tests can observe removals.
     */
    public record InstanceRemoved(String name, boolean autoremove) {
    }

    private record RemovalAnswered(TraceInstance.RemoveAnswer answer) implements Command {
    }

    /** Instance directories are 0750, like the directories tracefs creates. */
    static final int DIR_MODE = 0750;
    /** Longest file name the VFS accepts. */
    private static final int NAME_MAX = 255;

    private final Engine engine;
    private final ActorRef<TraceInstance.Command> top;
    private final Map<String, ActorRef<TraceInstance.Command>> instances = new LinkedHashMap<>();
    private final Map<String, InstanceView> views = new LinkedHashMap<>();
    private final StashBuffer<Command> stash;
    private final ActorRef<TraceInstance.RemoveAnswer> answerAdapter;
    /** The rmdir waiting for its instance's answer, or null for an autoremove. */
    private ActorRef<FsReply> pendingRmdir;
    private boolean booted;
    private io.ringtrace.persistence.DataDirLock dataDirLock;
    private final List<ActorRef<BootCompleted>> bootWaiters = new ArrayList<>();

    /** A TraceSystem with only the top-level instance (no boot command line). */
    public static Behavior<Command> create(Engine engine) {
        return Behaviors.setup(ctx -> Behaviors.withStash(10_000, stash -> new TraceSystem(ctx, stash, engine)));
    }

    /** A TraceSystem that boots the command line and persistence settings of {@code config}. */
    public static Behavior<Command> create(Engine engine, com.typesafe.config.Config config) {
        return Behaviors.setup(ctx -> Behaviors.withStash(10_000, stash -> {
            TraceSystem ts = new TraceSystem(ctx, stash, engine);
            ts.boot(config);
            return ts.booting();
        }));
    }

    private TraceSystem(ActorContext<Command> ctx, StashBuffer<Command> stash, Engine engine) {
        super(ctx);
        this.stash = stash;
        this.engine = engine;
        this.answerAdapter = ctx.messageAdapter(TraceInstance.RemoveAnswer.class, RemovalAnswered::new);
        TraceArray topArray = engine.newArray("", InstanceFlags.GLOBAL);
        InstanceView topView = engine.newView(topArray, null);
        this.top = ctx.spawn(TraceInstance.create(topArray, topView, ctx.getSelf()), "top");
        views.put("", topView);
        this.booted = true;
    }

    /** Runs the boot command line (boot instances, persistence); until done, AwaitBoot waits. */
    private void boot(com.typesafe.config.Config config) {
        io.ringtrace.config.RingtraceSettings settings = io.ringtrace.config.RingtraceSettings.create(config);
        io.ringtrace.config.BootPlan plan = settings.bootPlan();
        plan.logTo();
        if (io.ringtrace.protocol.CpuCounter.AVAILABLE) {
            getContext().getLog().debug("trace clock local: CPU counter at {} Hz", io.ringtrace.protocol.CpuCounter.FREQUENCY);
        } else {
            getContext().getLog().info("trace clock local reads System.nanoTime, about twice the cost per event of "
                    + "the CPU counter: {}", io.ringtrace.protocol.CpuCounter.UNAVAILABLE_REASON);
        }
        if (plan.instances().stream().anyMatch(i -> i.persistent())) {
            try {
                dataDirLock = io.ringtrace.persistence.DataDirLock.tryAcquire(settings.dataDir());
            } catch (java.io.IOException e) {
                dataDirLock = null;
            }
            if (dataDirLock == null) {
                getContext().getLog().error("data directory {} is in use by another engine (pid {}): "
                        + "persistent instances are skipped", settings.dataDir().toAbsolutePath(),
                        io.ringtrace.persistence.DataDirLock.holder(settings.dataDir()));
                plan = plan.withoutPersistent();
            }
        }
        booted = false;
        getContext().spawn(BootLoader.create(engine, plan, getContext().getSelf(), top, System.currentTimeMillis()),
                "boot");
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Mkdir.class, this::onMkdir)
                .onMessage(Rmdir.class, this::onRmdir)
                .onMessage(OpenPath.class, this::onOpenPath)
                .onMessage(StatPath.class, this::onStatPath)
                .onMessage(ListPath.class, this::onListPath)
                .onMessage(AutoRemove.class, this::onAutoRemove)
                .onMessage(GetInstances.class, this::onGetInstances)
                .onMessage(GetInstanceView.class, this::onGetInstanceView)
                .onMessage(CreateInstance.class, this::onCreateInstance)
                .onMessage(AwaitBoot.class, this::onAwaitBoot)
                .onMessageEquals(BootDone.INSTANCE, this::onBootDone)
                .onMessage(GetEngine.class, this::onGetEngine)
                .onMessage(RemovalAnswered.class, m -> this)
                .onSignal(org.apache.pekko.actor.typed.PostStop.class, this::onPostStop)
                .build();
    }

    /**
     * Until the boot loader reports the boot done: the boot's own requests (instances it creates)
     * are handled, every client request waits, so no client sees a half-booted tree (a mkdir of a
     * boot instance's name cannot come first, a read of the backup does not fail with ENOENT).
     */
    private Receive<Command> booting() {
        return newReceiveBuilder()
                .onMessage(CreateInstance.class, this::onCreateInstance)
                .onMessage(AwaitBoot.class, this::onAwaitBoot)
                .onMessageEquals(BootDone.INSTANCE, this::onBootDone)
                .onMessage(GetEngine.class, this::onGetEngine)
                .onSignal(org.apache.pekko.actor.typed.PostStop.class, this::onPostStop)
                .onAnyMessage(m -> {
                    stash.stash(m);
                    return Behaviors.same();
                })
                .build();
    }

    /** While a removal is in flight: only its answer is handled, everything else waits. */
    private Receive<Command> removing() {
        return newReceiveBuilder()
                .onMessage(RemovalAnswered.class, this::onRemovalAnswered)
                .onAnyMessage(m -> {
                    stash.stash(m);
                    return Behaviors.same();
                })
                .build();
    }

    // ------------------------------------------------------------------ paths

    /** A path split into the instance it belongs to and the rest inside that instance. */
    private record Target(String instance, String rest) {
    }

    private static List<String> components(String path) {
        List<String> out = new ArrayList<>();
        for (String p : path.split("/")) {
            if (!p.isEmpty() && !p.equals(".")) {
                out.add(p);
            }
        }
        return out;
    }

    /** Resolves to an instance and a relative path; null for the {@code instances} directory itself. */
    private Target target(List<String> parts) {
        if (!parts.isEmpty() && parts.get(0).equals("instances")) {
            if (parts.size() == 1) {
                return null;
            }
            return new Target(parts.get(1), String.join("/", parts.subList(2, parts.size())));
        }
        return new Target("", String.join("/", parts));
    }

    private ActorRef<TraceInstance.Command> instanceRef(String name) {
        return name.isEmpty() ? top : instances.get(name);
    }

    private static boolean tooLong(List<String> parts) {
        for (String p : parts) {
            if (p.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > NAME_MAX) {
                return true;
            }
        }
        return false;
    }

    // ------------------------------------------------------------------ handlers

    private Behavior<Command> onMkdir(Mkdir m) {
        List<String> parts = components(m.path());
        if (tooLong(parts)) {
            m.replyTo().tell(new FsReply.Failed(Errno.ENAMETOOLONG));
            return this;
        }
        if (parts.contains("..") || parts.isEmpty() || m.path().endsWith("/.")
                || m.path().equals(".") || (parts.size() == 1 && parts.get(0).equals("instances"))) {
            m.replyTo().tell(new FsReply.Failed(Errno.EEXIST));
            return this;
        }
        if (parts.get(0).equals("instances") && parts.size() == 2) {
            String name = parts.get(1);
            if (instances.containsKey(name)) {
                m.replyTo().tell(new FsReply.Failed(Errno.EEXIST));
                return this;
            }
            spawnInstance(engine.newArray(name, 0));
            m.replyTo().tell(FsReply.Done.INSTANCE);
            return this;
        }
        // Elsewhere: EEXIST when the entry exists, ENOENT when its parent is missing, ENOTDIR when the
        // parent is a file, EPERM otherwise (tracefs makes directories only under instances/).
        answerDirectoryOp(parts, m.replyTo(), true);
        return this;
    }

    private Behavior<Command> onRmdir(Rmdir m) {
        List<String> parts = components(m.path());
        if (tooLong(parts)) {
            m.replyTo().tell(new FsReply.Failed(Errno.ENAMETOOLONG));
            return this;
        }
        if (m.path().endsWith("/.") || m.path().equals(".")) {
            m.replyTo().tell(new FsReply.Failed(Errno.EINVAL));
            return this;
        }
        if (parts.contains("..")) {
            m.replyTo().tell(new FsReply.Failed(Errno.ENOTEMPTY));
            return this;
        }
        if (parts.size() == 2 && parts.get(0).equals("instances")) {
            ActorRef<TraceInstance.Command> ref = instances.get(parts.get(1));
            if (ref == null) {
                m.replyTo().tell(new FsReply.Failed(Errno.ENOENT));
                return this;
            }
            pendingRmdir = m.replyTo();
            ref.tell(new TraceInstance.TryRemove(false, answerAdapter));
            return removing();
        }
        if (parts.isEmpty() || (parts.size() == 1 && parts.get(0).equals("instances"))) {
            m.replyTo().tell(new FsReply.Failed(Errno.EBUSY));
            return this;
        }
        answerDirectoryOp(parts, m.replyTo(), false);
        return this;
    }

    /**
     * mkdir or rmdir outside instances/, where tracefs never makes or removes a directory: the
     * kernel's answer depends on what is there, so the entry and then its parent are looked up in
     * their instance. mkdir: EEXIST when the entry exists. rmdir: ENOTDIR for a file, EPERM for a
     * directory. Otherwise (the entry missing): ENOENT when the parent is missing, ENOTDIR when it
     * is a file, and then EPERM for mkdir, ENOENT for rmdir.
     */
    private void answerDirectoryOp(List<String> parts, ActorRef<FsReply> replyTo, boolean mkdir) {
        Target t = target(parts);
        ActorRef<TraceInstance.Command> ref = t == null ? null : instanceRef(t.instance());
        if (ref == null) {
            replyTo.tell(new FsReply.Failed(Errno.ENOENT));
            return;
        }
        String rest = t.rest();
        int slash = rest.lastIndexOf('/');
        String parent = slash < 0 ? "" : rest.substring(0, slash);
        Behavior<FsReply> parentAnswer = Behaviors.receive(FsReply.class)
                .onAnyMessage(r -> {
                    if (r instanceof FsReply.Failed) {
                        replyTo.tell(r);
                    } else if (r instanceof FsReply.Attributes && !((FsReply.Attributes) r).stat().directory()) {
                        replyTo.tell(new FsReply.Failed(Errno.ENOTDIR));
                    } else {
                        replyTo.tell(new FsReply.Failed(mkdir ? Errno.EPERM : Errno.ENOENT));
                    }
                    return Behaviors.stopped();
                }).build();
        ActorRef<FsReply> adapter = getContext().spawnAnonymous(Behaviors.<FsReply>setup(ctx -> Behaviors
                .receive(FsReply.class)
                .onAnyMessage(r -> {
                    if (r instanceof FsReply.Attributes) {
                        boolean dir = ((FsReply.Attributes) r).stat().directory();
                        replyTo.tell(new FsReply.Failed(mkdir ? Errno.EEXIST : dir ? Errno.EPERM : Errno.ENOTDIR));
                        return Behaviors.stopped();
                    }
                    ref.tell(new TraceInstance.Lookup(parent, ctx.getSelf()));
                    return parentAnswer;
                }).build()));
        ref.tell(new TraceInstance.Lookup(rest, adapter));
    }

    private Behavior<Command> onOpenPath(OpenPath m) {
        List<String> parts = components(m.path());
        if (tooLong(parts)) {
            m.replyTo().tell(new FsReply.Failed(Errno.ENAMETOOLONG));
            return this;
        }
        Target t = target(parts);
        if (t == null) {
            m.replyTo().tell(new FsReply.Failed(Errno.EISDIR));
            return this;
        }
        ActorRef<TraceInstance.Command> ref = instanceRef(t.instance());
        if (ref == null) {
            m.replyTo().tell(new FsReply.Failed(Errno.ENOENT));
            return this;
        }
        ref.tell(new TraceInstance.Open(t.rest(), m.flags(), m.caller(), m.replyTo()));
        return this;
    }

    private Behavior<Command> onStatPath(StatPath m) {
        List<String> parts = components(m.path());
        Target t = target(parts);
        if (t == null) {
            m.replyTo().tell(new FsReply.Attributes(new Stat("instances", true, DIR_MODE)));
            return this;
        }
        ActorRef<TraceInstance.Command> ref = instanceRef(t.instance());
        if (ref == null) {
            m.replyTo().tell(new FsReply.Failed(Errno.ENOENT));
            return this;
        }
        ref.tell(new TraceInstance.Lookup(t.rest(), m.replyTo()));
        return this;
    }

    private Behavior<Command> onListPath(ListPath m) {
        List<String> parts = components(m.path());
        Target t = target(parts);
        if (t == null) {
            List<Stat> list = new ArrayList<>();
            for (String name : instances.keySet()) {
                list.add(new Stat(name, true, DIR_MODE));
            }
            list.sort((a, b) -> a.name().compareTo(b.name()));
            m.replyTo().tell(new FsReply.Entries(list));
            return this;
        }
        ActorRef<TraceInstance.Command> ref = instanceRef(t.instance());
        if (ref == null) {
            m.replyTo().tell(new FsReply.Failed(Errno.ENOENT));
            return this;
        }
        if (t.instance().isEmpty() && t.rest().isEmpty()) {
            // The top level lists its own files plus instances/.
            ActorRef<FsReply> adapter = getContext().spawnAnonymous(Behaviors.receive(FsReply.class)
                    .onAnyMessage(r -> {
                        if (r instanceof FsReply.Entries) {
                            List<Stat> all = new ArrayList<>(((FsReply.Entries) r).entries());
                            all.add(new Stat("instances", true, DIR_MODE));
                            all.sort((a, b) -> a.name().compareTo(b.name()));
                            m.replyTo().tell(new FsReply.Entries(all));
                        } else {
                            m.replyTo().tell(r);
                        }
                        return Behaviors.stopped();
                    }).build());
            ref.tell(new TraceInstance.ListDir("", adapter));
            return this;
        }
        ref.tell(new TraceInstance.ListDir(t.rest(), m.replyTo()));
        return this;
    }

    private Behavior<Command> onAutoRemove(AutoRemove m) {
        if (!m.instance().equals(instances.get(m.name()))) {
            return this;
        }
        pendingRmdir = null;
        m.instance().tell(new TraceInstance.TryRemove(true, answerAdapter));
        return removing();
    }

    private Behavior<Command> onRemovalAnswered(RemovalAnswered m) {
        TraceInstance.RemoveAnswer a = m.answer();
        if (a.removed()) {
            instances.remove(a.name());
            InstanceView v = views.remove(a.name());
            if (v != null) {
                v.detach();
            }
            getContext().getLog().info("instance {} removed{}", a.name(),
                    pendingRmdir == null ? " (autoremove after its last reader closed)" : "");
            getContext().getSystem().eventStream().tell(new org.apache.pekko.actor.typed.eventstream.EventStream.Publish<>(
                    new InstanceRemoved(a.name(), pendingRmdir == null)));
            if (pendingRmdir != null) {
                pendingRmdir.tell(FsReply.Done.INSTANCE);
            }
        } else if (pendingRmdir != null) {
            pendingRmdir.tell(new FsReply.Failed(a.errno()));
        }
        pendingRmdir = null;
        return stash.unstashAll(this);
    }

    private Behavior<Command> onAwaitBoot(AwaitBoot m) {
        if (booted) {
            m.replyTo().tell(BootCompleted.INSTANCE);
        } else {
            bootWaiters.add(m.replyTo());
        }
        return Behaviors.same(); // (also while booting: the state stays)
    }

    private Behavior<Command> onGetEngine(GetEngine m) {
        m.replyTo().tell(engine);
        return Behaviors.same();
    }

    private Behavior<Command> onPostStop(org.apache.pekko.actor.typed.PostStop s) {
        if (dataDirLock != null) {
            dataDirLock.close();
        }
        return Behaviors.same();
    }

    private Behavior<Command> onGetInstances(GetInstances m) {
        m.replyTo().tell(new ArrayList<>(instances.keySet()));
        return this;
    }

    private Behavior<Command> onGetInstanceView(GetInstanceView m) {
        m.replyTo().tell(new InstanceViewReply(views.get(m.name())));
        return this;
    }

    private Behavior<Command> onCreateInstance(CreateInstance m) {
        if (instances.containsKey(m.array().name())) {
            m.replyTo().tell(new InstanceCreated(null));
            return Behaviors.same();
        }
        m.replyTo().tell(new InstanceCreated(spawnInstance(m.array(), m.persistent(),
                m.events() != null ? m.events() : engine.registry())));
        return Behaviors.same(); // (also while booting: the state stays)
    }

    private Behavior<Command> onBootDone() {
        booted = true;
        bootWaiters.forEach(w -> w.tell(BootCompleted.INSTANCE));
        bootWaiters.clear();
        getContext().getLog().info("boot complete: instances {}", instances.keySet());
        return stash.unstashAll(this);
    }

    private ActorRef<TraceInstance.Command> spawnInstance(TraceArray array) {
        return spawnInstance(array, null, engine.registry());
    }

    private ActorRef<TraceInstance.Command> spawnInstance(TraceArray array, TraceInstance.PersistentSetup persistent,
                                                          io.ringtrace.protocol.event.EventRegistry events) {
        InstanceView view = engine.newView(array, views.get(""), events);
        ActorRef<TraceInstance.Command> ref = getContext().spawnAnonymous(
                TraceInstance.create(array, view, getContext().getSelf(), persistent));
        instances.put(array.name(), ref);
        views.put(array.name(), view);
        return ref;
    }

}
