package io.ringtrace.bench;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;

/**
 * The cheaper clock proposed for the hot path: HotSpot's JFR tick counter
 * ({@code jdk.jfr.internal.JVM.counterTime()}, a C2 intrinsic that reads the TSC when the CPU has
 * an invariant TSC), scaled to nanoseconds with a fixed-point multiply. It is what the JDK Flight
 * Recorder itself stamps events with. Needs {@code --add-exports jdk.jfr/jdk.jfr.internal=ALL-UNNAMED};
 * {@link #AVAILABLE} is false without it.
 */
final class TscClock {
    static final boolean AVAILABLE;
    /** Ticks per second as HotSpot reports them (1e9 means it fell back to the OS clock). */
    static final long FREQUENCY;
    private static final MethodHandle COUNTER;
    private static final int SHIFT;
    private static final long MULT;
    private static final long ORIGIN;

    static {
        MethodHandle mh = null;
        long freq = 0;
        try {
            Class<?> jvm = Class.forName("jdk.jfr.internal.JVM");
            mh = MethodHandles.lookup().findStatic(jvm, "counterTime", MethodType.methodType(long.class));
            Method get = jvm.getMethod("getJVM");
            Object j = get.invoke(null);
            freq = (long) jvm.getMethod("getTicksFrequency").invoke(j);
        } catch (Throwable t) {
            mh = null;
        }
        if (mh == null || freq <= 0) {
            mh = MethodHandles.constant(long.class, 0L);
            freq = 1_000_000_000L;
            AVAILABLE = false;
        } else {
            AVAILABLE = true;
        }
        COUNTER = mh;
        FREQUENCY = freq;
        // ns = ticks * 1e9 / freq = multiplyHigh(ticks << SHIFT, MULT) with MULT = 1e9/freq * 2^(64-SHIFT) < 2^63
        double factor = 1e9 / freq;
        int s = 1;
        while (factor * Math.pow(2, 64 - s) >= 0x1p63) {
            s++;
        }
        SHIFT = s;
        MULT = (long) (factor * Math.pow(2, 64 - s));
        ORIGIN = ticksNow();
    }

    private TscClock() {
    }

    static long ticksNow() {
        try {
            return (long) COUNTER.invokeExact();
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** Nanoseconds since this class was initialised. */
    static long nanos() {
        return Math.multiplyHigh((ticksNow() - ORIGIN) << SHIFT, MULT);
    }
}
