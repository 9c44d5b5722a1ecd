package io.ringtrace.app.tracedat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything {@link TraceDatWriter} needs to write a trace-cmd {@code trace.dat} file, as plain
 * data: the texts of the tracefs files an exporter would copy, and the raw per-CPU sub-buffers.
 *
 * <p>All texts are written byte for byte (UTF-8) as given, so pass exactly what the model's tracefs
 * shows:
 *
 * <ul>
 *   <li>{@code headerPage}, {@code headerEvent}: {@code events/header_page}, {@code events/header_event}.
 *       trace-cmd learns the kernel long size (size of {@code commit}) and the data offset from the
 *       first one.
 *   <li>{@code ftraceFormats}: {@code events/ftrace/<ev>/format} texts; include {@code print} (id 5)
 *       so markers are shown.
 *   <li>{@code eventFormats}: the other {@code events/<system>/<ev>/format} texts, grouped by system
 *       (iteration order is kept). A system must not be {@code ftrace}.
 *   <li>{@code kallsyms}, {@code printkFormats}: optional ({@code ""} when absent) {@code /proc/kallsyms}
 *       and {@code printk_formats} texts. With kallsyms, {@code %ps} of {@code print.ip} resolves to
 *       a name.
 *   <li>{@code savedCmdlines}: {@code saved_cmdlines} text, {@code "pid comm\n"} lines.
 *   <li>{@code traceClock}: {@code trace_clock} text with the current clock in brackets, e.g.
 *       {@code "[local] global counter\n"}; {@code null} writes no clock (trace-cmd then assumes ns).
 *   <li>{@code instanceName}: {@code null} (or empty) puts the data in the file's top-level buffer;
 *       a name puts it in a named buffer beside an empty top level, exactly as
 *       {@code trace-cmd extract -B NAME} does, and {@code trace-cmd report} prefixes every line
 *       with {@code NAME:}.
 *   <li>{@code lastBootInfo}: optional {@code last_boot_info} text; written as option
 *       LAST_BOOT_INFO (id 24, {@code "NAME:" + text + NUL}, as trace-cmd 3.4 record writes it)
 *       only together with an instance name. trace-cmd 3.1 skips it silently ({@code dump} lists
 *       it as an unknown option); 3.4 reads it.
 *   <li>{@code cpuCount} and {@code cpuPages}: for each CPU {@code 0..cpuCount-1} the list of raw
 *       sub-buffers in {@code trace_pipe_raw} format (u64 time_stamp, u64 commit with flag bits,
 *       events from offset 16), each at most {@code pageSize} bytes (shorter ones are zero-padded).
 *   <li>{@code cpuStats}: optional per-CPU {@code per_cpu/cpuN/stats} texts (option CPUSTAT).
 *   <li>{@code uname}, {@code version}: optional texts for options UNAME and VERSION.
 *   <li>{@code pageSize}: the sub-buffer size, 4096 by default.
 * </ul>
 */
public record TraceDatInput(
    String headerPage,
    String headerEvent,
    List<String> ftraceFormats,
    Map<String, List<String>> eventFormats,
    String kallsyms,
    String printkFormats,
    String savedCmdlines,
    String traceClock,
    String instanceName,
    String lastBootInfo,
    int cpuCount,
    List<List<byte[]>> cpuPages,
    List<String> cpuStats,
    String uname,
    String version,
    int pageSize) {

  public static final int DEFAULT_PAGE_SIZE = 4096;

  public TraceDatInput {
    Objects.requireNonNull(headerPage, "headerPage");
    Objects.requireNonNull(headerEvent, "headerEvent");
    ftraceFormats = List.copyOf(Objects.requireNonNull(ftraceFormats, "ftraceFormats"));
    Objects.requireNonNull(eventFormats, "eventFormats");
    LinkedHashMap<String, List<String>> ev = new LinkedHashMap<>();
    for (Map.Entry<String, List<String>> e : eventFormats.entrySet()) {
      String system = Objects.requireNonNull(e.getKey(), "system name");
      if (system.isEmpty() || system.indexOf('\0') >= 0) {
        throw new IllegalArgumentException("bad system name: '" + system + "'");
      }
      if (system.equals("ftrace")) {
        throw new IllegalArgumentException("ftrace formats go in ftraceFormats, not eventFormats");
      }
      ev.put(system, List.copyOf(e.getValue()));
    }
    eventFormats = Collections.unmodifiableMap(ev);
    kallsyms = kallsyms == null ? "" : kallsyms;
    printkFormats = printkFormats == null ? "" : printkFormats;
    savedCmdlines = savedCmdlines == null ? "" : savedCmdlines;
    if (instanceName != null && instanceName.isEmpty()) {
      instanceName = null;
    }
    if (instanceName != null && instanceName.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("instance name contains NUL");
    }
    if (traceClock != null && TraceDatWriter.currentClock(traceClock) == null) {
      throw new IllegalArgumentException(
          "traceClock must name the current clock in brackets, e.g. \"[local] global\\n\": '"
              + traceClock + "'");
    }
    if (pageSize <= 16 || Integer.bitCount(pageSize) != 1) {
      throw new IllegalArgumentException("pageSize must be a power of two > 16: " + pageSize);
    }
    if (cpuCount < 0) {
      throw new IllegalArgumentException("cpuCount < 0: " + cpuCount);
    }
    Objects.requireNonNull(cpuPages, "cpuPages");
    if (cpuPages.size() > cpuCount) {
      throw new IllegalArgumentException(
          "pages given for " + cpuPages.size() + " CPUs but cpuCount is " + cpuCount);
    }
    List<List<byte[]>> pages = new ArrayList<>(cpuCount);
    for (int cpu = 0; cpu < cpuCount; cpu++) {
      List<byte[]> list = cpu < cpuPages.size() && cpuPages.get(cpu) != null
          ? cpuPages.get(cpu) : List.of();
      for (byte[] page : list) {
        Objects.requireNonNull(page, "page of CPU " + cpu);
        if (page.length < 16 || page.length > pageSize) {
          throw new IllegalArgumentException("page of CPU " + cpu + " has " + page.length
              + " bytes; must be 16.." + pageSize);
        }
      }
      pages.add(List.copyOf(list));
    }
    cpuPages = Collections.unmodifiableList(pages);
    if (cpuStats != null) {
      if (cpuStats.size() != cpuCount) {
        throw new IllegalArgumentException(
            "cpuStats has " + cpuStats.size() + " entries but cpuCount is " + cpuCount);
      }
      cpuStats = List.copyOf(cpuStats);
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Builder; only the header texts and the CPU count are required. */
  public static final class Builder {
    private String headerPage;
    private String headerEvent;
    private final List<String> ftraceFormats = new ArrayList<>();
    private final LinkedHashMap<String, List<String>> eventFormats = new LinkedHashMap<>();
    private String kallsyms = "";
    private String printkFormats = "";
    private String savedCmdlines = "";
    private String traceClock;
    private String instanceName;
    private String lastBootInfo;
    private int cpuCount = -1;
    private final Map<Integer, List<byte[]>> cpuPages = new LinkedHashMap<>();
    private List<String> cpuStats;
    private String uname;
    private String version;
    private int pageSize = DEFAULT_PAGE_SIZE;

    private Builder() {}

    public Builder headerPage(String text) {
      this.headerPage = text;
      return this;
    }

    public Builder headerEvent(String text) {
      this.headerEvent = text;
      return this;
    }

    /** Adds one {@code events/ftrace/<ev>/format} text. */
    public Builder ftraceFormat(String formatText) {
      this.ftraceFormats.add(Objects.requireNonNull(formatText));
      return this;
    }

    /** Adds one {@code events/<system>/<ev>/format} text under {@code system}. */
    public Builder eventFormat(String system, String formatText) {
      this.eventFormats.computeIfAbsent(system, s -> new ArrayList<>())
          .add(Objects.requireNonNull(formatText));
      return this;
    }

    /** Adds all formats of a system (keeps the given order). */
    public Builder eventFormats(String system, List<String> formatTexts) {
      formatTexts.forEach(f -> eventFormat(system, f));
      return this;
    }

    public Builder kallsyms(String text) {
      this.kallsyms = text;
      return this;
    }

    public Builder printkFormats(String text) {
      this.printkFormats = text;
      return this;
    }

    public Builder savedCmdlines(String text) {
      this.savedCmdlines = text;
      return this;
    }

    public Builder traceClock(String text) {
      this.traceClock = text;
      return this;
    }

    public Builder instanceName(String name) {
      this.instanceName = name;
      return this;
    }

    public Builder lastBootInfo(String text) {
      this.lastBootInfo = text;
      return this;
    }

    public Builder cpuCount(int n) {
      this.cpuCount = n;
      return this;
    }

    /** Sets the raw sub-buffers of one CPU (replacing any set before). */
    public Builder cpuPages(int cpu, List<byte[]> pages) {
      this.cpuPages.put(cpu, new ArrayList<>(pages));
      return this;
    }

    /** Appends one raw sub-buffer to a CPU. */
    public Builder addPage(int cpu, byte[] page) {
      this.cpuPages.computeIfAbsent(cpu, c -> new ArrayList<>()).add(page);
      return this;
    }

    /** Per-CPU {@code per_cpu/cpuN/stats} texts, one per CPU. */
    public Builder cpuStats(List<String> stats) {
      this.cpuStats = stats == null ? null : new ArrayList<>(stats);
      return this;
    }

    public Builder uname(String text) {
      this.uname = text;
      return this;
    }

    public Builder version(String text) {
      this.version = text;
      return this;
    }

    public Builder pageSize(int bytes) {
      this.pageSize = bytes;
      return this;
    }

    public TraceDatInput build() {
      int n = cpuCount;
      if (n < 0) {
        n = cpuPages.keySet().stream().mapToInt(c -> c + 1).max().orElse(0);
      }
      List<List<byte[]>> pages = new ArrayList<>();
      for (int cpu = 0; cpu < n; cpu++) {
        pages.add(cpuPages.getOrDefault(cpu, List.of()));
      }
      for (int cpu : cpuPages.keySet()) {
        if (cpu < 0 || cpu >= n) {
          throw new IllegalArgumentException("pages for CPU " + cpu + " but cpuCount is " + n);
        }
      }
      return new TraceDatInput(headerPage, headerEvent, ftraceFormats, eventFormats, kallsyms,
          printkFormats, savedCmdlines, traceClock, instanceName, lastBootInfo, n, pages,
          cpuStats, uname, version, pageSize);
    }
  }
}
