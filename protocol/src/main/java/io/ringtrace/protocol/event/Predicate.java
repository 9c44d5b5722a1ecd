package io.ringtrace.protocol.event;

/**
 * One compiled term of an event filter ({@code field op value}), evaluated on the raw payload
 * bytes like the kernel's filter_pred functions: numbers are read at the field's offset with its
 * size and signedness and compared with the value truncated to that size; strings are matched
 * with the kernel's regex_match_* semantics (including their quirks, e.g. a {@code "*end"} glob
 * on a fixed char array compares the last bytes of the array, not of the string).
 *
 * <p>Immutable; evaluation allocates nothing.
 */
final class Predicate {

    // filter ops, in the kernel's parse order ("<=" before "<")
    static final int OP_GLOB = 0;
    static final int OP_NE = 1;
    static final int OP_EQ = 2;
    static final int OP_LE = 3;
    static final int OP_LT = 4;
    static final int OP_GE = 5;
    static final int OP_GT = 6;
    static final int OP_BAND = 7;
    static final String[] OPS = {"~", "!=", "==", "<=", "<", ">=", ">", "&"};

    // predicate functions
    static final int FN_NOP = 0;
    static final int FN_EQ = 1;
    static final int FN_CMP = 2;
    static final int FN_STRING = 3;
    static final int FN_STRLOC = 4;
    static final int FN_COMM = 5;
    static final int FN_CPU = 6;

    // regex kinds
    static final int MATCH_FULL = 0;
    static final int MATCH_FRONT_ONLY = 1;
    static final int MATCH_MIDDLE_ONLY = 2;
    static final int MATCH_END_ONLY = 3;
    static final int MATCH_GLOB = 4;

    static final int TASK_COMM_LEN = 16;

    final int fn;
    final int op;
    final int offset;
    final int size;
    final boolean signed;
    final long val;
    final boolean not;
    final int matchKind;
    final byte[] pattern;
    final int fieldLen;
    final String fieldName;

    private Predicate(String fieldName, int fn, int op, int offset, int size, boolean signed, long val, boolean not,
            int matchKind, byte[] pattern, int fieldLen) {
        this.fieldName = fieldName;
        this.fn = fn;
        this.op = op;
        this.offset = offset;
        this.size = size;
        this.signed = signed;
        this.val = val;
        this.not = not;
        this.matchKind = matchKind;
        this.pattern = pattern;
        this.fieldLen = fieldLen;
    }

    static Predicate numeric(EventField f, int op, long val) {
        int fn;
        if (f.filterType() == EventField.FilterType.CPU) {
            return new Predicate(f.name(), FN_CPU, op, 0, 4, true, val, false, 0, null, 0);
        }
        int size = f.size();
        if (size != 1 && size != 2 && size != 4 && size != 8) {
            fn = FN_NOP;
        } else if (op == OP_EQ || op == OP_NE) {
            fn = FN_EQ;
        } else {
            fn = FN_CMP;
        }
        return new Predicate(f.name(), fn, op, f.offset(), size, f.signed(), val, op == OP_NE, 0, null, 0);
    }

    static Predicate string(EventField f, int op, String rawPattern) {
        boolean not = op == OP_NE;
        int kind = MATCH_FULL;
        String search = rawPattern;
        if (op == OP_GLOB) {
            // filter_parse_regex
            String buff = rawPattern;
            not = false;
            if (!buff.isEmpty() && buff.charAt(0) == '!') {
                not = true;
                buff = buff.substring(1);
            }
            search = buff;
            if (!buff.isEmpty() && KernelText.isDigit(buff.charAt(0))) {
                kind = MATCH_FULL; // MATCH_INDEX is matched in full
            } else {
                int len = buff.length();
                boolean glob = false;
                for (int i = 0; i < len; i++) {
                    char c = buff.charAt(i);
                    if (c == '*') {
                        if (i == 0) {
                            kind = MATCH_END_ONLY;
                        } else if (i == len - 1) {
                            kind = kind == MATCH_END_ONLY ? MATCH_MIDDLE_ONLY : MATCH_FRONT_ONLY;
                            buff = buff.substring(0, i);
                            break;
                        } else {
                            glob = true;
                            break;
                        }
                    } else if (c == '[' || c == '?' || c == '\\') {
                        glob = true;
                        break;
                    }
                }
                if (glob) {
                    kind = MATCH_GLOB;
                    search = buff;
                } else {
                    search = !buff.isEmpty() && buff.charAt(0) == '*' ? buff.substring(1) : buff;
                }
            }
        }
        byte[] pat = new byte[search.length()];
        for (int i = 0; i < pat.length; i++) {
            pat[i] = (byte) search.charAt(i);
        }
        int fn;
        int fieldLen = 0;
        switch (f.filterType()) {
            case COMM:
                fn = FN_COMM;
                fieldLen = TASK_COMM_LEN;
                break;
            case STATIC_STRING:
                fn = FN_STRING;
                fieldLen = f.size();
                break;
            case DYN_STRING:
                fn = FN_STRLOC;
                break;
            default:
                fn = FN_NOP;
                break;
        }
        return new Predicate(f.name(), fn, op, f.offset(), f.size(), false, 0, not, kind, pat, fieldLen);
    }

    boolean test(byte[] rec, int off, int len, FilterContext ctx) {
        switch (fn) {
            case FN_EQ:
                return (truncate(val) == truncate(read(rec, off, len))) ^ not;
            case FN_CMP:
                return compare(read(rec, off, len));
            case FN_STRING:
                return match(rec, off + offset, off + len, fieldLen) ^ not;
            case FN_STRLOC: {
                long item = read4(rec, off, len, offset);
                int loc = (int) (item & 0xffff);
                int slen = (int) (item >>> 16) & 0xffff;
                return match(rec, off + loc, off + len, slen) ^ not;
            }
            case FN_COMM: {
                byte[] comm = ctx.comm();
                return match(comm, 0, comm.length, TASK_COMM_LEN) ^ not;
            }
            case FN_CPU:
                return cpuCompare(ctx.cpu());
            default:
                return false;
        }
    }

    private long truncate(long v) {
        switch (size) {
            case 1:
                return v & 0xff;
            case 2:
                return v & 0xffff;
            case 4:
                return v & 0xffffffffL;
            default:
                return v;
        }
    }

    private long read(byte[] rec, int off, int len) {
        int p = off + offset;
        long v = 0;
        for (int i = size - 1; i >= 0; i--) {
            int b = offset + i < len ? rec[p + i] & 0xff : 0;
            v = (v << 8) | b;
        }
        return v;
    }

    private static long read4(byte[] rec, int off, int len, int at) {
        long v = 0;
        for (int i = 3; i >= 0; i--) {
            int b = at + i < len ? rec[off + at + i] & 0xff : 0;
            v = (v << 8) | b;
        }
        return v;
    }

    private boolean compare(long raw) {
        long a;
        long b;
        if (signed) {
            switch (size) {
                case 1:
                    a = (byte) raw;
                    b = (byte) val;
                    break;
                case 2:
                    a = (short) raw;
                    b = (short) val;
                    break;
                case 4:
                    a = (int) raw;
                    b = (int) val;
                    break;
                default:
                    a = raw;
                    b = val;
                    break;
            }
            switch (op) {
                case OP_LT:
                    return a < b;
                case OP_LE:
                    return a <= b;
                case OP_GT:
                    return a > b;
                case OP_GE:
                    return a >= b;
                case OP_BAND:
                    return (a & b) != 0;
                default:
                    return false;
            }
        }
        a = truncate(raw);
        b = truncate(val);
        switch (op) {
            case OP_LT:
                return Long.compareUnsigned(a, b) < 0;
            case OP_LE:
                return Long.compareUnsigned(a, b) <= 0;
            case OP_GT:
                return Long.compareUnsigned(a, b) > 0;
            case OP_GE:
                return Long.compareUnsigned(a, b) >= 0;
            case OP_BAND:
                return (a & b) != 0;
            default:
                return false;
        }
    }

    private boolean cpuCompare(int cpu) {
        int cmp = (int) val;
        switch (op) {
            case OP_EQ:
                return cpu == cmp;
            case OP_NE:
                return cpu != cmp;
            case OP_LT:
                return cpu < cmp;
            case OP_LE:
                return cpu <= cmp;
            case OP_GT:
                return cpu > cmp;
            case OP_GE:
                return cpu >= cmp;
            default:
                return false;
        }
    }

    // ---------------------------------------------------------------- string matching (C semantics)

    /** The byte at str+i, or NUL past the end of the record. */
    private static int at(byte[] b, int p, int end) {
        return p >= 0 && p < end ? b[p] & 0xff : 0;
    }

    private int pat(int i) {
        return i < pattern.length ? pattern[i] & 0xff : 0;
    }

    /** regex->match(str, r, len). */
    private boolean match(byte[] b, int p, int end, int len) {
        int rlen = pattern.length;
        switch (matchKind) {
            case MATCH_FULL:
                if (len == 0) {
                    return strncmp(b, p, end, Integer.MAX_VALUE) == 0;
                }
                return strncmp(b, p, end, len) == 0;
            case MATCH_FRONT_ONLY:
                if (len != 0 && len < rlen) {
                    return false;
                }
                return strncmp(b, p, end, rlen) == 0;
            case MATCH_MIDDLE_ONLY:
                if (len == 0) {
                    int l1 = 0;
                    while (at(b, p + l1, end) != 0) {
                        l1++;
                    }
                    return strnstr(b, p, end, l1);
                }
                return strnstr(b, p, end, len);
            case MATCH_END_ONLY: {
                int strlen = len - 1;
                if (strlen >= rlen) {
                    for (int i = 0; i < rlen; i++) {
                        if (at(b, p + strlen - rlen + i, end) != pat(i)) {
                            return false;
                        }
                    }
                    return true;
                }
                return false;
            }
            case MATCH_GLOB:
                return globMatch(b, p, end);
            default:
                return false;
        }
    }

    /** strncmp(str, pattern, n): the pattern is NUL terminated. */
    private int strncmp(byte[] b, int p, int end, int n) {
        for (int i = 0; i < n; i++) {
            int c1 = at(b, p + i, end);
            int c2 = pat(i);
            if (c1 != c2) {
                return c1 - c2;
            }
            if (c1 == 0) {
                return 0;
            }
        }
        return 0;
    }

    /** strnstr(str, pattern, len): memcmp at every position while len >= strlen(pattern). */
    private boolean strnstr(byte[] b, int p, int end, int len) {
        int l2 = pattern.length;
        if (l2 == 0) {
            return true;
        }
        int s = p;
        while (len >= l2) {
            len--;
            boolean eq = true;
            for (int i = 0; i < l2; i++) {
                if (at(b, s + i, end) != (pattern[i] & 0xff)) {
                    eq = false;
                    break;
                }
            }
            if (eq) {
                return true;
            }
            s++;
        }
        return false;
    }

    /** lib/glob.c glob_match(pattern, str). */
    private boolean globMatch(byte[] b, int p, int end) {
        int pi = 0;
        int si = p;
        int backPat = -1;
        int backStr = -1;
        for (;;) {
            int c = at(b, si++, end);
            int d = pat(pi++);
            boolean literal = false;
            boolean backtrack = false;
            switch (d) {
                case '?':
                    if (c == 0) {
                        return false;
                    }
                    break;
                case '*':
                    if (pat(pi) == 0) {
                        return true;
                    }
                    backPat = pi;
                    backStr = --si;
                    break;
                case '[': {
                    if (c == 0) {
                        return false;
                    }
                    boolean m = false;
                    boolean inverted = pat(pi) == '!';
                    int cls = pi + (inverted ? 1 : 0);
                    int a = pat(cls++);
                    boolean malformed = false;
                    do {
                        int bb = a;
                        if (a == 0) {
                            malformed = true;
                            break;
                        }
                        if (pat(cls) == '-' && pat(cls + 1) != ']') {
                            bb = pat(cls + 1);
                            if (bb == 0) {
                                malformed = true;
                                break;
                            }
                            cls += 2;
                        }
                        m |= a <= c && c <= bb;
                        a = pat(cls++);
                    } while (a != ']');
                    if (malformed) {
                        literal = true;
                        break;
                    }
                    if (m == inverted) {
                        backtrack = true;
                        break;
                    }
                    pi = cls;
                    break;
                }
                case '\\':
                    d = pat(pi++);
                    literal = true;
                    break;
                default:
                    literal = true;
                    break;
            }
            if (literal) {
                if (c == d) {
                    if (d == 0) {
                        return true;
                    }
                    continue;
                }
                backtrack = true;
            }
            if (backtrack) {
                if (c == 0 || backPat < 0) {
                    return false;
                }
                pi = backPat;
                si = ++backStr;
            }
        }
    }
}
