package io.ringtrace.protocol.text;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * A growable byte buffer for trace text (the kernel's trace_seq): trace output is bytes, since
 * comms and marker texts are whatever bytes were recorded. Helpers cover the printf conversions
 * the output formats use ({@code %16s}, {@code %-7d}, {@code %03d}, hex).
 *
 * <p>Not thread-safe.
 */
public final class TraceSeq {

    private byte[] buf;
    private int len;

    public TraceSeq() {
        this(256);
    }

    public TraceSeq(int capacity) {
        buf = new byte[Math.max(16, capacity)];
    }

    private void ensure(int extra) {
        if (len + extra > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + extra));
        }
    }

    public int length() {
        return len;
    }

    public void clear() {
        len = 0;
    }

    /** Cuts the content back to {@code n} bytes. */
    public void truncate(int n) {
        if (n < len) {
            len = Math.max(0, n);
        }
    }

    public byte byteAt(int i) {
        return buf[i];
    }

    public TraceSeq put(int b) {
        ensure(1);
        buf[len++] = (byte) b;
        return this;
    }

    public TraceSeq put(byte[] b) {
        return put(b, 0, b.length);
    }

    public TraceSeq put(byte[] b, int off, int n) {
        ensure(n);
        System.arraycopy(b, off, buf, len, n);
        len += n;
        return this;
    }

    /** Appends ASCII (or byte-string) text: one byte per char (its low 8 bits). */
    public TraceSeq puts(CharSequence s) {
        int n = s.length();
        ensure(n);
        if (s instanceof String) {
            putLatin1((String) s, n);
            return this;
        }
        for (int i = 0; i < n; i++) {
            buf[len++] = (byte) s.charAt(i);
        }
        return this;
    }

    /** String.getBytes(int, int, byte[], int) keeps the low 8 bits of each char, as puts does. */
    @SuppressWarnings("deprecation")
    private void putLatin1(String s, int n) {
        s.getBytes(0, n, buf, len);
        len += n;
    }

    /** Appends text as UTF-8. */
    public TraceSeq putUtf8(String s) {
        return put(s.getBytes(StandardCharsets.UTF_8));
    }

    private static final byte[] SPACES = "                                ".getBytes(StandardCharsets.US_ASCII);

    public TraceSeq spaces(int n) {
        if (n <= 0) {
            return this;
        }
        ensure(n);
        if (n <= SPACES.length) {
            System.arraycopy(SPACES, 0, buf, len, n);
        } else {
            Arrays.fill(buf, len, len + n, (byte) ' ');
        }
        len += n;
        return this;
    }

    /** {@code %Ns} (right aligned, N > 0) or {@code %-Ns} (left aligned, N < 0) of raw bytes. */
    public TraceSeq padded(byte[] b, int width) {
        return padded(b, 0, b.length, width);
    }

    /** {@code %Ns} / {@code %-Ns} of {@code b[off .. off+n)}. */
    public TraceSeq padded(byte[] b, int off, int n, int width) {
        int w = Math.abs(width);
        if (width > 0) {
            spaces(w - n);
        }
        put(b, off, n);
        if (width < 0) {
            spaces(w - n);
        }
        return this;
    }

    /** {@code %Ns}/{@code %-Ns} of ASCII text. */
    public TraceSeq padded(String s, int width) {
        int w = Math.abs(width);
        if (width > 0) {
            spaces(w - s.length());
        }
        puts(s);
        if (width < 0) {
            spaces(w - s.length());
        }
        return this;
    }

    /** Appends the bytes of {@code d} from {@code p} up to the first NUL, at most {@code max}. */
    public TraceSeq putCString(byte[] d, int p, int max) {
        int n = 0;
        while (n < max && p + n < d.length && d[p + n] != 0) {
            n++;
        }
        Objects.checkFromIndexSize(p, n, d.length);
        return put(d, p, n);
    }

    /** Number of decimal digits of {@code v >= 0}. */
    private static int digits(long v) {
        int n = 1;
        long p = 10;
        while (n < 19 && v >= p) {
            n++;
            p *= 10;
        }
        return n;
    }

    /** "00" .. "99": two digits per division. */
    private static final byte[] PAIRS = new byte[200];

    static {
        for (int i = 0; i < 100; i++) {
            PAIRS[2 * i] = (byte) ('0' + i / 10);
            PAIRS[2 * i + 1] = (byte) ('0' + i % 10);
        }
    }

    /** Writes the {@code n} decimal digits of {@code v >= 0} at the end (leading zeros up to n). */
    private void putDigits(long v, int n) {
        ensure(n);
        byte[] b = buf;
        int start = len;
        int i = start + n;
        while (v >= Integer.MAX_VALUE && i > start) {
            b[--i] = (byte) ('0' + (int) (v % 10));
            v /= 10;
        }
        int x = (int) v;
        while (i - 2 >= start) {
            int q = x / 100;
            int r = (x - q * 100) * 2;
            b[--i] = PAIRS[r + 1];
            b[--i] = PAIRS[r];
            x = q;
        }
        if (i > start) {
            b[--i] = (byte) ('0' + x % 10);
        }
        len = start + n;
    }

    /** {@code %d} (the text of Long.toString). */
    public TraceSeq dec(long v) {
        if (v < 0) {
            if (v == Long.MIN_VALUE) {
                return puts(Long.toString(v));
            }
            put('-');
            v = -v;
        }
        putDigits(v, digits(v));
        return this;
    }

    /** {@code %Nd} / {@code %-Nd} (Long.toString padded with spaces to |width|). */
    public TraceSeq dec(long v, int width) {
        if (v == Long.MIN_VALUE) {
            return padded(Long.toString(v), width);
        }
        int n = v < 0 ? digits(-v) + 1 : digits(v);
        int w = Math.abs(width);
        if (width > 0) {
            spaces(w - n);
        }
        dec(v);
        if (width < 0) {
            spaces(w - n);
        }
        return this;
    }

    /** {@code %llu}: the unsigned text of {@code v} (Long.toUnsignedString). */
    public TraceSeq decUnsigned(long v) {
        if (v < 0) {
            return puts(Long.toUnsignedString(v));
        }
        putDigits(v, digits(v));
        return this;
    }

    /** {@code %0Nd}. */
    public TraceSeq decZero(long v, int width) {
        if (v == Long.MIN_VALUE) {
            String s = Long.toString(Math.abs(v));
            put('-');
            width--;
            for (int i = s.length(); i < width; i++) {
                put('0');
            }
            return puts(s);
        }
        if (v < 0) {
            put('-');
            width--;
            v = -v;
        }
        putDigits(v, Math.max(digits(v), width));
        return this;
    }

    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    /** Lower-case hex without prefix (Long.toHexString: unsigned), zero padded to {@code width} digits. */
    public TraceSeq hex(long v, int width) {
        int n = v == 0 ? 1 : (64 - Long.numberOfLeadingZeros(v) + 3) / 4;
        int total = Math.max(n, width);
        ensure(total);
        int end = len + total;
        for (int i = end - 1; i >= len; i--) {
            buf[i] = HEX[(int) (v & 0xf)];
            v >>>= 4;
        }
        len = end;
        return this;
    }

    /**
     * A nanosecond timestamp as {@code %5llu.%06lu} of the microseconds rounded to nearest: the
     * text of {@link io.ringtrace.protocol.TraceClock#format} for a nanosecond clock.
     */
    public TraceSeq nanosTimestamp(long ts) {
        if (ts < 0 || ts > Long.MAX_VALUE - 500) {
            return puts(io.ringtrace.protocol.TraceClock.LOCAL.format(ts));
        }
        long us = (ts + 500) / 1000;
        long sec = us / 1_000_000L;
        int frac = (int) (us % 1_000_000L);
        int n = digits(sec);
        spaces(5 - n);
        putDigits(sec, n);
        ensure(7);
        buf[len++] = '.';
        putDigits(frac, 6);
        return this;
    }

    /** Copies {@code n} bytes from position {@code from} into {@code dst[off..]}. */
    public void copyTo(int from, byte[] dst, int off, int n) {
        Objects.checkFromIndexSize(from, n, len);
        System.arraycopy(buf, from, dst, off, n);
    }

    /** Appends the content of {@code other}. */
    public TraceSeq put(TraceSeq other) {
        return put(other.buf, 0, other.len);
    }

    /** Drops the first {@code n} bytes, moving the rest to the front. */
    public void discardFront(int n) {
        if (n <= 0) {
            return;
        }
        if (n >= len) {
            len = 0;
            return;
        }
        System.arraycopy(buf, n, buf, 0, len - n);
        len -= n;
    }

    /** The content as a new array. */
    public byte[] toBytes() {
        return Arrays.copyOf(buf, len);
    }

    /** The content as text, one char per byte (ISO-8859-1). */
    public String toByteString() {
        return new String(buf, 0, len, StandardCharsets.ISO_8859_1);
    }

    /** The content decoded as UTF-8. */
    @Override
    public String toString() {
        return new String(buf, 0, len, StandardCharsets.UTF_8);
    }
}
