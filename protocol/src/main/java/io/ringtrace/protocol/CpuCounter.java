package io.ringtrace.protocol;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * The CPU's time-stamp counter, as the kernel's {@code local} trace clock reads it (sched_clock:
 * TSC cycles scaled to nanoseconds with a multiply and a shift, cyc2ns) and {@code x86-tsc} prints
 * it raw.
 *
 * <p>Java has no public TSC read; HotSpot's is {@code jdk.jfr.internal.JVM.counterTime()}, a C2
 * intrinsic the JDK Flight Recorder stamps its own events with (the TSC when the CPU has an
 * invariant one, else the OS clock). It lives in a package {@code jdk.jfr} does not export, so the
 * JVM needs {@code --add-exports jdk.jfr/jdk.jfr.internal=ALL-UNNAMED} (the launcher, the tests
 * and the benchmarks pass it; the app jar's manifest has {@code Add-Exports} for {@code java -jar}).
 * Without it {@link #AVAILABLE} is false and the clocks fall back to {@link System#nanoTime()},
 * which costs about twice as much per event on the machines measured (BENCHMARKS.md).
 */
public final class CpuCounter {

    /** True when the counter is HotSpot's tick counter; false when it is System.nanoTime. */
    public static final boolean AVAILABLE;
    /** Ticks per second. */
    public static final long FREQUENCY;
    /** Why the counter is not available (null when it is). */
    public static final String UNAVAILABLE_REASON;

    private static final MethodHandle COUNTER;
    private static final int SHIFT;
    private static final long MULT;

    static {
        MethodHandle mh = null;
        long freq = 0;
        String why = null;
        try {
            Class<?> jvm = Class.forName("jdk.jfr.internal.JVM");
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            mh = lookup.findStatic(jvm, "counterTime", MethodType.methodType(long.class));
            Object instance = lookup.findStatic(jvm, "getJVM", MethodType.methodType(jvm)).invoke();
            freq = (long) lookup.findVirtual(jvm, "getTicksFrequency", MethodType.methodType(long.class))
                    .invoke(instance);
            if (freq <= 0) {
                why = "the JVM reports a tick frequency of " + freq;
            }
        } catch (Throwable t) {
            why = t.getClass().getSimpleName() + ": " + t.getMessage()
                    + " (run the JVM with --add-exports jdk.jfr/jdk.jfr.internal=ALL-UNNAMED)";
        }
        if (why != null) {
            try {
                mh = MethodHandles.lookup().findStatic(System.class, "nanoTime", MethodType.methodType(long.class));
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
            freq = 1_000_000_000L;
        }
        AVAILABLE = why == null;
        UNAVAILABLE_REASON = why;
        COUNTER = mh;
        FREQUENCY = freq;
        int[] shift = new int[1];
        MULT = scale(freq, shift);
        SHIFT = shift[0];
    }

    private CpuCounter() {
    }

    /**
     * The fixed-point factor turning ticks into nanoseconds: ns = multiplyHigh(ticks &lt;&lt; shift,
     * mult), with mult = 1e9 / frequency * 2^(64 - shift) kept below 2^63 (shift[0] receives the
     * shift). Exact to a few parts in 10^15 of the factor.
     */
    static long scale(long frequency, int[] shift) {
        double factor = 1e9 / frequency;
        int s = 1;
        while (factor * Math.pow(2, 64 - s) >= 0x1p63) {
            s++;
        }
        shift[0] = s;
        return (long) (factor * Math.pow(2, 64 - s));
    }

    /** Nanoseconds of {@code ticks} (a difference of two {@link #ticks()} readings, below 2^(63-shift)). */
    static long toNanos(long ticks, int shift, long mult) {
        return Math.multiplyHigh(ticks << shift, mult);
    }

    /** The raw counter. Any thread; allocation-free. */
    public static long ticks() {
        try {
            return (long) COUNTER.invokeExact();
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** Nanoseconds between two {@link #ticks()} readings. */
    public static long nanosBetween(long fromTicks, long toTicks) {
        return toNanos(toTicks - fromTicks, SHIFT, MULT);
    }
}
