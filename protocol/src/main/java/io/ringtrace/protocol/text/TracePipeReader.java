package io.ringtrace.protocol.text;

import io.ringtrace.protocol.ring.EventCursor;
import io.ringtrace.protocol.ring.RingBuffer;
import io.ringtrace.protocol.ring.TraceBuffer;

/**
 * The text side of one open {@code trace_pipe} (or {@code per_cpu/cpuN/trace_pipe}): events are
 * consumed oldest first across CPUs (equal timestamps: lower CPU first), formatted into an 8 KiB
 * sequence buffer while it has room, and handed out up to the reader's count; what does not fit
 * stays for the next read (tracing_read_pipe). A single line larger than the buffer becomes
 * {@code [LINE TOO BIG]}. No header, no annotations.
 *
 * <p>One per open file; not thread-safe. Blocking, EAGAIN and EOF are the caller's.
 */
public final class TracePipeReader {

    /** TRACE_SEQ_BUFFER_SIZE: two pages minus the seq_buf header. */
    public static final int SEQ_SIZE = 4096 * 2 - 24;

    private final TraceFormatter formatter;
    private final int cpu;
    private final TraceFormatter.IteratorState state = TraceFormatter.IteratorState.forPipe();
    private final TraceSeq seq = new TraceSeq(SEQ_SIZE);
    private final TraceSeq line = new TraceSeq(512);
    private int readPos;
    private EventCursor[] cursors = new EventCursor[0];

    /** A reader of every CPU. */
    public TracePipeReader(TraceFormatter formatter) {
        this(formatter, -1);
    }

    /** A reader of one CPU ({@code cpu >= 0}) or of all ({@code -1}). */
    public TracePipeReader(TraceFormatter formatter, int cpu) {
        this.formatter = formatter;
        this.cpu = cpu;
    }

    /** True when text from an earlier read is still waiting to be returned. */
    public boolean hasPending() {
        return readPos < seq.length();
    }

    /**
     * One read(2) of at most {@code count} bytes: pending text first, otherwise freshly consumed
     * events. Returns an empty array when there is nothing to read (the caller decides between
     * EAGAIN, blocking and EOF).
     */
    public byte[] read(TraceBuffer buffer, int count) {
        if (count <= 0) {
            return new byte[0];
        }
        if (!hasPending()) {
            seq.clear();
            readPos = 0;
            int cnt = Math.min(count, SEQ_SIZE - 1);
            fill(buffer, cnt);
        }
        int n = Math.min(count, seq.length() - readPos);
        byte[] out = new byte[n];
        seq.copyTo(readPos, out, 0, n);
        readPos += n;
        if (readPos >= seq.length()) {
            seq.clear();
            readPos = 0;
        }
        return out;
    }

    private void fill(TraceBuffer buffer, int cnt) {
        int cpus = buffer.cpus();
        if (cursors.length != cpus) {
            cursors = new EventCursor[cpus];
            for (int i = 0; i < cpus; i++) {
                cursors[i] = new EventCursor();
            }
        }
        while (true) {
            int best = -1;
            for (int i = 0; i < cpus; i++) {
                if (cpu >= 0 && i != cpu) {
                    continue;
                }
                RingBuffer r = buffer.cpu(i);
                if (!r.peek(cursors[i])) {
                    continue;
                }
                cursors[i].cpu = i;
                if (best < 0 || Long.compareUnsigned(cursors[i].timestamp, cursors[best].timestamp) < 0) {
                    best = i;
                }
            }
            if (best < 0) {
                return;
            }
            EventCursor c = cursors[best];
            line.clear();
            formatter.formatLine(c, c.timestamp, state, line);
            if (seq.length() + line.length() > SEQ_SIZE) {
                if (seq.length() == 0) {
                    seq.puts("[LINE TOO BIG]\n");
                    buffer.cpu(best).consume();
                }
                return;
            }
            seq.put(line);
            buffer.cpu(best).consume();
            if (seq.length() >= cnt) {
                return;
            }
        }
    }
}
