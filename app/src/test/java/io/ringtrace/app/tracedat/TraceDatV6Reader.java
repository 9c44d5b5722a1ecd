package io.ringtrace.app.tracedat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Test-only parser of a little-endian trace.dat version 6 (the layout trace-cmd 3.x writes and
 * reads; see {@link TraceDatWriter}). It keeps positions so tests can check the structure.
 */
final class TraceDatV6Reader {

  record Option(int id, byte[] data, int position) {
    String text() {
      int n = data.length;
      while (n > 0 && data[n - 1] == 0) {
        n--;
      }
      return new String(data, 0, n, StandardCharsets.UTF_8);
    }
  }

  record CpuData(long offset, long size) {}

  /** One flyrecord block: where it starts, its CPU table and its clock text (or null). */
  record Flyrecord(int position, List<CpuData> cpus, String clock) {}

  final byte[] file;
  int version;
  int endian;
  int longSize;
  int pageSize;
  String headerPage;
  String headerEvent;
  final List<String> ftraceFormats = new ArrayList<>();
  final Map<String, List<String>> eventFormats = new LinkedHashMap<>();
  String kallsyms;
  String printk;
  String cmdlines;
  int cpus;
  int optionsPosition = -1;
  final List<Option> options = new ArrayList<>();
  Flyrecord top;
  final Map<String, Flyrecord> instances = new LinkedHashMap<>();

  private final ByteBuffer b;

  TraceDatV6Reader(byte[] file) {
    this.file = file;
    this.b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
    parse();
  }

  private void parse() {
    byte[] magic = bytes(10);
    if (!Arrays.equals(magic, TraceDatWriter.MAGIC)) {
      throw new IllegalArgumentException("bad magic");
    }
    version = Integer.parseInt(cstr());
    if (version != 6) {
      throw new IllegalArgumentException("not version 6: " + version);
    }
    endian = b.get() & 0xff;
    longSize = b.get() & 0xff;
    pageSize = b.getInt();
    expect("header_page\0");
    headerPage = text(b.getLong());
    expect("header_event\0");
    headerEvent = text(b.getLong());
    int n = b.getInt();
    for (int i = 0; i < n; i++) {
      ftraceFormats.add(text(b.getLong()));
    }
    int systems = b.getInt();
    for (int s = 0; s < systems; s++) {
      String name = cstr();
      int count = b.getInt();
      List<String> list = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        list.add(text(b.getLong()));
      }
      eventFormats.put(name, list);
    }
    kallsyms = text(b.getInt() & 0xffffffffL);
    printk = text(b.getInt() & 0xffffffffL);
    cmdlines = text(b.getLong());
    cpus = b.getInt();
    String kind = new String(bytes(10), StandardCharsets.US_ASCII);
    if (kind.startsWith("options")) {
      optionsPosition = b.position() - 10;
      while (true) {
        int pos = b.position();
        int id = b.getShort() & 0xffff;
        if (id == 0) {
          break;
        }
        int size = b.getInt();
        options.add(new Option(id, bytes(size), pos));
      }
      kind = new String(bytes(10), StandardCharsets.US_ASCII);
    }
    if (!kind.equals("flyrecord\0")) {
      throw new IllegalArgumentException("expected flyrecord, got '" + kind + "'");
    }
    boolean clock = options.stream().anyMatch(o -> o.id() == TraceDatWriter.OPTION_TRACECLOCK);
    top = flyrecordBody(b.position() - 10, clock);
    for (Option o : options) {
      if (o.id() == TraceDatWriter.OPTION_BUFFER) {
        ByteBuffer d = ByteBuffer.wrap(o.data()).order(ByteOrder.LITTLE_ENDIAN);
        long offset = d.getLong();
        int end = 8;
        while (o.data()[end] != 0) {
          end++;
        }
        String name = new String(o.data(), 8, end - 8, StandardCharsets.UTF_8);
        b.position((int) offset);
        expect("flyrecord\0");
        instances.put(name, flyrecordBody((int) offset, clock));
      }
    }
  }

  private Flyrecord flyrecordBody(int position, boolean clock) {
    List<CpuData> list = new ArrayList<>();
    for (int i = 0; i < cpus; i++) {
      list.add(new CpuData(b.getLong(), b.getLong()));
    }
    String clockText = clock ? text(b.getLong()) : null;
    return new Flyrecord(position, list, clockText);
  }

  List<Option> options(int id) {
    return options.stream().filter(o -> o.id() == id).toList();
  }

  /** The pages of one CPU of a flyrecord block, each {@code pageSize} bytes. */
  List<byte[]> pages(Flyrecord fly, int cpu) {
    CpuData d = fly.cpus().get(cpu);
    List<byte[]> pages = new ArrayList<>();
    for (long off = d.offset(); off < d.offset() + d.size(); off += pageSize) {
      int len = (int) Math.min(pageSize, d.offset() + d.size() - off);
      pages.add(Arrays.copyOfRange(file, (int) off, (int) off + len));
    }
    return pages;
  }

  private void expect(String s) {
    byte[] want = s.getBytes(StandardCharsets.US_ASCII);
    byte[] got = bytes(want.length);
    if (!Arrays.equals(want, got)) {
      throw new IllegalArgumentException("expected '" + s + "' at " + (b.position() - want.length)
          + ", got '" + new String(got, StandardCharsets.US_ASCII) + "'");
    }
  }

  private byte[] bytes(int n) {
    byte[] r = new byte[n];
    b.get(r);
    return r;
  }

  private String text(long n) {
    return new String(bytes((int) n), StandardCharsets.UTF_8);
  }

  private String cstr() {
    int start = b.position();
    while (file[b.position()] != 0) {
      b.position(b.position() + 1);
    }
    String s = new String(file, start, b.position() - start, StandardCharsets.UTF_8);
    b.position(b.position() + 1);
    return s;
  }
}
