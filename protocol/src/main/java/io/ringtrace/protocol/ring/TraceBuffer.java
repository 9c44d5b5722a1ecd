package io.ringtrace.protocol.ring;

import io.ringtrace.protocol.TraceClock;

/**
 * The buffer of one trace instance (the kernel's array_buffer): one {@link RingBuffer} per CPU and
 * the instance-wide record switch ({@code tracing_on}). {@code tracing_cpumask} is applied per ring
 * with {@link RingBuffer#setRecordOn}.
 *
 * <p>Threads: {@link #cpu}, {@link #cpus} and {@link #tracingOn} may be read from any thread
 * (producers); every other method belongs to the owning instance actor.
 */
public final class TraceBuffer {
    private volatile RingBuffer[] rings;
    private volatile boolean tracingOn = true;

    public TraceBuffer(int cpus, int subbufSize, int nrPages, boolean overwrite, TraceClock clock) {
        RingBuffer[] r = new RingBuffer[cpus];
        for (int i = 0; i < cpus; i++) {
            r[i] = new RingBuffer(i, subbufSize, nrPages, overwrite, clock);
        }
        this.rings = r;
    }

    /** The ring of CPU {@code cpu} (0 .. cpus-1). */
    public RingBuffer cpu(int cpu) {
        return rings[cpu];
    }

    /** The ring of CPU {@code cpu} modulo the CPU count (producers name any CPU). Any thread. */
    public RingBuffer ringOf(int cpu) {
        RingBuffer[] r = rings;
        int n = r.length;
        return r[cpu >= 0 && cpu < n ? cpu : Math.floorMod(cpu, n)];
    }

    public int cpus() {
        return rings.length;
    }

    /** tracing_on: when false no ring records, whatever its own switch says. */
    public boolean tracingOn() {
        return tracingOn;
    }

    public void setTracingOn(boolean on) {
        this.tracingOn = on;
    }

    /** True when no CPU holds an unconsumed event. */
    public boolean isEmpty() {
        for (RingBuffer r : rings) {
            if (!r.isEmpty()) {
                return false;
            }
        }
        return true;
    }

    /** Erases every CPU (tracing_reset_online_cpus). */
    public void reset() {
        for (RingBuffer r : rings) {
            r.reset();
        }
    }

    public void setClock(TraceClock clock) {
        for (RingBuffer r : rings) {
            r.setClock(clock);
        }
    }

    public void setOverwrite(boolean overwrite) {
        for (RingBuffer r : rings) {
            r.setOverwrite(overwrite);
        }
    }
}
