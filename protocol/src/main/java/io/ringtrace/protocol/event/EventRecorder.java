package io.ringtrace.protocol.event;

import io.ringtrace.protocol.ring.PageFormat;
import io.ringtrace.protocol.ring.RingBuffer;

import java.util.Arrays;

/**
 * The producer side of events: one recorder per producer thread, owning a scratch buffer in which
 * it builds each payload (common header, fixed fields, {@code __data_loc} data) and then hands it
 * to every instance that has the event enabled ({@link EventType#enabledFiles()}): pid filters,
 * the event filter and triggers run on the scratch bytes and the payload is written into that
 * instance's ring of the producer's CPU. Nothing is allocated per event. The one-call
 * {@code record(type, cpu, v0, ...)} of an event whose fields are all numbers skips the scratch
 * buffer for every instance that takes the event as is: it reserves the event in the ring and
 * writes the fields there (the kernel's trace_event_buffer_reserve + assign + commit).
 *
 * <pre>{@code
 * EventRecorder rec = new EventRecorder(cmdlines);          // on the producer thread
 * rec.record(gcPause, 0, 1, 1_500_000);                      // numeric fields in order
 * rec.begin(gcPause).putInt(1).putLong(1_500_000).putString("alloc").commit();
 * }</pre>
 *
 * <p>{@code common_pid} is the thread id, {@code comm} the thread name (saved in
 * {@link SavedCmdlines} when the thread records its first event, and again when the name
 * changes). A disabled event costs one volatile read: {@link #begin} returns at once and every
 * {@code put} is a no-op.
 *
 * <p>Not thread-safe: confine each recorder to its thread.
 */
public final class EventRecorder implements FilterContext {

    /** Default scratch size: larger than any payload a 4 KiB sub-buffer can hold. */
    public static final int DEFAULT_SCRATCH = 8192;
    private static final int RESAVE_EVERY = 4096;

    private final byte[] buf;
    private final SavedCmdlines cmdlines;
    private final Thread thread;
    private int pid;
    /** A task set with setTask (a simulator recording on behalf of other tasks), or null. */
    private byte[] taskComm;
    private byte[] comm;
    private String lastName;
    private int defaultCpu;
    private int defaultFlags;
    private int defaultPreempt;
    /** defaultFlags << 16 | defaultPreempt << 24: the context bits of the common header's first word. */
    private int contextBits;
    private int sinceSave = RESAVE_EVERY;

    // event under construction
    private EventType cur;
    private EventFile[] curFiles;
    private int curCpu;
    private int fieldIdx;
    private int dynEnd;
    private boolean active;

    /** A recorder for the calling thread, on a stable per-thread CPU. */
    public EventRecorder(SavedCmdlines cmdlines) {
        this(cmdlines, -1);
    }

    /**
     * A recorder for the calling thread recording on {@code cpu} by default (a negative value picks
     * a stable per-thread CPU; sinks wrap it modulo their CPU count).
     */
    public EventRecorder(SavedCmdlines cmdlines, int cpu) {
        this(cmdlines, cpu, DEFAULT_SCRATCH);
    }

    public EventRecorder(SavedCmdlines cmdlines, int cpu, int scratchSize) {
        this.buf = new byte[Math.max(scratchSize, PageFormat.maxPayload(PageFormat.DEFAULT_SUBBUF_SIZE))];
        this.cmdlines = cmdlines;
        this.thread = Thread.currentThread();
        this.pid = (int) thread.getId();
        this.lastName = thread.getName();
        this.comm = SavedCmdlines.commBytes(lastName);
        this.defaultCpu = cpu >= 0 ? cpu : (pid & 0x7fffffff);
        this.curCpu = defaultCpu;
    }

    // ---------------------------------------------------------------- settings

    /** common_pid of this recorder's events (the thread id). */
    public int pid() {
        return pid;
    }

    /** The CPU of the event being recorded (the last one begun); the default CPU before any. */
    @Override
    public int cpu() {
        return curCpu;
    }

    /** The CPU events go to when {@link #begin(EventType)} names none. */
    public int defaultCpu() {
        return defaultCpu;
    }

    public void setCpu(int cpu) {
        this.defaultCpu = cpu;
        if (cur == null) {
            this.curCpu = cpu;
        }
    }

    /**
     * The {@code common_flags} and {@code common_preempt_count} of following events (default 0
     * and 0; see the FLAG_* constants of {@link BuiltinEvents}).
     */
    public void setContext(int flags, int preemptCount) {
        this.defaultFlags = flags & 0xff;
        this.defaultPreempt = preemptCount & 0xff;
        this.contextBits = defaultFlags << 16 | defaultPreempt << 24;
    }

    /**
     * Records the following events as task {@code taskPid} named {@code taskComm} instead of the
     * calling thread (for simulators and bridges that trace on behalf of other tasks, as the
     * kernel records the current task). {@link #resetTask()} goes back to the thread.
     */
    public void setTask(int taskPid, CharSequence taskComm) {
        if (taskPid != pid || taskComm == null) {
            sinceSave = RESAVE_EVERY;
        }
        this.pid = taskPid;
        this.taskComm = SavedCmdlines.commBytes(taskComm.toString());
    }

    /** Back to recording as the calling thread (its id and name). */
    public void resetTask() {
        this.pid = (int) thread.getId();
        this.taskComm = null;
        sinceSave = RESAVE_EVERY;
    }

    @Override
    public byte[] comm() {
        if (taskComm != null) {
            return taskComm;
        }
        String n = thread.getName();
        if (n != lastName) {
            lastName = n;
            comm = SavedCmdlines.commBytes(n);
            sinceSave = RESAVE_EVERY;
        }
        return comm;
    }

    /** True when some instance wants {@code type}: callers may skip computing arguments otherwise. */
    public static boolean isEnabled(EventType type) {
        return type.enabledFiles().length != 0;
    }

    // ---------------------------------------------------------------- one-call recording

    /**
     * A writer of {@code type} on this recorder, for the call site of a hot event: made once and
     * held, it records what {@link #record(EventType, int, long, long)} records, with the field
     * layout and the ring of the one instance that takes the event fixed in it (see
     * {@link EventWriter}). Confined to this recorder's thread.
     */
    public EventWriter writer(EventType type) {
        return new EventWriter(this, type);
    }

    /** Records {@code type} with its first field set to {@code v0} (the rest zero or empty). */
    public boolean record(EventType type, int cpu, long v0) {
        return record(type, cpu, 1, v0, 0, 0, 0);
    }

    /** Records {@code type} with its first two fields set (the rest zero or empty). */
    public boolean record(EventType type, int cpu, long v0, long v1) {
        return record(type, cpu, 2, v0, v1, 0, 0);
    }

    /** The common header of an event reserved at {@code off}, and zeroes where the n fields do not go. */
    private void header(byte[] p, int off, EventType type, int n) {
        PageFormat.putInt(p, off, (type.id() & 0xffff) | contextBits);
        PageFormat.putInt(p, off + 4, pid);
        for (int w : type.zeroWords(n)) {
            PageFormat.putInt(p, off + w, 0);
        }
    }

    public boolean record(EventType type, int cpu, long v0, long v1, long v2) {
        return record(type, cpu, 3, v0, v1, v2, 0);
    }

    public boolean record(EventType type, int cpu, long v0, long v1, long v2, long v3) {
        return record(type, cpu, 4, v0, v1, v2, v3);
    }

    /**
     * The one-call path. An event whose fields are all numbers goes straight into each ring that
     * takes it as is ({@link EventFile#plainRing}): reserved there, the fields written in place,
     * committed; no staging copy. Instances with a filter, trigger, pid list or soft-disable get the
     * staged payload through {@link EventFile#handle}, as {@link #commit()} does.
     */
    boolean record(EventType type, int cpu, int n, long v0, long v1, long v2, long v3) {
        EventFile[] files = type.enabledFiles();
        if (files.length == 1) {
            // one instance wants it (the common case): kept small enough to inline
            int[] layout = type.numberLayout();
            RingBuffer ring;
            if (layout != null && n <= layout.length && (ring = files[0].plainRing(cpu)) != null) {
                curCpu = cpu;
                if (!writeInPlace(ring, type, layout, n, v0, v1, v2, v3)) {
                    return false;
                }
                noteRecorded();
                return true;
            }
        }
        return files.length != 0 && recordEach(type, files, cpu, n, v0, v1, v2, v3);
    }

    private boolean recordEach(EventType type, EventFile[] files, int cpu, int n, long v0, long v1, long v2, long v3) {
        int[] layout = type.numberLayout();
        if (layout == null || n > layout.length) {
            return recordStaged(type, cpu, n, v0, v1, v2, v3);
        }
        curCpu = cpu;
        boolean any = false;
        boolean staged = false;
        for (EventFile f : files) {
            RingBuffer ring = f.plainRing(cpu);
            if (ring != null) {
                any |= writeInPlace(ring, type, layout, n, v0, v1, v2, v3);
            } else {
                if (!staged) {
                    stage(type, cpu, n, v0, v1, v2, v3);
                    staged = true;
                }
                any |= f.handle(buf, dynEnd, cpu, pid, this);
            }
        }
        if (staged) {
            active = false;
            cur = null;
            curFiles = null;
        }
        if (any) {
            noteRecorded();
        }
        return any;
    }

    private boolean recordStaged(EventType type, int cpu, int n, long v0, long v1, long v2, long v3) {
        if (!stage(type, cpu, n, v0, v1, v2, v3)) {
            return false;
        }
        return commit();
    }

    /** begin() and the first n fields into the scratch buffer; false when no instance wants it. */
    private boolean stage(EventType type, int cpu, int n, long v0, long v1, long v2, long v3) {
        if (begin(type, cpu, defaultFlags, defaultPreempt) != this || !active) {
            return false;
        }
        if (n > 0) {
            putLong(v0);
        }
        if (n > 1) {
            putLong(v1);
        }
        if (n > 2) {
            putLong(v2);
        }
        if (n > 3) {
            putLong(v3);
        }
        return true;
    }

    /**
     * Reserves the event in {@code ring} and writes the common header and the first n fields in
     * place (the other bytes zero): the bytes {@link #commit()} would have copied there.
     */
    private boolean writeInPlace(RingBuffer ring, EventType type, int[] layout, int n,
            long v0, long v1, long v2, long v3) {
        int size = type.structSize();
        int off = ring.reserve(size);
        if (off < 0) {
            return false;
        }
        byte[] p = ring.writePage();
        header(p, off, type, n);
        if (n > 0) {
            putField(p, off, layout[0], v0);
        }
        if (n > 1) {
            putField(p, off, layout[1], v1);
        }
        if (n > 2) {
            putField(p, off, layout[2], v2);
        }
        if (n > 3) {
            putField(p, off, layout[3], v3);
        }
        if (!ring.tryCommit()) {
            ring.commit();
        }
        return true;
    }

    /** A number into a field of {@link EventType#numberLayout()} form (offset << 8 | size). */
    static void putField(byte[] p, int off, int slot, long v) {
        int o = off + (slot >>> 8);
        int size = slot & 0xff;
        if (size == 8) {
            PageFormat.putLong(p, o, v);
        } else if (size == 4) {
            PageFormat.putInt(p, o, (int) v);
        } else {
            putNarrow(p, o, size, v); // kept out of line: the hot path stays small enough to inline
        }
    }

    private static void putNarrow(byte[] p, int o, int size, long v) {
        if (size == 2) {
            PageFormat.putShort(p, o, (int) v);
        } else {
            p[o] = (byte) v;
        }
    }

    /** common_flags << 16 | common_preempt_count << 24 of this recorder's events. */
    int contextBits() {
        return contextBits;
    }

    /** After an event was written in place by a writer on {@code cpu}. */
    void noteRecorded(int cpu) {
        curCpu = cpu;
        noteRecorded();
    }

    /** After an event was written: saves the task's comm now and then (saved_cmdlines). */
    private void noteRecorded() {
        byte[] c = comm();
        if (cmdlines != null && ++sinceSave >= RESAVE_EVERY) {
            sinceSave = 0;
            cmdlines.saveBytes(pid, c);
        }
    }

    // ---------------------------------------------------------------- fluent recording

    /** Starts an event on the default CPU; fill the fields in order, then {@link #commit()}. */
    public EventRecorder begin(EventType type) {
        return begin(type, defaultCpu, defaultFlags, defaultPreempt);
    }

    /** Starts an event on {@code cpu}. */
    public EventRecorder begin(EventType type, int cpu) {
        return begin(type, cpu, defaultFlags, defaultPreempt);
    }

    /** Starts an event on {@code cpu} with explicit {@code common_flags} and {@code common_preempt_count}. */
    public EventRecorder begin(EventType type, int cpu, int flags, int preemptCount) {
        EventFile[] files = type.enabledFiles();
        if (files.length == 0) {
            active = false;
            cur = null;
            return this;
        }
        active = true;
        cur = type;
        curFiles = files;
        curCpu = cpu;
        fieldIdx = 0;
        int ss = type.structSize();
        Arrays.fill(buf, 0, ss, (byte) 0);
        PageFormat.putShort(buf, 0, type.id());
        buf[2] = (byte) flags;
        buf[3] = (byte) preemptCount;
        PageFormat.putInt(buf, 4, pid);
        dynEnd = ss;
        return this;
    }

    private EventField next() {
        if (fieldIdx >= cur.fields().size()) {
            throw new IllegalStateException(cur.qualifiedName() + " has only " + cur.fields().size() + " fields");
        }
        return cur.fields().get(fieldIdx++);
    }

    /** Fills the next field with a number (truncated to the field's size). */
    public EventRecorder putLong(long v) {
        if (!active) {
            return this;
        }
        EventField f = next();
        if (f.kind() != EventField.Kind.NUMBER) {
            throw new IllegalStateException("field " + f.name() + " of " + cur.qualifiedName() + " is not a number");
        }
        int o = f.offset();
        switch (f.size()) {
            case 1:
                buf[o] = (byte) v;
                break;
            case 2:
                PageFormat.putShort(buf, o, (int) v);
                break;
            case 4:
                PageFormat.putInt(buf, o, (int) v);
                break;
            default:
                PageFormat.putLong(buf, o, v);
                break;
        }
        return this;
    }

    public EventRecorder putInt(int v) {
        return putLong(v);
    }

    public EventRecorder putShort(short v) {
        return putLong(v);
    }

    public EventRecorder putByte(byte v) {
        return putLong(v);
    }

    public EventRecorder putBoolean(boolean v) {
        return putLong(v ? 1 : 0);
    }

    /** Leaves the next field zero (an empty string for {@code __data_loc} strings). */
    public EventRecorder skip() {
        if (!active) {
            return this;
        }
        EventField f = next();
        if (f.kind() == EventField.Kind.DATA_LOC_STRING) {
            writeDynamic(f, null, 0, 0, true);
        } else if (f.kind() == EventField.Kind.DYNAMIC_ARRAY) {
            writeDynamic(f, null, 0, 0, false);
        }
        return this;
    }

    /**
     * Fills the next field with a string: a {@code char[N]} field gets at most N-1 bytes and a NUL
     * (UTF-8, cut on a character boundary), a {@code __data_loc char[]} field gets the whole string
     * and its NUL after the fixed fields. Allocation-free.
     */
    public EventRecorder putString(CharSequence s) {
        if (!active) {
            return this;
        }
        EventField f = next();
        if (f.kind() == EventField.Kind.CHAR_ARRAY) {
            int end = f.offset() + f.size() - 1;
            encode(s, f.offset(), end);
        } else if (f.kind() == EventField.Kind.DATA_LOC_STRING) {
            int start = dynEnd;
            int total = 0;
            if (start < buf.length) {
                int n = encode(s, start, buf.length - 1);
                buf[start + n] = 0;
                total = n + 1;
            }
            PageFormat.putInt(buf, f.offset(), (total << 16) | (start & 0xffff));
            dynEnd = start + total;
        } else {
            throw new IllegalStateException("field " + f.name() + " of " + cur.qualifiedName() + " is not a string");
        }
        return this;
    }

    /**
     * Fills the next field with raw bytes: strings (as {@link #putString}), fixed arrays
     * (truncated or zero padded) or {@code __data_loc} arrays (copied after the fixed fields).
     */
    public EventRecorder putBytes(byte[] b, int off, int len) {
        if (!active) {
            return this;
        }
        EventField f = next();
        switch (f.kind()) {
            case CHAR_ARRAY: {
                int n = Math.min(len, f.size() - 1);
                System.arraycopy(b, off, buf, f.offset(), n);
                break;
            }
            case FIXED_ARRAY: {
                int n = Math.min(len, f.size());
                System.arraycopy(b, off, buf, f.offset(), n);
                break;
            }
            case DATA_LOC_STRING:
                writeDynamic(f, b, off, len, true);
                break;
            case DYNAMIC_ARRAY:
                writeDynamic(f, b, off, len, false);
                break;
            default:
                throw new IllegalStateException("field " + f.name() + " of " + cur.qualifiedName() + " takes no bytes");
        }
        return this;
    }

    private void writeDynamic(EventField f, byte[] b, int off, int len, boolean string) {
        int start = dynEnd;
        int room = buf.length - start - (string ? 1 : 0);
        int n = Math.max(0, Math.min(len, room));
        if (n > 0) {
            System.arraycopy(b, off, buf, start, n);
        }
        int total = n;
        if (string && start + n < buf.length) {
            buf[start + n] = 0;
            total = n + 1;
        }
        PageFormat.putInt(buf, f.offset(), (total << 16) | (start & 0xffff));
        dynEnd = start + total;
    }

    /** UTF-8 encodes {@code s} into buf[from .. limit); returns the bytes written. */
    private int encode(CharSequence s, int from, int limit) {
        int p = from;
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                if (p + 1 > limit) {
                    break;
                }
                buf[p++] = (byte) c;
            } else if (c < 0x800) {
                if (p + 2 > limit) {
                    break;
                }
                buf[p++] = (byte) (0xc0 | (c >> 6));
                buf[p++] = (byte) (0x80 | (c & 0x3f));
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                if (p + 4 > limit) {
                    break;
                }
                int cp = Character.toCodePoint(c, s.charAt(++i));
                buf[p++] = (byte) (0xf0 | (cp >> 18));
                buf[p++] = (byte) (0x80 | ((cp >> 12) & 0x3f));
                buf[p++] = (byte) (0x80 | ((cp >> 6) & 0x3f));
                buf[p++] = (byte) (0x80 | (cp & 0x3f));
            } else {
                if (p + 3 > limit) {
                    break;
                }
                buf[p++] = (byte) (0xe0 | (c >> 12));
                buf[p++] = (byte) (0x80 | ((c >> 6) & 0x3f));
                buf[p++] = (byte) (0x80 | (c & 0x3f));
            }
        }
        return p - from;
    }

    /**
     * Finishes the event and hands it to every instance that has it enabled. Returns true when at
     * least one instance wrote it.
     */
    public boolean commit() {
        if (!active) {
            return false;
        }
        active = false;
        EventType t = cur;
        // __data_loc fields never filled get an empty string
        while (fieldIdx < t.fields().size()) {
            EventField f = t.fields().get(fieldIdx++);
            if (f.kind() == EventField.Kind.DATA_LOC_STRING) {
                writeDynamic(f, null, 0, 0, true);
            } else if (f.kind() == EventField.Kind.DYNAMIC_ARRAY) {
                writeDynamic(f, null, 0, 0, false);
            }
        }
        int len = dynEnd;
        boolean any = false;
        EventFile[] files = curFiles;
        for (EventFile f : files) {
            if (f.handle(buf, len, curCpu, pid, this)) {
                any = true;
            }
        }
        cur = null;
        curFiles = null;
        if (any) {
            noteRecorded();
        }
        return any;
    }
}
