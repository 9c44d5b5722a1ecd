package io.ringtrace.app.tracedat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compares our writer with what the real trace-cmd writes from this machine's kernel: records a
 * few events in a private tracefs instance, runs {@code trace-cmd extract -B NAME} (version 7) and
 * {@code trace-cmd convert --file-version 6}, then feeds the very same texts and raw sub-buffers
 * to {@link TraceDatWriter} and expects the same bytes up to the options, the same CPU data, the
 * same {@code dump --summary} sections and the same {@code report} output, line for line.
 *
 * <p>Needs root, a tracefs (mounted at /sys/kernel/tracing if none is), and trace-cmd; skipped
 * when the kernel side cannot be had (a missing trace-cmd is handled by {@link TraceCmd#require}).
 * It touches only its own instance, which it removes.
 */
class KernelReferenceTest {

  @TempDir Path tmp;

  @Test
  void sameFileAsTraceCmdForRealKernelPages() throws Exception {
    Path tracefs = tracefs();
    TraceCmd.require();
    String name = "rt_tracedat_ref_" + ProcessHandle.current().pid();
    Path inst = tracefs.resolve("instances").resolve(name);
    Path refV7 = tmp.resolve("ref.dat");
    Path ref = tmp.resolve("ref6.dat");
    try {
      try {
        Files.createDirectory(inst);
        write(inst.resolve("events/sched/sched_switch/enable"), "1");
        write(inst.resolve("events/irq/irq_handler_entry/enable"), "1");
        for (int i = 1; i <= 3; i++) {
          write(inst.resolve("trace_marker"), "tracedat reference marker " + i);
          Thread.sleep(20);
        }
        write(inst.resolve("tracing_on"), "0");
      } catch (IOException e) {
        Assumptions.assumeTrue(false, "cannot record in a tracefs instance: " + e);
      }
      TraceCmd.Result ex = TraceCmd.exec(tmp, 120,
          List.of("trace-cmd", "extract", "-B", name, "-o", refV7.toString()));
      Assumptions.assumeTrue(ex.exitCode() == 0 && Files.exists(refV7),
          "trace-cmd extract did not work here: " + ex);
    } finally {
      if (Files.isDirectory(inst)) {
        Files.delete(inst); // rmdir of a tracefs instance
      }
    }
    TraceCmd.ok("convert", "--file-version", "6", "-i", refV7.toString(), "-o", ref.toString());

    byte[] refBytes = Files.readAllBytes(ref);
    TraceDatV6Reader r = new TraceDatV6Reader(refBytes);
    TraceDatV6Reader.Flyrecord fly = r.instances.get(name);
    assertTrue(fly != null, "no buffer " + name + " in " + r.instances.keySet());

    TraceDatInput.Builder b = TraceDatInput.builder()
        .headerPage(r.headerPage)
        .headerEvent(r.headerEvent)
        .kallsyms(r.kallsyms)
        .printkFormats(r.printk)
        .savedCmdlines(r.cmdlines)
        .traceClock(r.options(TraceDatWriter.OPTION_TRACECLOCK).get(0).text())
        .uname(r.options(TraceDatWriter.OPTION_UNAME).get(0).text())
        .version(r.options(TraceDatWriter.OPTION_VERSION).get(0).text())
        .pageSize(r.pageSize)
        .cpuCount(r.cpus);
    r.ftraceFormats.forEach(b::ftraceFormat);
    for (Map.Entry<String, List<String>> e : r.eventFormats.entrySet()) {
      b.eventFormats(e.getKey(), e.getValue());
    }
    for (int cpu = 0; cpu < r.cpus; cpu++) {
      b.cpuPages(cpu, r.pages(fly, cpu));
    }

    // 1. Named instance, as trace-cmd extract -B writes it.
    Path ours = tmp.resolve("ours.dat");
    new TraceDatWriter(b.instanceName(name).build()).write(ours);
    byte[] ourBytes = Files.readAllBytes(ours);
    TraceDatV6Reader o = new TraceDatV6Reader(ourBytes);

    assertEquals(r.optionsPosition, o.optionsPosition);
    assertArrayEquals(Arrays.copyOf(refBytes, r.optionsPosition),
        Arrays.copyOf(ourBytes, o.optionsPosition), "bytes before the options");
    TraceDatV6Reader.Flyrecord ourFly = o.instances.get(name);
    assertEquals(fly.clock(), ourFly.clock());
    for (int cpu = 0; cpu < r.cpus; cpu++) {
      assertEquals(fly.cpus().get(cpu).size(), ourFly.cpus().get(cpu).size(), "cpu " + cpu);
      assertEquals(0, ourFly.cpus().get(cpu).offset() % r.pageSize);
      long ro = fly.cpus().get(cpu).offset();
      long oo = ourFly.cpus().get(cpu).offset();
      int size = (int) fly.cpus().get(cpu).size();
      assertArrayEquals(Arrays.copyOfRange(refBytes, (int) ro, (int) ro + size),
          Arrays.copyOfRange(ourBytes, (int) oo, (int) oo + size), "data of cpu " + cpu);
    }

    List<String> refSummary = summary(ref);
    List<String> ourSummary = summary(ours);
    assertEquals(refSummary, ourSummary);

    String refReport = TraceCmd.ok("report", ref.toString()).stdout();
    assertEquals(refReport, TraceCmd.ok("report", ours.toString()).stdout());
    for (int i = 1; i <= 3; i++) {
      assertTrue(refReport.contains(": tracedat reference marker " + i + "\n"), refReport);
    }
    assertEquals(TraceCmd.ok("report", "-R", "-t", ref.toString()).stdout(),
        TraceCmd.ok("report", "-R", "-t", ours.toString()).stdout());

    // 2. The same data as the top-level buffer: the same lines without the "NAME:" prefix.
    Path top = tmp.resolve("top.dat");
    new TraceDatWriter(b.instanceName(null).build()).write(top);
    List<String> want = new ArrayList<>();
    for (String line : refReport.split("\n")) {
      if (line.startsWith(name + ": ")) { // trace-cmd prints "%s: " before the line
        want.add(line.substring(name.length() + 2));
      } else {
        want.add(line);
      }
    }
    assertEquals(want, Arrays.asList(TraceCmd.ok("report", top.toString()).stdout().split("\n")));
    assertTrue(TraceCmd.ok("dump", "-v", top.toString()).stdout().contains("valid"));
  }

  /** dump --summary without the file-name line and the options count, which differ. */
  private static List<String> summary(Path file) {
    List<String> out = new ArrayList<>();
    for (String l : TraceCmd.ok("dump", "--summary", file.toString()).lines()) {
      if (l.startsWith(" Tracing meta data in file")) {
        continue;
      }
      out.add(l.replaceAll("^\\t\\[\\d+ options\\]$", "\t[N options]"));
    }
    return out;
  }

  private static void write(Path file, String text) throws IOException {
    Files.write(file, text.getBytes(StandardCharsets.UTF_8));
  }

  /** A mounted tracefs, mounting one at /sys/kernel/tracing if needed; skips if impossible. */
  private static Path tracefs() throws IOException {
    Assumptions.assumeTrue(Files.isReadable(Path.of("/proc/mounts")), "no /proc/mounts");
    Path found = null;
    for (String line : Files.readAllLines(Path.of("/proc/mounts"))) {
      String[] f = line.split(" ");
      if (f.length > 2 && f[2].equals("tracefs")) {
        Path p = Path.of(f[1].replace("\\040", " "));
        if (found == null || p.toString().equals("/sys/kernel/tracing")) {
          found = p;
        }
      }
    }
    if (found == null) {
      Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
          "no tracefs mounted and not root");
      TraceCmd.Result m = TraceCmd.exec(null, 30,
          List.of("mount", "-t", "tracefs", "nodev", "/sys/kernel/tracing"));
      Assumptions.assumeTrue(m.exitCode() == 0, "cannot mount tracefs: " + m);
      found = Path.of("/sys/kernel/tracing");
    }
    Assumptions.assumeTrue(Files.isDirectory(found.resolve("instances"))
        && Files.isWritable(found.resolve("instances")), "tracefs instances not writable");
    return found;
  }
}
