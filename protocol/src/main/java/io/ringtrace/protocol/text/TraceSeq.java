package io.ringtrace.protocol.text;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

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

    /** Appends ASCII (or byte-string) text: one byte per char. */
    public TraceSeq puts(CharSequence s) {
        int n = s.length();
        ensure(n);
        for (int i = 0; i < n; i++) {
            buf[len++] = (byte) s.charAt(i);
        }
        return this;
    }

    /** Appends text as UTF-8. */
    public TraceSeq putUtf8(String s) {
        return put(s.getBytes(StandardCharsets.UTF_8));
    }

    public TraceSeq spaces(int n) {
        ensure(Math.max(0, n));
        for (int i = 0; i < n; i++) {
            buf[len++] = ' ';
        }
        return this;
    }

    /** {@code %Ns} (right aligned, N > 0) or {@code %-Ns} (left aligned, N < 0) of raw bytes. */
    public TraceSeq padded(byte[] b, int width) {
        int w = Math.abs(width);
        if (width > 0) {
            spaces(w - b.length);
        }
        put(b);
        if (width < 0) {
            spaces(w - b.length);
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

    /** {@code %d}. */
    public TraceSeq dec(long v) {
        return puts(Long.toString(v));
    }

    /** {@code %Nd} / {@code %-Nd}. */
    public TraceSeq dec(long v, int width) {
        return padded(Long.toString(v), width);
    }

    /** {@code %0Nd}. */
    public TraceSeq decZero(long v, int width) {
        String s = Long.toString(Math.abs(v));
        if (v < 0) {
            put('-');
            width--;
        }
        for (int i = s.length(); i < width; i++) {
            put('0');
        }
        return puts(s);
    }

    /** Lower-case hex without prefix, zero padded to {@code width} digits. */
    public TraceSeq hex(long v, int width) {
        String s = Long.toHexString(v);
        for (int i = s.length(); i < width; i++) {
            put('0');
        }
        return puts(s);
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
