package io.ringtrace.protocol.event;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Every event type the engine knows (the kernel's {@code ftrace_events} list and event id table).
 *
 * <p>{@link #createDefault()} holds the built-in systems with the ids a 6.18 kernel gives them
 * ({@code ftrace/print} 5, {@code ftrace/raw_data} 19, {@code irq} 219..225, {@code sched}
 * 355..380). Applications add their own with {@link #define}; they get ids from
 * {@link #FIRST_DYNAMIC_ID} up, skipping ids in use.
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

    /** Registers a definition with a fresh dynamic id. */
    synchronized EventType register(EventDefinition def) {
        while (byId.containsKey(nextDynamicId)) {
            nextDynamicId++;
        }
        if (nextDynamicId > MAX_ID) {
            throw new IllegalStateException("no event id left");
        }
        return register(def, nextDynamicId++);
    }

    /** Registers a definition with a fixed id (built-in events keep the kernel's ids). */
    synchronized EventType register(EventDefinition def, int id) {
        if (id <= 0 || id > MAX_ID) {
            throw new IllegalArgumentException("event id " + id);
        }
        String key = key(def.system(), def.name());
        if (byName.containsKey(key)) {
            throw new IllegalArgumentException("event exists: " + key);
        }
        if (byId.containsKey(id)) {
            throw new IllegalArgumentException("event id in use: " + id);
        }
        EventType t = def.build(id);
        byId.put(id, t);
        EventType[] tb = table;
        if (id >= tb.length) {
            tb = Arrays.copyOf(tb, Math.max(id + 1, Math.min(MAX_ID + 1, tb.length * 2)));
        } else {
            tb = tb.clone();
        }
        tb[id] = t;
        table = tb;
        byName.put(key, t);
        ordered.add(t);
        return t;
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
