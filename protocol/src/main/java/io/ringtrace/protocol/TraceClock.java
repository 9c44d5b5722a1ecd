package io.ringtrace.protocol;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The clocks of {@code trace_clock}, in the kernel's index order (x86-64 list). A clock gives the
 * timestamp recorded in the ring buffer; {@link #nanos()} clocks are printed as
 * {@code seconds.microseconds}, the others as a raw count.
 *
 * <p>"Boot" for ringtrace is the start of the engine's JVM: {@code local}, {@code global},
 * {@code perf}, {@code mono}, {@code mono_raw} and {@code boot} count nanoseconds from there, like
 * the kernel's clocks count from the machine's boot. {@code tai} is wall-clock nanoseconds since the
 * epoch. {@code counter} is a global counter incremented per read; {@code uptime} is jiffies at
 * HZ=250.
 *
 * <p>{@code local} (the default, the kernel's sched_clock) reads the CPU's time-stamp counter and
 * scales it to nanoseconds, and {@code x86-tsc} prints the counter raw, as on the kernel; both go
 * through {@link CpuCounter}, which falls back to {@link System#nanoTime()} when the JVM does not
 * give access to the counter. The other nanosecond clocks read System.nanoTime.
 */
public enum TraceClock {
    LOCAL("local", true),
    GLOBAL("global", true),
    COUNTER("counter", false),
    UPTIME("uptime", false),
    PERF("perf", true),
    MONO("mono", true),
    MONO_RAW("mono_raw", true),
    BOOT("boot", true),
    TAI("tai", true),
    X86_TSC("x86-tsc", false);

    /** Nanosecond origin of the "since boot" clocks: the JVM start. */
    private static final long ORIGIN = System.nanoTime();
    /** The same origin on the CPU counter. */
    private static final long ORIGIN_TICKS = CpuCounter.ticks();
    private static final long TAI_OFFSET_NS = 37_000_000_000L;
    private static final long WALL_AT_ORIGIN_NS =
            System.currentTimeMillis() * 1_000_000L + TAI_OFFSET_NS;
    private static final AtomicLong COUNTER_VALUE = new AtomicLong();

    private final String clockName;
    private final boolean nanos;

    TraceClock(String clockName, boolean nanos) {
        this.clockName = clockName;
        this.nanos = nanos;
    }

    /** The name as written to and read from {@code trace_clock}. */
    public String clockName() {
        return clockName;
    }

    /** True when the timestamps are nanoseconds and print as {@code %5lu.%06lu}. */
    public boolean nanos() {
        return nanos;
    }

    /** The current value of this clock. Thread-safe; allocation-free. */
    public long now() {
        switch (this) {
            case LOCAL:
                return localNow();
            case COUNTER:
                return COUNTER_VALUE.incrementAndGet();
            case UPTIME:
                return (System.nanoTime() - ORIGIN) / 4_000_000L;
            case TAI:
                return WALL_AT_ORIGIN_NS + (System.nanoTime() - ORIGIN);
            case X86_TSC:
                return CpuCounter.ticks();
            default:
                return System.nanoTime() - ORIGIN;
        }
    }

    /** {@code LOCAL.now()}, for the ring's hot path (no switch to inline). */
    public static long localNow() {
        return CpuCounter.nanosBetween(ORIGIN_TICKS, CpuCounter.ticks());
    }

    /** The clock with this {@code trace_clock} name, or null. */
    public static TraceClock byName(String name) {
        for (TraceClock c : values()) {
            if (c.clockName.equals(name)) {
                return c;
            }
        }
        return null;
    }

    /** The text of {@code trace_clock}: every clock, the current one in brackets, then a newline. */
    public static String listing(TraceClock current) {
        StringBuilder sb = new StringBuilder();
        for (TraceClock c : values()) {
            if (sb.length() > 0) {
                sb.append(' ');
            }
            if (c == current) {
                sb.append('[').append(c.clockName).append(']');
            } else {
                sb.append(c.clockName);
            }
        }
        return sb.append('\n').toString();
    }

    /**
     * Formats a timestamp the way {@code trace} and {@code stats} do: {@code %5llu.%06lu} with the
     * microseconds rounded to nearest for nanosecond clocks, {@code %llu} otherwise (the caller pads).
     */
    public String format(long ts) {
        if (!nanos) {
            return Long.toUnsignedString(ts);
        }
        StringBuilder sb = new StringBuilder(16);
        appendNanos(sb, ts);
        return sb.toString();
    }

    /**
     * Appends a nanosecond timestamp as {@code %5llu.%06lu} (microseconds rounded to nearest),
     * without String.format: this runs once per line of {@code trace} and {@code trace_pipe}.
     */
    public static void appendNanos(StringBuilder sb, long ts) {
        long us = (ts + 500) / 1000;
        long sec = us / 1_000_000L;
        int frac = (int) (us % 1_000_000L);
        int start = sb.length();
        sb.append(sec);
        for (int pad = 5 - (sb.length() - start); pad > 0; pad--) {
            sb.insert(start, ' ');
        }
        sb.append('.');
        for (int div = 100_000; div > 0; div /= 10) {
            sb.append((char) ('0' + (frac / div) % 10));
        }
    }
}
