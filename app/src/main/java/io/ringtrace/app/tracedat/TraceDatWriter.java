package io.ringtrace.app.tracedat;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Writes a trace-cmd {@code trace.dat} file, version 6, little endian, long size 8, with the page
 * size of the input (the sub-buffer size), from a {@link TraceDatInput}.
 *
 * <p>Layout (as trace-cmd 3.x writes and reads version 6, {@code lib/trace-cmd/trace-output.c} /
 * {@code trace-input.c}):
 *
 * <pre>
 *   17 08 44 "tracing" "6\0" u8 endian(0) u8 long_size(8) u32 page_size
 *   "header_page\0"  u64 size, text
 *   "header_event\0" u64 size, text
 *   u32 count, { u64 size, ftrace format text }
 *   u32 systems, { "system\0", u32 count, { u64 size, format text } }
 *   u32 size, kallsyms text
 *   u32 size, printk_formats text
 *   u64 size, saved_cmdlines text
 *   u32 cpus
 *   "options  \0" { u16 id, u32 size, data } u16 0
 *   "flyrecord\0" { u64 offset, u64 size } per CPU, [u64 size, "[clock]"]
 *   (named instance only: the top-level CPUs are all (0,0) and option BUFFER points to a second
 *    "flyrecord\0" block of the same form that holds the real offsets)
 *   zero padding to a page boundary, then per CPU its pages, each exactly page_size bytes.
 * </pre>
 *
 * <p>The "[clock]" block after the flyrecord offsets is present exactly when option TRACECLOCK is:
 * trace-cmd's v6 reader reads it whenever it saw that option.
 *
 * <p>Usage:
 *
 * <pre>{@code
 * TraceDatInput in = TraceDatInput.builder()
 *     .headerPage(headerPageText).headerEvent(headerEventText)
 *     .ftraceFormat(printFormatText)
 *     .eventFormat("sched", schedSwitchFormatText)
 *     .savedCmdlines("42 bash\n").traceClock("[local] global counter\n")
 *     .cpuCount(2).addPage(0, rawSubBuffer0).addPage(1, rawSubBuffer1)
 *     .build();
 * new TraceDatWriter(in).write(Path.of("trace.dat"));
 * }</pre>
 */
public final class TraceDatWriter {

  /** trace-cmd option ids ({@code enum tracecmd_option_id}). */
  static final int OPTION_DONE = 0;
  static final int OPTION_CPUSTAT = 2;
  static final int OPTION_BUFFER = 3;
  static final int OPTION_TRACECLOCK = 4;
  static final int OPTION_UNAME = 5;
  static final int OPTION_CPUCOUNT = 8;
  static final int OPTION_VERSION = 9;
  static final int OPTION_LAST_BOOT_INFO = 24;

  static final byte[] MAGIC = {0x17, 0x08, 0x44, 't', 'r', 'a', 'c', 'i', 'n', 'g'};
  static final int FILE_VERSION = 6;
  static final int LONG_SIZE = 8;

  private final TraceDatInput in;

  public TraceDatWriter(TraceDatInput input) {
    this.in = Objects.requireNonNull(input, "input");
  }

  /** Writes the file to {@code path} (created or truncated). */
  public void write(Path path) throws IOException {
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(path), 1 << 16)) {
      write(out);
    }
  }

  /** Writes the whole file to {@code out} (not closed). */
  public void write(OutputStream out) throws IOException {
    Layout layout = layout();
    out.write(layout.header);
    long pos = layout.header.length;
    out.write(new byte[(int) (layout.dataStart - pos)]);
    int pageSize = in.pageSize();
    byte[] zeros = new byte[pageSize];
    for (List<byte[]> pages : in.cpuPages()) {
      for (byte[] page : pages) {
        out.write(page);
        out.write(zeros, 0, pageSize - page.length);
      }
    }
    out.flush();
  }

  /** The whole file in memory. */
  public byte[] toBytes() {
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    try {
      write(bos);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return bos.toByteArray();
  }

  /** Size in bytes of the file {@link #write} produces. */
  public long fileSize() {
    Layout layout = layout();
    long size = layout.dataStart;
    for (List<byte[]> pages : in.cpuPages()) {
      size += (long) pages.size() * in.pageSize();
    }
    return size;
  }

  /**
   * The current clock of a {@code trace_clock} text: the word in brackets ({@code "local"} for
   * {@code "[local] global\n"}), or {@code null} if there is none.
   */
  static String currentClock(String traceClockText) {
    int open = traceClockText.indexOf('[');
    if (open < 0) {
      return null;
    }
    int close = traceClockText.indexOf(']', open + 1);
    if (close < 0) {
      return null;
    }
    String name = traceClockText.substring(open + 1, close).trim();
    return name.isEmpty() || name.chars().anyMatch(Character::isWhitespace) ? null : name;
  }

  private record Layout(byte[] header, long dataStart) {}

  private Layout layout() {
    int pageSize = in.pageSize();
    int cpus = in.cpuCount();
    boolean named = in.instanceName() != null;
    String clock = in.traceClock() == null ? null : currentClock(in.traceClock());

    Le h = new Le();
    // Initial format.
    h.bytes(MAGIC);
    h.cstr(Integer.toString(FILE_VERSION));
    h.u8(0); // little endian
    h.u8(LONG_SIZE);
    h.u32(pageSize);

    // Header info.
    h.cstr("header_page");
    h.sized8(utf8(in.headerPage()));
    h.cstr("header_event");
    h.sized8(utf8(in.headerEvent()));

    // Ftrace event formats.
    h.u32(in.ftraceFormats().size());
    for (String f : in.ftraceFormats()) {
      h.sized8(utf8(f));
    }

    // Event formats, per system.
    h.u32(in.eventFormats().size());
    for (Map.Entry<String, List<String>> e : in.eventFormats().entrySet()) {
      h.cstr(e.getKey());
      h.u32(e.getValue().size());
      for (String f : e.getValue()) {
        h.sized8(utf8(f));
      }
    }

    h.sized4(utf8(in.kallsyms()));
    h.sized4(utf8(in.printkFormats()));
    h.sized8(utf8(in.savedCmdlines()));
    h.u32(cpus);

    // Options.
    h.bytes(utf8("options  \0"));
    if (clock != null) {
      h.option(OPTION_TRACECLOCK, cstrBytes(in.traceClock()));
    }
    if (in.uname() != null) {
      h.option(OPTION_UNAME, cstrBytes(in.uname()));
    }
    if (in.version() != null) {
      h.option(OPTION_VERSION, cstrBytes(in.version()));
    }
    if (in.cpuStats() != null) {
      if (named) {
        h.option(OPTION_CPUSTAT, cstrBytes("\nBuffer: " + in.instanceName() + "\n\n"));
      }
      for (int cpu = 0; cpu < cpus; cpu++) {
        h.option(OPTION_CPUSTAT, cstrBytes("CPU: " + cpu + "\n" + in.cpuStats().get(cpu)));
      }
    }
    if (named && in.lastBootInfo() != null) {
      h.option(OPTION_LAST_BOOT_INFO, cstrBytes(in.instanceName() + ":" + in.lastBootInfo()));
    }
    h.option(OPTION_CPUCOUNT, Le.u32Bytes(cpus));
    int bufferOffsetPos = -1;
    if (named) {
      // u64 offset of the instance's flyrecord block (patched below), then the name and NUL.
      byte[] name = utf8(in.instanceName());
      byte[] data = new byte[8 + name.length + 1];
      System.arraycopy(name, 0, data, 8, name.length);
      h.u16(OPTION_BUFFER);
      h.u32(data.length);
      bufferOffsetPos = h.size();
      h.bytes(data);
    }
    h.u16(OPTION_DONE);

    // Top-level flyrecord.
    h.bytes(utf8("flyrecord\0"));
    List<Integer> cpuEntryPos = new ArrayList<>();
    for (int cpu = 0; cpu < cpus; cpu++) {
      cpuEntryPos.add(h.size());
      h.u64(0);
      h.u64(0);
    }
    if (clock != null) {
      h.sized8(utf8("[" + clock + "]"));
    }
    if (named) {
      // The instance's flyrecord block, where option BUFFER points.
      h.patchU64(bufferOffsetPos, h.size());
      h.bytes(utf8("flyrecord\0"));
      cpuEntryPos.clear();
      for (int cpu = 0; cpu < cpus; cpu++) {
        cpuEntryPos.add(h.size());
        h.u64(0);
        h.u64(0);
      }
      if (clock != null) {
        h.sized8(utf8("[" + clock + "]"));
      }
    }

    // CPU data: page aligned, whole pages.
    long dataStart = align(h.size(), pageSize);
    long offset = dataStart;
    for (int cpu = 0; cpu < cpus; cpu++) {
      long size = (long) in.cpuPages().get(cpu).size() * pageSize;
      h.patchU64(cpuEntryPos.get(cpu), offset);
      h.patchU64(cpuEntryPos.get(cpu) + 8, size);
      offset += size;
    }
    return new Layout(h.toByteArray(), dataStart);
  }

  private static long align(long v, int to) {
    return (v + to - 1) & -(long) to;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** The text and a terminating NUL, as trace-cmd stores string options. */
  private static byte[] cstrBytes(String s) {
    byte[] b = utf8(s);
    byte[] r = new byte[b.length + 1];
    System.arraycopy(b, 0, r, 0, b.length);
    return r;
  }

  /** Little-endian growable byte buffer. */
  private static final class Le {
    private byte[] buf = new byte[8192];
    private int len;

    private void ensure(int more) {
      if (len + more > buf.length) {
        byte[] n = new byte[Math.max(buf.length * 2, len + more)];
        System.arraycopy(buf, 0, n, 0, len);
        buf = n;
      }
    }

    int size() {
      return len;
    }

    void bytes(byte[] b) {
      ensure(b.length);
      System.arraycopy(b, 0, buf, len, b.length);
      len += b.length;
    }

    void u8(int v) {
      ensure(1);
      buf[len++] = (byte) v;
    }

    void u16(int v) {
      ensure(2);
      ByteBuffer.wrap(buf, len, 2).order(ByteOrder.LITTLE_ENDIAN).putShort((short) v);
      len += 2;
    }

    void u32(long v) {
      ensure(4);
      ByteBuffer.wrap(buf, len, 4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) v);
      len += 4;
    }

    void u64(long v) {
      ensure(8);
      ByteBuffer.wrap(buf, len, 8).order(ByteOrder.LITTLE_ENDIAN).putLong(v);
      len += 8;
    }

    void patchU64(int at, long v) {
      ByteBuffer.wrap(buf, at, 8).order(ByteOrder.LITTLE_ENDIAN).putLong(v);
    }

    void cstr(String s) {
      bytes(utf8(s));
      u8(0);
    }

    void sized8(byte[] b) {
      u64(b.length);
      bytes(b);
    }

    void sized4(byte[] b) {
      u32(b.length);
      bytes(b);
    }

    void option(int id, byte[] data) {
      u16(id);
      u32(data.length);
      bytes(data);
    }

    static byte[] u32Bytes(int v) {
      return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }

    byte[] toByteArray() {
      byte[] r = new byte[len];
      System.arraycopy(buf, 0, r, 0, len);
      return r;
    }
  }
}
