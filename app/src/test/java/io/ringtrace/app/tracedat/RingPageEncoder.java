package io.ringtrace.app.tracedat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Test-only encoder of kernel ring-buffer sub-buffers as {@code trace_pipe_raw} returns them
 * (64-bit, little endian): u64 time_stamp, u64 commit (bytes used | flag bits), events from offset
 * 16. Event headers follow the kernel's {@code rb_calculate_event_length}/{@code rb_update_event}:
 * type_len in the low 5 bits, time_delta in the high 27, 4-byte alignment, {@code type_len 0}
 * with {@code array[0] = length + 4} for payloads over 112 bytes, a 12-byte event grown to 16, and
 * a TIME_EXTEND (type 30) before an event whose delta does not fit 27 bits.
 */
final class RingPageEncoder {
  static final int HEADER = 16;
  static final long MISSED_EVENTS = 1L << 31;
  static final long MISSED_STORED = 1L << 30;
  private static final int TYPE_TIME_EXTEND = 30;
  private static final int MAX_SMALL_DATA = 28 * 4;
  private static final long DELTA_MASK = (1L << 27) - 1;

  private final int pageSize;
  private final List<byte[]> pages = new ArrayList<>();
  private ByteBuffer page;
  private long lastTs;
  private long pendingMissed = -1; // for the next page; -1: none; 0: count unknown; >0: stored
  private long pageMissed = -1; // the same for the open page

  RingPageEncoder(int pageSize) {
    this.pageSize = pageSize;
  }

  /** The next page starts with "events lost" ({@code count} > 0 is stored, 0 is unknown). */
  RingPageEncoder missedBeforeNextPage(long count) {
    finishPage();
    pendingMissed = count;
    return this;
  }

  /** Closes the current page; the next event starts a new one. */
  RingPageEncoder finishPage() {
    if (page != null) {
      long commit = page.position() - HEADER;
      if (pageMissed == 0) {
        commit |= MISSED_EVENTS;
      } else if (pageMissed > 0) {
        commit |= MISSED_EVENTS | MISSED_STORED;
        page.putLong(page.position(), pageMissed); // stored right after the data
      }
      page.putLong(8, commit);
      pages.add(page.array());
      page = null;
      pageMissed = -1;
    }
    return this;
  }

  /** Appends one data event with timestamp {@code ts} (ns) and the given payload. */
  RingPageEncoder event(long ts, byte[] payload) {
    int len = payload.length == 0 ? 1 : payload.length;
    boolean big = len > MAX_SMALL_DATA;
    int total = align4(len + 4 + (big ? 4 : 0));
    if (total == 12) {
      total = 16;
    }
    boolean newPage = page == null;
    long delta = newPage ? 0 : ts - lastTs;
    if (delta < 0) {
      throw new IllegalArgumentException("timestamps must not go back on one CPU");
    }
    int extend = delta > DELTA_MASK ? 8 : 0;
    // Keep room for a stored missed count (8 bytes) when this page carries one.
    int reserve = pageMissed > 0 ? 8 : 0;
    if (!newPage && page.position() + extend + total + reserve > pageSize) {
      finishPage();
      newPage = true;
      delta = 0;
      extend = 0;
    }
    if (newPage) {
      page = ByteBuffer.allocate(pageSize).order(ByteOrder.LITTLE_ENDIAN);
      page.putLong(0, ts);
      page.position(HEADER);
      pageMissed = pendingMissed;
      pendingMissed = -1;
      if (total + (pageMissed > 0 ? 8 : 0) > pageSize - HEADER) {
        throw new IllegalArgumentException("event too large for a sub-buffer: " + len);
      }
    }
    if (extend != 0) {
      page.putInt((int) ((delta & DELTA_MASK) << 5) | TYPE_TIME_EXTEND);
      page.putInt((int) (delta >>> 27));
      delta = 0;
    }
    int typeLen = big ? 0 : total / 4 - 1;
    page.putInt((int) (delta << 5) | typeLen);
    if (big) {
      page.putInt(total - 4);
    }
    int start = page.position();
    page.put(payload);
    page.position(start + total - (big ? 8 : 4));
    lastTs = ts;
    return this;
  }

  List<byte[]> pages() {
    finishPage();
    return List.copyOf(pages);
  }

  private static int align4(int v) {
    return (v + 3) & ~3;
  }

  // ---- payloads (struct trace_entry + fields) ----

  /** Payload builder with the common header. */
  static final class Payload {
    private final ByteBuffer b;

    Payload(int size, int type, int flags, int preempt, int pid) {
      b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
      b.putShort(0, (short) type);
      b.put(2, (byte) flags);
      b.put(3, (byte) preempt);
      b.putInt(4, pid);
    }

    Payload u32(int off, int v) {
      b.putInt(off, v);
      return this;
    }

    Payload u64(int off, long v) {
      b.putLong(off, v);
      return this;
    }

    Payload str(int off, String s, int max) {
      byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
      if (bytes.length > max) {
        throw new IllegalArgumentException("string too long");
      }
      b.position(off);
      b.put(bytes);
      return this;
    }

    byte[] bytes() {
      return b.array();
    }
  }

  /** ftrace/print (id 5): ip u64 at 8, char buf[] at 16 (text + NUL). */
  static byte[] print(int flags, int preempt, int pid, long ip, String text) {
    byte[] t = text.getBytes(StandardCharsets.UTF_8);
    return new Payload(16 + t.length + 1, 5, flags, preempt, pid)
        .u64(8, ip).str(16, text, t.length).bytes();
  }

  /** sched/sched_switch, layout of the 6.18 format file. */
  static byte[] schedSwitch(int id, int flags, int preempt, int pid, String prevComm, int prevPid,
      int prevPrio, long prevState, String nextComm, int nextPid, int nextPrio) {
    return new Payload(64, id, flags, preempt, pid)
        .str(8, prevComm, 15).u32(24, prevPid).u32(28, prevPrio).u64(32, prevState)
        .str(40, nextComm, 15).u32(56, nextPid).u32(60, nextPrio).bytes();
  }

  /** irq/irq_handler_entry: int irq at 8, __data_loc char[] name at 12, string at 16. */
  static byte[] irqHandlerEntry(int id, int flags, int preempt, int pid, int irq, String name) {
    byte[] n = name.getBytes(StandardCharsets.UTF_8);
    int len = n.length + 1;
    return new Payload(16 + len, id, flags, preempt, pid)
        .u32(8, irq).u32(12, (len << 16) | 16).str(16, name, n.length).bytes();
  }
}
