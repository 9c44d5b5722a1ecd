package io.ringtrace.protocol.text;

import io.ringtrace.protocol.Errno;
import io.ringtrace.protocol.ErrnoException;

import java.util.ArrayList;
import java.util.List;

/**
 * The option bits of one trace instance ({@code tr->trace_flags} and the tracers' flags) with the
 * parsing of {@code trace_options} and {@code options/<name>} writes.
 *
 * <p>{@code trace_options} lists every core option ({@code name} or {@code noname}, bit order),
 * then the options of the current tracer. A write names one option, {@code no} clears it; an
 * unknown name (or another tracer's option) is EINVAL, a write of 64 bytes or more is EINVAL, and
 * the nop tracer refuses {@code test_nop_refuse} (EINVAL; through {@code options/} only a change
 * of it, since that file does not ask the tracer for the current value). Writes return the option
 * so the caller can apply side effects (overwrite mode, record-tgid ...).
 *
 * <p>Thread-safe: the bits are a volatile long, so output formatting may read them anywhere.
 */
public final class TraceOptions {

    private volatile long bits;

    private TraceOptions(long bits) {
        this.bits = bits;
    }

    /** The options of a new instance (mkdir). */
    public static TraceOptions forInstance() {
        long b = 0;
        for (TraceOption o : TraceOption.values()) {
            if (o.defaultInstance()) {
                b |= 1L << o.ordinal();
            }
        }
        return new TraceOptions(b);
    }

    /** The options of the top-level instance at boot. */
    public static TraceOptions forTopLevel() {
        long b = 0;
        for (TraceOption o : TraceOption.values()) {
            if (o.defaultTop()) {
                b |= 1L << o.ordinal();
            }
        }
        return new TraceOptions(b);
    }

    public boolean isSet(TraceOption o) {
        return (bits & (1L << o.ordinal())) != 0;
    }

    /** Sets or clears an option without checks. */
    public synchronized void set(TraceOption o, boolean on) {
        if (on) {
            bits |= 1L << o.ordinal();
        } else {
            bits &= ~(1L << o.ordinal());
        }
    }

    /** A copy (for a snapshot of output settings). */
    public TraceOptions copy() {
        return new TraceOptions(bits);
    }

    /** The text of {@code trace_options} with {@code tracer} the current tracer. */
    public String listing(String tracer) {
        StringBuilder sb = new StringBuilder();
        for (TraceOption o : TraceOption.values()) {
            if (!o.isCore()) {
                continue;
            }
            line(sb, o);
        }
        for (TraceOption o : TraceOption.values()) {
            if (!o.isCore() && o.tracer().equals(tracer)) {
                line(sb, o);
            }
        }
        return sb.toString();
    }

    private void line(StringBuilder sb, TraceOption o) {
        if (!isSet(o)) {
            sb.append("no");
        }
        sb.append(o.optionName()).append('\n');
    }

    /**
     * A write to {@code trace_options} while {@code tracer} is the current tracer. Returns the
     * option written (set or cleared as asked).
     */
    public TraceOption write(String text, String tracer) throws ErrnoException {
        if (text.length() >= 64) {
            throw new ErrnoException(Errno.EINVAL);
        }
        String cmp = strip(text);
        boolean neg = false;
        if (cmp.startsWith("no")) {
            neg = true;
            cmp = cmp.substring(2);
        }
        TraceOption o = TraceOption.byName(cmp);
        if (o == null || (!o.isCore() && !o.tracer().equals(tracer))) {
            throw new ErrnoException(Errno.EINVAL);
        }
        apply(o, !neg);
        return o;
    }

    /** The files of {@code options/}: every option an instance (or the top level) has a file for. */
    public static List<String> optionFiles(boolean topLevel) {
        List<String> out = new ArrayList<>();
        for (TraceOption o : TraceOption.values()) {
            if (o.isCore() && o.topLevelOnly() && !topLevel) {
                continue;
            }
            out.add(o.optionName());
        }
        return out;
    }

    /** {@code options/<name>}: {@code 0\n} or {@code 1\n}. */
    public String readOptionFile(String name) throws ErrnoException {
        TraceOption o = TraceOption.byName(name);
        if (o == null) {
            throw new ErrnoException(Errno.ENOENT);
        }
        return isSet(o) ? "1\n" : "0\n";
    }

    /**
     * Writes {@code options/<name>}: {@code 0} or {@code 1}, anything else EINVAL. The value the
     * option already has changes nothing and asks no tracer (trace_options_write), so even
     * {@code test_nop_refuse} takes its current value.
     */
    public TraceOption writeOptionFile(String name, String text) throws ErrnoException {
        TraceOption o = TraceOption.byName(name);
        if (o == null) {
            throw new ErrnoException(Errno.ENOENT);
        }
        String t = text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
        if (t.startsWith("+")) {
            t = t.substring(1);
        }
        long v = -1;
        if (!t.isEmpty() && t.length() <= 20 && t.chars().allMatch(Character::isDigit)) {
            v = Long.parseLong(t);
        }
        if (v != 0 && v != 1) {
            throw new ErrnoException(Errno.EINVAL);
        }
        if (isSet(o) != (v == 1)) {
            apply(o, v == 1);
        }
        return o;
    }

    private void apply(TraceOption o, boolean on) throws ErrnoException {
        if (o == TraceOption.TEST_NOP_REFUSE) {
            // nop_set_flag: "we refuse"
            throw new ErrnoException(Errno.EINVAL);
        }
        set(o, on);
    }

    private static String strip(String s) {
        int a = 0;
        int b = s.length();
        while (a < b && Character.isWhitespace(s.charAt(a))) {
            a++;
        }
        while (b > a && Character.isWhitespace(s.charAt(b - 1))) {
            b--;
        }
        return s.substring(a, b);
    }
}
