package io.ringtrace.protocol.text;

import io.ringtrace.protocol.event.EventField;
import io.ringtrace.protocol.event.EventType;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Prints a TRACE_EVENT payload the way its {@code TP_printk} does, compiled from the event's
 * {@code print fmt}: the C format string and its arguments ({@code REC->field}, casts,
 * {@code __get_str()}, {@code __print_symbolic()}, {@code __print_flags()},
 * {@code __print_array()}, {@code cond ? "a" : "b"}), run through a kernel-printf subset
 * ({@code %d %i %u %x %X %o %c %s %p %ps %pS %*pbl}, flags, width, precision, {@code h hh l ll L z}
 * length). sched_switch's {@code prev_state} is rendered with the TASK_REPORT letters
 * ({@code R S D T t X Z P I}, {@code +} when preempted).
 *
 * <p>Immutable; printing allocates (output is not a hot path).
 */
public final class EventPrinter {

    private static final Pattern CAST = Pattern.compile(
            "^\\(\\s*((?:unsigned |signed |const )*(?:long long|long|int|short|char|void|u64|u32|u16|u8|s64|s32|s16|s8"
                    + "|bool|size_t)\\s*\\**)\\s*\\)\\s*(.*)$", Pattern.DOTALL);
    private static final Pattern REC_FIELD = Pattern.compile("^REC->(\\w+)$");
    private static final Pattern GET_STR = Pattern.compile("^__get_str\\(\\s*(\\w+)\\s*\\)$");
    private static final Pattern COND = Pattern.compile("^REC->(\\w+)\\s*\\?\\s*\"([^\"]*)\"\\s*:\\s*\"([^\"]*)\"$");
    private static final Pattern SYMBOLIC = Pattern.compile("^__print_symbolic\\((.*)\\)$", Pattern.DOTALL);
    private static final Pattern PAIR = Pattern.compile("\\{\\s*(-?\\w+)\\s*,\\s*\"([^\"]*)\"\\s*\\}");
    private static final Pattern ARRAY_DYN = Pattern.compile(
            "^__print_array\\(__get_dynamic_array\\((\\w+)\\),\\s*__get_dynamic_array_len\\(\\w+\\)\\s*/\\s*(\\d+),\\s*(\\d+)\\)$");
    private static final Pattern ARRAY_FIXED = Pattern.compile("^__print_array\\(REC->(\\w+),\\s*(\\d+),\\s*(\\d+)\\)$");
    private static final Pattern SHIFT_CONST = Pattern.compile("^\\(\\s*(\\d+)\\s*<<\\s*(\\d+)\\s*\\)$");

    /** A value source for one printf argument. */
    interface Arg {
        /** A Long for numbers, a byte[] for strings. */
        Object value(byte[] d, int off, int len);
    }

    private final String name;
    private final String format;
    private final List<Arg> args;

    private EventPrinter(String name, String format, List<Arg> args) {
        this.name = name;
        this.format = format;
        this.args = args;
    }

    /** Compiles the printer of {@code type} from its print fmt. */
    public static EventPrinter compile(EventType type) {
        String pf = type.printFmt();
        int q1 = pf.indexOf('"');
        int q2 = q1 < 0 ? -1 : closingQuote(pf, q1 + 1);
        String fmt;
        String rest;
        if (q1 < 0 || q2 < 0) {
            fmt = pf;
            rest = "";
        } else {
            fmt = unescape(pf.substring(q1 + 1, q2));
            rest = pf.substring(q2 + 1).trim();
        }
        List<String> exprs = new ArrayList<>();
        if (rest.startsWith(",")) {
            exprs = splitArgs(rest.substring(1));
        }
        List<Arg> args = new ArrayList<>();
        for (int i = 0; i < exprs.size(); i++) {
            Arg special = special(type, i);
            args.add(special != null ? special : compileArg(type, exprs.get(i).trim()));
        }
        return new EventPrinter(type.name(), fmt, args);
    }

    /** Appends {@code <name>: <printed fields>\n}. */
    public void print(byte[] d, int off, int len, TraceSeq out) {
        out.puts(name).puts(": ");
        printBody(d, off, len, out);
        out.put('\n');
    }

    /** Appends only the printed fields (no name, no newline). */
    public void printBody(byte[] d, int off, int len, TraceSeq out) {
        Printf.format(out, format, args, d, off, len);
    }

    // ---------------------------------------------------------------- argument compilation

    private static Arg special(EventType type, int index) {
        if ("sched".equals(type.system()) && "sched_switch".equals(type.name())) {
            EventField f = type.field("prev_state");
            if (index == 3) {
                return (d, off, len) -> prevState(read(d, off, len, f));
            }
            if (index == 4) {
                return (d, off, len) -> (read(d, off, len, f) & 0x100) != 0 ? bytes("+") : bytes("");
            }
        }
        return null;
    }

    private static final long[] STATE_MASKS = {0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80};
    private static final String[] STATE_CHARS = {"S", "D", "T", "t", "X", "Z", "P", "I"};

    /** sched_switch prev_state: R when no state bit is set, else the __print_flags of them with "|". */
    static byte[] prevState(long state) {
        long v = state & 0xff;
        if (v == 0) {
            return bytes("R");
        }
        return bytes(printFlags(v, "|", STATE_MASKS, STATE_CHARS));
    }

    /** trace_print_flags_seq. */
    static String printFlags(long flags, String delim, long[] masks, String[] names) {
        StringBuilder sb = new StringBuilder();
        boolean first = true;
        for (int i = 0; i < masks.length && flags != 0; i++) {
            long mask = masks[i];
            if ((flags & mask) != mask) {
                continue;
            }
            flags &= ~mask;
            if (!first && delim != null) {
                sb.append(delim);
            } else {
                first = false;
            }
            sb.append(names[i]);
        }
        if (flags != 0) {
            if (!first && delim != null) {
                sb.append(delim);
            }
            sb.append("0x").append(Long.toHexString(flags));
        }
        return sb.toString();
    }

    private static Arg compileArg(EventType type, String expr) {
        Matcher m;
        String cast = null;
        m = CAST.matcher(expr);
        if (m.matches()) {
            cast = m.group(1).trim();
            expr = m.group(2).trim();
        }
        if ((m = REC_FIELD.matcher(expr)).matches()) {
            EventField f = type.field(m.group(1));
            if (f == null) {
                return unknown(expr);
            }
            Arg a = fieldArg(f);
            return cast != null ? castArg(cast, a) : a;
        }
        if ((m = GET_STR.matcher(expr)).matches()) {
            EventField f = type.field(m.group(1));
            return f == null ? unknown(expr) : (d, off, len) -> dataLocString(d, off, len, f);
        }
        if ((m = COND.matcher(expr)).matches()) {
            EventField f = type.field(m.group(1));
            byte[] yes = bytes(m.group(2));
            byte[] no = bytes(m.group(3));
            return f == null ? unknown(expr) : (d, off, len) -> read(d, off, len, f) != 0 ? yes : no;
        }
        if ((m = SYMBOLIC.matcher(expr)).matches()) {
            String inner = m.group(1);
            List<String> parts = splitArgs(inner);
            if (parts.isEmpty()) {
                return unknown(expr);
            }
            Arg value = compileArg(type, parts.get(0).trim());
            Map<Long, byte[]> syms = new LinkedHashMap<>();
            Matcher pm = PAIR.matcher(inner);
            while (pm.find()) {
                syms.putIfAbsent(Long.decode(pm.group(1)), bytes(pm.group(2)));
            }
            return (d, off, len) -> {
                Object v = value.value(d, off, len);
                long x = v instanceof Long ? (Long) v : 0;
                byte[] s = syms.get(x);
                return s != null ? s : bytes("0x" + Long.toHexString(x));
            };
        }
        if ((m = ARRAY_DYN.matcher(expr)).matches()) {
            EventField f = type.field(m.group(1));
            int es = Integer.parseInt(m.group(3));
            return f == null ? unknown(expr) : (d, off, len) -> {
                long item = read(d, off, len, f);
                int loc = (int) (item & 0xffff);
                int n = (int) ((item >>> 16) & 0xffff);
                return bytes(printArray(d, off, len, loc, n / es, es));
            };
        }
        if ((m = ARRAY_FIXED.matcher(expr)).matches()) {
            EventField f = type.field(m.group(1));
            int count = Integer.parseInt(m.group(2));
            int es = Integer.parseInt(m.group(3));
            return f == null ? unknown(expr) : (d, off, len) -> bytes(printArray(d, off, len, f.offset(), count, es));
        }
        if ((m = SHIFT_CONST.matcher(expr)).matches()) {
            long v = Long.parseLong(m.group(1)) << Integer.parseInt(m.group(2));
            return (d, off, len) -> v;
        }
        if (expr.matches("-?\\d+")) {
            long v = Long.parseLong(expr);
            return (d, off, len) -> v;
        }
        return unknown(expr);
    }

    private static Arg unknown(String expr) {
        byte[] b = bytes("[" + expr + "]");
        return (d, off, len) -> b;
    }

    private static Arg castArg(String cast, Arg a) {
        String c = cast.replace(" ", "");
        switch (c) {
            case "int":
            case "s32":
                return (d, off, len) -> {
                    Object v = a.value(d, off, len);
                    return v instanceof Long ? (long) (int) (long) (Long) v : v;
                };
            case "unsignedint":
            case "u32":
                return (d, off, len) -> {
                    Object v = a.value(d, off, len);
                    return v instanceof Long ? (Long) v & 0xffffffffL : v;
                };
            default:
                return a;
        }
    }

    private static Arg fieldArg(EventField f) {
        switch (f.kind()) {
            case CHAR_ARRAY:
                return (d, off, len) -> cString(d, off + f.offset(), Math.min(f.size(), Math.max(0, len - f.offset())));
            case DATA_LOC_STRING:
                return (d, off, len) -> dataLocString(d, off, len, f);
            case FLEX_ARRAY:
                return (d, off, len) -> cString(d, off + f.offset(), Math.max(0, len - f.offset()));
            case FIXED_ARRAY:
                return (d, off, len) -> {
                    int n = Math.max(0, Math.min(f.size(), len - f.offset()));
                    byte[] b = new byte[n];
                    System.arraycopy(d, off + f.offset(), b, 0, n);
                    return b;
                };
            default:
                return (d, off, len) -> read(d, off, len, f);
        }
    }

    /** A field's number, sign- or zero-extended by its size and signedness; 0 past the payload. */
    static long read(byte[] d, int off, int len, EventField f) {
        int size = f.size();
        if (size <= 0 || size > 8) {
            return 0;
        }
        long v = 0;
        for (int i = size - 1; i >= 0; i--) {
            int p = f.offset() + i;
            v = (v << 8) | (p < len ? d[off + p] & 0xff : 0);
        }
        if (f.signed() && size < 8) {
            int shift = 64 - size * 8;
            v = (v << shift) >> shift;
        }
        return v;
    }

    static byte[] dataLocString(byte[] d, int off, int len, EventField f) {
        long item = read(d, off, len, f) & 0xffffffffL;
        int loc = (int) (item & 0xffff);
        int n = (int) (item >>> 16);
        if (loc >= len) {
            return new byte[0];
        }
        return cString(d, off + loc, Math.min(n, len - loc));
    }

    /** The bytes up to the first NUL within {@code max}. */
    static byte[] cString(byte[] d, int p, int max) {
        int n = 0;
        while (n < max && p + n < d.length && d[p + n] != 0) {
            n++;
        }
        byte[] b = new byte[n];
        System.arraycopy(d, p, b, 0, n);
        return b;
    }

    /** trace_print_array_seq: {@code {0x1,0x2}}. */
    static String printArray(byte[] d, int off, int len, int at, int count, int es) {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < count; i++) {
            int p = at + i * es;
            long v = 0;
            for (int k = es - 1; k >= 0; k--) {
                v = (v << 8) | (p + k < len ? d[off + p + k] & 0xff : 0);
            }
            if (i > 0) {
                sb.append(',');
            }
            sb.append("0x").append(Long.toHexString(v));
        }
        return sb.append('}').toString();
    }

    static byte[] bytes(String s) {
        byte[] b = new byte[s.length()];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) s.charAt(i);
        }
        return b;
    }

    // ---------------------------------------------------------------- print fmt text parsing

    private static int closingQuote(String s, int from) {
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '"') {
                return i;
            }
        }
        return -1;
    }

    private static String unescape(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                char n = s.charAt(++i);
                switch (n) {
                    case 'n':
                        sb.append('\n');
                        break;
                    case 't':
                        sb.append('\t');
                        break;
                    default:
                        sb.append(n);
                        break;
                }
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /** Splits a C argument list at top-level commas. */
    static List<String> splitArgs(String s) {
        List<String> out = new ArrayList<>();
        int depth = 0;
        boolean inStr = false;
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (inStr) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inStr = false;
                }
                continue;
            }
            if (c == '"') {
                inStr = true;
            } else if (c == '(' || c == '{' || c == '[') {
                depth++;
            } else if (c == ')' || c == '}' || c == ']') {
                depth--;
            } else if (c == ',' && depth == 0) {
                out.add(s.substring(start, i));
                start = i + 1;
            }
        }
        if (start < s.length() && !s.substring(start).isBlank()) {
            out.add(s.substring(start));
        }
        return out;
    }
}
