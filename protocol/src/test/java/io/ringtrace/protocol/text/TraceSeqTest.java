package io.ringtrace.protocol.text;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ringtrace.protocol.TraceClock;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The allocation-free number printers of {@link TraceSeq} print what the JDK's conversions print. */
class TraceSeqTest {

    private static final long[] EDGES = {0, 1, -1, 9, 10, 11, 99, 100, 999, 1000, 499, 500, 999_999_499L, 999_999_500L,
            1_000_000L, 123_456_789_012L, 99_999_999_999_499L, 100_000_000_000_000L, 4_000_000_000_000_000L,
            999_999_999_999_999_999L, 1_000_000_000_000_000_000L, Long.MAX_VALUE - 500, Long.MAX_VALUE - 499,
            Long.MAX_VALUE, Long.MIN_VALUE, Long.MIN_VALUE + 1, Integer.MAX_VALUE, Integer.MIN_VALUE, 0xffffffffL};

    private static String text(TraceSeq s) {
        return s.toByteString();
    }

    private static void check(long v) {
        assertEquals(Long.toString(v), text(new TraceSeq().dec(v)), "dec " + v);
        assertEquals(Long.toUnsignedString(v), text(new TraceSeq().decUnsigned(v)), "decUnsigned " + v);
        for (int w : new int[] {-7, 3, 4, 12, 16}) {
            String s = Long.toString(v);
            String padded = w > 0 ? " ".repeat(Math.max(0, w - s.length())) + s : s + " ".repeat(Math.max(0, -w - s.length()));
            assertEquals(padded, text(new TraceSeq().dec(v, w)), "dec " + v + " width " + w);
        }
        for (int w : new int[] {0, 1, 8, 16, 20}) {
            String h = Long.toHexString(v);
            assertEquals("0".repeat(Math.max(0, w - h.length())) + h, text(new TraceSeq().hex(v, w)), "hex " + v);
        }
        if (v != Long.MIN_VALUE) {
            String a = Long.toString(Math.abs(v));
            String z = (v < 0 ? "-" : "") + "0".repeat(Math.max(0, 3 - (v < 0 ? 1 : 0) - a.length())) + a;
            assertEquals(z, text(new TraceSeq().decZero(v, 3)), "decZero " + v);
        }
        assertEquals(TraceClock.LOCAL.format(v), text(new TraceSeq().nanosTimestamp(v)), "timestamp " + v);
    }

    @Test
    void numbersPrintAsTheJdkPrintsThem() {
        for (long v : EDGES) {
            check(v);
        }
        Random rnd = new Random(1);
        for (int i = 0; i < 20_000; i++) {
            long v = rnd.nextLong() >> rnd.nextInt(64);
            check(v);
        }
    }

    @Test
    void stringsPaddingAndCStrings() {
        assertEquals("   ab", text(new TraceSeq().padded("ab", 5)));
        assertEquals("ab   |", text(new TraceSeq().padded(new byte[] {'x', 'a', 'b'}, 1, 2, -5).put('|')));
        assertEquals("toolong", text(new TraceSeq().padded("toolong", 3)));
        assertEquals("\u00e9\u0001", text(new TraceSeq().puts("\u00e9\u0101")), "low 8 bits of each char");
        byte[] d = {'h', 'i', 0, 'x'};
        assertEquals("hi", text(new TraceSeq().putCString(d, 0, 4)));
        assertEquals("h", text(new TraceSeq().putCString(d, 0, 1)));
        assertEquals("", text(new TraceSeq().putCString(d, 4, 3)));
        TraceSeq s = new TraceSeq(16).puts("abcdefgh");
        s.discardFront(3);
        assertEquals("defgh", text(s));
        byte[] out = new byte[2];
        s.copyTo(1, out, 0, 2);
        assertEquals("ef", new String(out, java.nio.charset.StandardCharsets.US_ASCII));
    }
}
