package io.ringtrace.protocol.event;

import io.ringtrace.protocol.ring.PageFormat;
import io.ringtrace.protocol.ring.RingBuffer;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;

/**
 * Where {@link EventRecorder#record(EventType, int, long, long)}'s time goes: CPU time per event
 * (minimum of 30 rounds of 2 M, as CpuTimeProfile) of the production call and of hand-written
 * loops that add its steps one at a time to a write into a ring already held:
 * <ol>
 *   <li>held ring: reserve, five constant stores, commit (the ring and its clock alone);</li>
 *   <li>+ lookup: the ring found per event as the recorder finds it (type → enabled files →
 *       instance → buffer → CPU ring);</li>
 *   <li>+ header and fields: the recorder's header, zero words and field stores by layout;</li>
 *   <li>production: the recorder itself (adds its call, the task's comm for saved_cmdlines).</li>
 *   <li>the event type's {@link EventWriter}: the same event through the writer a hot call site holds.</li>
 * </ol>
 * In this package (a split package in the bench jar) to reach the package-private lookup steps.
 * {@code java --add-exports=jdk.jfr/jdk.jfr.internal=ALL-UNNAMED -cp benchmarks.jar io.ringtrace.bench.ProfileMain breakdown};
 * add {@code -XX:InlineSmallCode=8000} for the what-if of a caller that inlines the recorder.
 */
public final class RecorderBreakdown {
    private static final int PID = 7;

    private RecorderBreakdown() {
    }

    private static void heldRing(RingBuffer ring, long v1) {
        int off = ring.reserve(24);
        byte[] p = ring.writePage();
        PageFormat.putInt(p, off, 30);
        PageFormat.putInt(p, off + 4, PID);
        PageFormat.putInt(p, off + 8, 0);
        PageFormat.putInt(p, off + 12, 0);
        PageFormat.putLong(p, off + 16, v1);
        if (!ring.tryCommit()) {
            ring.commit();
        }
    }

    private static void lookup(EventType t, long v1) {
        RingBuffer ring = t.enabledFiles()[0].plainRing(0);
        int off = ring.reserve(t.structSize());
        byte[] p = ring.writePage();
        PageFormat.putInt(p, off, t.id());
        PageFormat.putInt(p, off + 4, PID);
        PageFormat.putInt(p, off + 8, 0);
        PageFormat.putInt(p, off + 12, 0);
        PageFormat.putLong(p, off + 16, v1);
        if (!ring.tryCommit()) {
            ring.commit();
        }
    }

    private static void lookupHeaderFields(EventType t, long v1) {
        int[] layout = t.numberLayout();
        RingBuffer ring = t.enabledFiles()[0].plainRing(0);
        int off = ring.reserve(t.structSize());
        byte[] p = ring.writePage();
        PageFormat.putInt(p, off, (t.id() & 0xffff) | 1 << 16);
        PageFormat.putInt(p, off + 4, PID);
        for (int w : t.zeroWords(2)) {
            PageFormat.putInt(p, off + w, 0);
        }
        field(p, off, layout[0], 0);
        field(p, off, layout[1], v1);
        if (!ring.tryCommit()) {
            ring.commit();
        }
    }

    private static void field(byte[] p, int off, int slot, long v) {
        int o = off + (slot >>> 8);
        if ((slot & 0xff) == 8) {
            PageFormat.putLong(p, o, v);
        } else {
            PageFormat.putInt(p, o, (int) v);
        }
    }

    // one method per loop: each is compiled on its own, as a caller's loop would be
    private static void loopHeld(RingBuffer r, long n) {
        for (long i = 0; i < n; i++) {
            heldRing(r, i);
        }
    }

    private static void loopLookup(EventType t, long n) {
        for (long i = 0; i < n; i++) {
            lookup(t, i);
        }
    }

    private static void loopHeaderFields(EventType t, long n) {
        for (long i = 0; i < n; i++) {
            lookupHeaderFields(t, i);
        }
    }

    private static void loopProduction(EventRecorder rec, EventType t, long n) {
        for (long i = 0; i < n; i++) {
            rec.record(t, 0, 0, i);
        }
    }

    private static void loopWriter(EventWriter w, long n) {
        for (long i = 0; i < n; i++) {
            w.recordOn(0, 0, i);
        }
    }

    /** {@code t}: an enabled (u32, s64) event of one instance; {@code held}: another CPU's ring of it. */
    public static String run(EventType t, RingBuffer held, EventRecorder rec) {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        String[] names = {"held ring (reserve, constant stores, commit)", "+ lookup of the ring per event",
            "+ header, zero words, fields by layout", "EventRecorder.record (production)",
            "EventWriter.record (production, the type's writer)"};
        double[] min = new double[names.length];
        Arrays.fill(min, Double.MAX_VALUE);
        final long n = 2_000_000;
        EventWriter w = rec.writer(t);
        for (int round = 0; round < 30; round++) {
            long[] ts = new long[names.length + 1];
            ts[0] = mx.getCurrentThreadCpuTime();
            loopHeld(held, n);
            ts[1] = mx.getCurrentThreadCpuTime();
            loopLookup(t, n);
            ts[2] = mx.getCurrentThreadCpuTime();
            loopHeaderFields(t, n);
            ts[3] = mx.getCurrentThreadCpuTime();
            loopProduction(rec, t, n);
            ts[4] = mx.getCurrentThreadCpuTime();
            loopWriter(w, n);
            ts[5] = mx.getCurrentThreadCpuTime();
            for (int k = 0; k < names.length; k++) {
                min[k] = Math.min(min[k], (ts[k + 1] - ts[k]) / (double) n);
            }
        }
        StringBuilder sb = new StringBuilder("CPU time per event, minimum of 30 rounds of 2 M (ns)\n");
        for (int k = 0; k < names.length; k++) {
            sb.append(String.format("  %-46s %6.1f%n", names[k], min[k]));
        }
        return sb.toString();
    }
}
