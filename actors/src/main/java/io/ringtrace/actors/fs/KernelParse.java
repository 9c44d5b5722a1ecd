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
     * tracing_cpumask_write, cpumask_parse_user and bitmap_parse (lib/bitmap-str.c) for a mask of
     * {@code nbits} CPUs, 1 to 64. The text ends at the first NUL or newline; what follows is
     * ignored. It is read from its end: white space (the kernel's isspace) and commas separate
     * chunks, any number of them anywhere; each chunk is up to 8 hex digits of either case and
     * gives the next 32 bits, least significant chunk last in the text. A text with no chunk
     * (empty, white space, commas) is the empty mask; an empty write (count 0) is EINVAL.
     * <p>
     * EOVERFLOW: more chunks than the mask has 32-bit words (with 32 CPUs or fewer "0,1" already),
     * a 9th hex digit in a chunk, or a bit set at or above {@code nbits}. EINVAL: any other byte in
     * a chunk's last 8 places. As in the kernel, a byte other than a hex digit just before a chunk
     * of 8 digits is skipped unread, so "x00000001" is the mask 1.
     */
    public static long cpumask(byte[] data, int nbits) throws ErrnoException {
        if (nbits < 1 || nbits > 64) {
            throw new IllegalArgumentException("nbits must be 1..64, got " + nbits);
        }
        if (data.length == 0) {
            throw new ErrnoException(Errno.EINVAL);
        }
        int words = (nbits + 31) / 32;
        int end = endOfString(data) - 1;
        long mask = 0;
        for (int chunk = 0; ; chunk++) {
            while (end >= 0 && endOfRegion(data[end])) {
                end--;
            }
            if (end < 0) {
                break;
            }
            if (chunk == words) {
                throw new ErrnoException(Errno.EOVERFLOW);
            }
            long word = 0;
            for (int shift = 0; ; shift += 4) {
                if (shift == 32) {
                    if (hexToBin(data[end--]) >= 0) {
                        throw new ErrnoException(Errno.EOVERFLOW);
                    }
                    break;
                }
                int d = hexToBin(data[end--]);
                if (d < 0) {
                    throw new ErrnoException(Errno.EINVAL);
                }
                word |= (long) d << shift;
                if (end < 0 || endOfRegion(data[end])) {
                    break;
                }
            }
            mask |= word << (32 * chunk);
        }
        if (nbits < 64 && mask >>> nbits != 0) {
            throw new ErrnoException(Errno.EOVERFLOW);
        }
        return mask;
    }

    /** strnchrnul(buf, count, '\n') on the NUL-terminated copy: where bitmap_parse's text ends. */
    private static int endOfString(byte[] data) {
        for (int i = 0; i < data.length; i++) {
            if (data[i] == 0 || data[i] == '\n') {
                return i;
            }
        }
        return data.length;
    }

    /** __end_of_region: what separates bitmap_parse's chunks. */
    private static boolean endOfRegion(byte b) {
        return b == ',' || isspace(b & 0xff);
    }

    /** hex_to_bin: the value of a hex digit of either case, or -1. */
    private static int hexToBin(byte b) {
        if (b >= '0' && b <= '9') {
            return b - '0';
        }
        int lower = b | 0x20;
        return lower >= 'a' && lower <= 'f' ? lower - 'a' + 10 : -1;
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
