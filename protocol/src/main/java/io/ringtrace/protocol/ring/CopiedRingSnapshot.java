package io.ringtrace.protocol.ring;

import java.util.List;

/**
 * The {@link RingSnapshot} made by {@link RingBuffer#snapshot()}: private copies of the readable
 * part of each sub-buffer, walked event by event. Owned by one reader thread; the copies never
 * change, so the ring may go on recording meanwhile.
 */
final class CopiedRingSnapshot implements RingSnapshot {

    /** One copied sub-buffer: header and data up to {@code end}, read from {@code start}. */
    static final class Segment {
        final byte[] page;
        final int start;
        final int end;
        final long baseTs;
        /** Lost-events mark to report with the first event of this segment (0, -1 or a count). */
        final long lostBefore;

        Segment(byte[] page, int start, int end, long baseTs, long lostBefore) {
            this.page = page;
            this.start = start;
            this.end = end;
            this.baseTs = baseTs;
            this.lostBefore = lostBefore;
        }
    }

    private final int cpu;
    private final List<Segment> segments;
    private final long entries;
    private final long overrun;
    private final PageWalker walker = new PageWalker();

    private int index = -1;
    private int pos;
    private int end;
    private byte[] page;
    private long pendingLost;

    CopiedRingSnapshot(int cpu, List<Segment> segments, long entries, long overrun) {
        this.cpu = cpu;
        this.segments = segments;
        this.entries = entries;
        this.overrun = overrun;
    }

    @Override
    public boolean next(EventCursor cursor) {
        for (;;) {
            if (page != null && pos < end) {
                int kind = walker.step(page, pos, end);
                if (kind == PageWalker.DATA) {
                    pos = walker.next;
                    cursor.copyFrom(page, walker, cpu, pendingLost);
                    pendingLost = 0;
                    return true;
                }
                if (kind == PageWalker.SKIP) {
                    pos = walker.next;
                    continue;
                }
                pos = end; // END or BAD: nothing more on this page
                continue;
            }
            if (++index >= segments.size()) {
                page = null;
                return false;
            }
            Segment s = segments.get(index);
            page = s.page;
            pos = s.start;
            end = s.end;
            walker.ts = s.baseTs;
            if (s.lostBefore != 0) {
                pendingLost = (s.lostBefore < 0 || pendingLost < 0) ? -1 : pendingLost + s.lostBefore;
            }
        }
    }

    @Override
    public long entries() {
        return entries;
    }

    @Override
    public long overrun() {
        return overrun;
    }

    @Override
    public boolean hadOverrun() {
        return overrun > 0;
    }
}
