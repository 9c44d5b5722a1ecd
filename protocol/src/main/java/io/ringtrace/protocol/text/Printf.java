package io.ringtrace.protocol.text;

import java.util.List;

/**
 * The subset of the kernel's vsnprintf that event print formats use: {@code %d %i %u %x %X %o %c
 * %s %%}, {@code %p} (hex), {@code %ps}/{@code %pS} (symbol, or {@code 0x...} when unknown),
 * {@code %*pbl} (bitmap as a range list), flags {@code - 0 + space #}, width and precision (also
 * {@code *}), length {@code hh h l ll L z j t}.
 */
final class Printf {

    private Printf() {
    }

    static void format(TraceSeq out, String fmt, List<EventPrinter.Arg> args, byte[] d, int off, int len) {
        int ai = 0;
        int n = fmt.length();
        for (int i = 0; i < n; i++) {
            char c = fmt.charAt(i);
            if (c != '%') {
                out.put((byte) c);
                continue;
            }
            if (i + 1 < n && fmt.charAt(i + 1) == '%') {
                out.put('%');
                i++;
                continue;
            }
            // flags
            boolean left = false;
            boolean zero = false;
            boolean plus = false;
            boolean space = false;
            boolean alt = false;
            int j = i + 1;
            for (; j < n; j++) {
                char f = fmt.charAt(j);
                if (f == '-') {
                    left = true;
                } else if (f == '0') {
                    zero = true;
                } else if (f == '+') {
                    plus = true;
                } else if (f == ' ') {
                    space = true;
                } else if (f == '#') {
                    alt = true;
                } else {
                    break;
                }
            }
            int width = -1;
            if (j < n && fmt.charAt(j) == '*') {
                width = (int) num(arg(args, ai++, d, off, len));
                if (width < 0) {
                    left = true;
                    width = -width;
                }
                j++;
            } else {
                int w = 0;
                boolean any = false;
                while (j < n && Character.isDigit(fmt.charAt(j))) {
                    w = w * 10 + (fmt.charAt(j++) - '0');
                    any = true;
                }
                if (any) {
                    width = w;
                }
            }
            int prec = -1;
            if (j < n && fmt.charAt(j) == '.') {
                j++;
                if (j < n && fmt.charAt(j) == '*') {
                    prec = (int) num(arg(args, ai++, d, off, len));
                    j++;
                } else {
                    int p = 0;
                    while (j < n && Character.isDigit(fmt.charAt(j))) {
                        p = p * 10 + (fmt.charAt(j++) - '0');
                    }
                    prec = p;
                }
            }
            int bits = 32;
            boolean charLen = false;
            boolean shortLen = false;
            while (j < n) {
                char l = fmt.charAt(j);
                if (l == 'h') {
                    if (shortLen) {
                        charLen = true;
                    }
                    shortLen = true;
                    j++;
                } else if (l == 'l' || l == 'L' || l == 'z' || l == 'j' || l == 't' || l == 'q') {
                    bits = 64;
                    j++;
                } else {
                    break;
                }
            }
            if (j >= n) {
                break;
            }
            char conv = fmt.charAt(j);
            i = j;
            Object v;
            switch (conv) {
                case 'd':
                case 'i': {
                    long x = num(arg(args, ai++, d, off, len));
                    x = charLen ? (byte) x : shortLen ? (short) x : bits == 32 ? (int) x : x;
                    String s = Long.toString(Math.abs(x));
                    if (x == Long.MIN_VALUE) {
                        s = "9223372036854775808";
                    }
                    String sign = x < 0 ? "-" : plus ? "+" : space ? " " : "";
                    number(out, sign, s, width, prec, left, zero);
                    break;
                }
                case 'u':
                case 'x':
                case 'X':
                case 'o': {
                    long x = num(arg(args, ai++, d, off, len));
                    x = charLen ? x & 0xff : shortLen ? x & 0xffff : bits == 32 ? x & 0xffffffffL : x;
                    String s;
                    String prefix = "";
                    if (conv == 'u') {
                        s = Long.toUnsignedString(x);
                    } else if (conv == 'o') {
                        s = Long.toOctalString(x);
                        if (alt && x != 0) {
                            prefix = "0";
                        }
                    } else {
                        s = Long.toHexString(x);
                        if (conv == 'X') {
                            s = s.toUpperCase();
                        }
                        if (alt && x != 0) {
                            prefix = conv == 'X' ? "0X" : "0x";
                        }
                    }
                    number(out, prefix, s, width, prec, left, zero);
                    break;
                }
                case 'c': {
                    long x = num(arg(args, ai++, d, off, len));
                    pad(out, new byte[] {(byte) x}, width, left);
                    break;
                }
                case 's': {
                    v = arg(args, ai++, d, off, len);
                    byte[] b = v instanceof byte[] ? (byte[]) v : EventPrinter.bytes(String.valueOf(v));
                    if (prec >= 0 && prec < b.length) {
                        byte[] c2 = new byte[prec];
                        System.arraycopy(b, 0, c2, 0, prec);
                        b = c2;
                    }
                    pad(out, b, width, left);
                    break;
                }
                case 'p': {
                    // extensions: letters after %p
                    int k = j + 1;
                    StringBuilder ext = new StringBuilder();
                    while (k < n && Character.isLetterOrDigit(fmt.charAt(k))) {
                        ext.append(fmt.charAt(k++));
                    }
                    String e = ext.toString();
                    v = arg(args, ai++, d, off, len);
                    String text;
                    if (e.startsWith("s") || e.startsWith("S") || e.startsWith("B")) {
                        text = KernelSymbols.symbol(num(v), e.startsWith("S") || e.startsWith("B"));
                        i = j + 1;
                    } else if (e.startsWith("bl") || e.startsWith("b")) {
                        byte[] bm = v instanceof byte[] ? (byte[]) v : new byte[0];
                        int nbits = width >= 0 ? width : bm.length * 8;
                        width = -1;
                        text = e.startsWith("bl") ? bitmapList(bm, nbits) : bitmapHex(bm, nbits);
                        i = j + (e.startsWith("bl") ? 2 : 1);
                    } else {
                        text = String.format("%016x", num(v));
                    }
                    pad(out, EventPrinter.bytes(text), width, left);
                    break;
                }
                default:
                    out.put('%').put(conv);
                    break;
            }
        }
    }

    private static Object arg(List<EventPrinter.Arg> args, int i, byte[] d, int off, int len) {
        if (i >= args.size()) {
            return 0L;
        }
        return args.get(i).value(d, off, len);
    }

    private static long num(Object v) {
        return v instanceof Long ? (Long) v : 0;
    }

    private static void number(TraceSeq out, String prefix, String digits, int width, int prec, boolean left,
            boolean zero) {
        StringBuilder body = new StringBuilder();
        if (prec >= 0) {
            for (int k = digits.length(); k < prec; k++) {
                body.append('0');
            }
        }
        body.append(digits);
        int total = prefix.length() + body.length();
        if (left) {
            out.puts(prefix).puts(body);
            out.spaces(width - total);
        } else if (zero && prec < 0) {
            out.puts(prefix);
            for (int k = total; k < width; k++) {
                out.put('0');
            }
            out.puts(body);
        } else {
            out.spaces(width - total);
            out.puts(prefix).puts(body);
        }
    }

    private static void pad(TraceSeq out, byte[] b, int width, boolean left) {
        if (!left) {
            out.spaces(width - b.length);
        }
        out.put(b);
        if (left) {
            out.spaces(width - b.length);
        }
    }

    /** %*pbl: set bits as ranges, "0-3,5". */
    static String bitmapList(byte[] bm, int nbits) {
        StringBuilder sb = new StringBuilder();
        int limit = Math.min(nbits, bm.length * 8);
        int i = 0;
        while (i < limit) {
            if (!bit(bm, i)) {
                i++;
                continue;
            }
            int start = i;
            while (i + 1 < limit && bit(bm, i + 1)) {
                i++;
            }
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(start);
            if (i > start) {
                sb.append('-').append(i);
            }
            i++;
        }
        return sb.toString();
    }

    /** %*pb: the bitmap as comma-separated 32-bit hex groups, most significant first. */
    static String bitmapHex(byte[] bm, int nbits) {
        int words = Math.max(1, (Math.min(nbits, bm.length * 8) + 31) / 32);
        StringBuilder sb = new StringBuilder();
        for (int w = words - 1; w >= 0; w--) {
            long v = 0;
            for (int k = 3; k >= 0; k--) {
                int p = w * 4 + k;
                v = (v << 8) | (p < bm.length ? bm[p] & 0xff : 0);
            }
            if (sb.length() > 0) {
                sb.append(',');
            }
            String h = Long.toHexString(v);
            if (w != words - 1) {
                h = "00000000".substring(h.length()) + h;
            }
            sb.append(h);
        }
        return sb.toString();
    }

    private static boolean bit(byte[] bm, int i) {
        return (bm[i >> 3] & (1 << (i & 7))) != 0;
    }
}
