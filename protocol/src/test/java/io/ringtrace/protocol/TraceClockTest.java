package io.ringtrace.protocol;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The trace timestamp text: {@code %5llu.%06lu} of microseconds rounded to nearest. */
class TraceClockTest {
    @Test
    void nanosecondClocksPrintLikeTheKernel() {
        assertEquals("    0.000000", TraceClock.LOCAL.format(0));
        assertEquals("    0.000001", TraceClock.LOCAL.format(500));
        assertEquals("    0.000000", TraceClock.LOCAL.format(499));
        assertEquals(" 1601.941265", TraceClock.LOCAL.format(1_601_941_265_000L));
        assertEquals("    2.000000", TraceClock.LOCAL.format(1_999_999_500L));
        assertEquals("123456.789012", TraceClock.LOCAL.format(123_456_789_012_000L));
        assertEquals("42", TraceClock.COUNTER.format(42));
    }

    @Test
    void theFastPathAgreesWithPrintf() {
        Random r = new Random(7);
        for (int i = 0; i < 100_000; i++) {
            long ts = Math.abs(r.nextLong()) % 10_000_000_000_000_000L;
            long us = (ts + 500) / 1000;
            assertEquals(String.format("%5d.%06d", us / 1_000_000L, us % 1_000_000L), TraceClock.LOCAL.format(ts));
        }
    }
}
