package io.ringtrace.bench;

import io.ringtrace.protocol.TraceClock;
import io.ringtrace.protocol.event.EventRecorder;
import io.ringtrace.protocol.event.SavedCmdlines;
import io.ringtrace.protocol.ring.PageFormat;
import io.ringtrace.protocol.ring.RingBuffer;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import jdk.jfr.Recording;

/**
 * One event's cost in CPU time of the recording thread (ThreadMXBean), the minimum of 25 rounds of
 * 2 M events: robust against other tenants of a shared machine, which wall-clock JMH figures are
 * not. Compares the production recorder with a hand-written in-place write into a ring the loop
 * already holds (the floor of the ring's reserve/commit with the production clock), a plain
 * RingBuffer.write, a JFR event to disk and the clock alone.
 * {@code java --add-exports=jdk.jfr/jdk.jfr.internal=ALL-UNNAMED -cp benchmarks.jar io.ringtrace.bench.ProfileMain cputime}
 */
final class CpuTimeProfile {
    private CpuTimeProfile() {
    }

    static String run() throws Exception {
        Rings.Fixture fx = new Rings.Fixture(2, Rings.DEFAULT_PAGES);
        EventRecorder rec = new EventRecorder(new SavedCmdlines(), 0);
        byte[] payload = new byte[24];
        Path file = Files.createTempFile("ringtrace-cputime", ".jfr");
        Recording jfr = new Recording();
        jfr.enable(JfrRec.class).withoutStackTrace();
        jfr.setToDisk(true);
        jfr.setDestination(file);
        jfr.start();
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        RingBuffer r0 = fx.buffer.cpu(0);
        RingBuffer r1 = fx.buffer.cpu(1);
        int id = fx.rec.id();
        int pid = rec.pid();
        String[] names = {"EventRecorder.record (production)", "in place into a held ring, constant stores",
            "RingBuffer.write of 24 bytes", "JFR event commit (to disk)", "TraceClock.LOCAL.now()"};
        double[] min = new double[names.length];
        java.util.Arrays.fill(min, Double.MAX_VALUE);
        long sink = 0;
        final long n = 2_000_000;
        for (int round = 0; round < 25; round++) {
            long[] t = new long[names.length + 1];
            t[0] = mx.getCurrentThreadCpuTime();
            for (long i = 0; i < n; i++) {
                rec.record(fx.rec, 0, 0, i);
            }
            t[1] = mx.getCurrentThreadCpuTime();
            for (long i = 0; i < n; i++) {
                int off = r1.reserve(24);
                byte[] p = r1.writePage();
                PageFormat.putInt(p, off, id);
                PageFormat.putInt(p, off + 4, pid);
                PageFormat.putInt(p, off + 8, 1);
                PageFormat.putInt(p, off + 12, 0);
                PageFormat.putLong(p, off + 16, i);
                r1.commit();
            }
            t[2] = mx.getCurrentThreadCpuTime();
            for (long i = 0; i < n; i++) {
                r0.write(payload, 0, 24);
            }
            t[3] = mx.getCurrentThreadCpuTime();
            for (long i = 0; i < n; i++) {
                JfrRec e = new JfrRec();
                e.cpu = 0;
                e.value = i;
                e.commit();
            }
            t[4] = mx.getCurrentThreadCpuTime();
            for (long i = 0; i < n; i++) {
                sink += TraceClock.LOCAL.now();
            }
            t[5] = mx.getCurrentThreadCpuTime();
            for (int k = 0; k < names.length; k++) {
                min[k] = Math.min(min[k], (t[k + 1] - t[k]) / (double) n);
            }
        }
        jfr.stop();
        jfr.close();
        Files.deleteIfExists(file);
        StringBuilder sb = new StringBuilder("CPU time per event, minimum of 25 rounds of 2 M (ns), sink " + (sink & 1) + "\n");
        for (int k = 0; k < names.length; k++) {
            sb.append(String.format(java.util.Locale.ROOT, "  %-45s %6.1f%n", names[k], min[k]));
        }
        return sb.toString();
    }
}
