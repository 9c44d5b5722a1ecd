package io.ringtrace.protocol.event;

import java.nio.charset.StandardCharsets;

/**
 * The kernel's little text helpers that decide what a tracefs write accepts: C {@code isspace},
 * {@code isalnum}, {@code kstrtoull}/{@code kstrtoll} with base detection, {@code strim}.
 *
 * <p>Control-file text in this package is a "byte string": one Java char per byte
 * (ISO-8859-1), so positions and lengths count bytes as the kernel does.
 */
final class KernelText {

    /** Parse failure: the kernel's -EINVAL. */
    static final class BadNumber extends Exception {
        private static final long serialVersionUID = 1L;
        final boolean range;

        BadNumber(boolean range) {
            super(range ? "ERANGE" : "EINVAL", null, false, false);
            this.range = range;
        }
    }

    private KernelText() {
    }

    static boolean isSpace(int c) {
        return c == ' ' || c == '\t' || c == '\n' || c == 0x0b || c == '\f' || c == '\r';
    }

    static boolean isAlnum(int c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    static boolean isDigit(int c) {
        return c >= '0' && c <= '9';
    }

    static boolean isXDigit(int c) {
        return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    /** The byte string of UTF-8 text. */
    static String bytes(String text) {
        return new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    }

    /** Cuts a byte string at its first NUL, as a C string copy would. */
    static String cString(String s) {
        int z = s.indexOf('\0');
        return z < 0 ? s : s.substring(0, z);
    }

    /** strim: leading and trailing white space removed. */
    static String strim(String s) {
        int a = 0;
        int b = s.length();
        while (a < b && isSpace(s.charAt(a))) {
            a++;
        }
        while (b > a && isSpace(s.charAt(b - 1))) {
            b--;
        }
        return s.substring(a, b);
    }

    /** strstrip's effect on the original pointer: trailing white space removed. */
    static String stripTrailing(String s) {
        int b = s.length();
        while (b > 0 && isSpace(s.charAt(b - 1))) {
            b--;
        }
        return s.substring(0, b);
    }

    /** kstrtoull(s, base): base 0 detects 0x (hex) and 0 (octal); one trailing newline allowed. */
    static long kstrtoull(String s, int base) throws BadNumber {
        int i = 0;
        int n = s.length();
        if (i < n && s.charAt(i) == '+') {
            i++;
        }
        if (base == 0) {
            if (i < n && s.charAt(i) == '0') {
                base = i + 2 < n && Character.toLowerCase(s.charAt(i + 1)) == 'x' && isXDigit(s.charAt(i + 2))
                        ? 16 : 8;
            } else {
                base = 10;
            }
        }
        if (base == 16 && i + 1 < n && s.charAt(i) == '0' && Character.toLowerCase(s.charAt(i + 1)) == 'x') {
            i += 2;
        }
        long res = 0;
        int digits = 0;
        boolean overflow = false;
        while (i < n) {
            char c = s.charAt(i);
            int v;
            if (c >= '0' && c <= '9') {
                v = c - '0';
            } else if (c >= 'a' && c <= 'z') {
                v = c - 'a' + 10;
            } else if (c >= 'A' && c <= 'Z') {
                v = c - 'A' + 10;
            } else {
                break;
            }
            if (v >= base) {
                break;
            }
            // overflow check for unsigned 64-bit
            long hi = Math.multiplyHigh(res, base) + ((res >> 63) & base);
            long lo = res * base;
            if (hi != 0) {
                overflow = true;
            }
            long sum = lo + v;
            if (Long.compareUnsigned(sum, lo) < 0) {
                overflow = true;
            }
            res = sum;
            digits++;
            i++;
        }
        if (digits == 0) {
            throw new BadNumber(false);
        }
        if (overflow) {
            throw new BadNumber(true);
        }
        if (i < n && s.charAt(i) == '\n') {
            i++;
        }
        if (i != n) {
            throw new BadNumber(false);
        }
        return res;
    }

    /** kstrtoll(s, base). */
    static long kstrtoll(String s, int base) throws BadNumber {
        if (!s.isEmpty() && s.charAt(0) == '-') {
            long t = kstrtoull(s.substring(1), base);
            if (Long.compareUnsigned(t, Long.MIN_VALUE) > 0) {
                throw new BadNumber(true);
            }
            return -t;
        }
        long t = kstrtoull(s, base);
        if (t < 0) {
            throw new BadNumber(true);
        }
        return t;
    }

    /**
     * kstrtoul_from_user(buf, count, 10): at most 66 bytes are looked at; returns the value or
     * throws EINVAL/ERANGE.
     */
    static long kstrtoulFromUser(String s) throws BadNumber {
        if (s.length() > 66) {
            s = s.substring(0, 66);
        }
        return kstrtoull(cString(s), 10);
    }
}
