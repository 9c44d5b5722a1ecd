package io.ringtrace.protocol.ring;

import io.ringtrace.protocol.TraceClock;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * One CPU's ring of sub-buffers (the kernel's ring_buffer_per_cpu), in the kernel's binary page
 * format (see {@link PageFormat}).
 *
 * <p>Threads: any number of producer threads may record into the same ring; writers are
 * serialized by a short CAS guard held from {@link #reserve} to {@link #commit} (the kernel's
 * "preemption disabled" section), so recording costs no actor message, no lock object and no
 * allocation. Control and read methods (reset, resize, consume, page reads, snapshots) may be
 * called from any one thread at a time (the owning actor) and take the same guard briefly.
 *
 * <p>The guard is not reentrant: a thread holding a reservation must call nothing on this ring
 * but {@link #writePage()}, {@link #commit()} or {@link #discard()} until it has called one of the
 * last two, and must always call one of them (an exception in between leaves every other writer
 * and reader spinning).
 *
 * <h2>Model</h2>
 * Sub-buffers live in {@code nrPages + 1} slots (the kernel's nr_pages plus its reader page). As
 * in the kernel, {@code nrPages - 1} full sub-buffers of data are kept besides the one being
 * written, and one more while the consuming reader is on the oldest (the kernel's reader page,
 * see {@link #maxLive()}). Every
 * sub-buffer the writer starts gets the next <em>sequence number</em>; seq {@code s} lives in slot
 * {@code s % (nrPages + 1)}. The live sub-buffers are {@code headSeq .. writeSeq}:
 * <ul>
 *   <li>the <em>tail page</em> ({@code writeSeq}) is the one the writer fills; its {@code commit}
 *       is the tail offset (the guard makes reserve+commit atomic for readers, so the write and
 *       commit positions never differ where a reader can see them);</li>
 *   <li>the <em>head page</em> ({@code headSeq}) is the oldest one holding unconsumed events. The
 *       consuming reader reads it in place, from a read offset (the kernel's
 *       {@code reader_page->read}), so a partly read tail page keeps receiving events after what
 *       was read, without duplicates. When the writer needs the slot of an unconsumed head page,
 *       overwrite mode drops that page (its unread entries go to {@code overrun}, and the next
 *       read reports the loss) and producer/consumer mode drops the new event
 *       ({@code dropped_events}).</li>
 * </ul>
 * An event that does not fit in the rest of the tail page makes the writer fill that rest as the
 * kernel's rb_reset_tail does (discarded padding, type 29 with time_delta 1 and array[0] = rest-4,
 * counted in entries_bytes; a 4-byte rest gets a null padding header outside the commit) and move
 * to a new sub-buffer; such a page's commit covers the padding, and its "real end" is where the
 * data stops. Pages given to readers ({@link #readPage}) are cut at the real end.
 *
 * <h2>Reader page</h2>
 * A writer holds the guard for most of every event, so a consuming reader that took it for each
 * peek and consume would keep waiting behind writers (descheduled ones included). As the kernel's
 * reader does with its reader page (rb_get_reader_page), the consuming reader takes the head page
 * for itself once the writer has left it: one guard hold copies its unread data and hands it over
 * ({@link #readerWord}); the reader then peeks and consumes its events without the guard (a
 * consume is one CAS), and takes the guard again only for the next page. The page stays in its
 * slot and in every counter until consumed, so the trace file, trace_pipe_raw, persistence, the
 * stats and overwrite mode (which may still drop it under the reader) see exactly what they saw
 * when every consume took the guard. Only the page the writer is still on is read event by event
 * under the guard.
 */
public final class RingBuffer {

    private static final VarHandle GUARD;
    private static final VarHandle WRITE_SEQ;
    private static final VarHandle HEAD_SEQ;
    private static final VarHandle LAYOUT;
    private static final VarHandle READER_WORD;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            GUARD = l.findVarHandle(RingBuffer.class, "guard", int.class);
            WRITE_SEQ = l.findVarHandle(RingBuffer.class, "writeSeq", long.class);
            HEAD_SEQ = l.findVarHandle(RingBuffer.class, "headSeq", long.class);
            LAYOUT = l.findVarHandle(RingBuffer.class, "layout", long.class);
            READER_WORD = l.findVarHandle(RingBuffer.class, "readerWord", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** {@link #readerWord} when the consuming reader holds no reader page. */
    private static final long NO_READER_PAGE = -1L;
    /**
     * {@link #readerWord} when the writer dropped the reader page (overwrite): the reader's pending
     * consume fails without taking the guard.
     */
    private static final long READER_PAGE_DROPPED = -2L;

    /** {@link #copyLeftPage} could not decide without the guard. */
    private static final int USE_GUARD = -2;

    private static final int HDR = PageFormat.HEADER_SIZE;
    private static final int MAX_SMALL_DATA = PageFormat.TYPE_DATA_MAX * 4;
    private static final int SPINS_BEFORE_YIELD = 64;
    private static final long MAX_EXTEND_DELTA = 1L << 59;
    private static final int SMALL_COPY = 64;

    /** The writer guard: 0 free, 1 held. Only accessed through {@link #GUARD}. */
    @SuppressWarnings("unused")
    private volatile int guard;

    private final int cpu;
    private volatile boolean recordOn = true;

    // ------------------------------------------------ configuration (written under the guard)
    private int subbufSize;
    private int capacity;
    private int maxPayload;
    private int nrPages;
    private int nSlots;
    private boolean overwrite;
    private TraceClock clock;
    /** Test hook: when set, timestamps come from here instead of {@link #clock}. */
    private LongSupplier timeSource;
    /** clock is local and no test hook is set: the hot path reads the CPU counter inline. */
    private boolean localClock;

    // ------------------------------------------------ sub-buffers and their bookkeeping
    private byte[][] pages;
    /** Commit word of each sub-buffer the writer has left (flags kept for restored pages). */
    private long[] slotCommit;
    /** Real end of data of each sub-buffer the writer has left (end of its last data event). */
    private int[] slotDataEnd;
    /** Data events committed into each sub-buffer the writer has left. */
    private int[] slotEntries;
    /** Lost-events mark of a restored sub-buffer: 0 none, -1 unknown count, else the count. */
    private long[] slotLost;
    /** Where an event that needs a new sub-buffer is built until commit (so discard has no effect). */
    private byte[] scratch;

    // ------------------------------------------------ writer state
    /**
     * Sequence of the tail page. Changed only under the guard, always through {@link #setWriteSeq}
     * (a release store followed by a store-store fence), so that a thread reading it with acquire
     * semantics and without the guard ({@link #writePageSeq}, {@link #copyLeftPage}) sees the
     * sub-buffers below it complete, and no write into a recycled slot before the new value.
     */
    private long writeSeq;
    private int curSlot;
    private byte[] curPage;
    /** Write offset in the tail page's data area (= its commit once sealed). */
    private int tail;
    private int tailEntries;
    /** The tail page was closed with padding: nothing more goes in it. */
    private boolean sealed;
    /** Real end of data of a sealed tail page. */
    private int sealEnd;
    /** Timestamp of the last committed event (deltas are taken from it); MIN_VALUE when none. */
    private long lastTs = Long.MIN_VALUE;

    // reservation in progress
    private int pendingLen;
    private long pendingTs;
    private boolean pendingMove;
    private byte[] resPage;

    // ------------------------------------------------ counters (section 4.4)
    private long entries;
    private long entriesBytes;
    private long overrun;
    private long commitOverrun;
    private long dropped;
    private long read;
    private long readBytes;

    // ------------------------------------------------ consuming reader state
    /** Changed only under the guard, through {@link #setHeadSeq} (atomic for guard-free readers). */
    private long headSeq;
    private int readPos;
    /**
     * Under the guard: the writer dropped the page the consuming reader was on. The kernel's
     * reader page would still hold that page's unread events outside the ring, so the sub-buffer
     * it takes stays counted (see {@link #maxLive()}) until the reader finishes a page.
     */
    private boolean readerPageKept;
    /** Timestamp of the last consumed event of the head page (valid when readPos > 0). */
    private long readStamp;
    private int headReadEntries;
    /** overrun already reported to the consuming reader (the kernel's last_overrun). */
    private long lastOverrun;
    /** Lost marks of restored pages the reader has entered and not yet reported. */
    private long pendingLost;
    private final PageWalker walker = new PageWalker();
    /** Bumped when the content is replaced wholesale (reset, restore, sub-buffer size). */
    private long generation;
    /**
     * Seqlock of the layout, for {@link #copyLeftPage}: odd while reset, restore, resize or a
     * sub-buffer size change rearranges the slots under the guard, bumped again (even) when done.
     */
    private long layout;
    /** Resets so far and the first page after the last one (see resetCount). */
    private long resets;
    private long resetSeq;

    // ------------------------------------------------ the reader page (see takeReaderPage)
    /**
     * Progress of the consuming reader on its reader page, {@code headReadEntries << 32 | readPos},
     * or negative when it holds none ({@link #NO_READER_PAGE}, {@link #READER_PAGE_DROPPED}). While
     * it is not negative the consuming reader owns the head page (a sub-buffer the writer has left)
     * through the copy in {@link #readerPage} and moves this word forward by CAS, without the guard;
     * {@link #readPos}, {@link #headReadEntries}, {@code read}, {@code readBytes} and the lost-events
     * state are then brought up to it under the guard by {@link #syncReader}. Whoever moves or drops
     * the head page under the guard first takes the page back with an atomic swap to a negative
     * value, so a consume either happened before (and is counted as read) or fails (the event is
     * counted in overrun), never both.
     * Only accessed through {@link #READER_WORD}.
     */
    @SuppressWarnings("unused")
    private volatile long readerWord = NO_READER_PAGE;
    /** Copy of the reader page's data (same offsets as in its slot). Owner thread. */
    private byte[] readerPage;
    /** Data end of the reader page. Owner thread. */
    private int readerEnd;
    /** Timestamp the next event's delta on the reader page is relative to. Owner thread. */
    private long readerStamp;
    /** Lost events to report with the next event of the reader page. Owner thread. */
    private long readerLost;
    /** Sequence, generation and overrun when the reader page was taken (written under the guard). */
    private long readerSeq;
    private long readerGen;
    private long readerOverrun;
    /** headReadEntries when the reader page was taken (under the guard). */
    private int readerTakeEntries;
    /** Walker of the guard-free path (never shared with {@link #walker}). */
    private final PageWalker readerWalker = new PageWalker();

    private boolean peekValid;
    /** The peeked event is on the reader page: consume tries the guard-free CAS first. */
    private boolean peekReader;
    private long peekWord;
    private long peekSeq;
    private int peekPos;
    private int peekNext;
    private long peekTs;
    private long peekOverrun;
    private long peekGen;

    /**
     * @param cpu        the CPU index this ring belongs to
     * @param subbufSize sub-buffer size in bytes (power of two, 4096..524288)
     * @param nrPages    number of sub-buffers holding data (at least 2); the kernel's reader page
     *                   comes on top
     * @param overwrite  overwrite mode (drop oldest page) or producer/consumer mode (drop newest)
     * @param clock      the clock timestamps are taken from
     */
    public RingBuffer(int cpu, int subbufSize, int nrPages, boolean overwrite, TraceClock clock) {
        checkSubbufSize(subbufSize);
        checkNrPages(nrPages);
        this.cpu = cpu;
        this.overwrite = overwrite;
        this.clock = Objects.requireNonNull(clock, "clock");
        this.localClock = clock == TraceClock.LOCAL;
        install(subbufSize, nrPages, allocPages(nrPages + 1, subbufSize));
        curSlot = 0;
        curPage = pages[0];
    }

    private static void checkSubbufSize(int size) {
        if (size < 4096 || size > 524288 || Integer.bitCount(size) != 1) {
            throw new IllegalArgumentException("sub-buffer size must be a power of two in 4096..524288: " + size);
        }
    }

    private static void checkNrPages(int n) {
        if (n < 2 || n > Integer.MAX_VALUE - 1) {
            throw new IllegalArgumentException("nr_pages must be at least 2: " + n);
        }
    }

    private static byte[][] allocPages(int n, int size) {
        byte[][] p = new byte[n][];
        for (int i = 0; i < n; i++) {
            p[i] = new byte[size];
        }
        return p;
    }

    private void install(int size, int nr, byte[][] newPages) {
        subbufSize = size;
        capacity = PageFormat.capacity(size);
        maxPayload = PageFormat.maxPayload(size);
        nrPages = nr;
        nSlots = nr + 1;
        pages = newPages;
        slotCommit = new long[nSlots];
        slotDataEnd = new int[nSlots];
        slotEntries = new int[nSlots];
        slotLost = new long[nSlots];
        scratch = new byte[size];
        readerPage = new byte[size];
    }

    // ---------------------------------------------------------------- the guard

    private void acquire() {
        if (!GUARD.compareAndSet(this, 0, 1)) {
            acquireSlow();
        }
    }

    private void acquireSlow() {
        int spins = 0;
        for (;;) {
            if ((int) GUARD.getOpaque(this) == 0 && GUARD.compareAndSet(this, 0, 1)) {
                return;
            }
            if (++spins < SPINS_BEFORE_YIELD) {
                Thread.onSpinWait();
            } else {
                // the holder may have been descheduled (more writers than cores)
                Thread.yield();
            }
        }
    }

    private void release() {
        GUARD.setRelease(this, 0);
    }

    /** Under the guard. See {@link #writeSeq}. */
    private void setWriteSeq(long seq) {
        WRITE_SEQ.setRelease(this, seq);
        VarHandle.storeStoreFence();
    }

    /** Under the guard. */
    private void setHeadSeq(long seq) {
        HEAD_SEQ.setOpaque(this, seq);
    }

    /** Under the guard, before the slots are rearranged (see {@link #layout}). */
    private void beginLayoutChange() {
        LAYOUT.setRelease(this, layout + 1);
        VarHandle.storeStoreFence();
    }

    /** Under the guard, once the slots are consistent again. */
    private void endLayoutChange() {
        LAYOUT.setRelease(this, layout + 1);
    }

    private int slotOf(long seq) {
        return (int) (seq % nSlots);
    }

    private long now() {
        return localClock ? TraceClock.localNow() : otherNow();
    }

    private long otherNow() {
        LongSupplier src = timeSource;
        return src == null ? clock.now() : src.getAsLong();
    }

    /** Test hook: take timestamps from {@code source} (null: from the clock again). */
    void setTimeSource(LongSupplier source) {
        acquire();
        try {
            this.timeSource = source;
            this.localClock = source == null && clock == TraceClock.LOCAL;
        } finally {
            release();
        }
    }

    // ---------------------------------------------------------------- writer side (any thread)

    /**
     * Reserves room for an event with {@code payloadLength} payload bytes, stamped now by the ring's
     * clock, and returns the offset in {@link #writePage()} where the payload starts; the writer
     * guard stays held until {@link #commit()}. Returns -1 (and holds nothing) when the event is not
     * recorded: recording off, payload larger than {@link PageFormat#maxPayload}, or buffer full in
     * producer/consumer mode (dropped_events++).
     *
     * <p>Any thread. The timestamp is read inside the guard and never goes below the previous
     * event's, so timestamps are monotonic per ring. The event is laid out as the kernel's
     * rb_update_event does; the bytes between the end of the payload and the end of the (4-aligned)
     * event are zeroed here, the payload bytes are the caller's to write. A delta that does not fit
     * in 27 bits is preceded by a TIME_EXTEND event; the first event of a sub-buffer has delta 0 and
     * the sub-buffer's time_stamp is its timestamp.
     */
    public int reserve(int payloadLength) {
        if (!recordOn || payloadLength < 0) {
            return -1;
        }
        acquire();
        int len = PageFormat.eventLength(payloadLength);
        long ts = now();
        int t = tail;
        long delta = ts - lastTs;
        if (t != 0 && payloadLength <= MAX_SMALL_DATA && t + len <= capacity && delta >= 0
                && delta <= PageFormat.TIME_DELTA_MAX) {
            // the common case, kept small enough to inline: a small event appended to the tail page
            byte[] page = curPage;
            int pos = HDR + t;
            PageFormat.putInt(page, pos, ((len - 4) >>> 2) | (int) (delta << 5));
            int off = pos + 4;
            for (int p = off + (payloadLength & ~3), e = pos + len; p < e; p += 4) {
                PageFormat.putInt(page, p, 0);
            }
            resPage = page;
            pendingLen = len;
            pendingTs = ts;
            return off;
        }
        return reserveSlow(payloadLength, len, ts);
    }

    /** reserve() for everything else: first event of a page, new page, time extend, large event. Guard held. */
    private int reserveSlow(int payloadLength, int len, long ts) {
        if (payloadLength > maxPayload) {
            release();
            return -1;
        }
        long last = lastTs;
        if (ts < last) {
            ts = last;
        }
        int t = tail;
        byte[] page = curPage;
        long delta = 0;
        int need = len;
        if (t != 0) {
            delta = ts - last;
            if (delta > PageFormat.TIME_DELTA_MAX) {
                if (delta < MAX_EXTEND_DELTA) {
                    need += 8;
                } else {
                    delta = 0; // the kernel gives up on deltas of 59 bits and more
                }
            } else if (delta < 0) {
                delta = 0;
            }
        }
        if (t + need > capacity) {
            if (!canMove()) {
                seal();
                dropped++;
                release();
                return -1;
            }
            // the event goes first on a new sub-buffer: build it aside, move at commit
            pendingMove = true;
            page = scratch;
            t = 0;
            delta = 0;
            need = len;
        }
        int pos = HDR + t;
        if (need != len) {
            PageFormat.putInt(page, pos,
                    PageFormat.TYPE_TIME_EXTEND | (int) ((delta & PageFormat.TIME_DELTA_MAX) << 5));
            PageFormat.putInt(page, pos + 4, (int) (delta >>> PageFormat.TIME_DELTA_BITS));
            pos += 8;
            delta = 0;
        }
        int body = len - 4;
        int off;
        if (body > MAX_SMALL_DATA) {
            PageFormat.putInt(page, pos, (int) (delta << 5));
            PageFormat.putInt(page, pos + 4, body);
            off = pos + 8;
        } else {
            PageFormat.putInt(page, pos, (body >>> 2) | (int) (delta << 5));
            off = pos + 4;
        }
        for (int p = off + (payloadLength & ~3), e = pos + len; p < e; p += 4) {
            PageFormat.putInt(page, p, 0);
        }
        resPage = page;
        pendingLen = need;
        pendingTs = ts;
        return off;
    }

    /** The page the reserved event is written into; valid between reserve and commit. */
    public byte[] writePage() {
        return resPage;
    }

    /**
     * Publishes the reserved event (entries++, entries_bytes += its length) and releases the guard.
     * Only the thread holding the reservation may call it.
     */
    public void commit() {
        if (!tryCommit()) {
            commitSlow();
        }
    }

    /**
     * {@link #commit()} of the common case only: an event appended to a tail page that already
     * has events. Returns false, and does nothing, for anything else; the caller then calls
     * {@link #commit()}. Hot call sites use it as {@code if (!r.tryCommit()) r.commit();}: compiled
     * on its own it stays small, so the JIT inlines it into them, where commit() itself, once
     * compiled with its slow path, is too big to inline (measured: 3-5 ns per event).
     */
    public boolean tryCommit() {
        int len = pendingLen;
        if (len == 0 || pendingMove || tail == 0) {
            return false;
        }
        publish(len);
        return true;
    }

    /** commit() of a reservation that moves to a new sub-buffer or starts one. */
    private void commitSlow() {
        int len = pendingLen;
        if (len == 0) {
            throw new IllegalStateException("commit without a reservation");
        }
        if (pendingMove) {
            moveTail();
            System.arraycopy(scratch, HDR, curPage, HDR, len);
            pendingMove = false;
        }
        if (tail == 0) {
            PageFormat.putLong(curPage, 0, pendingTs);
        }
        publish(len);
    }

    /** Moves the tail past the reserved event, counts it and releases the guard. */
    private void publish(int len) {
        tail += len;
        tailEntries++;
        entries++;
        entriesBytes += len;
        lastTs = pendingTs;
        pendingLen = 0;
        release();
    }

    /**
     * Abandons the event reserved by {@link #reserve} (a filter said no): nothing of it stays in
     * the page and no counter moves; releases the guard. (ring_buffer_discard_commit.)
     * Only the thread holding the reservation may call it. An event that needs a new sub-buffer
     * is built aside until commit (the page move, padding and any overwrite happen at commit), so
     * discarding any reservation leaves the ring exactly as it was; the reserved bytes are zeroed.
     */
    public void discard() {
        int len = pendingLen;
        if (len == 0) {
            throw new IllegalStateException("discard without a reservation");
        }
        if (!pendingMove) {
            byte[] page = curPage;
            int p = HDR + tail;
            int e = p + len;
            for (; p + 8 <= e; p += 8) {
                PageFormat.putLong(page, p, 0);
            }
            if (p < e) {
                PageFormat.putInt(page, p, 0); // event lengths are multiples of 4
            }
        }
        pendingMove = false;
        pendingLen = 0;
        release();
    }

    /** Records a complete payload (common fields included). Returns false if not recorded. Any thread. */
    public boolean write(byte[] payload, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, payload.length);
        int off = reserve(length);
        if (off < 0) {
            return false;
        }
        byte[] page = resPage;
        if (length <= SMALL_COPY) {
            // short payloads: word copies beat the arraycopy stub
            int i = 0;
            for (; i + 8 <= length; i += 8) {
                PageFormat.putLong(page, off + i, PageFormat.getLong(payload, offset + i));
            }
            for (; i < length; i++) {
                page[off + i] = payload[offset + i];
            }
        } else {
            System.arraycopy(payload, offset, page, off, length);
        }
        commit();
        return true;
    }

    /** Under the guard: can the writer start a new sub-buffer now? */
    private boolean canMove() {
        if (overwrite) {
            return true;
        }
        reclaim();
        return writeSeq + 1 - headSeq < maxLive();
    }

    /**
     * Under the guard, after {@link #reclaim()}: how many sub-buffers may be live (headSeq ..
     * writeSeq). The kernel's ring has nr_pages pages, the tail page among them, so it keeps
     * nr_pages - 1 full sub-buffers besides the one being written; its reader page adds one while
     * the consuming reader is on it (rb_get_reader_page swapped the head page out of the ring for
     * an empty one). Here the reader is on the head page when it holds it as its reader page or has
     * consumed part of it.
     */
    private int maxLive() {
        return readerOnHead() ? nSlots : nSlots - 1;
    }

    /** Under the guard: the consuming reader is on the head page, or was when it was dropped. */
    private boolean readerOnHead() {
        return readPos > 0 || readerPageKept || (long) READER_WORD.getAcquire(this) >= 0;
    }

    /**
     * Under the guard: closes the tail page the way rb_reset_tail does. A rest of 8 bytes or more
     * becomes a discarded padding event (time_delta 1, array[0] = rest - 4) counted in
     * entries_bytes, and the commit covers it; a rest of 4 gets a null padding header (type 29,
     * delta 0) outside the commit.
     */
    private void seal() {
        if (sealed) {
            return;
        }
        int t = tail;
        int rest = capacity - t;
        byte[] page = curPage;
        int commit = t;
        if (rest >= 8) {
            PageFormat.putInt(page, HDR + t, PageFormat.TYPE_PADDING | (1 << 5));
            PageFormat.putInt(page, HDR + t + 4, rest - 4);
            entriesBytes += rest;
            commit = capacity;
        } else if (rest >= 4) {
            PageFormat.putInt(page, HDR + t, PageFormat.TYPE_PADDING);
        }
        sealed = true;
        sealEnd = t;
        tail = commit;
        PageFormat.putLong(page, PageFormat.COMMIT_OFFSET, commit);
        slotCommit[curSlot] = commit;
        slotDataEnd[curSlot] = t;
        slotEntries[curSlot] = tailEntries;
    }

    /** Under the guard (canMove() was true): seal the tail page and start the next sub-buffer. */
    private void moveTail() {
        seal();
        reclaim();
        if (writeSeq + 1 - headSeq >= maxLive()) {
            dropHead();
        }
        setWriteSeq(writeSeq + 1);
        startTailPage();
    }

    private void startTailPage() {
        curSlot = slotOf(writeSeq);
        curPage = pages[curSlot];
        PageFormat.putLong(curPage, 0, 0);
        PageFormat.putLong(curPage, PageFormat.COMMIT_OFFSET, 0);
        slotCommit[curSlot] = 0;
        slotDataEnd[curSlot] = 0;
        slotEntries[curSlot] = 0;
        slotLost[curSlot] = 0;
        tail = 0;
        tailEntries = 0;
        sealed = false;
        sealEnd = 0;
    }

    // ---------------------------------------------------------------- reader bookkeeping (guard held)

    private int dataEndOf(long seq) {
        if (seq == writeSeq) {
            return sealed ? sealEnd : tail;
        }
        return slotDataEnd[slotOf(seq)];
    }

    /**
     * Guard held: brings what the consuming reader consumed on its reader page without the guard
     * into readPos, headReadEntries, read, read_bytes and the lost-events state, exactly as if each
     * of those consumes had been done under the guard. With {@code takeBack} the reader page is
     * also taken from the reader (its next guard-free consume fails and goes through the guard);
     * that must happen before anything moves or drops the head page or changes readPos otherwise.
     *
     * <p>Until the page is taken back nothing else can have changed overrun or the lost marks (both
     * move only when the head page moves), so the values noted when the page was taken still hold.
     * readStamp is brought up only with {@code takeBack}; it is then the reader's own value on the
     * owner thread, and on a writer thread the head is advanced (readStamp reset) right after.
     */
    private void syncReader(boolean takeBack) {
        syncReader(takeBack
                ? (long) READER_WORD.getAndSet(this, NO_READER_PAGE)
                : (long) READER_WORD.getAcquire(this), takeBack);
    }

    /** Guard held: {@link #syncReader}(true) when the reader holds a page (a drop mark stays). */
    private void takeBackReaderPage() {
        if ((long) READER_WORD.getAcquire(this) >= 0) {
            syncReader(true); // (the reader cannot make the word negative meanwhile)
        }
    }

    /** {@link #syncReader(boolean)} with the reader word {@code w} already read (or swapped). */
    private void syncReader(long w, boolean takeBack) {
        if (w < 0) {
            return;
        }
        int pos = (int) w;
        int n = (int) (w >>> 32);
        read += n - headReadEntries;
        readBytes += pos - readPos;
        if (n != readerTakeEntries) {
            lastOverrun = readerOverrun;
            pendingLost = 0;
        }
        readPos = pos;
        headReadEntries = n;
        if (takeBack) {
            readStamp = readerStamp;
        }
    }

    /** Steps the head past sub-buffers the writer has left and the reader has finished. */
    private void reclaim() {
        syncReader(false);
        while (headSeq < writeSeq) {
            int s = slotOf(headSeq);
            if (readPos < slotDataEnd[s]) {
                return;
            }
            takeBackReaderPage(); // finished: nothing more can be consumed on it meanwhile
            // the padding after the real end is consumed with the page (rb_advance_reader)
            readBytes += (slotCommit[s] & PageFormat.COMMIT_MASK) - readPos;
            readerPageKept = false; // the kernel's reader page is empty now
            advanceHead();
        }
    }

    private void advanceHead() {
        takeBackReaderPage();
        setHeadSeq(headSeq + 1);
        readPos = 0;
        readStamp = 0;
        headReadEntries = 0;
        noteLostMark();
    }

    private void noteLostMark() {
        if (headSeq < writeSeq) {
            long mark = slotLost[slotOf(headSeq)];
            if (mark != 0) {
                pendingLost = (mark < 0 || pendingLost < 0) ? -1 : pendingLost + mark;
            }
        }
    }

    /** Drops the head page (overwrite, or a shrinking resize): its unread entries are overrun. */
    private void dropHead() {
        readerPageKept = readerOnHead();
        // the reader page goes too: the reader's pending consume fails (see READER_PAGE_DROPPED)
        syncReader((long) READER_WORD.getAndSet(this, READER_PAGE_DROPPED), true);
        int s = slotOf(headSeq);
        overrun += slotEntries[s] - headReadEntries;
        entriesBytes -= (slotCommit[s] & PageFormat.COMMIT_MASK) - readPos;
        advanceHead();
    }

    /** Events lost before the next one the consuming reader gets: 0, -1 (unknown) or a count. */
    private long lostNow() {
        if (pendingLost < 0) {
            return -1;
        }
        return overrun - lastOverrun + pendingLost;
    }

    // ---------------------------------------------------------------- control (owner thread)

    /** Per-ring record switch (ring_buffer_record_on/off for this CPU). Any thread. */
    public void setRecordOn(boolean on) {
        this.recordOn = on;
    }

    /** Any thread. */
    public boolean recordOn() {
        return recordOn;
    }

    /** Overwrite (true) or producer/consumer mode; takes effect for the next page move. Owner thread. */
    public void setOverwrite(boolean overwrite) {
        acquire();
        try {
            this.overwrite = overwrite;
        } finally {
            release();
        }
    }

    /** Owner thread (any thread may read). */
    public boolean overwrite() {
        acquire();
        try {
            return overwrite;
        } finally {
            release();
        }
    }

    /**
     * Changes the clock (ring_buffer_set_clock). The content is kept, but the tail page is closed
     * so that no sub-buffer mixes deltas of two clocks: the next event starts a new sub-buffer with
     * an absolute time_stamp of the new clock. Timestamps of the two clocks are not comparable;
     * like tracing_set_clock, the owner should {@link #reset()} afterwards. Owner thread.
     */
    public void setClock(TraceClock clock) {
        Objects.requireNonNull(clock, "clock");
        acquire();
        try {
            if (clock == this.clock) {
                return;
            }
            this.clock = clock;
            this.localClock = timeSource == null && clock == TraceClock.LOCAL;
            if (tail > 0) {
                seal();
            }
            lastTs = Long.MIN_VALUE;
        } finally {
            release();
        }
    }

    /** Any thread. */
    public TraceClock clock() {
        acquire();
        try {
            return clock;
        } finally {
            release();
        }
    }

    /**
     * Erases every event and zeroes every counter (ring_buffer_reset_cpu). The writer starts a new
     * sub-buffer sequence number; pages of before the reset are gone for {@link #copyPage}.
     * Owner thread.
     */
    public void reset() {
        acquire();
        try {
            beginLayoutChange();
            resetLocked();
        } finally {
            endLayoutChange();
            release();
        }
    }

    private void resetLocked() {
        syncReader(true);
        readerPageKept = false;
        generation++;
        resets++;
        for (byte[] p : pages) {
            PageFormat.putLong(p, 0, 0);
            PageFormat.putLong(p, PageFormat.COMMIT_OFFSET, 0);
        }
        Arrays.fill(slotCommit, 0);
        Arrays.fill(slotDataEnd, 0);
        Arrays.fill(slotEntries, 0);
        Arrays.fill(slotLost, 0);
        setWriteSeq(writeSeq + 1);
        setHeadSeq(writeSeq);
        resetSeq = writeSeq;
        startTailPage();
        lastTs = Long.MIN_VALUE;
        entries = 0;
        entriesBytes = 0;
        overrun = 0;
        commitOverrun = 0;
        dropped = 0;
        read = 0;
        readBytes = 0;
        readPos = 0;
        readStamp = 0;
        headReadEntries = 0;
        lastOverrun = 0;
        pendingLost = 0;
        peekValid = false;
    }

    /**
     * Changes the number of data sub-buffers, keeping the newest events that fit; entries in
     * removed pages count as overrun (the consuming reader then reports them lost). Counters are
     * not reset, sequence numbers are kept. Owner thread.
     *
     * @throws IllegalArgumentException when {@code nrPages} is below 2
     */
    public void resize(int nrPages) {
        checkNrPages(nrPages);
        int newSlots = nrPages + 1;
        int oldSlots;
        int size;
        acquire();
        try {
            if (nrPages == this.nrPages) {
                return;
            }
            oldSlots = nSlots;
            size = subbufSize;
        } finally {
            release();
        }
        // allocate outside the guard, writers keep going meanwhile
        byte[][] fresh = allocPages(Math.max(0, newSlots - oldSlots), size);
        long[] nCommit = new long[newSlots];
        int[] nDataEnd = new int[newSlots];
        int[] nEntries = new int[newSlots];
        long[] nLost = new long[newSlots];
        byte[][] nPages = new byte[newSlots][];
        boolean[] used = new boolean[oldSlots];
        acquire();
        try {
            beginLayoutChange();
            syncReader(true);
            reclaim();
            // the new ring's nr_pages, and its reader page if the consuming reader is on the head
            int keep = readerOnHead() ? newSlots : newSlots - 1;
            while (writeSeq - headSeq + 1 > keep) {
                dropHead();
            }
            for (long seq = headSeq; seq <= writeSeq; seq++) {
                int o = slotOf(seq);
                int n = (int) (seq % newSlots);
                nPages[n] = pages[o];
                nCommit[n] = slotCommit[o];
                nDataEnd[n] = slotDataEnd[o];
                nEntries[n] = slotEntries[o];
                nLost[n] = slotLost[o];
                used[o] = true;
            }
            int oi = 0;
            int fi = 0;
            for (int i = 0; i < newSlots; i++) {
                if (nPages[i] == null) {
                    while (oi < oldSlots && used[oi]) {
                        oi++;
                    }
                    if (oi < oldSlots) {
                        used[oi] = true;
                        nPages[i] = pages[oi];
                    } else {
                        nPages[i] = fresh[fi++];
                    }
                }
            }
            pages = nPages;
            slotCommit = nCommit;
            slotDataEnd = nDataEnd;
            slotEntries = nEntries;
            slotLost = nLost;
            this.nrPages = nrPages;
            nSlots = newSlots;
            curSlot = slotOf(writeSeq);
            curPage = pages[curSlot];
        } finally {
            endLayoutChange();
            release();
        }
    }

    /**
     * Changes the sub-buffer size; the content is lost and the counters zeroed
     * (buffer_subbuf_size_kb). Like ring_buffer_subbuf_order_set, the number of sub-buffers is
     * recomputed to keep the data capacity: ceil(nrPages * oldCapacity / newCapacity), at least 2.
     * Owner thread.
     *
     * @throws IllegalArgumentException for a size that is not a power of two in 4096..524288
     */
    public void setSubbufSize(int subbufSize) {
        checkSubbufSize(subbufSize);
        long oldBytes;
        acquire();
        try {
            if (subbufSize == this.subbufSize) {
                return;
            }
            oldBytes = (long) capacity * nrPages;
        } finally {
            release();
        }
        long newCap = PageFormat.capacity(subbufSize);
        int nr = (int) Math.max(2, Math.min((oldBytes + newCap - 1) / newCap, Integer.MAX_VALUE - 1));
        byte[][] fresh = allocPages(nr + 1, subbufSize);
        acquire();
        try {
            beginLayoutChange();
            install(subbufSize, nr, fresh);
            resetLocked();
        } finally {
            endLayoutChange();
            release();
        }
    }

    /** Any thread. */
    public int nrPages() {
        acquire();
        try {
            return nrPages;
        } finally {
            release();
        }
    }

    /** Any thread. */
    public int subbufSize() {
        acquire();
        try {
            return subbufSize;
        } finally {
            release();
        }
    }

    /** The CPU index of this ring. */
    public int cpu() {
        return cpu;
    }

    // ---------------------------------------------------------------- counters (section 4.4, any thread)

    /** Entries now in the buffer: entries - (overrun + read). */
    public long entries() {
        acquire();
        try {
            syncReader(false);
            return entries - (overrun + read);
        } finally {
            release();
        }
    }

    /**
     * How many times the ring was reset ({@link #reset}), and the sequence of the first page after
     * the last reset: a persistence layer compares the count with what it saw last to learn that
     * every page before {@link #resetSeq()} is gone, whatever was written since. Any thread.
     */
    public long resetCount() {
        acquire();
        try {
            return resets;
        } finally {
            release();
        }
    }

    /** The first page sequence after the last reset (0 when never reset). Any thread. */
    public long resetSeq() {
        acquire();
        try {
            return resetSeq;
        } finally {
            release();
        }
    }

    /** Entries ever committed since the last reset (the kernel's raw {@code entries}). */
    public long entriesWritten() {
        acquire();
        try {
            return entries;
        } finally {
            release();
        }
    }

    public long overrun() {
        acquire();
        try {
            return overrun;
        } finally {
            release();
        }
    }

    /** Always 0 here: a writer can never wrap onto its own uncommitted page. */
    public long commitOverrun() {
        acquire();
        try {
            return commitOverrun;
        } finally {
            release();
        }
    }

    /** Bytes now in the buffer: entries_bytes - read_bytes. */
    public long bytes() {
        acquire();
        try {
            syncReader(false);
            return entriesBytes - readBytes;
        } finally {
            release();
        }
    }

    public long droppedEvents() {
        acquire();
        try {
            return dropped;
        } finally {
            release();
        }
    }

    public long readEvents() {
        acquire();
        try {
            syncReader(false);
            return read;
        } finally {
            release();
        }
    }

    /**
     * Timestamp of the oldest page (reader page or head page); 0 when nothing was ever written.
     * Here: the time_stamp of the head page, i.e. of the tail page once everything was consumed
     * (the golden kernel output keeps showing it after trace_pipe emptied the buffer).
     */
    public long oldestEventTs() {
        acquire();
        try {
            reclaim();
            return PageFormat.getLong(pages[slotOf(headSeq)], 0);
        } finally {
            release();
        }
    }

    /** The text of {@code per_cpu/cpuN/stats} (section 4.6), with {@code now} in the ring's clock. */
    public String stats() {
        long nowTs;
        acquire();
        try {
            nowTs = now();
        } finally {
            release();
        }
        return stats(nowTs);
    }

    /** {@link #stats()} with a given "now ts" value. Any thread. */
    public String stats(long nowTs) {
        long e;
        long o;
        long co;
        long b;
        long oldest;
        long d;
        long r;
        TraceClock c;
        acquire();
        try {
            reclaim();
            e = entries - (overrun + read);
            o = overrun;
            co = commitOverrun;
            b = entriesBytes - readBytes;
            oldest = PageFormat.getLong(pages[slotOf(headSeq)], 0);
            d = dropped;
            r = read;
            c = clock;
        } finally {
            release();
        }
        return "entries: " + e + '\n'
                + "overrun: " + o + '\n'
                + "commit overrun: " + co + '\n'
                + "bytes: " + b + '\n'
                + "oldest event ts: " + c.format(oldest) + '\n'
                + "now ts: " + c.format(nowTs) + '\n'
                + "dropped events: " + d + '\n'
                + "read events: " + r + '\n';
    }

    // ---------------------------------------------------------------- consuming reader (owner thread)

    /**
     * Copies the oldest unconsumed event into {@code cursor} without consuming it. Returns false
     * when the ring is empty. {@code cursor.lostEvents} tells how many events were lost just
     * before this one (overwritten before they were read; -1 when the count is unknown, as after a
     * page discarded by {@link #restore}). Owner thread.
     *
     * <p>As the kernel's reader (rb_get_reader_page), the reader takes the head page for itself
     * once the writer has left it ({@link #takeReaderPage}, one guard hold per sub-buffer) and then
     * reads and consumes its events without the guard, so it does not wait behind writers; only
     * the page the writer is still on is read event by event under the guard.
     */
    public boolean peek(EventCursor cursor) {
        long w = (long) READER_WORD.getAcquire(this);
        if (w >= 0 && peekReaderPage(cursor, w)) {
            return true;
        }
        return peekLocked(cursor);
    }

    /**
     * The next event of the reader page into {@code cursor}, without the guard; false when the
     * reader page has no event left (the guarded path then moves on). Owner thread. A writer may
     * take the page back meanwhile (overwrite): the event is then still returned, as it would have
     * been by a peek just before, and its consume fails.
     */
    private boolean peekReaderPage(EventCursor cursor, long w) {
        int pos = (int) w;
        int end = readerEnd;
        byte[] page = readerPage;
        PageWalker wk = readerWalker;
        wk.ts = readerStamp;
        while (pos < end) {
            int kind = wk.step(page, pos, end);
            if (kind == PageWalker.DATA) {
                cursor.copyFrom(page, wk, cpu, readerLost);
                peekValid = true;
                peekReader = true;
                peekWord = w;
                peekSeq = readerSeq;
                peekPos = (int) w;
                peekNext = wk.next;
                peekTs = wk.ts;
                peekOverrun = readerOverrun;
                peekGen = readerGen;
                return true;
            }
            if (kind != PageWalker.SKIP) {
                break;
            }
            pos = wk.next;
        }
        return false;
    }

    /**
     * Guard held, reader state synced, {@code seq} (the head page) left by the writer: copies its
     * unread data for the reader (the kernel swaps the page out of the ring; a copy keeps the ring
     * page where {@link #snapshot}, {@link #copyPage} and {@link #readPage} look for it) and hands
     * the page to the reader through {@link #readerWord}. The head page stays in the ring and in
     * every counter until consumed, so the writer still drops it in overwrite mode, as before.
     */
    private void takeReaderPage(long seq, int start, int end) {
        byte[] page = pages[slotOf(seq)];
        System.arraycopy(page, HDR + start, readerPage, HDR + start, end - start);
        readerEnd = end;
        readerStamp = start == 0 ? PageFormat.getLong(page, 0) : readStamp;
        readerLost = lostNow();
        readerSeq = seq;
        readerGen = generation;
        readerOverrun = overrun;
        readerTakeEntries = headReadEntries;
        READER_WORD.setRelease(this, (long) headReadEntries << 32 | start);
    }

    private boolean peekLocked(EventCursor cursor) {
        acquire();
        try {
            syncReader(true);
            for (;;) {
                reclaim();
                long seq = headSeq;
                int start = readPos;
                int end = dataEndOf(seq);
                if (start >= end) {
                    return false;
                }
                if (seq != writeSeq) {
                    takeReaderPage(seq, start, end);
                    if (peekReaderPage(cursor, (long) READER_WORD.getOpaque(this))) {
                        return true;
                    }
                    syncReader(true); // nothing readable on it: the loop below steps over it
                }
                byte[] page = pages[slotOf(seq)];
                PageWalker w = walker;
                w.ts = start == 0 ? PageFormat.getLong(page, 0) : readStamp;
                int pos = start;
                while (pos < end) {
                    int kind = w.step(page, pos, end);
                    if (kind == PageWalker.DATA) {
                        cursor.copyFrom(page, w, cpu, lostNow());
                        peekValid = true;
                        peekReader = false;
                        peekSeq = seq;
                        peekPos = start;
                        peekNext = w.next;
                        peekTs = w.ts;
                        peekOverrun = overrun;
                        peekGen = generation;
                        return true;
                    }
                    if (kind != PageWalker.SKIP) {
                        break;
                    }
                    pos = w.next;
                }
                // nothing readable left on this page (only possible with odd restored pages)
                if (seq == writeSeq) {
                    return false;
                }
                readBytes += end - start;
                readPos = end;
                readStamp = w.ts;
            }
        } finally {
            release();
        }
    }

    /**
     * Consumes the event last returned by {@link #peek} (read++, read_bytes += its length, time
     * extend included). Does nothing when that event is gone meanwhile (overwritten: it is then
     * counted in overrun) or when no peek preceded. Owner thread.
     *
     * <p>An event of the reader page is consumed by one CAS of {@link #readerWord}, without the
     * guard; when the page was taken back meanwhile, the guarded path decides as before.
     */
    public void consume() {
        consumeEvent();
    }

    /** {@link #consume()}; returns whether the peeked event was consumed (tests). Owner thread. */
    boolean consumeEvent() {
        if (peekValid && peekReader) {
            long w = peekWord;
            long next = ((w >>> 32) + 1) << 32 | peekNext;
            if (READER_WORD.compareAndSet(this, w, next)) {
                readerStamp = peekTs;
                readerLost = 0;
                peekValid = false;
                return true;
            }
            if ((long) READER_WORD.getAcquire(this) == READER_PAGE_DROPPED) {
                // the peeked event's page was dropped: between peek and consume nothing else can
                // move it from the head (readPage and a new peek forget the peek), so the event
                // is overrun, as the guarded path would find
                peekValid = false;
                return false;
            }
        }
        return consumeLocked();
    }

    private boolean consumeLocked() {
        acquire();
        try {
            syncReader(true);
            boolean done = false;
            if (peekValid && peekGen == generation && peekSeq == headSeq && peekPos == readPos) {
                readBytes += peekNext - peekPos;
                readPos = peekNext;
                readStamp = peekTs;
                read++;
                headReadEntries++;
                lastOverrun = peekOverrun;
                pendingLost = 0;
                reclaim();
                done = true;
            }
            peekValid = false;
            return done;
        } finally {
            release();
        }
    }

    /**
     * trace_pipe_raw: copies the oldest readable sub-buffer into {@code dst} (at least
     * {@link #subbufSize()} bytes; zero-filled after the data; header {@code time_stamp} = first
     * event's timestamp, {@code commit} = bytes used | MISSED_EVENTS/MISSED_STORED flags) and
     * consumes every event in it. Returns the page size, or 0 when the ring is empty.
     *
     * <p>As ring_buffer_read_page: an unread sub-buffer the writer has left is handed over whole,
     * its commit cut at the real end of data (trailing padding left out, so the lost-events count
     * can be stored after the data); otherwise (partly read, or the writer still on it) the
     * available events are copied to the start of the data area, {@code time_stamp} is the
     * timestamp the first copied event's delta is relative to (the last consumed event's, or the
     * page's), and commit is the number of bytes copied. Later writes to the same tail page are
     * returned by later calls, never twice. Owner thread.
     *
     * @throws IllegalArgumentException when {@code dst} is shorter than a sub-buffer
     */
    public int readPage(byte[] dst) {
        acquire();
        try {
            syncReader(true);
            int size = subbufSize;
            if (dst.length < size) {
                throw new IllegalArgumentException("page buffer of " + dst.length + " bytes < " + size);
            }
            reclaim();
            long seq = headSeq;
            int start = readPos;
            int end = dataEndOf(seq);
            if (start >= end) {
                return 0;
            }
            long lost = lostNow();
            lastOverrun = overrun;
            pendingLost = 0;
            int s = slotOf(seq);
            byte[] page = pages[s];
            long pageTs;
            int used;
            if (start == 0 && seq != writeSeq) {
                System.arraycopy(page, 0, dst, 0, HDR + end);
                pageTs = PageFormat.getLong(page, 0);
                used = end;
                read += slotEntries[s];
                readBytes += slotCommit[s] & PageFormat.COMMIT_MASK;
                advanceHead();
            } else {
                PageWalker w = walker;
                pageTs = start == 0 ? PageFormat.getLong(page, 0) : readStamp;
                w.ts = pageTs;
                int n = 0;
                int pos = start;
                while (pos < end) {
                    int kind = w.step(page, pos, end);
                    if (kind == PageWalker.DATA) {
                        n++;
                    } else if (kind != PageWalker.SKIP) {
                        break;
                    }
                    pos = w.next;
                }
                used = end - start;
                System.arraycopy(page, HDR + start, dst, HDR, used);
                read += n;
                headReadEntries += n;
                readBytes += used;
                readPos = end;
                readStamp = w.ts;
                reclaim();
            }
            long commit = used;
            int zeroFrom = HDR + used;
            if (lost != 0) {
                if (lost > 0 && capacity - used >= 8) {
                    PageFormat.putLong(dst, zeroFrom, lost);
                    zeroFrom += 8;
                    commit |= PageFormat.MISSED_STORED;
                }
                commit |= PageFormat.MISSED_EVENTS;
            }
            PageFormat.putLong(dst, 0, pageTs);
            PageFormat.putLong(dst, PageFormat.COMMIT_OFFSET, commit);
            Arrays.fill(dst, zeroFrom, size, (byte) 0);
            peekValid = false;
            return size;
        } finally {
            release();
        }
    }

    /** True when no unconsumed event is left. Any thread. */
    public boolean isEmpty() {
        acquire();
        try {
            reclaim();
            return headSeq == writeSeq && readPos >= dataEndOf(writeSeq);
        } finally {
            release();
        }
    }

    // ---------------------------------------------------------------- non-consuming reader

    /**
     * A copy of every readable event, for the {@code trace} file's iterator; recording goes on
     * meanwhile and nothing is consumed. Owner thread (the snapshot then belongs to its reader).
     *
     * <p>The counters and the end point (the tail at this moment) are taken at once; the
     * sub-buffers are then copied one at a time, each under the guard, so writers are held up for
     * one page copy at most. A sub-buffer the writer overwrites before it is copied is skipped and
     * the next event read from the snapshot carries {@code lostEvents = -1} (the kernel's
     * "CPU:N [LOST EVENTS]"); a reset meanwhile ends the snapshot there.
     */
    public RingSnapshot snapshot() {
        List<CopiedRingSnapshot.Segment> segments = new ArrayList<>();
        long startSeq;
        long endSeq;
        int endPos;
        long gen;
        long entriesNow;
        long overrunNow;
        acquire();
        try {
            syncReader(true); // readStamp of a partly read head page
            reclaim();
            gen = generation;
            startSeq = headSeq;
            endSeq = writeSeq;
            endPos = dataEndOf(endSeq);
            entriesNow = entries - (overrun + read);
            overrunNow = overrun;
            int s = slotOf(startSeq);
            byte[] page = pages[s];
            int limit = startSeq == endSeq ? endPos : slotDataEnd[s];
            if (readPos < limit) {
                long base = readPos == 0 ? PageFormat.getLong(page, 0) : readStamp;
                long mark = readPos == 0 && startSeq != endSeq ? slotLost[s] : 0;
                segments.add(new CopiedRingSnapshot.Segment(
                        Arrays.copyOf(page, HDR + limit), readPos, limit, base, mark));
            }
        } finally {
            release();
        }
        long lostMark = 0;
        for (long seq = startSeq + 1; seq <= endSeq; seq++) {
            acquire();
            try {
                if (generation != gen) {
                    break;
                }
                if (seq < headSeq) {
                    lostMark = -1;
                    continue;
                }
                int s = slotOf(seq);
                byte[] page = pages[s];
                int limit = seq == endSeq ? endPos : slotDataEnd[s];
                long mark = seq == writeSeq ? 0 : slotLost[s];
                if (lostMark != 0) {
                    mark = -1;
                }
                if (limit > 0 || mark != 0) {
                    segments.add(new CopiedRingSnapshot.Segment(
                            Arrays.copyOf(page, HDR + limit), 0, limit, PageFormat.getLong(page, 0), mark));
                    lostMark = 0;
                }
            } finally {
                release();
            }
        }
        return new CopiedRingSnapshot(cpu, segments, entriesNow, overrunNow);
    }

    // ---------------------------------------------------------------- persistence hooks

    /**
     * Sequence number of the sub-buffer the writer is filling now. Every time the writer moves to
     * a new sub-buffer the sequence increments by one; a reset does not go back (so a persisted
     * page is identified by its sequence for the life of the engine). Any thread.
     *
     * <p>Sub-buffers below this number never change again while they stay in the ring; the one
     * with this number changes with every commit. Does not take the writer guard.
     */
    public long writePageSeq() {
        return (long) WRITE_SEQ.getAcquire(this);
    }

    /**
     * Copies the sub-buffer with sequence {@code seq} into {@code dst} (header included, commit =
     * bytes written so far for the page being filled, zero-filled after its data). Returns the
     * number of bytes copied ({@link #subbufSize()}), or -1 when that page is no longer in the ring
     * (overwritten, consumed or reset). Any thread.
     *
     * <p>The copy is the sub-buffer as the kernel keeps it: a page closed by padding has its commit
     * at the end of the padding (which is a parseable discarded event); a partly consumed head page
     * is copied whole, consumed events included.
     *
     * <p>A sub-buffer the writer has left ({@code seq < writePageSeq()}) does not change until the
     * writer wraps onto its slot, so it is copied <em>without</em> the writer guard, seqlock style:
     * the write sequence and the layout count are read (acquire) before and after the copy, and the
     * copy counts only if the slot cannot have been recycled or rearranged meanwhile (a page
     * overwritten during the copy is reported gone, -1; a reset, restore or resize during the copy
     * makes it retry under the guard). Writers are never held up by these copies. Only the page
     * being filled is copied under the guard.
     *
     * @throws IllegalArgumentException when {@code dst} is shorter than a sub-buffer
     */
    public int copyPage(long seq, byte[] dst) {
        return copyPage(seq, dst, 0);
    }

    /**
     * {@link #copyPage(long, byte[])} into {@code dst} from {@code offset} (several pages into one
     * array). Any thread.
     *
     * @throws IllegalArgumentException when {@code dst} has less than a sub-buffer from {@code offset}
     */
    public int copyPage(long seq, byte[] dst, int offset) {
        int n = copyLeftPage(seq, dst, offset);
        return n != USE_GUARD ? n : copyPageLocked(seq, dst, offset);
    }

    /**
     * The guard-free part of {@link #copyPage}: the copy of a sub-buffer the writer has left, -1
     * when it is gone for good, or {@link #USE_GUARD} when the guard is needed to decide (the page
     * being filled, a page not written yet, a layout change under way, a short {@code dst}).
     */
    private int copyLeftPage(long seq, byte[] dst, int offset) {
        long lay = (long) LAYOUT.getAcquire(this);
        if ((lay & 1) != 0) {
            return USE_GUARD;
        }
        try {
            // read after the acquire above: stable unless the layout count moves (checked below)
            byte[][] slots = pages;
            long[] commits = slotCommit;
            int n = nSlots;
            int size = subbufSize;
            int cap = capacity;
            long w = (long) WRITE_SEQ.getAcquire(this);
            if (seq >= w || offset < 0 || dst.length - offset < size || n != slots.length) {
                return USE_GUARD;
            }
            if (seq <= w - n || seq < (long) HEAD_SEQ.getAcquire(this)) {
                // overwritten, consumed or reset: never comes back (both sequences only grow)
                VarHandle.acquireFence();
                return (long) LAYOUT.getOpaque(this) == lay ? -1 : USE_GUARD;
            }
            int s = (int) (seq % n);
            long commit = commits[s];
            int used = (int) (commit & PageFormat.COMMIT_MASK);
            if (used > cap) {
                return USE_GUARD; // torn read of a slot being recycled; decided under the guard
            }
            if ((commit & PageFormat.MISSED_STORED) != 0 && used + 8 <= cap) {
                used += 8; // a restored page keeps its stored lost-events count
            }
            byte[] page = slots[s];
            if (page.length != size) {
                return USE_GUARD;
            }
            System.arraycopy(page, 0, dst, offset, HDR + used);
            VarHandle.acquireFence(); // the copy above happens before the checks below
            if ((long) LAYOUT.getOpaque(this) != lay) {
                return USE_GUARD;
            }
            if ((long) WRITE_SEQ.getOpaque(this) - seq >= n) {
                return -1; // the writer wrapped onto the slot during the copy: the page is gone
            }
            PageFormat.putLong(dst, offset + PageFormat.COMMIT_OFFSET, commit);
            Arrays.fill(dst, offset + HDR + used, offset + size, (byte) 0);
            return size;
        } catch (IndexOutOfBoundsException e) {
            return USE_GUARD; // arrays of two layouts mixed; the layout count moved
        }
    }

    private int copyPageLocked(long seq, byte[] dst, int offset) {
        acquire();
        try {
            int size = subbufSize;
            if (offset < 0 || dst.length - offset < size) {
                throw new IllegalArgumentException("page buffer of " + dst.length + " bytes from " + offset
                        + " < " + size);
            }
            reclaim();
            if (seq < headSeq || seq > writeSeq) {
                return -1;
            }
            int s = slotOf(seq);
            long commit = seq == writeSeq ? tail : slotCommit[s];
            int used = (int) (commit & PageFormat.COMMIT_MASK);
            if ((commit & PageFormat.MISSED_STORED) != 0 && used + 8 <= capacity) {
                used += 8; // a restored page keeps its stored lost-events count
            }
            System.arraycopy(pages[s], 0, dst, offset, HDR + used);
            PageFormat.putLong(dst, offset + PageFormat.COMMIT_OFFSET, commit);
            Arrays.fill(dst, offset + HDR + used, offset + size, (byte) 0);
            return size;
        } finally {
            release();
        }
    }

    /**
     * Sequence number of the oldest page still holding unconsumed data, or {@link #writePageSeq()}
     * when empty. Any thread.
     */
    public long oldestPageSeq() {
        acquire();
        try {
            reclaim();
            return headSeq;
        } finally {
            release();
        }
    }

    /**
     * Replaces the content with previously saved pages, oldest first (persistent boot): each page
     * is validated like rb_meta_validate_events (commit within capacity, events parse, timestamps do
     * not go back); an invalid page is kept as an empty page whose commit is MISSED_EVENTS, so
     * readers see a lost-events mark there. entries and entries_bytes are restored; overrun and read
     * start at 0. The writer continues after the last restored page. Returns the number of pages
     * discarded as invalid.
     *
     * <p>Details: at most {@link #nrPages()} pages are kept (the newest; older ones are ignored and
     * not counted). A page must be exactly {@link #subbufSize()} bytes; its commit may carry the
     * MISSED_EVENTS/MISSED_STORED flags (a page restored as invalid before is saved that way and
     * stays a lost-events mark); its first timestamp must not be earlier than the end timestamp of
     * the previous non-empty valid page. An invalid page gets the time_stamp of its previous (else
     * next) valid neighbour. The restored pages get fresh sequence numbers
     * {@code oldestPageSeq() .. writePageSeq() - 1}, and the writer starts a new sub-buffer after
     * them (its first event has an absolute time_stamp, so a clock that restarted is fine). Owner
     * thread.
     */
    public int restore(List<byte[]> saved) {
        Objects.requireNonNull(saved, "pages");
        acquire();
        try {
            beginLayoutChange();
            resetLocked();
            int keep = Math.min(saved.size(), nrPages);
            int from = saved.size() - keep;
            long base = writeSeq;
            int invalid = 0;
            boolean havePrev = false;
            long prevEndTs = 0;
            long prevPageTs = 0;
            boolean pendingTsFix = false;
            for (int i = 0; i < keep; i++) {
                byte[] src = saved.get(from + i);
                int s = slotOf(base + i);
                byte[] page = pages[s];
                if (validate(src, havePrev, prevEndTs)) {
                    int used = vSize;
                    System.arraycopy(src, 0, page, 0, subbufSize);
                    slotCommit[s] = PageFormat.getLong(src, PageFormat.COMMIT_OFFSET);
                    slotDataEnd[s] = vDataEnd;
                    slotEntries[s] = vEvents;
                    slotLost[s] = vLost;
                    entries += vEvents;
                    entriesBytes += used;
                    if (used > 0) {
                        long ts = PageFormat.getLong(src, 0);
                        if (pendingTsFix) {
                            for (int j = 0; j < i; j++) {
                                PageFormat.putLong(pages[slotOf(base + j)], 0, ts);
                            }
                            pendingTsFix = false;
                        }
                        havePrev = true;
                        prevEndTs = vEndTs;
                        prevPageTs = ts;
                    }
                } else {
                    invalid++;
                    Arrays.fill(page, (byte) 0);
                    PageFormat.putLong(page, 0, prevPageTs);
                    PageFormat.putLong(page, PageFormat.COMMIT_OFFSET, PageFormat.MISSED_EVENTS);
                    slotCommit[s] = PageFormat.MISSED_EVENTS;
                    slotDataEnd[s] = 0;
                    slotEntries[s] = 0;
                    slotLost[s] = -1;
                    if (!havePrev) {
                        pendingTsFix = true;
                    }
                }
            }
            setWriteSeq(base + keep);
            startTailPage();
            setHeadSeq(base);
            if (headSeq < writeSeq) {
                long mark = slotLost[slotOf(headSeq)];
                if (mark != 0) {
                    pendingLost = mark;
                }
            }
            return invalid;
        } finally {
            endLayoutChange();
            release();
        }
    }

    // results of validate()
    private int vSize;
    private int vDataEnd;
    private int vEvents;
    private long vEndTs;
    private long vLost;

    /** rb_meta_validate_events for one saved page (guard held). */
    private boolean validate(byte[] src, boolean havePrev, long prevEndTs) {
        if (src == null || src.length != subbufSize) {
            return false;
        }
        long commit = PageFormat.getLong(src, PageFormat.COMMIT_OFFSET);
        if ((commit & ~(PageFormat.COMMIT_MASK | PageFormat.MISSED_EVENTS | PageFormat.MISSED_STORED)) != 0) {
            return false;
        }
        int size = (int) (commit & PageFormat.COMMIT_MASK);
        if (size > capacity) {
            return false;
        }
        long ts0 = PageFormat.getLong(src, 0);
        if (size > 0 && havePrev && Long.compareUnsigned(ts0, prevEndTs) < 0) {
            return false;
        }
        PageWalker w = walker;
        w.ts = ts0;
        int pos = 0;
        int events = 0;
        int dataEnd = 0;
        while (pos < size) {
            int kind = w.step(src, pos, size);
            if (kind == PageWalker.DATA) {
                events++;
                dataEnd = w.next;
            } else if (kind != PageWalker.SKIP || w.wentBack) {
                return false;
            }
            pos = w.next;
        }
        long lost = 0;
        if ((commit & PageFormat.MISSED_EVENTS) != 0) {
            lost = -1;
            if ((commit & PageFormat.MISSED_STORED) != 0 && size + 8 <= capacity) {
                long count = PageFormat.getLong(src, HDR + size);
                if (count > 0) {
                    lost = count;
                }
            }
        }
        vSize = size;
        vDataEnd = dataEnd;
        vEvents = events;
        vEndTs = w.ts;
        vLost = lost;
        return true;
    }
}
