package io.ringtrace.protocol.event;

import io.ringtrace.protocol.Errno;
import io.ringtrace.protocol.ErrnoException;
import io.ringtrace.protocol.ring.PageFormat;

/**
 * Writes to {@code trace_marker} and {@code trace_marker_raw} (tracing_mark_write and
 * tracing_mark_raw_write).
 *
 * <p>{@code trace_marker}: at most 4096 bytes are taken (a longer write is cut, and the count
 * taken is returned); the text is cut further to fit the largest event (so 5000 bytes return 4054
 * with 4 KiB sub-buffers); one {@code ftrace/print} event is recorded with {@code ip} and
 * {@code buf} = the text, a newline if it had none, and a NUL. The triggers of ftrace/print run on
 * it (with the NUL but before the newline is added). Option {@code markers} off gives EINVAL;
 * tracing off gives EBADF.
 *
 * <p>{@code trace_marker_raw}: a u32 id and data, all or nothing: fewer than 4 bytes, more than
 * 4096, or more than fits one event give EINVAL; tracing off EBADF. The event is
 * {@code ftrace/raw_data}.
 *
 * <p>Both record {@code common_preempt_count} 1 (a write syscall records with preemption
 * disabled once, the kernel's {@code ...1.}). Thread-safe; each call allocates its payload.
 */
public final class Markers {

    /** TRACE_MARKER_MAX_SIZE. */
    public static final int MAX_SIZE = 4096;
    /**
     * The {@code ip} recorded in print events: the address the kernel symbolizes as
     * {@code tracing_mark_write+0x8a/0x170}.
     */
    public static final long MARK_IP = 0xffffffff8149895aL;
    /** {@code common_preempt_count} of marker events. */
    public static final int PREEMPT_COUNT = 1;
    /** sizeof(struct print_entry) + 2 ('\n' and NUL). */
    static final int PRINT_META = 16 + 2;
    /** offsetof(struct raw_data_entry, id). */
    static final int RAW_META = 8;

    private Markers() {
    }

    /**
     * A write of {@code data[off .. off+len)} to {@code trace_marker} of the instance whose events
     * are {@code events}, by task {@code pid} on {@code cpu}. Returns the bytes taken.
     *
     * @param markersOption the instance's {@code markers} option
     */
    public static int writeMarker(EventSet events, int cpu, int pid, byte[] data, int off, int len,
            boolean markersOption) throws ErrnoException {
        return writeMarker(events, cpu, pid, null, null, data, off, len, markersOption);
    }

    /**
     * {@link #writeMarker(EventSet, int, int, byte[], int, int, boolean)} that also records the
     * writer's comm in {@code cmdlines} (when both are given).
     */
    public static int writeMarker(EventSet events, int cpu, int pid, SavedCmdlines cmdlines, String comm,
            byte[] data, int off, int len, boolean markersOption) throws ErrnoException {
        EventType type = events.registry().print();
        if (type == null || !markersOption || len < 0) {
            throw new ErrnoException(Errno.EINVAL);
        }
        int cnt = Math.min(len, MAX_SIZE);
        EventSink sink = events.sink();
        int max = sink.maxPayload(cpu);
        if (cnt + PRINT_META > max) {
            cnt = max - PRINT_META;
            if (cnt < 0) {
                throw new ErrnoException(Errno.EBADF);
            }
        }
        if (!sink.tracingOn()) {
            throw new ErrnoException(Errno.EBADF);
        }
        int size = cnt + PRINT_META;
        byte[] rec = new byte[size];
        header(rec, type.id(), pid);
        PageFormat.putLong(rec, 8, MARK_IP);
        System.arraycopy(data, off, rec, 16, cnt);
        byte[] commBytes = SavedCmdlines.commBytes(comm);
        FilterContext ctx = context(cpu, commBytes);
        EventFile printFile = events.printFile();
        int tt = 0;
        if (printFile != null && printFile.hasTriggers()) {
            rec[16 + cnt] = 0;
            tt = printFile.callTriggers(rec, 0, size, ctx, cpu);
        }
        int last = cnt > 0 ? rec[16 + cnt - 1] : (byte) (MARK_IP >>> 56);
        if (last != '\n') {
            rec[16 + cnt] = '\n';
            rec[16 + cnt + 1] = 0;
        } else {
            rec[16 + cnt] = 0;
        }
        if (!sink.write(cpu, rec, 0, size)) {
            throw new ErrnoException(Errno.EBADF);
        }
        if (tt != 0) {
            printFile.postCall(tt, cpu);
        }
        if (cmdlines != null && comm != null) {
            cmdlines.saveBytes(pid, commBytes);
        }
        return cnt;
    }

    /**
     * A write of {@code data[off .. off+len)} (a u32 id then data) to {@code trace_marker_raw}.
     * Returns {@code len}.
     */
    public static int writeMarkerRaw(EventSet events, int cpu, int pid, byte[] data, int off, int len,
            boolean markersOption) throws ErrnoException {
        EventType type = events.registry().rawData();
        if (type == null || !markersOption) {
            throw new ErrnoException(Errno.EINVAL);
        }
        if (len < 4 || len > MAX_SIZE) {
            throw new ErrnoException(Errno.EINVAL);
        }
        EventSink sink = events.sink();
        int size = RAW_META + len;
        if (size > sink.maxPayload(cpu)) {
            throw new ErrnoException(Errno.EINVAL);
        }
        if (!sink.tracingOn()) {
            throw new ErrnoException(Errno.EBADF);
        }
        byte[] rec = new byte[size];
        header(rec, type.id(), pid);
        System.arraycopy(data, off, rec, RAW_META, len);
        if (!sink.write(cpu, rec, 0, size)) {
            throw new ErrnoException(Errno.EBADF);
        }
        return len;
    }

    private static void header(byte[] rec, int id, int pid) {
        PageFormat.putShort(rec, 0, id);
        rec[2] = 0;
        rec[3] = PREEMPT_COUNT;
        PageFormat.putInt(rec, 4, pid);
    }

    private static FilterContext context(int cpu, byte[] comm) {
        return new FilterContext() {
            @Override
            public int cpu() {
                return cpu;
            }

            @Override
            public byte[] comm() {
                return comm;
            }
        };
    }
}
