package io.ringtrace.protocol.event;

import io.ringtrace.protocol.Errno;

import java.util.List;

/**
 * The event filter language of kernel/trace/trace_events_filter.c: {@code calc_stack},
 * {@code predicate_parse} and {@code parse_pred}, with the same error texts, error positions and
 * errnos (a missing ')' gives ENOENT, a stray ')' EPERM, a missing quote ESRCH, most others EINVAL,
 * exactly as the kernel's negative return values come out).
 *
 * <p>Terms: {@code field op value}. Numbers take {@code == != < <= > >= &} and a C integer
 * ({@code 0x} hex, leading-0 octal, {@code -}); strings take {@code == !=} and {@code ~} (glob:
 * {@code *}, {@code ?}, {@code [...]}) with a quoted value. Terms combine with {@code && || ! ( )}.
 * Fields are the event's own, then the generic {@code CPU cpu common_cpu COMM comm}, then the
 * common header fields.
 *
 * <p>Stateless and thread-safe.
 */
public final class FilterParser {

    // error codes, in the kernel's err_text order
    public static final int ERR_NONE = 0;
    public static final int ERR_INVALID_OP = 1;
    public static final int ERR_TOO_MANY_OPEN = 2;
    public static final int ERR_TOO_MANY_CLOSE = 3;
    public static final int ERR_MISSING_QUOTE = 4;
    public static final int ERR_MISSING_BRACE_OPEN = 5;
    public static final int ERR_MISSING_BRACE_CLOSE = 6;
    public static final int ERR_OPERAND_TOO_LONG = 7;
    public static final int ERR_EXPECT_STRING = 8;
    public static final int ERR_EXPECT_DIGIT = 9;
    public static final int ERR_ILLEGAL_FIELD_OP = 10;
    public static final int ERR_FIELD_NOT_FOUND = 11;
    public static final int ERR_ILLEGAL_INTVAL = 12;
    public static final int ERR_BAD_SUBSYS_FILTER = 13;
    public static final int ERR_TOO_MANY_PREDS = 14;
    public static final int ERR_INVALID_FILTER = 15;
    public static final int ERR_INVALID_CPULIST = 16;
    public static final int ERR_IP_FIELD_ONLY = 17;
    public static final int ERR_INVALID_VALUE = 18;
    public static final int ERR_NO_FUNCTION = 19;
    public static final int ERR_ERRNO = 20;
    public static final int ERR_NO_FILTER = 21;

    /** The kernel's err_text[] of the filter parser. */
    public static final List<String> ERR_TEXT = List.of(
            "No error",
            "Invalid operator",
            "Too many '('",
            "Too few '('",
            "Missing matching quote",
            "Missing '{'",
            "Missing '}'",
            "Operand too long",
            "Expecting string field",
            "Expecting numeric field",
            "Illegal operation for field type",
            "Field not found",
            "Illegal integer value",
            "Couldn't find or set field in one of a subsystem's events",
            "Too many terms in predicate expression",
            "Meaningless filter expression",
            "Invalid cpulist",
            "Only 'ip' field is supported for function trace",
            "Invalid value (did you forget quotes)?",
            "Function not found",
            "Error",
            "No filter found");

    /** Where the kernel's error_log entries of filter errors say they come from. */
    public static final String ERROR_LOC = "event filter parse error";

    static final int MAX_FILTER_STR_VAL = 256;
    private static final int NUM_BUF = 24;

    private static final int INVERT = 1;
    private static final int PROCESS_AND = 2;
    private static final int PROCESS_OR = 4;

    // kernel return values that become errnos
    private static final int R_EPERM = -1;
    private static final int R_ENOENT = -2;
    private static final int R_ESRCH = -3;
    private static final int R_EINVAL = -22;

    /** The generic fields (ftrace_generic_fields), found after the event's own fields. */
    /** The kernel answers a missing quote with ESRCH (-3); EINVAL where Errno has no ESRCH. */
    private static final Errno ESRCH = errno("ESRCH", Errno.EINVAL);

    static Errno errno(String name, Errno fallback) {
        try {
            return Errno.valueOf(name);
        } catch (IllegalArgumentException e) {
            return fallback;
        }
    }

    private static final List<EventField> GENERIC_FIELDS = List.of(
            new EventField("int", "CPU", 0, 4, true, EventField.Kind.NUMBER, 4, EventField.FilterType.CPU),
            new EventField("int", "cpu", 0, 4, true, EventField.Kind.NUMBER, 4, EventField.FilterType.CPU),
            new EventField("int", "common_cpu", 0, 4, true, EventField.Kind.NUMBER, 4, EventField.FilterType.CPU),
            new EventField("char *", "COMM", 0, 8, false, EventField.Kind.NUMBER, 8, EventField.FilterType.COMM),
            new EventField("char *", "comm", 0, 8, false, EventField.Kind.NUMBER, 8, EventField.FilterType.COMM),
            new EventField("char *", "stacktrace", 0, 8, false, EventField.Kind.NUMBER, 8,
                    EventField.FilterType.STACKTRACE),
            new EventField("char *", "STACKTRACE", 0, 8, false, EventField.Kind.NUMBER, 8,
                    EventField.FilterType.STACKTRACE));

    /**
     * Outcome of a parse: the filter, or an error with the kernel's {@code lasterr} code and
     * position (0 code with an errno means the kernel's bare "Error").
     */
    public static final class Result {
        private final EventFilter filter;
        private final Errno errno;
        private final int lastErr;
        private final int lastErrPos;
        private final String text;

        Result(EventFilter filter, Errno errno, int lastErr, int lastErrPos, String text) {
            this.filter = filter;
            this.errno = errno;
            this.lastErr = lastErr;
            this.lastErrPos = lastErrPos;
            this.text = text;
        }

        public boolean ok() {
            return filter != null;
        }

        public EventFilter filter() {
            return filter;
        }

        /** The errno a write of this filter fails with; null on success. */
        public Errno errno() {
            return errno;
        }

        /** The kernel's pe->lasterr (index into {@link #ERR_TEXT}); 0 when the error has no text. */
        public int lastErr() {
            return lastErr;
        }

        /** The kernel's pe->lasterr_pos. */
        public int lastErrPos() {
            return lastErrPos;
        }

        /** The filter string that was parsed. */
        public String text() {
            return text;
        }

        /**
         * What the {@code filter} file reads after this failed write (append_filter_err), without
         * the final newline the file adds: the string, a caret line and {@code parse_error: ...},
         * or {@code Error: (0)} when the error has no text.
         */
        public String errorReadBack() {
            StringBuilder sb = new StringBuilder(text);
            if (lastErr > 0) {
                int pos = Math.min(lastErrPos, text.length());
                if (pos != 0) {
                    pos++;
                }
                sb.append('\n');
                for (int i = 1; i < pos; i++) {
                    sb.append(' ');
                }
                sb.append('^');
                sb.append("\nparse_error: ").append(ERR_TEXT.get(lastErr)).append('\n');
            } else {
                sb.append("\nError: (").append(lastErr).append(")\n");
            }
            return sb.toString();
        }

        /** The error_log message: the error text, or "Error" when there is none. */
        public String errorLogText() {
            return lastErr > 0 ? ERR_TEXT.get(lastErr) : ERR_TEXT.get(ERR_ERRNO);
        }

        /** The error_log caret position (0 when the error has no text). */
        public int errorLogPos() {
            return lastErr > 0 ? lastErrPos : 0;
        }
    }

    private static final class ParseError {
        int lastErr;
        int lastErrPos;

        void set(int err, int pos) {
            lastErr = err;
            lastErrPos = pos;
        }
    }

    private FilterParser() {
    }

    /**
     * Parses a filter for {@code type} (the kernel's process_preds). {@code filter} is a byte
     * string; it should already have its trailing white space removed, as the kernel's
     * apply_event_filter does.
     */
    public static Result parse(EventType type, String filter) {
        String str = KernelText.cString(filter);
        ParseError pe = new ParseError();
        int[] stack = new int[2];
        int rc = calcStack(str, stack, pe);
        if (rc < 0) {
            return error(rc, pe, str);
        }
        int nrParens = stack[0];
        int nrPreds = stack[1];
        if (nrPreds == 0) {
            return error(R_EINVAL, pe, str);
        }
        return predicateParse(type, str, nrParens, nrPreds, pe);
    }

    private static Result error(int rc, ParseError pe, String text) {
        Errno e;
        switch (rc) {
            case R_EPERM:
                e = Errno.EPERM;
                break;
            case R_ENOENT:
                e = Errno.ENOENT;
                break;
            case R_ESRCH:
                e = ESRCH;
                break;
            default:
                e = Errno.EINVAL;
                break;
        }
        return new Result(null, e, pe.lastErr, pe.lastErrPos, text);
    }

    private static int ch(String s, int i) {
        return i >= 0 && i < s.length() ? s.charAt(i) : 0;
    }

    /** calc_stack: counts predicates and parenthesis depth, finds unbalanced parentheses and quotes. */
    private static int calcStack(String str, int[] out, ParseError pe) {
        boolean isPred = false;
        int nrPreds = 0;
        int open = 1;
        int lastQuote = 0;
        int maxOpen = 1;
        int quote = 0;
        int i;
        int n = str.length();
        for (i = 0; i < n; i++) {
            int c = str.charAt(i);
            if (KernelText.isSpace(c)) {
                continue;
            }
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                }
                continue;
            }
            boolean cont = false;
            switch (c) {
                case '\'':
                case '"':
                    quote = c;
                    lastQuote = i;
                    break;
                case '|':
                case '&':
                    if (ch(str, i + 1) != c) {
                        break;
                    }
                    isPred = false;
                    cont = true;
                    break;
                case '(':
                    isPred = false;
                    open++;
                    if (open > maxOpen) {
                        maxOpen = open;
                    }
                    cont = true;
                    break;
                case ')':
                    isPred = false;
                    if (open == 1) {
                        pe.set(ERR_TOO_MANY_CLOSE, i);
                        return R_EPERM;
                    }
                    open--;
                    cont = true;
                    break;
                default:
                    break;
            }
            if (cont) {
                continue;
            }
            if (!isPred) {
                nrPreds++;
                isPred = true;
            }
        }
        if (quote != 0) {
            pe.set(ERR_MISSING_QUOTE, lastQuote);
            return R_ESRCH;
        }
        if (open != 1) {
            int level = open;
            for (i--; i > 0; i--) {
                int c = str.charAt(i);
                if (quote != 0) {
                    if (c == quote) {
                        quote = 0;
                    }
                    continue;
                }
                switch (c) {
                    case '(':
                        if (level == open) {
                            pe.set(ERR_TOO_MANY_OPEN, i);
                            return R_ENOENT;
                        }
                        level--;
                        break;
                    case ')':
                        level++;
                        break;
                    case '\'':
                    case '"':
                        quote = c;
                        break;
                    default:
                        break;
                }
            }
            pe.set(ERR_TOO_MANY_OPEN, 0);
            return R_ENOENT;
        }
        out[0] = maxOpen;
        out[1] = nrPreds;
        return 0;
    }

    private static boolean isNot(String s, int i) {
        int c = ch(s, i + 1);
        return c != '=' && c != '~';
    }

    private static void updatePreds(int[] target, boolean[] when, int n, boolean invert) {
        int t = target[n];
        int s = target[t];
        when[t] = invert;
        target[t] = n;
        target[n] = s;
    }

    private static Result predicateParse(EventType type, String str, int nrParens, int nrPreds, ParseError pe) {
        nrPreds += 2;
        int[] opStack = new int[nrParens + 2];
        Predicate[] preds = new Predicate[nrPreds];
        int[] target = new int[nrPreds];
        boolean[] when = new boolean[nrPreds];
        boolean[] inverts = new boolean[nrPreds];
        int top = 0;
        opStack[0] = 0;
        boolean invert = false;
        int ret = -12; // -ENOMEM until the first predicate
        int n = 0;
        int ptr = 0;
        Predicate[] out = new Predicate[1];
        outer:
        while (ch(str, ptr) != 0) {
            int next = ptr++;
            int c = ch(str, next);
            if (KernelText.isSpace(c)) {
                continue;
            }
            if (c == '(') {
                if (top > nrParens) {
                    return error(R_EINVAL, pe, str);
                }
                opStack[++top] = invert ? INVERT : 0;
                continue;
            }
            if (c == '!' && isNot(str, next)) {
                invert = !invert;
                continue;
            }
            if (n >= nrPreds) {
                pe.set(ERR_TOO_MANY_PREDS, next);
                return error(ret, pe, str);
            }
            inverts[n] = invert;
            target[n] = n - 1;
            int len = parsePred(type, str, next, ptr, pe, out);
            if (len < 0) {
                return error(len, pe, str);
            }
            preds[n] = out[0];
            ptr = next + len;
            n++;
            ret = R_EPERM;
            while (true) {
                next = ptr++;
                c = ch(str, next);
                if (KernelText.isSpace(c)) {
                    continue;
                }
                boolean ok;
                switch (c) {
                    case ')':
                    case 0:
                        ok = true;
                        break;
                    case '&':
                    case '|':
                        if (ch(str, next + 1) == c) {
                            ptr++;
                            ok = true;
                        } else {
                            ok = false;
                        }
                        break;
                    default:
                        ok = false;
                        break;
                }
                if (!ok) {
                    pe.set(ERR_TOO_MANY_PREDS, next);
                    return error(ret, pe, str);
                }
                invert = (opStack[top] & INVERT) != 0;
                if ((opStack[top] & PROCESS_AND) != 0) {
                    updatePreds(target, when, n - 1, invert);
                    opStack[top] &= ~PROCESS_AND;
                }
                if (c == '&') {
                    opStack[top] |= PROCESS_AND;
                    break;
                }
                if ((opStack[top] & PROCESS_OR) != 0) {
                    updatePreds(target, when, n - 1, !invert);
                    opStack[top] &= ~PROCESS_OR;
                }
                if (c == '|') {
                    opStack[top] |= PROCESS_OR;
                    break;
                }
                if (c == 0) {
                    break outer;
                }
                if (top == 0) {
                    pe.set(ERR_TOO_MANY_CLOSE, ptr);
                    return error(R_EPERM, pe, str);
                }
                top--;
            }
        }
        if (top != 0) {
            pe.set(ERR_TOO_MANY_OPEN, ptr);
            return error(ret, pe, str);
        }
        if (n == 0) {
            pe.set(ERR_NO_FILTER, ptr);
            return error(R_EINVAL, pe, str);
        }
        // #13: TRUE and FALSE entries
        target[n] = 1;
        target[n + 1] = 0;
        when[n] = false;
        when[n + 1] = false;
        target[n - 1] = n;
        when[n - 1] = false;
        // second pass
        for (int i = n - 1; i-- > 0; ) {
            int t = target[i];
            if (when[i] == when[t]) {
                target[i] = target[t];
            }
        }
        // third pass
        for (int i = 0; i < n; i++) {
            when[i] = inverts[i] ^ when[i];
            if (target[i] <= i) {
                return error(R_EINVAL, pe, str);
            }
        }
        Predicate[] p = new Predicate[n];
        System.arraycopy(preds, 0, p, 0, n);
        int[] tg = new int[n + 2];
        System.arraycopy(target, 0, tg, 0, n + 2);
        boolean[] wb = new boolean[n];
        System.arraycopy(when, 0, wb, 0, n);
        return new Result(new EventFilter(p, tg, wb, str), null, 0, 0, str);
    }

    /** trace_find_event_field: the event's fields, then the generic fields, then the common ones. */
    static EventField findField(EventType type, String name) {
        for (EventField f : type.fields()) {
            if (f.name().equals(name)) {
                return f;
            }
        }
        for (EventField f : GENERIC_FIELDS) {
            if (f.name().equals(name)) {
                return f;
            }
        }
        for (EventField f : EventType.COMMON_FIELDS) {
            if (f.name().equals(name)) {
                return f;
            }
        }
        return null;
    }

    /**
     * parse_pred: one {@code field op value} starting at {@code base} of {@code all}; {@code pos}
     * is the kernel's (one past the first character). Returns the length consumed or a negative
     * kernel return value.
     */
    private static int parsePred(EventType type, String all, int base, int pos, ParseError pe, Predicate[] out) {
        int i = 0;
        while (KernelText.isSpace(ch(all, base + i))) {
            i++;
        }
        int s = i;
        while (KernelText.isAlnum(ch(all, base + i)) || ch(all, base + i) == '_') {
            i++;
        }
        int len = i - s;
        if (len == 0) {
            return -1;
        }
        String fieldName = all.substring(base + s, base + i);
        EventField field = findField(type, fieldName);
        if (field == null) {
            pe.set(ERR_FIELD_NOT_FOUND, pos + i);
            return R_EINVAL;
        }
        while (KernelText.isSpace(ch(all, base + i))) {
            i++;
        }
        int op = -1;
        for (int k = 0; k < Predicate.OPS.length; k++) {
            if (all.startsWith(Predicate.OPS[k], base + i)) {
                op = k;
                break;
            }
        }
        if (op < 0) {
            pe.set(ERR_INVALID_OP, pos + i);
            return R_EINVAL;
        }
        i += Predicate.OPS[op].length();
        while (KernelText.isSpace(ch(all, base + i))) {
            i++;
        }
        s = i;
        int c = ch(all, base + i);
        if (c == '\'' || c == '"') {
            int q = c;
            switch (op) {
                case Predicate.OP_NE:
                case Predicate.OP_GLOB:
                case Predicate.OP_EQ:
                    break;
                default:
                    pe.set(ERR_ILLEGAL_FIELD_OP, pos + i);
                    return R_EINVAL;
            }
            if (!field.isString()) {
                pe.set(ERR_EXPECT_DIGIT, pos + i);
                return R_EINVAL;
            }
            for (i++; ch(all, base + i) != 0; i++) {
                if (ch(all, base + i) == q) {
                    break;
                }
            }
            if (ch(all, base + i) == 0) {
                pe.set(ERR_MISSING_QUOTE, pos + i);
                return R_EINVAL;
            }
            s++;
            len = i - s;
            if (len >= MAX_FILTER_STR_VAL) {
                pe.set(ERR_OPERAND_TOO_LONG, pos + i);
                return R_EINVAL;
            }
            out[0] = Predicate.string(field, op, all.substring(base + s, base + i));
            i++;
        } else if (KernelText.isDigit(c) || c == '-') {
            if (field.isString()) {
                pe.set(ERR_EXPECT_STRING, pos + i);
                return R_EINVAL;
            }
            if (op == Predicate.OP_GLOB) {
                pe.set(ERR_ILLEGAL_FIELD_OP, pos + i);
                return R_EINVAL;
            }
            if (c == '-') {
                i++;
            }
            while (KernelText.isAlnum(ch(all, base + i))) {
                i++;
            }
            len = i - s;
            if (len >= NUM_BUF) {
                pe.set(ERR_OPERAND_TOO_LONG, pos + i);
                return R_EINVAL;
            }
            String num = all.substring(base + s, base + i);
            long val;
            try {
                val = field.signed() ? KernelText.kstrtoll(num, 0) : KernelText.kstrtoull(num, 0);
            } catch (KernelText.BadNumber e) {
                pe.set(ERR_ILLEGAL_INTVAL, pos + s);
                return R_EINVAL;
            }
            out[0] = Predicate.numeric(field, op, val);
        } else {
            pe.set(ERR_INVALID_VALUE, pos + i);
            return R_EINVAL;
        }
        return i;
    }
}
