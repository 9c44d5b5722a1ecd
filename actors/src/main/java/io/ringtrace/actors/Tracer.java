package io.ringtrace.actors;

import io.ringtrace.protocol.ErrnoException;
import io.ringtrace.protocol.Errno;
import io.ringtrace.protocol.event.EventDefinition;
import io.ringtrace.protocol.event.EventRecorder;
import io.ringtrace.protocol.event.EventRegistry;
import io.ringtrace.protocol.event.EventType;
import io.ringtrace.protocol.event.EventWriter;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Records events and markers from application threads, without an actor message per event.
 *
 * <p>Events: define them once ({@link #define}), then record through the calling thread's
 * {@link EventRecorder} ({@link #recorder()}): the event goes into every instance that enabled
 * it, on the thread's CPU (stable per thread, or chosen with {@link EventRecorder#setCpu}). A
 * disabled event costs one volatile read. A hot call site holds the event's {@link #writer}.
 * Markers: {@link #marker} writes an ftrace/print event into one instance's buffer, as a write to
 * its {@code trace_marker} does.
 *
 * <p>Thread-safe; each thread gets its own recorder.
 */
public final class Tracer {
    private final Engine engine;
    private final ActorSystem<?> system;
    private final ActorRef<TraceSystem.Command> traceSystem;
    private final ThreadLocal<EventRecorder> recorders;
    private final ConcurrentHashMap<String, InstanceView> views = new ConcurrentHashMap<>();

    Tracer(Engine engine, ActorSystem<?> system, ActorRef<TraceSystem.Command> traceSystem) {
        this.engine = engine;
        this.system = system;
        this.traceSystem = traceSystem;
        this.recorders = ThreadLocal.withInitial(() -> new EventRecorder(engine.cmdlines(),
                (int) Math.floorMod(Thread.currentThread().getId(), (long) engine.cpus())));
    }

    /** The engine's event registry (kernel events and application events). */
    public EventRegistry events() {
        return engine.registry();
    }

    /** Starts the definition of an application event, e.g. {@code define("jvm", "gc").u32("gen").register()}. */
    public EventDefinition define(String system, String name) {
        return engine.registry().define(system, name);
    }

    /** The calling thread's recorder (allocation-free recording). */
    public EventRecorder recorder() {
        return recorders.get();
    }

    /**
     * The calling thread's writer of {@code type}: the call site of a hot event holds it and
     * records through it ({@link EventWriter#record(long, long)}), on the thread's CPU. Confined to
     * the calling thread; make it once, not per event.
     */
    public EventWriter writer(EventType type) {
        return recorders.get().writer(type);
    }

    /** Records {@code type} with its first two numeric fields set, on the thread's CPU. */
    public boolean record(EventType type, long v0, long v1) {
        EventRecorder r = recorders.get();
        return r.record(type, r.defaultCpu(), v0, v1);
    }

    public int cpus() {
        return engine.cpus();
    }

    /**
     * A marker into {@code instance} ("" = top level) on {@code cpu}, as the calling thread: the
     * same event and errors as a write to that instance's trace_marker.
     */
    public int marker(String instance, int cpu, String text) throws ErrnoException {
        InstanceView v = view(instance);
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        Thread t = Thread.currentThread();
        return v.writeMarker(cpu, (int) t.getId(), t.getName(), b, 0, b.length);
    }

    private InstanceView view(String instance) throws ErrnoException {
        InstanceView v = views.get(instance);
        if (v != null && v.attached()) {
            return v;
        }
        try {
            TraceSystem.InstanceViewReply r = AskPattern.<TraceSystem.Command, TraceSystem.InstanceViewReply>ask(
                    traceSystem, rt -> new TraceSystem.GetInstanceView(instance, rt), Duration.ofSeconds(10),
                    system.scheduler()).toCompletableFuture().get(15, TimeUnit.SECONDS);
            if (r.view() == null) {
                throw new ErrnoException(Errno.ENOENT);
            }
            views.put(instance, r.view());
            return r.view();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ErrnoException(Errno.EINTR);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException
                 | IllegalStateException e) {
            // No answer, or the engine is shutting down (its scheduler refuses the ask).
            throw new ErrnoException(Errno.ENODEV);
        }
    }
}
