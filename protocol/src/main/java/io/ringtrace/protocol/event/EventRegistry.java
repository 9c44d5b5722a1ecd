package io.ringtrace.protocol.event;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Every event type the engine knows (the kernel's {@code ftrace_events} list and event id table).
 *
 * <p>{@link #createDefault()} holds the built-in systems with the ids a 6.18 kernel gives them
 * ({@code ftrace/print} 5, {@code ftrace/raw_data} 19, {@code irq} 219..225, {@code sched}
 * 355..380). Applications add their own with {@link #define}; they get ids from
 * {@link #FIRST_DYNAMIC_ID} up, skipping ids in use.
 *
 * <p>A registry can also be rebuilt as another run had it: {@link #withSaved} takes the built-in
 * events plus the {@link EventSpec}s a persistent instance saved of that run's application events,
 * with their ids of that run, so that its recorded data decodes as that run printed it.
 *
 * <p>Order: {@link #events()} lists events in registration order. The built-ins are registered in
 * ascending id order, which is the order the kernel assigns ids in and the order an instance's
 * {@code set_event} lists them in.
 *
 * <p>Thread-safe: registration is serialized, lookups are lock-free.
 */
public final class EventRegistry {

    /** First id given to application events. */
    public static final int FIRST_DYNAMIC_ID = 4096;
    /** Ids are 16-bit ({@code common_type} is an unsigned short). */
    public static final int MAX_ID = 0xffff;

    private final CopyOnWriteArrayList<EventType> ordered = new CopyOnWriteArrayList<>();
    private final Map<Integer, EventType> byId = new ConcurrentHashMap<>();
    /** The same by id as a plain array (index = id), replaced on register: lookups box nothing. */
    private volatile EventType[] table = new EventType[0];
    private final Map<String, EventType> byName = new ConcurrentHashMap<>();
    private int nextDynamicId = FIRST_DYNAMIC_ID;
    /** Application events (defined, or restored from specs), in registration order. */
    private final CopyOnWriteArrayList<EventType> application = new CopyOnWriteArrayList<>();
    private final CopyOnWriteArrayList<Consumer<EventType>> applicationListeners = new CopyOnWriteArrayList<>();

    /** An empty registry (no built-in events). */
    public EventRegistry() {
    }

    /** A registry holding the built-in ftrace, irq and sched events. */
    public static EventRegistry createDefault() {
        EventRegistry r = new EventRegistry();
        BuiltinEvents.registerAll(r);
        return r;
    }

    /** Starts the definition of an application event; finish it with {@link EventDefinition#register()}. */
    public EventDefinition define(String system, String name) {
        if ("ftrace".equals(system)) {
            throw new IllegalArgumentException("the ftrace system is reserved");
        }
        return new EventDefinition(this, system, name);
    }

    /**
     * A registry as the run that saved {@code saved} had it: the built-in events, then each saved
     * application event with its saved id. A spec whose name or id is taken (by a built-in event
     * of this version, or an earlier spec) is left out and reported to {@code conflicts}.
     */
    public static EventRegistry withSaved(List<EventSpec> saved, Consumer<String> conflicts) {
        EventRegistry r = createDefault();
        for (EventSpec spec : saved) {
            try {
                r.restore(spec);
            } catch (IllegalArgumentException e) {
                conflicts.accept(spec.system() + ":" + spec.name() + " (id " + spec.id() + "): " + e.getMessage());
            }
        }
        return r;
    }

    /** Registers the application event {@code spec} describes, with its id. */
    public synchronized EventType restore(EventSpec spec) {
        if (spec.id() < FIRST_DYNAMIC_ID) {
            throw new IllegalArgumentException("event id " + spec.id() + " is not an application event's");
        }
        checkFree(spec.id(), spec.system(), spec.name());
        EventType t = spec.toType();
        add(t);
        application.add(t);
        return t;
    }

    /**
     * Registers a definition with a fresh dynamic id, then tells the application event listeners
     * (on the calling thread, after the event is visible to lookups).
     */
    EventType register(EventDefinition def) {
        EventType t = registerDynamic(def);
        for (Consumer<EventType> l : applicationListeners) {
            l.accept(t);
        }
        return t;
    }

    private synchronized EventType registerDynamic(EventDefinition def) {
        while (byId.containsKey(nextDynamicId)) {
            nextDynamicId++;
        }
        if (nextDynamicId > MAX_ID) {
            throw new IllegalStateException("no event id left");
        }
        EventType t = register(def, nextDynamicId++);
        application.add(t);
        return t;
    }

    /** Registers a definition with a fixed id (built-in events keep the kernel's ids). */
    synchronized EventType register(EventDefinition def, int id) {
        checkFree(id, def.system(), def.name());
        EventType t = def.build(id);
        add(t);
        return t;
    }

    private void checkFree(int id, String system, String name) {
        if (id <= 0 || id > MAX_ID) {
            throw new IllegalArgumentException("event id " + id);
        }
        String key = key(system, name);
        if (byName.containsKey(key)) {
            throw new IllegalArgumentException("event exists: " + key);
        }
        if (byId.containsKey(id)) {
            throw new IllegalArgumentException("event id in use: " + id);
        }
    }

    /** Makes {@code t} visible to lookups (caller holds the lock and checked it is free). */
    private void add(EventType t) {
        int id = t.id();
        byId.put(id, t);
        EventType[] tb = table;
        if (id >= tb.length) {
            tb = Arrays.copyOf(tb, Math.max(id + 1, Math.min(MAX_ID + 1, tb.length * 2)));
        } else {
            tb = tb.clone();
        }
        tb[id] = t;
        table = tb;
        byName.put(key(t.system(), t.name()), t);
        ordered.add(t);
    }

    /** The application events (not built in), in registration order (a snapshot). */
    public List<EventType> applicationEvents() {
        return List.copyOf(application);
    }

    /**
     * Calls {@code listener} with every application event registered from now on, on the
     * registering thread, before {@code register()} returns (so before the event can be
     * recorded). An event registered while the listener is being added may be reported and also
     * be in {@link #applicationEvents()} read afterwards.
     */
    public void addApplicationEventListener(Consumer<EventType> listener) {
        applicationListeners.add(listener);
    }

    public void removeApplicationEventListener(Consumer<EventType> listener) {
        applicationListeners.remove(listener);
    }

    /** The event with this id ({@code common_type}), or null. */
    public EventType byId(int id) {
        EventType[] tb = table;
        return id >= 0 && id < tb.length ? tb[id] : null;
    }

    /** The event {@code system:name}, or null. */
    public EventType find(String system, String name) {
        return byName.get(key(system, name));
    }

    /** Every event in registration order (a snapshot). */
    public List<EventType> events() {
        return Collections.unmodifiableList(new ArrayList<>(ordered));
    }

    /** Number of registered events; grows only. */
    public int size() {
        return ordered.size();
    }

    /** The i-th registered event (registration order). */
    EventType get(int i) {
        return ordered.get(i);
    }

    /** The system names, sorted (as {@code ls events/} shows them). */
    public List<String> systems() {
        TreeSet<String> s = new TreeSet<>();
        for (EventType t : ordered) {
            s.add(t.system());
        }
        return List.copyOf(s);
    }

    /** The events of one system in registration order. */
    public List<EventType> eventsOf(String system) {
        List<EventType> out = new ArrayList<>();
        for (EventType t : ordered) {
            if (t.system().equals(system)) {
                out.add(t);
            }
        }
        return out;
    }

    /** The built-in ftrace/print type (trace_marker), or null in an empty registry. */
    public EventType print() {
        return find("ftrace", "print");
    }

    /** The built-in ftrace/raw_data type (trace_marker_raw), or null in an empty registry. */
    public EventType rawData() {
        return find("ftrace", "raw_data");
    }

    private static String key(String system, String name) {
        return system + ":" + name;
    }
}
