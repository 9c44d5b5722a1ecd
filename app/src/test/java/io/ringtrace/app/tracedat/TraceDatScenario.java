package io.ringtrace.app.tracedat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A hand-built two-CPU recording for the trace.dat tests: ftrace/print markers, sched_switch and
 * irq_handler_entry events with interleaved timestamps (some equal across CPUs), a page crossing
 * on each CPU, a time extend, a large (type_len 0) event, and lost events with and without a
 * stored count. It keeps, per event, what trace-cmd should print.
 */
final class TraceDatScenario {

  static final int PAGE = 4096;
  static final int SCHED_SWITCH_ID = 372; // from the 6.18 format file
  static final int IRQ_HANDLER_ENTRY_ID = 225;
  static final long MARK_IP = 0xffffffff81a3c2d0L;
  static final String KALLSYMS = "ffffffff81000000 T _text\n"
      + "ffffffff81a3c2d0 T tracing_mark_write\n"
      + "ffffffff81a3c400 t tracing_mark_raw_write\n";
  static final String CMDLINES = "1234 bash\n4321 kworker/1:1\n77 sleep\n";
  static final long T0 = 434_463_907_240L;

  /** One recorded event and the texts trace-cmd shows for it. */
  record Ev(int cpu, long ts, int pid, String comm, int flags, int preempt, String name,
      String info, String infoNoPlugin, String raw, String lostBefore) {}

  final List<Ev> events = new ArrayList<>();
  final RingPageEncoder[] enc = {new RingPageEncoder(PAGE), new RingPageEncoder(PAGE)};
  private final Map<Integer, String> comms = new HashMap<>();
  private final String[] pendingLost = new String[2];

  TraceDatScenario() {
    for (String line : CMDLINES.split("\n")) {
      String[] p = line.split(" ", 2);
      comms.put(Integer.parseInt(p[0]), p[1]);
    }
    comms.put(0, "<idle>");

    print(0, T0, 1234, 0x00, 1, "hello ring 1\n");
    sched(0, T0 + 386, 0x01, 2, "bash", 1234, 120, 1, "swapper/0", 0, 120);
    sched(1, T0 + 459, 0x01, 2, "sleep", 77, 120, 2, "swapper/1", 0, 120);
    irq(1, T0 + 626, 0, 0x09, 1, 36, "virtio1-req.0");
    // Interleaved markers; CPU 0 and CPU 1 share every other timestamp (CPU 0 sorts first).
    for (int i = 0; i < 50; i++) {
      if (i < 30) {
        print(0, T0 + 1000 + 200L * i, 1234, 0x00, 1,
            String.format("cpu0 marker %02d %s\n", i, "y".repeat(130)));
      }
      print(1, T0 + 1000 + 100L * i, 4321, 0x00, 1,
          String.format("cpu1 marker %02d with some padding text to make it longer\n", i));
    }
    sched(1, T0 + 9000, 0x01, 2, "kworker/1:1", 4321, 120, 0, "swapper/1", 0, 120);
    // A gap of 0.6 s needs a time extend (27-bit delta is ~134 ms).
    print(0, T0 + 600_000_000L, 1234, 0x00, 1, "after a long gap");
    sched(0, T0 + 600_000_100L, 0x01, 2, "bash", 1234, 120, 0x100, "sleep", 77, 120);
    // Lost events with a stored count, then a payload over 112 bytes (type_len 0).
    lost(1, 5);
    print(1, T0 + 700_000_000L, 4321, 0x00, 1, "x".repeat(200));
    // Lost events without a count.
    lost(1, 0);
    irq(1, T0 + 700_000_500L, 0, 0x09, 1, 11, "eth0");
  }

  TraceDatInput.Builder input() {
    return TraceDatInput.builder()
        .headerPage(resource("header_page"))
        .headerEvent(resource("header_event"))
        .ftraceFormat(resource("print.format"))
        .eventFormat("sched", resource("sched_switch.format"))
        .eventFormat("irq", resource("irq_handler_entry.format"))
        .kallsyms(KALLSYMS)
        .savedCmdlines(CMDLINES)
        .traceClock(resource("trace_clock"))
        .cpuCount(2)
        .cpuPages(0, enc[0].pages())
        .cpuPages(1, enc[1].pages())
        .cpuStats(List.of(resource("cpu_stats"), resource("cpu_stats")));
  }

  /** Events in the order trace-cmd merges them: by timestamp, then lower CPU first. */
  List<Ev> sorted() {
    List<Ev> l = new ArrayList<>(events);
    l.sort(Comparator.comparingLong(Ev::ts).thenComparingInt(Ev::cpu));
    return l;
  }

  private void lost(int cpu, long count) {
    enc[cpu].missedBeforeNextPage(count);
    pendingLost[cpu] = count > 0 ? "CPU:" + cpu + " [" + count + " EVENTS DROPPED]"
        : "CPU:" + cpu + " [EVENTS DROPPED]";
  }

  private String comm(int pid) {
    return comms.getOrDefault(pid, "<...>");
  }

  private void add(int cpu, long ts, int pid, int flags, int preempt, String name, String info,
      String infoNoPlugin, String raw) {
    events.add(new Ev(cpu, ts, pid, comm(pid), flags, preempt, name, info, infoNoPlugin, raw,
        pendingLost[cpu]));
    pendingLost[cpu] = null;
  }

  private void print(int cpu, long ts, int pid, int flags, int preempt, String text) {
    enc[cpu].event(ts, RingPageEncoder.print(flags, preempt, pid, MARK_IP, text));
    String shown = text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
    add(cpu, ts, pid, flags, preempt, "print", "tracing_mark_write: " + shown,
        "tracing_mark_write: " + shown, "ip=tracing_mark_write buf=" + shown);
  }

  private void sched(int cpu, long ts, int flags, int preempt, String prevComm, int prevPid,
      int prevPrio, long prevState, String nextComm, int nextPid, int nextPrio) {
    enc[cpu].event(ts, RingPageEncoder.schedSwitch(SCHED_SWITCH_ID, flags, preempt, prevPid,
        prevComm, prevPid, prevPrio, prevState, nextComm, nextPid, nextPrio));
    String state = stateLetters(prevState);
    // The sched_switch plugin of libtraceevent.
    String plugin = prevComm + ":" + prevPid + " [" + prevPrio + "] " + state + " ==> "
        + nextComm + ":" + nextPid + " [" + nextPrio + "]";
    // The kernel's print fmt.
    String fmt = "prev_comm=" + prevComm + " prev_pid=" + prevPid + " prev_prio=" + prevPrio
        + " prev_state=" + fmtState(prevState) + " ==> next_comm=" + nextComm + " next_pid="
        + nextPid + " next_prio=" + nextPrio;
    String raw = "prev_comm=" + prevComm + " prev_pid=" + prevPid + " prev_prio=" + prevPrio
        + " prev_state=" + prevState + " next_comm=" + nextComm + " next_pid=" + nextPid
        + " next_prio=" + nextPrio;
    add(cpu, ts, prevPid, flags, preempt, "sched_switch", plugin, fmt, raw);
  }

  private void irq(int cpu, long ts, int pid, int flags, int preempt, int irq, String name) {
    enc[cpu].event(ts,
        RingPageEncoder.irqHandlerEntry(IRQ_HANDLER_ENTRY_ID, flags, preempt, pid, irq, name));
    String info = "irq=" + irq + " name=" + name;
    add(cpu, ts, pid, flags, preempt, "irq_handler_entry", info, info, info);
  }

  /**
   * libtraceevent's sched_switch plugin (write_state): letters "SDTtZXxW" for bits 0..7 joined by
   * "|", "R" when none is set; higher bits (preemption, 0x100) are not shown.
   */
  private static String stateLetters(long state) {
    String letters = "SDTtZXxW";
    List<String> parts = new ArrayList<>();
    for (int i = 0; i < letters.length(); i++) {
      if ((state & (1L << i)) != 0) {
        parts.add(String.valueOf(letters.charAt(i)));
      }
    }
    return parts.isEmpty() ? "R" : String.join("|", parts);
  }

  /** The kernel print fmt: __print_flags of the low bits with "|", "R" when 0, then "+". */
  private static String fmtState(long state) {
    String[] names = {"S", "D", "T", "t", "X", "Z", "P", "I"};
    long bits = state & 0xff;
    List<String> parts = new ArrayList<>();
    for (int i = 0; i < names.length; i++) {
      if ((bits & (1L << i)) != 0) {
        parts.add(names[i]);
      }
    }
    String s = parts.isEmpty() ? "R" : String.join("|", parts);
    return s + ((state & 0x100) != 0 ? "+" : "");
  }

  static String resource(String name) {
    try (InputStream in = TraceDatScenario.class.getResourceAsStream("/tracedat/" + name)) {
      if (in == null) {
        throw new IllegalStateException("missing test resource /tracedat/" + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
