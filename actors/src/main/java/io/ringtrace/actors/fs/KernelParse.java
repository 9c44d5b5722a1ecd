package io.ringtrace.actors.fs;

import io.ringtrace.protocol.Errno;
import io.ringtrace.protocol.ErrnoException;

import java.nio.charset.StandardCharsets;

/** The kernel's parsers for values written to tracefs files (lib/kstrtox.c and friends). */
public final class KernelParse {
    /** kstrtoul_from_user copies at most this many bytes; the rest is silently cut. */
    private static final int KSTRTO_MAX = 66;

    private KernelParse() {
    }

    /**
     * kstrtoul_from_user(buf, count, 10): one optional leading '+', decimal digits, one optional
     * trailing newline. Empty, spaces, signs other than '+', hex prefixes: EINVAL. Too large: ERANGE.
     */
    public static long kstrtoul(byte[] data) throws ErrnoException {
        int n = Math.min(data.length, KSTRTO_MAX);
        int i = 0;
        if (n > 0 && data[n - 1] == '\n') {
            n--;
        }
        if (i < n && data[i] == '+') {
            i++;
        }
        if (i >= n) {
            throw new ErrnoException(Errno.EINVAL);
        }
        long v = 0;
        for (; i < n; i++) {
            int c = data[i];
            if (c < '0' || c > '9') {
                throw new ErrnoException(Errno.EINVAL);
            }
            int d = c - '0';
            if (Long.compareUnsigned(v, Long.divideUnsigned(-1L - d, 10)) > 0) {
                throw new ErrnoException(Errno.ERANGE);
            }
            v = v * 10 + d;
        }
        return v;
    }

    /** The written bytes as text, with trailing and leading white space removed (strstrip). */
    public static String stripped(byte[] data, int max) {
        int n = Math.min(data.length, max);
        return new String(data, 0, n, StandardCharsets.UTF_8).strip();
    }

    /**
     * tracing_cpumask_write and cpumask_parse_user: hex digits in comma-separated 32-bit groups,
     * most significant first, an optional trailing newline. Bits at or beyond {@code nbits} give
     * EOVERFLOW; anything else not hex gives EINVAL. An empty write (count 0) gives EINVAL; a write
     * of white space only (a bare newline, spaces) holds no group, and bitmap_parse makes that
     * the empty mask.
     */
    public static long cpumask(byte[] data, int nbits) throws ErrnoException {
        if (data.length == 0) {
            throw new ErrnoException(Errno.EINVAL);
        }
        if (blank(data)) {
            return 0;
        }
        int n = data.length;
        if (data[n - 1] == '\n') {
            n--;
        }
        String s = new String(data, 0, n, StandardCharsets.US_ASCII);
        String[] groups = s.split(",", -1);
        long mask = 0;
        for (String g : groups) {
            if (g.isEmpty() || g.length() > 8) {
                throw new ErrnoException(g.isEmpty() ? Errno.EINVAL : Errno.EOVERFLOW);
            }
            long v = 0;
            for (int i = 0; i < g.length(); i++) {
                int d = Character.digit(g.charAt(i), 16);
                if (d < 0) {
                    throw new ErrnoException(Errno.EINVAL);
                }
                v = v << 4 | d;
            }
            if (mask >>> 32 != 0) {
                throw new ErrnoException(Errno.EOVERFLOW);
            }
            mask = mask << 32 | v;
        }
        if (nbits < 64 && (mask >>> nbits) != 0) {
            throw new ErrnoException(Errno.EOVERFLOW);
        }
        return mask;
    }

    private static boolean blank(byte[] data) {
        for (byte b : data) {
            if (!isspace(b & 0xff)) {
                return false;
            }
        }
        return true;
    }

    /** The kernel's isspace (lib/ctype.c): Latin-1's no-break space counts too. */
    private static boolean isspace(int c) {
        return c == ' ' || (c >= '\t' && c <= '\r') || c == 0xa0;
    }

    /** "%*pb" of a cpumask: hex, 32-bit groups separated by commas when more than 32 CPUs. */
    public static String cpumaskText(long mask, int nbits) {
        if (nbits <= 32) {
            return Long.toHexString(mask);
        }
        String hi = Long.toHexString(mask >>> 32);
        String lo = String.format("%08x", mask & 0xffffffffL);
        return hi + "," + lo;
    }
}
