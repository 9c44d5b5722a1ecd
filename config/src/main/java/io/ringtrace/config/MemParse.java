package io.ringtrace.config;

/**
 * The kernel's {@code memparse()}: a number in C notation ({@code simple_strtoull} with base 0:
 * {@code 0x} hex when a hex digit follows, a leading {@code 0} octal, decimal otherwise; no sign,
 * no leading blanks) followed by an optional binary suffix {@code K M G T P E} in either case.
 * Parsing stops at the first character that does not fit; like the kernel, that is not an error in
 * itself, and {@link Parsed#end()} tells where it stopped so callers can check what follows.
 *
 * <p>One deliberate difference: the kernel wraps silently past 2^64. Here any value above
 * {@link Long#MAX_VALUE} (8 EiB - 1) sets {@link Parsed#overflow()} and the value is meaningless;
 * callers reject such input instead of booting with a wrapped size.
 */
public final class MemParse {

    private MemParse() {
    }

    /**
     * The result of one parse.
     *
     * @param value the number with the suffix applied; 0 when {@link #overflow()} is set
     * @param end index just past the last character consumed (equals the start when no digit)
     * @param overflow the value does not fit in a signed 64-bit long
     */
    public record Parsed(long value, int end, boolean overflow) {

        /** True when nothing was consumed from {@code start}. */
        public boolean empty(int start) {
            return end == start;
        }
    }

    /** Parses {@code s} from {@code start}. Never throws for any {@code 0 <= start <= length}. */
    public static Parsed parse(String s, int start) {
        int n = s.length();
        int i = start;
        int base = 10;
        if (i < n && s.charAt(i) == '0') {
            if (i + 2 < n && (s.charAt(i + 1) == 'x' || s.charAt(i + 1) == 'X')
                    && digit(s.charAt(i + 2), 16) >= 0) {
                base = 16;
                i += 2;
            } else {
                base = 8;
            }
        }
        long value = 0;
        boolean overflow = false;
        while (i < n) {
            int d = digit(s.charAt(i), base);
            if (d < 0) {
                break;
            }
            if (!overflow) {
                if (value > (Long.MAX_VALUE - d) / base) {
                    overflow = true;
                } else {
                    value = value * base + d;
                }
            }
            i++;
        }
        // Like the kernel, a suffix is taken even when no digit came before it ("K" is 0).
        int shift = i < n ? suffixShift(s.charAt(i)) : 0;
        if (shift > 0) {
            i++;
            if (!overflow && value != 0 && Long.numberOfLeadingZeros(value) <= shift) {
                overflow = true;
            }
            if (!overflow) {
                value <<= shift;
            }
        }
        return new Parsed(overflow ? 0 : value, i, overflow);
    }

    /** Parses the whole of {@code s}; null when it is empty, has trailing characters or overflows. */
    public static Long parseFully(String s) {
        Parsed p = parse(s, 0);
        if (p.overflow() || p.empty(0) || p.end() != s.length()) {
            return null;
        }
        return p.value();
    }

    private static int digit(char c, int base) {
        if (c >= '0' && c <= '9') {
            int d = c - '0';
            return d < base ? d : -1;
        }
        if (base == 16) {
            if (c >= 'a' && c <= 'f') {
                return c - 'a' + 10;
            }
            if (c >= 'A' && c <= 'F') {
                return c - 'A' + 10;
            }
        }
        return -1;
    }

    private static int suffixShift(char c) {
        switch (c) {
            case 'K': case 'k': return 10;
            case 'M': case 'm': return 20;
            case 'G': case 'g': return 30;
            case 'T': case 't': return 40;
            case 'P': case 'p': return 50;
            case 'E': case 'e': return 60;
            default: return 0;
        }
    }
}
