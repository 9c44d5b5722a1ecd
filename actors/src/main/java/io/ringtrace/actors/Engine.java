package io.ringtrace.actors;

import io.ringtrace.config.RingtraceSettings;
import io.ringtrace.protocol.event.EventRegistry;
import io.ringtrace.protocol.event.SavedCmdlines;
import io.ringtrace.protocol.text.TraceOptions;

/**
 * What every instance of one engine shares: the settings (CPU count, default buffer size), the
 * event registry (kernel and application events, one id space) and saved_cmdlines. Thread-safe.
 */
public final class Engine {
    private final int cpus;
    private final long bufferBytes;
    private final EventRegistry registry;
    private final SavedCmdlines cmdlines;

    public Engine(int cpus, long bufferBytes, EventRegistry registry, SavedCmdlines cmdlines) {
        if (cpus < 1 || cpus > 64) {
            throw new IllegalArgumentException("cpus must be 1..64, got " + cpus);
        }
        this.cpus = cpus;
        this.bufferBytes = bufferBytes;
        this.registry = registry;
        this.cmdlines = cmdlines;
    }

    /** An engine from settings, with the kernel's built-in events registered. */
    public static Engine create(RingtraceSettings settings) {
        return new Engine(settings.cpus(), settings.bootPlan().bufferSizeBytes(), EventRegistry.createDefault(),
                new SavedCmdlines());
    }

    public int cpus() {
        return cpus;
    }

    public long bufferBytes() {
        return bufferBytes;
    }

    public EventRegistry registry() {
        return registry;
    }

    public SavedCmdlines cmdlines() {
        return cmdlines;
    }

    /** A new trace array with the engine's CPU count and default buffer size. */
    TraceArray newArray(String name, int flags) {
        return new TraceArray(name, cpus, bufferBytes, flags);
    }

    /** The shared view of a new instance; {@code top} is null for the top level itself. */
    InstanceView newView(TraceArray array, InstanceView top) {
        return newView(array, top, registry);
    }

    /**
     * The shared view of a new instance whose events are {@code events}: the engine's registry,
     * or for a backup the events of the run that recorded its data.
     */
    InstanceView newView(TraceArray array, InstanceView top, EventRegistry events) {
        TraceOptions options = top == null ? TraceOptions.forTopLevel() : TraceOptions.forInstance();
        return new InstanceView(array.name(), array.buffer(), events, cmdlines, options);
    }
}
