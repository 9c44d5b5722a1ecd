package io.ringtrace.protocol.event;

import io.ringtrace.protocol.TraceClock;

import java.util.ArrayDeque;
import java.util.function.LongSupplier;

/**
 * An instance's {@code error_log} (tracing_log_err): at most 8 entries, the oldest replaced,
 * each printed as
 *
 * <pre>
 * [%5llu.%06u] &lt;loc&gt;: error: &lt;text&gt;
 *   Command: &lt;command&gt;
 * &lt;11 + pos spaces&gt;^
 * </pre>
 *
 * The time is the clock value (nanoseconds, local_clock) when the error was logged, printed as
 * seconds and truncated microseconds. Opening the file with O_TRUNC clears it ({@link #clear});
 * writes are ignored.
 *
 * <p>Thread-safe.
 */
public final class ErrorLog {

    /** TRACING_LOG_ERRS_MAX. */
    public static final int MAX_ENTRIES = 8;
    private static final String CMD_PREFIX = "  Command: ";

    private static final class Entry {
        final long ts;
        final String loc;
        final String text;
        final String cmd;
        final int pos;

        Entry(long ts, String loc, String text, String cmd, int pos) {
            this.ts = ts;
            this.loc = loc;
            this.text = text;
            this.cmd = cmd;
            this.pos = pos;
        }
    }

    private final ArrayDeque<Entry> entries = new ArrayDeque<>();
    private final LongSupplier clock;

    /** A log stamped with {@link TraceClock#LOCAL}. */
    public ErrorLog() {
        this(TraceClock.LOCAL::now);
    }

    /** A log stamped with {@code clock} (nanoseconds). */
    public ErrorLog(LongSupplier clock) {
        this.clock = clock;
    }

    /**
     * Adds an entry: {@code loc} says where it comes from ({@code "event filter parse error"}),
     * {@code text} is the error message, {@code cmd} the command and {@code pos} the caret column
     * within it.
     */
    public void log(String loc, String text, String cmd, int pos) {
        logAt(clock.getAsLong(), loc, text, cmd, pos);
    }

    /** {@link #log} with an explicit timestamp in nanoseconds. */
    public synchronized void logAt(long tsNanos, String loc, String text, String cmd, int pos) {
        if (entries.size() >= MAX_ENTRIES) {
            entries.removeFirst();
        }
        entries.addLast(new Entry(tsNanos, loc, text, cmd, Math.max(0, pos)));
    }

    /** The text of the {@code error_log} file. */
    public synchronized String read() {
        StringBuilder sb = new StringBuilder();
        for (Entry e : entries) {
            long sec = Long.divideUnsigned(e.ts, 1_000_000_000L);
            long usec = Long.remainderUnsigned(e.ts, 1_000_000_000L) / 1000;
            sb.append('[').append(pad(Long.toUnsignedString(sec), 5)).append('.')
                    .append(zero(usec, 6)).append("] ")
                    .append(e.loc).append(": error: ").append(e.text)
                    .append('\n').append(CMD_PREFIX).append(e.cmd).append('\n');
            for (int i = 0; i < CMD_PREFIX.length() + e.pos; i++) {
                sb.append(' ');
            }
            sb.append("^\n");
        }
        return sb.toString();
    }

    /** Number of entries. */
    public synchronized int size() {
        return entries.size();
    }

    /** Empties the log (open with O_TRUNC). */
    public synchronized void clear() {
        entries.clear();
    }

    private static String pad(String s, int w) {
        StringBuilder sb = new StringBuilder();
        for (int i = s.length(); i < w; i++) {
            sb.append(' ');
        }
        return sb.append(s).toString();
    }

    private static String zero(long v, int w) {
        String s = Long.toString(v);
        StringBuilder sb = new StringBuilder();
        for (int i = s.length(); i < w; i++) {
            sb.append('0');
        }
        return sb.append(s).toString();
    }
}
