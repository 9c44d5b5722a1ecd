package io.ringtrace.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/** The CPU counter behind the local and x86-tsc clocks. */
class CpuCounterTest {

    @Test
    void scalingIsExact() {
        long[] freqs = {1_000_000_000L, 2_500_000_000L, 2_199_999_000L, 24_000_000L, 3_000_000_001L};
        for (long f : freqs) {
            int[] shift = new int[1];
            long mult = CpuCounter.scale(f, shift);
            for (long seconds : new long[] {0, 1, 60, 86_400, 86_400L * 365 * 10}) {
                long ticks = seconds * f;
                long ns = CpuCounter.toNanos(ticks, shift[0], mult);
                long expected = seconds * 1_000_000_000L;
                // within one part in 10^12, and never off by more than a microsecond per day
                assertTrue(Math.abs(ns - expected) <= Math.max(2, expected / 1_000_000_000_000L),
                        f + " Hz, " + seconds + " s: " + ns + " vs " + expected);
            }
        }
    }

    @Test
    void theTestJvmReadsTheRealCounter() {
        // the build passes --add-exports=jdk.jfr/jdk.jfr.internal=ALL-UNNAMED (surefire argLine)
        boolean exported = ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .anyMatch(a -> a.contains("jdk.jfr/jdk.jfr.internal"));
        assertEquals(exported, CpuCounter.AVAILABLE, String.valueOf(CpuCounter.UNAVAILABLE_REASON));
        assertTrue(CpuCounter.FREQUENCY > 0);
    }

    @Test
    void localClockKeepsTimeWithNanoTime() throws Exception {
        long t0 = TraceClock.LOCAL.now();
        long n0 = System.nanoTime();
        Thread.sleep(300);
        long t1 = TraceClock.LOCAL.now();
        long n1 = System.nanoTime();
        long local = t1 - t0;
        long nano = n1 - n0;
        // the same interval on two clocks; 5% leaves room for a preemption between the two reads
        assertTrue(Math.abs(local - nano) < nano / 20, "local " + local + " ns vs nanoTime " + nano + " ns");
    }
}
