package io.ringtrace.config;

import io.ringtrace.protocol.TraceClock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.slf4j.Logger;

/**
 * A boot command line read with the kernel's grammar: the parameters of the tracing subsystem
 * (and {@code reserve_mem=}, which memblock owns) as typed values, plus the log lines the kernel
 * would print while reading them. Nothing here throws on bad input: a bad part is reported and
 * skipped and the rest of the line still counts, as at a kernel boot. {@link BootPlan#resolve}
 * turns this into the instances to create.
 *
 * <p>Reading follows the kernel:
 * <ul>
 *   <li>The line is cut to {@value #COMMAND_LINE_SIZE}-1 characters (x86 {@code COMMAND_LINE_SIZE};
 *       a warning is logged). Because of that the 2048-byte buffers in which the kernel collects
 *       {@code trace_instance=} and {@code trace_event=} values can never overflow here.</li>
 *   <li>Tokens as {@code parse_args}: blank separated, double quotes allowed, {@code --} ends the
 *       kernel's part. Parameter names match with {@code -} and {@code _} treated alike, and a
 *       parameter registered without {@code =} matches as a prefix ({@code __setup} rules: so
 *       {@code traceoff_after_boot=0} still turns tracing off after boot).</li>
 *   <li>{@code reserve_mem=SIZE:ALIGN:LABEL}: memblock's checks (size non-zero, ':' after each
 *       number, align raised to 64, label 1..15 characters and not blank, label unique, at most
 *       {@value #RESERVE_MEM_MAX_ENTRIES} entries). The kernel refuses these silently; ringtrace
 *       logs a warning for each.</li>
 *   <li>{@code trace_instance=}: one entry per occurrence, in order; a TAB inside a quoted value
 *       splits it into two entries, as in the kernel. See {@link TraceInstanceSpec}.</li>
 *   <li>{@code trace_buf_size=}: memparse, raised to at least 4096; trailing characters are
 *       ignored. The kernel is silent about all of this; ringtrace warns about a value it had to
 *       raise or trailing characters, and ignores (with a warning) a value that overflows.</li>
 *   <li>{@code trace_event=}: may repeat; the values join with commas (2026 behaviour); empty
 *       selectors are dropped.</li>
 *   <li>{@code trace_options=}: the last occurrence wins, cut to 99 characters; comma separated,
 *       blanks around a name stripped, {@code no} prefix switches off. Names outside
 *       {@link TraceOptionNames} are dropped with a warning (the kernel drops them silently).</li>
 *   <li>{@code trace_clock=}: the last occurrence wins, cut to 99 characters; an unknown clock
 *       gives the kernel's "Trace clock %s not defined, going back to default".</li>
 *   <li>{@code traceoff_on_warning}: any form except {@code =0} or {@code =off} enables it, and a
 *       later {@code =0} does not disable it again.</li>
 *   <li>{@code traceoff_after_boot}, {@code alloc_snapshot[=INSTANCE]},
 *       {@code ftrace_boot_snapshot[=INSTANCE]}: as in the kernel; instance names for snapshots
 *       match exactly (not the kernel's inverted match, section 9 item 4).</li>
 *   <li>Anything else is not ringtrace's: it is listed in {@link #passedOn()} and named in one
 *       info line, as the kernel names parameters it passes to user space.</li>
 * </ul>
 *
 * @param text the command line as read (after the length cut)
 * @param reserveMem the reservations made, in command-line order
 * @param traceInstances the {@code trace_instance=} entries, in command-line order
 * @param traceBufSize the per-CPU buffer size from {@code trace_buf_size=}, in bytes (&ge; 4096)
 * @param traceEvents the top-level event selectors from {@code trace_event=}, as given
 * @param traceOptions the known options from {@code trace_options=}, in order
 * @param traceClock the top-level clock from {@code trace_clock=} when it names a clock
 * @param traceoffAfterBoot {@code traceoff_after_boot} was given
 * @param traceoffOnWarning {@code traceoff_on_warning} is enabled
 * @param allocSnapshot the top level gets a snapshot buffer ({@code alloc_snapshot} without a name)
 * @param bootSnapshot {@code ftrace_boot_snapshot}: take the snapshots at the end of boot
 * @param snapshotInstances instance names given as {@code alloc_snapshot=NAME} or
 *     {@code ftrace_boot_snapshot=NAME}, in order
 * @param passedOn parameters ringtrace does not handle, and words after {@code --}
 * @param log every line the reading produced, in command-line order, including each
 *     {@link TraceInstanceSpec}'s syntax lines
 */
public record BootCommandLine(
        String text,
        List<ReserveMem> reserveMem,
        List<TraceInstanceSpec> traceInstances,
        OptionalLong traceBufSize,
        List<String> traceEvents,
        List<TraceOptionSetting> traceOptions,
        Optional<TraceClock> traceClock,
        boolean traceoffAfterBoot,
        boolean traceoffOnWarning,
        boolean allocSnapshot,
        boolean bootSnapshot,
        List<String> snapshotInstances,
        List<String> passedOn,
        List<BootLogLine> log) {

    /** x86's {@code COMMAND_LINE_SIZE}: the line keeps at most this many characters minus one. */
    public static final int COMMAND_LINE_SIZE = 2048;

    /** memblock's {@code RESERVE_MEM_MAX_ENTRIES}. */
    public static final int RESERVE_MEM_MAX_ENTRIES = 8;

    /** memblock's {@code RESERVE_MEM_NAME_SIZE}: a label is shorter than this. */
    public static final int RESERVE_MEM_NAME_SIZE = 16;

    /** The kernel's minimum for {@code trace_buf_size=}. */
    public static final long MIN_TRACE_BUF_SIZE = 4096;

    /** The kernel's {@code MAX_TRACER_SIZE} - 1: characters kept of trace_options= and trace_clock=. */
    public static final int MAX_TRACER_CHARS = 99;

    /**
     * The demo command line of DESIGN section 4: a 12 MiB persistent instance {@code boot_map}
     * recording sched and irq events, and a {@code backup} of the previous run's data.
     */
    public static final String DEMO = "reserve_mem=12M:4096:trace "
            + "trace_instance=boot_map@trace,sched,irq trace_instance=backup=boot_map";

    /** Top of the simulated physical memory from which reservations are taken, top-down. */
    static final long MEMORY_TOP = 1L << 40;
    /** Bottom of the simulated physical memory. */
    static final long MEMORY_BOTTOM = 1L << 20;

    public BootCommandLine {
        Objects.requireNonNull(text, "text");
        reserveMem = List.copyOf(reserveMem);
        traceInstances = List.copyOf(traceInstances);
        Objects.requireNonNull(traceBufSize, "traceBufSize");
        traceEvents = List.copyOf(traceEvents);
        traceOptions = List.copyOf(traceOptions);
        Objects.requireNonNull(traceClock, "traceClock");
        snapshotInstances = List.copyOf(snapshotInstances);
        passedOn = List.copyOf(passedOn);
        log = List.copyOf(log);
    }

    /** Reads {@code commandLine} (null reads as empty). Never throws, never loops on any input. */
    public static BootCommandLine parse(String commandLine) {
        return new Reader(commandLine == null ? "" : commandLine).read();
    }

    /** The reservation with this label, if one was made. */
    public Optional<ReserveMem> reserveMem(String label) {
        for (ReserveMem r : reserveMem) {
            if (r.label().equals(label)) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }

    /** Logs {@link #log()} to {@code logger}, each line at its level. */
    public void logTo(Logger logger) {
        BootLogLine.logAll(log, logger);
    }

    /** Logs {@link #log()} to the {@value BootLogLine#LOGGER_NAME} logger. */
    public void logTo() {
        BootLogLine.logAll(log);
    }

    /** The lines of {@link #log()} that do not belong to a trace_instance entry, in order. */
    List<BootLogLine> parameterLog() {
        Set<BootLogLine> own = Collections.newSetFromMap(new IdentityHashMap<>());
        for (TraceInstanceSpec spec : traceInstances) {
            own.addAll(spec.notes());
            spec.addressError().ifPresent(own::add);
        }
        List<BootLogLine> out = new ArrayList<>();
        for (BootLogLine line : log) {
            if (!own.contains(line)) {
                out.add(line);
            }
        }
        return out;
    }

    /** The mutable state of one read; {@link #read()} builds the record. */
    private static final class Reader {
        private final String input;
        private final List<BootLogLine> log = new ArrayList<>();
        private final List<ReserveMem> reserveMem = new ArrayList<>();
        private final List<TraceInstanceSpec> instances = new ArrayList<>();
        private final List<String> events = new ArrayList<>();
        private final List<String> snapshotInstances = new ArrayList<>();
        private final List<String> passedOn = new ArrayList<>();
        private long memoryTop = MEMORY_TOP;
        private OptionalLong bufSize = OptionalLong.empty();
        private String optionsText;
        private String clockText;
        private boolean traceoffAfterBoot;
        private boolean traceoffOnWarning;
        private boolean allocSnapshot;
        private boolean bootSnapshot;

        Reader(String input) {
            this.input = input;
        }

        BootCommandLine read() {
            String text = input;
            if (text.length() > COMMAND_LINE_SIZE - 1) {
                int cut = COMMAND_LINE_SIZE - 1;
                if (Character.isHighSurrogate(text.charAt(cut - 1))) {
                    cut--;
                }
                text = text.substring(0, cut);
                log.add(BootLogLine.warn("Kernel command line truncated to %d characters (%d given)",
                        cut, input.length()));
            }
            if (!text.isBlank()) {
                log.add(BootLogLine.info("Kernel command line: %s", text));
            }
            KernelArgs.Split split = KernelArgs.split(text);
            for (KernelArgs.Param p : split.params()) {
                dispatch(p);
            }
            passedOn.addAll(split.afterDashes());
            List<TraceOptionSetting> options = readOptions();
            Optional<TraceClock> clock = readClock();
            if (!passedOn.isEmpty()) {
                log.add(BootLogLine.info(
                        "Unknown kernel command line parameters \"%s\", will be passed to user space.",
                        String.join(" ", passedOn)));
            }
            return new BootCommandLine(text, reserveMem, instances, bufSize, events, options, clock,
                    traceoffAfterBoot, traceoffOnWarning, allocSnapshot, bootSnapshot,
                    snapshotInstances, passedOn, log);
        }

        private void dispatch(KernelArgs.Param p) {
            String line = p.line();
            String rest;
            if ((rest = match(line, "reserve_mem=")) != null) {
                reserveMem(rest);
            } else if ((rest = match(line, "trace_instance=")) != null) {
                for (String entry : rest.split("\t", -1)) {
                    TraceInstanceSpec spec = TraceInstanceSpec.parse(entry);
                    instances.add(spec);
                    log.addAll(spec.notes());
                    spec.addressError().ifPresent(log::add);
                }
            } else if ((rest = match(line, "trace_buf_size=")) != null) {
                bufSize(rest);
            } else if ((rest = match(line, "trace_event=")) != null) {
                for (String ev : rest.split(",", -1)) {
                    if (!ev.isEmpty()) {
                        events.add(ev);
                    }
                }
            } else if ((rest = match(line, "trace_options=")) != null) {
                optionsText = rest;
            } else if ((rest = match(line, "trace_clock=")) != null) {
                clockText = rest;
            } else if ((rest = match(line, "traceoff_after_boot")) != null) {
                traceoffAfterBoot = true;
            } else if ((rest = match(line, "traceoff_on_warning")) != null) {
                if (!rest.equals("=0") && !rest.equals("=off")) {
                    traceoffOnWarning = true;
                }
            } else if ((rest = match(line, "alloc_snapshot")) != null) {
                snapshot(rest);
            } else if ((rest = match(line, "ftrace_boot_snapshot")) != null) {
                bootSnapshot = true;
                snapshot(rest);
            } else if (!p.name().isEmpty()) {
                passedOn.add(line);
            }
        }

        /** {@code parameqn}: the prefix {@code key} of {@code line}, '-' and '_' alike; the rest. */
        private static String match(String line, String key) {
            if (line.length() < key.length()) {
                return null;
            }
            for (int i = 0; i < key.length(); i++) {
                if (dashToUnderscore(line.charAt(i)) != key.charAt(i)) {
                    return null;
                }
            }
            return line.substring(key.length());
        }

        private static char dashToUnderscore(char c) {
            return c == '-' ? '_' : c;
        }

        private void snapshot(String rest) {
            if (rest.startsWith("=")) {
                for (String name : rest.substring(1).split("\t", -1)) {
                    snapshotInstances.add(name);
                }
            } else {
                allocSnapshot = true;
            }
        }

        private void reserveMem(String spec) {
            if (reserveMem.size() >= RESERVE_MEM_MAX_ENTRIES) {
                refuse(spec, "more than " + RESERVE_MEM_MAX_ENTRIES + " reservations");
                return;
            }
            MemParse.Parsed size = MemParse.parse(spec, 0);
            if (size.overflow()) {
                refuse(spec, "size out of range");
                return;
            }
            if (size.value() == 0 || size.empty(0)) {
                refuse(spec, "invalid size");
                return;
            }
            if (size.end() >= spec.length() || spec.charAt(size.end()) != ':') {
                refuse(spec, "':' expected after the size");
                return;
            }
            MemParse.Parsed align = MemParse.parse(spec, size.end() + 1);
            if (align.overflow()) {
                refuse(spec, "alignment out of range");
                return;
            }
            if (align.end() >= spec.length() || spec.charAt(align.end()) != ':') {
                refuse(spec, "':' expected after the alignment");
                return;
            }
            long alignment = Math.max(align.value(), ReserveMem.MIN_ALIGN);
            String label = spec.substring(align.end() + 1);
            if (label.isEmpty() || label.length() >= RESERVE_MEM_NAME_SIZE) {
                refuse(spec, "label must have 1 to " + (RESERVE_MEM_NAME_SIZE - 1) + " characters");
                return;
            }
            if (label.chars().allMatch(c -> KernelArgs.isSpace((char) c))) {
                refuse(spec, "label is blank");
                return;
            }
            for (ReserveMem r : reserveMem) {
                if (r.label().equals(label)) {
                    refuse(spec, "label '" + label + "' is already reserved");
                    return;
                }
            }
            long room = memoryTop - MEMORY_BOTTOM;
            if (size.value() > room) {
                refuse(spec, "cannot allocate " + size.value() + " bytes");
                return;
            }
            long start = memoryTop - size.value();
            start -= start % alignment;
            if (start < MEMORY_BOTTOM) {
                refuse(spec, "cannot allocate " + size.value() + " bytes aligned to " + alignment);
                return;
            }
            memoryTop = start;
            reserveMem.add(new ReserveMem(label, start, size.value(), alignment));
        }

        private void refuse(String spec, String why) {
            log.add(BootLogLine.warn("reserve_mem: ignoring 'reserve_mem=%s': %s (want SIZE:ALIGN:LABEL)",
                    spec, why));
        }

        private void bufSize(String value) {
            MemParse.Parsed p = MemParse.parse(value, 0);
            if (p.overflow()) {
                log.add(BootLogLine.warn("Tracing: trace_buf_size=%s is out of range, ignored", value));
                return;
            }
            long bytes = p.value();
            if (p.empty(0)) {
                log.add(BootLogLine.warn("Tracing: trace_buf_size=%s is not a size, using %d",
                        value, MIN_TRACE_BUF_SIZE));
            } else {
                if (p.end() < value.length()) {
                    log.add(BootLogLine.warn("Tracing: trace_buf_size=%s: ignoring '%s' after the size",
                            value, value.substring(p.end())));
                }
                if (bytes < MIN_TRACE_BUF_SIZE) {
                    log.add(BootLogLine.warn("Tracing: trace_buf_size=%s is below the minimum, using %d",
                            value, MIN_TRACE_BUF_SIZE));
                }
            }
            bufSize = OptionalLong.of(Math.max(bytes, MIN_TRACE_BUF_SIZE));
        }

        private List<TraceOptionSetting> readOptions() {
            List<TraceOptionSetting> out = new ArrayList<>();
            if (optionsText == null) {
                return out;
            }
            String text = cutTracerBuf(optionsText, "trace_options");
            for (String raw : text.split(",", -1)) {
                if (raw.isEmpty()) {
                    continue;
                }
                String option = strip(raw);
                boolean enabled = true;
                if (option.startsWith("no")) {
                    enabled = false;
                    option = option.substring(2);
                }
                if (TraceOptionNames.isKnown(option)) {
                    out.add(new TraceOptionSetting(option, enabled));
                } else {
                    log.add(BootLogLine.warn("Tracing: trace_options: unknown option '%s' ignored",
                            strip(raw)));
                }
            }
            return out;
        }

        private Optional<TraceClock> readClock() {
            if (clockText == null) {
                return Optional.empty();
            }
            String name = cutTracerBuf(clockText, "trace_clock");
            TraceClock clock = TraceClock.byName(name);
            if (clock == null) {
                log.add(BootLogLine.warn("Trace clock %s not defined, going back to default", name));
                return Optional.empty();
            }
            return Optional.of(clock);
        }

        private String cutTracerBuf(String value, String param) {
            if (value.length() <= MAX_TRACER_CHARS) {
                return value;
            }
            int cut = MAX_TRACER_CHARS;
            if (Character.isHighSurrogate(value.charAt(cut - 1))) {
                cut--;
            }
            log.add(BootLogLine.warn("Tracing: %s= cut to its first %d characters", param, cut));
            return value.substring(0, cut);
        }

        /** The kernel's {@code strstrip}: C blanks off both ends. */
        private static String strip(String s) {
            int b = 0;
            int e = s.length();
            while (b < e && KernelArgs.isSpace(s.charAt(b))) {
                b++;
            }
            while (e > b && KernelArgs.isSpace(s.charAt(e - 1))) {
                e--;
            }
            return s.substring(b, e);
        }
    }
}
