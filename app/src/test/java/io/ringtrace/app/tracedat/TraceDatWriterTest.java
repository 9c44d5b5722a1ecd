package io.ringtrace.app.tracedat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.ringtrace.app.tracedat.TraceDatScenario.Ev;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TraceDatWriterTest {

  /** {@code [prefix:]  comm-pid  [cpu]  ts: name:  info}. */
  private static final Pattern LINE = Pattern.compile(
      "^\\s*(?<comm>\\S.*?)-(?<pid>\\d+)\\s+\\[(?<cpu>\\d{3})\\]\\s+(?<ts>\\d+\\.\\d+):"
          + " (?<name>\\w+):\\s+(?<info>.*)$");
  /** Latency format ({@code -l}): {@code comm-pid  CPU+flags  ts: name: info}. */
  private static final Pattern LAT_LINE = Pattern.compile(
      "^\\s*(?<comm>\\S.*?)-(?<pid>\\d+)\\s+(?<cpu>\\d)(?<lat>\\S{5})\\s+(?<ts>\\d+\\.\\d+):"
          + " (?<name>\\w+):\\s+(?<info>.*)$");

  @TempDir Path tmp;

  private final TraceDatScenario scenario = new TraceDatScenario();

  private Path writeScenario(TraceDatInput in) throws IOException {
    Path file = tmp.resolve("trace.dat");
    new TraceDatWriter(in).write(file);
    return file;
  }

  // ---------------------------------------------------------------- structure, no trace-cmd

  @Test
  void layoutFollowsVersion6() throws IOException {
    TraceDatInput in = scenario.input().build();
    Path file = writeScenario(in);
    byte[] bytes = Files.readAllBytes(file);
    assertEquals(new TraceDatWriter(in).fileSize(), bytes.length);
    assertArrayEquals(bytes, new TraceDatWriter(in).toBytes());

    // Initial format, byte for byte.
    byte[] start = {0x17, 0x08, 0x44, 't', 'r', 'a', 'c', 'i', 'n', 'g', '6', 0, 0, 8, 0, 16, 0, 0};
    for (int i = 0; i < start.length; i++) {
      assertEquals(start[i], bytes[i], "byte " + i);
    }
    String hp = TraceDatScenario.resource("header_page");
    assertEquals("header_page\0", new String(bytes, 18, 12, StandardCharsets.US_ASCII));
    assertEquals(hp.length(), le(bytes, 30, 8));
    assertEquals(hp, new String(bytes, 38, hp.length(), StandardCharsets.UTF_8));

    TraceDatV6Reader r = new TraceDatV6Reader(bytes);
    assertEquals(6, r.version);
    assertEquals(0, r.endian);
    assertEquals(8, r.longSize);
    assertEquals(4096, r.pageSize);
    assertEquals(hp, r.headerPage);
    assertEquals(TraceDatScenario.resource("header_event"), r.headerEvent);
    assertEquals(List.of(TraceDatScenario.resource("print.format")), r.ftraceFormats);
    assertEquals(List.of("sched", "irq"), new ArrayList<>(r.eventFormats.keySet()));
    assertEquals(TraceDatScenario.KALLSYMS, r.kallsyms);
    assertEquals("", r.printk);
    assertEquals(TraceDatScenario.CMDLINES, r.cmdlines);
    assertEquals(2, r.cpus);
    assertEquals(TraceDatScenario.resource("trace_clock"),
        r.options(TraceDatWriter.OPTION_TRACECLOCK).get(0).text());
    // trace-cmd writes string options with their NUL.
    byte[] clockData = r.options(TraceDatWriter.OPTION_TRACECLOCK).get(0).data();
    assertEquals(0, clockData[clockData.length - 1]);
    assertEquals(2, le(r.options(TraceDatWriter.OPTION_CPUCOUNT).get(0).data(), 0, 4));
    assertEquals(2, r.options(TraceDatWriter.OPTION_CPUSTAT).size());
    assertTrue(r.options(TraceDatWriter.OPTION_CPUSTAT).get(1).text().startsWith("CPU: 1\n"));
    assertTrue(r.options(TraceDatWriter.OPTION_BUFFER).isEmpty());
    assertEquals("[local]", r.top.clock());

    // Page-aligned, page-sized CPU data, back to back, holding exactly the input pages.
    long expectOffset = -1;
    for (int cpu = 0; cpu < 2; cpu++) {
      TraceDatV6Reader.CpuData d = r.top.cpus().get(cpu);
      assertEquals(0, d.offset() % 4096, "cpu " + cpu + " offset aligned");
      if (expectOffset >= 0) {
        assertEquals(expectOffset, d.offset());
      }
      List<byte[]> pages = in.cpuPages().get(cpu);
      assertEquals(pages.size() * 4096L, d.size());
      List<byte[]> got = r.pages(r.top, cpu);
      for (int i = 0; i < pages.size(); i++) {
        assertArrayEquals(pages.get(i), got.get(i), "cpu " + cpu + " page " + i);
      }
      expectOffset = d.offset() + d.size();
    }
    assertEquals(bytes.length, expectOffset);
    // Both CPUs cross a page in the scenario.
    assertTrue(in.cpuPages().get(0).size() >= 2);
    assertTrue(in.cpuPages().get(1).size() >= 3);
  }

  @Test
  void shortPagesArePaddedAndEmptyCpusHaveSizeZero() {
    byte[] tiny = new byte[16]; // an empty sub-buffer: time_stamp 0, commit 0
    TraceDatInput in =
        scenario.input().cpuCount(3).cpuPages(1, List.of(tiny)).cpuStats(null).build();
    TraceDatV6Reader r = new TraceDatV6Reader(new TraceDatWriter(in).toBytes());
    assertEquals(3, r.cpus);
    assertEquals(4096, r.top.cpus().get(1).size());
    assertEquals(0, r.top.cpus().get(2).size());
    assertEquals(0, r.top.cpus().get(2).offset() % 4096);
    assertArrayEquals(new byte[4096], r.pages(r.top, 1).get(0));
  }

  @Test
  void noTraceClockMeansNoClockOptionAndNoClockBlock() {
    TraceDatInput in = scenario.input().traceClock(null).build();
    TraceDatV6Reader r = new TraceDatV6Reader(new TraceDatWriter(in).toBytes());
    assertTrue(r.options(TraceDatWriter.OPTION_TRACECLOCK).isEmpty());
    assertNull(r.top.clock());
  }

  @Test
  void namedInstanceHasEmptyTopLevelAndABufferBlock() {
    TraceDatInput in = scenario.input().instanceName("myinst")
        .lastBootInfo("ffffffff81000000\t[kernel]\n").build();
    TraceDatV6Reader r = new TraceDatV6Reader(new TraceDatWriter(in).toBytes());
    for (TraceDatV6Reader.CpuData d : r.top.cpus()) {
      assertEquals(new TraceDatV6Reader.CpuData(0, 0), d);
    }
    TraceDatV6Reader.Flyrecord inst = r.instances.get("myinst");
    assertEquals("[local]", inst.clock());
    assertEquals(in.cpuPages().get(1).size() * 4096L, inst.cpus().get(1).size());
    assertEquals(0, inst.cpus().get(0).offset() % 4096);
    assertEquals("myinst:ffffffff81000000\t[kernel]\n",
        r.options(TraceDatWriter.OPTION_LAST_BOOT_INFO).get(0).text());
    assertEquals("\nBuffer: myinst\n\n", r.options(TraceDatWriter.OPTION_CPUSTAT).get(0).text());
  }

  @Test
  void rejectsBadInput() {
    assertThrows(IllegalArgumentException.class,
        () -> scenario.input().traceClock("local global\n").build());
    assertThrows(IllegalArgumentException.class,
        () -> scenario.input().addPage(0, new byte[4097]).build());
    assertThrows(IllegalArgumentException.class,
        () -> scenario.input().eventFormat("ftrace", "name: print\n").build());
    assertThrows(IllegalArgumentException.class,
        () -> scenario.input().cpuCount(1).build());
    assertThrows(NullPointerException.class,
        () -> TraceDatInput.builder().headerEvent("x").cpuCount(1).build());
  }

  @Test
  void encoderMatchesKernelEventEncoding() {
    RingPageEncoder e = new RingPageEncoder(4096);
    e.event(1000, new byte[8]); // 12 bytes -> 16 (type_len 3)
    e.event(1005, new byte[113]); // > 112: type_len 0, array[0] = 116 + 4
    e.event(1005 + (1L << 27) + 7, new byte[16]); // time extend first
    byte[] p = e.pages().get(0);
    ByteBuffer b = ByteBuffer.wrap(p).order(ByteOrder.LITTLE_ENDIAN);
    assertEquals(1000, b.getLong(0));
    assertEquals(16 + 124 + 8 + 20, b.getLong(8));
    assertEquals(3, b.getInt(16)); // type_len 3, delta 0
    assertEquals((5 << 5), b.getInt(32)); // type_len 0, delta 5
    assertEquals(120, b.getInt(36));
    assertEquals((7 << 5) | 30, b.getInt(156)); // TIME_EXTEND low bits
    assertEquals(1, b.getInt(160)); // high bits: delta >> 27
    assertEquals(4, b.getInt(164)); // type_len 4, delta 0
  }

  // ---------------------------------------------------------------- trace-cmd report

  @Test
  void reportShowsEveryEventWithoutPlugins() throws IOException {
    TraceCmd.require();
    Path file = writeScenario(scenario.input().build());
    TraceCmd.Result r = TraceCmd.ok("report", "-N", "-t", file.toString());
    checkReport(r, scenario.sorted(), Ev::infoNoPlugin, true, "");
  }

  @Test
  void reportWithDefaultPluginsAndMicroseconds() throws IOException {
    TraceCmd.require();
    Path file = writeScenario(scenario.input().build());
    TraceCmd.Result r = TraceCmd.ok("report", file.toString());
    boolean plugin = r.stdout().contains("bash:1234 [120] S ==> swapper/0:0 [120]");
    checkReport(r, scenario.sorted(), plugin ? Ev::info : Ev::infoNoPlugin, false, "");
  }

  @Test
  void reportRawFields() throws IOException {
    TraceCmd.require();
    Path file = writeScenario(scenario.input().build());
    TraceCmd.Result r = TraceCmd.ok("report", "-R", "-t", file.toString());
    checkReport(r, scenario.sorted(), Ev::raw, true, "");
  }

  @Test
  void reportOneCpu() throws IOException {
    TraceCmd.require();
    Path file = writeScenario(scenario.input().build());
    TraceCmd.Result r = TraceCmd.ok("report", "--cpu", "1", "-N", "-t", file.toString());
    List<Ev> cpu1 = scenario.sorted().stream().filter(e -> e.cpu() == 1).toList();
    checkReport(r, cpu1, Ev::infoNoPlugin, true, "");
  }

  @Test
  void reportFilteredToSchedSwitch() throws IOException {
    TraceCmd.require();
    Path file = writeScenario(scenario.input().build());
    TraceCmd.Result r =
        TraceCmd.ok("report", "-F", "sched/sched_switch", "-N", "-t", file.toString());
    Predicate<Ev> keep = e -> e.name().equals("sched_switch");
    List<Ev> want = scenario.sorted().stream().filter(keep).toList();
    // The filter also hides the "EVENTS DROPPED" lines of other events' pages.
    checkReport(r, want.stream().map(e -> withoutLost(e)).toList(), Ev::infoNoPlugin, true, "");
    assertEquals(4, want.size());
  }

  @Test
  void reportLatencyFormatShowsFlagsAndPreemptCount() throws IOException {
    TraceCmd.require();
    Path file = writeScenario(scenario.input().build());
    List<String> lines = TraceCmd.ok("report", "-l", "-N", "-t", file.toString()).lines();
    List<Ev> want = scenario.sorted();
    List<String> events = lines.stream().filter(l -> LAT_LINE.matcher(l).matches()).toList();
    assertEquals(want.size(), events.size(), String.join("\n", lines));
    for (int i = 0; i < want.size(); i++) {
      Ev e = want.get(i);
      Matcher m = LAT_LINE.matcher(events.get(i));
      assertTrue(m.matches());
      String comm = e.comm().length() > 8 ? e.comm().substring(0, 8) : e.comm();
      assertEquals(comm, m.group("comm"), events.get(i));
      assertEquals(e.pid(), Integer.parseInt(m.group("pid")), events.get(i));
      assertEquals(e.cpu(), Integer.parseInt(m.group("cpu")), events.get(i));
      assertEquals(latency(e.flags(), e.preempt()), m.group("lat"), events.get(i));
      assertEquals(ns(e.ts()), m.group("ts"), events.get(i));
    }
  }

  @Test
  void reportKernelBufferStatistics() throws IOException {
    TraceCmd.require();
    Path file = writeScenario(scenario.input().build());
    String out = TraceCmd.ok("report", "--stat", file.toString()).stdout();
    assertTrue(out.contains("CPU: 0\nentries: 0\n"), out);
    assertTrue(out.contains("CPU: 1\nentries: 0\n"), out);
  }

  @Test
  void reportWithoutKallsymsShowsTheAddress() throws IOException {
    TraceCmd.require();
    Path file = writeScenario(scenario.input().kallsyms("").build());
    List<String> lines = TraceCmd.ok("report", "-N", file.toString()).lines();
    assertTrue(lines.get(1).endsWith("print:                0xffffffff81a3c2d0: hello ring 1"),
        lines.get(1));
  }

  @Test
  void reportWithoutTraceClock() throws IOException {
    TraceCmd.require();
    Path file = writeScenario(scenario.input().traceClock(null).build());
    TraceCmd.Result r = TraceCmd.ok("report", "-N", "-t", file.toString());
    checkReport(r, scenario.sorted(), Ev::infoNoPlugin, true, "");
  }

  @Test
  void reportNamedInstancePrefixesLines() throws IOException {
    TraceCmd.require();
    Path file = writeScenario(scenario.input().instanceName("myinst")
        .lastBootInfo("# Current\n").build());
    TraceCmd.Result r = TraceCmd.ok("report", "-N", "-t", file.toString());
    checkReport(r, scenario.sorted(), Ev::infoNoPlugin, true, "myinst:");
  }

  @Test
  void reportsAreIdenticalWithEmptyCpusAndExtraPaddedPages() throws IOException {
    TraceCmd.require();
    // A third CPU without data, and CPU 0's pages trimmed to their used bytes.
    List<byte[]> trimmed = new ArrayList<>();
    for (byte[] p : scenario.input().build().cpuPages().get(0)) {
      int used = (int) (le(p, 8, 8) & 0xfffff);
      trimmed.add(java.util.Arrays.copyOf(p, 16 + used));
    }
    Path file = writeScenario(scenario.input().cpuCount(3).cpuPages(0, trimmed)
        .cpuStats(null).build());
    TraceCmd.Result r = TraceCmd.ok("report", "-N", "-t", file.toString());
    assertEquals("cpus=3", r.lines().get(0));
    checkReport(new TraceCmd.Result(0, r.stdout().replaceFirst("cpus=3", "cpus=2"), ""),
        scenario.sorted(), Ev::infoNoPlugin, true, "");
  }

  // ---------------------------------------------------------------- trace-cmd dump

  @Test
  void dumpSummaryAndSections() throws IOException {
    TraceCmd.require();
    TraceDatInput in = scenario.input().build();
    Path file = writeScenario(in);
    String f = file.toString();
    assertTrue(TraceCmd.ok("dump", "-v", f).stdout().contains("is a valid trace-cmd file"));

    List<String> summary = TraceCmd.ok("dump", "--summary", f).lines();
    List<String> want = List.of(
        "",
        " Tracing meta data in file " + f + ":",
        "\t[Initial format]",
        "\t\t6\t[Version]",
        "\t\t0\t[Little endian]",
        "\t\t8\t[Bytes in a long]",
        "\t\t4096\t[Page size, bytes]",
        "\t[Header page, 205 bytes]",
        "\t[Header event, 205 bytes]",
        "\t[Ftrace format, 1 events]",
        "\t[Events format, 2 systems]",
        "\t[Kallsyms, " + TraceDatScenario.KALLSYMS.length() + " bytes]",
        "\t[Trace printk, 0 bytes]",
        "\t[Saved command lines, " + TraceDatScenario.CMDLINES.length() + " bytes]",
        "\t2 [CPUs with tracing data]",
        "\t[4 options]",
        "\t[Flyrecord tracing data]",
        "\t[Tracing clock]",
        "\t\t[local]");
    assertEquals(want, summary);
    // Plain "dump" prints the same summary.
    assertEquals(want, TraceCmd.ok("dump", f).lines());

    TraceDatV6Reader r = new TraceDatV6Reader(Files.readAllBytes(file));
    String fly = TraceCmd.ok("dump", "-i", f, "--flyrecord").stdout();
    for (int cpu = 0; cpu < 2; cpu++) {
      TraceDatV6Reader.CpuData d = r.top.cpus().get(cpu);
      String row = String.format("\t%11d%11d\t[offset, size of cpu %d]", d.offset(), d.size(), cpu);
      assertTrue(fly.contains(row + "\n"), "missing '" + row + "' in\n" + fly);
    }

    String opts = TraceCmd.ok("dump", "-i", f, "--options").stdout();
    assertTrue(opts.contains("[Option TRACECLOCK, 67 bytes]\n"
        + "[local] global counter uptime perf mono mono_raw boot tai x86-tsc\n"), opts);
    assertTrue(opts.contains("[Option CPUCOUNT, 4 bytes]\n2\n"), opts);
    assertTrue(opts.contains("[Option CPUSTAT, 141 bytes]\nCPU: 1\nentries: 0\n"), opts);
    assertFalse(opts.contains("Unknown option"), opts);

    String cmd = TraceCmd.ok("dump", "-i", f, "--cmd-lines").stdout();
    assertTrue(cmd.contains("[Saved command lines, 36 bytes]\n" + TraceDatScenario.CMDLINES),
        cmd);
    String head = TraceCmd.ok("dump", "-i", f, "--head-page", "--head-event").stdout();
    assertTrue(head.contains(TraceDatScenario.resource("header_page")), head);
    assertTrue(head.contains(TraceDatScenario.resource("header_event")), head);
    String events = TraceCmd.ok("dump", "-i", f, "--ftrace-events", "--events").stdout();
    assertTrue(events.contains("name: print\nID: 5\n"), events);
    assertTrue(events.contains("name: sched_switch\nID: 372\n"), events);
    assertTrue(events.contains("name: irq_handler_entry\nID: 225\n"), events);
  }

  @Test
  void dumpNamedInstanceHasTheSameSectionsAsTraceCmdExtract() throws IOException {
    TraceCmd.require();
    Path file = writeScenario(scenario.input().instanceName("myinst").build());
    String f = file.toString();
    List<String> summary = TraceCmd.ok("dump", "--summary", f).lines();
    // What trace-cmd extract -B NAME then convert --file-version 6 gives (see KernelReferenceTest).
    assertEquals(List.of("\t2 [CPUs with tracing data]", "\t[6 options]",
        "\t[Flyrecord tracing data]", "\t[Tracing clock]", "\t\t[local]",
        "\t[Flyrecord tracing data]", "\t[Tracing clock]", "\t\t[local]"),
        summary.subList(summary.size() - 8, summary.size()));
    String fly = TraceCmd.ok("dump", "-i", f, "--flyrecord").stdout();
    TraceDatV6Reader r = new TraceDatV6Reader(Files.readAllBytes(file));
    TraceDatV6Reader.Flyrecord inst = r.instances.get("myinst");
    String want = "\t[Flyrecord tracing data]\n"
        + "\t                      \t[offset, size of cpu 0]\n"
        + "\t                      \t[offset, size of cpu 1]\n"
        + "\t[Flyrecord tracing data]\n"
        + String.format("\t%11d%11d\t[offset, size of cpu 0]\n", inst.cpus().get(0).offset(),
            inst.cpus().get(0).size())
        + String.format("\t%11d%11d\t[offset, size of cpu 1]\n", inst.cpus().get(1).offset(),
            inst.cpus().get(1).size());
    assertTrue(fly.endsWith(want), fly);
    String opts = TraceCmd.ok("dump", "-i", f, "--options").stdout();
    assertTrue(opts.contains("[Option BUFFER, 15 bytes]\n" + inst.position() + " [offset]\n"
        + "\"myinst\" [name]\n"), opts);
  }

  // ---------------------------------------------------------------- helpers

  private static Ev withoutLost(Ev e) {
    return new Ev(e.cpu(), e.ts(), e.pid(), e.comm(), e.flags(), e.preempt(), e.name(), e.info(),
        e.infoNoPlugin(), e.raw(), null);
  }

  /**
   * Checks that the report has "cpus=N" and then exactly one line per expected event (preceded by
   * its "EVENTS DROPPED" line where there is one), in order, with comm, pid, CPU, timestamp, name
   * and info. With a named instance ({@code prefix} "NAME:") trace-cmd 3.1 prints the prefix
   * before an "EVENTS DROPPED" line and then not before the event that follows it.
   */
  private static void checkReport(TraceCmd.Result r, List<Ev> want, Function<Ev, String> info,
      boolean nanos, String prefix) {
    List<String> lines = r.lines();
    String all = String.join("\n", lines);
    assertTrue(lines.get(0).matches("cpus=\\d+"), all);
    int i = 1;
    for (Ev e : want) {
      String linePrefix = prefix;
      if (e.lostBefore() != null) {
        String lost = prefix.isEmpty() ? e.lostBefore() : prefix + " " + e.lostBefore();
        assertEquals(lost, lines.get(i), "line " + i + " of\n" + all);
        linePrefix = "";
        i++;
      }
      String line = lines.get(i);
      assertTrue(line.startsWith(linePrefix), line);
      Matcher m = LINE.matcher(line.substring(linePrefix.length()));
      if (!m.matches()) {
        fail("line " + i + " does not parse: '" + line + "'\n" + all);
      }
      String where = "line " + i + ": " + line;
      assertEquals(e.comm(), m.group("comm"), where);
      assertEquals(e.pid(), Integer.parseInt(m.group("pid")), where);
      assertEquals(e.cpu(), Integer.parseInt(m.group("cpu")), where);
      assertEquals(nanos ? ns(e.ts()) : us(e.ts()), m.group("ts"), where);
      assertEquals(e.name(), m.group("name"), where);
      assertEquals(info.apply(e), m.group("info"), where);
      i++;
    }
    assertEquals(lines.size(), i, "extra lines in\n" + all);
  }

  private static String ns(long ts) {
    return String.format("%d.%09d", ts / 1_000_000_000L, ts % 1_000_000_000L);
  }

  private static String us(long ts) {
    long us = (ts + 500) / 1000;
    return String.format("%d.%06d", us / 1_000_000L, us % 1_000_000L);
  }

  /** trace-cmd's latency columns: irqs-off, need-resched, hardirq/softirq, preempt, migrate. */
  private static String latency(int flags, int preempt) {
    char irqs = (flags & 0x01) != 0 ? 'd' : '.';
    char resched = (flags & 0x04) != 0 ? 'N' : '.';
    boolean hard = (flags & 0x08) != 0;
    boolean soft = (flags & 0x10) != 0;
    char irq = hard && soft ? 'H' : hard ? 'h' : soft ? 's' : '.';
    char pc = (preempt & 0xf) == 0 ? '.' : Character.forDigit(preempt & 0xf, 16);
    char mig = (preempt >> 4) == 0 ? '.' : Character.forDigit(preempt >> 4, 16);
    return "" + irqs + resched + irq + pc + mig;
  }

  private static long le(byte[] b, int off, int len) {
    ByteBuffer bb = ByteBuffer.wrap(b, off, len).order(ByteOrder.LITTLE_ENDIAN);
    return len == 8 ? bb.getLong() : bb.getInt() & 0xffffffffL;
  }
}
