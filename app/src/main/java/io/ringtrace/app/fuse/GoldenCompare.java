package io.ringtrace.app.fuse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * The differential check: compares a capture made by {@code scripts/differential/capture.py}
 * (against a ringtrace FUSE mount, or against a live kernel tracefs) with the kernel's golden
 * capture, {@code golden-kernel-6.18.json}. Both documents must be equal everywhere except for the
 * values that differ by nature, and every such value is covered by one entry of
 * {@link #EXCEPTIONS}, which names it and gives the reason. Nothing else is tolerated.
 *
 * <p>How: both documents are normalized by the same exceptions (a field dropped, a listing entry
 * dropped, or a pattern in a file's text masked), then compared value by value. The report says
 * how often each exception applied on each side and prints every remaining difference.
 *
 * <p>Command line: {@code GoldenCompare [--golden FILE] CAPTURE.json} (CAPTURE "-" reads stdin);
 * exit status 0 when equal, 1 when they differ, 2 on a usage or input error.
 */
public final class GoldenCompare {

    /** Where the project keeps the kernel's golden capture (from the project root). */
    public static final String GOLDEN_RESOURCE = "protocol/src/test/resources/golden/golden-kernel-6.18.json";

    /** One difference by nature: its name, why it differs, and how both documents are normalized. */
    public record NamedException(String name, String reason, Rule rule) {
    }

    /** A normalization applied to a (copied) capture document; returns how many values it changed. */
    @FunctionalInterface
    public interface Rule {
        int apply(ObjectNode doc);
    }

    // One event line of trace/trace_pipe: "%16s-%-7d [%03d] FLAGS  SECS.USECS: EVENT: ..."
    private static final String TASK_PID = "^(.{16})-(\\d+|PID) *";
    private static final Pattern SCHED_LINE = Pattern.compile(
            "(?m)^.{16}-\\d+ *\\[\\d{3}\\] \\S{5} +\\d+\\.\\d{6}: (sched|irq)_\\w+: .*(\\n|\\z)");
    // What the kernel prints when a CPU's buffer overflowed or began after the start of the output.
    private static final Pattern OVERFLOW_LINE = Pattern.compile(
            "(?m)^(CPU:\\d+ \\[LOST \\d+ EVENTS\\]|##### CPU \\d+ buffer started ####)(\\n|\\z)");
    private static final String[] FUNCTION_TRACER_FILES = {
        "set_ftrace_filter", "set_ftrace_notrace", "set_ftrace_notrace_pid", "set_ftrace_pid"};

    /**
     * The one list of values that differ by nature, in the order they are applied. A value not
     * covered here must be equal.
     */
    public static final List<NamedException> EXCEPTIONS = List.of(
            new NamedException("kernel-release",
                    "`kernel` is os.uname().release of the machine that ran the capture: it names a kernel "
                            + "build (or, on a ringtrace mount, the host's kernel), not a tracefs answer",
                    field("kernel")),
            new NamedException("capturing-machine-cpus",
                    "`nr_cpus` is os.cpu_count() of the capturing machine, not a tracefs answer; every per-CPU "
                            + "answer of tracefs (#P:, tracing_cpumask, buffer_total_size_kb, per_cpu/) is still "
                            + "compared, so a tracefs with another CPU count fails there",
                    field("nr_cpus")),
            new NamedException("function-tracer-files",
                    "set_ftrace_filter, set_ftrace_notrace, set_ftrace_notrace_pid and set_ftrace_pid belong to "
                            + "the function tracer; ringtrace has no kernel functions to trace and does not model "
                            + "them (they are dropped from listings)",
                    listingEntries(Set.of(FUNCTION_TRACER_FILES))),
            new NamedException("function-tracer-name",
                    "available_tracers of the kernel names its function tracer (\"function nop\"); ringtrace "
                            + "offers only nop (the word \"function\" is dropped)",
                    text(file -> file.equals("available_tracers"), any(),
                            t -> t.replaceAll("\\bfunction ", ""))),
            new NamedException("zero-length-writes",
                    "a write(2) of 0 bytes never reaches a FUSE file system (the kernel's fuse_direct_write_iter "
                            + "returns 0 before sending a request), so tracefs's answer to an empty write (EINVAL "
                            + "from tracing_on and buffer_size_kb) cannot be seen through a FUSE mount; the result "
                            + "of writes whose input is empty is not compared (their read-back still is)",
                    emptyWriteResults()),
            new NamedException("scheduler-activity",
                    "with sched_switch enabled during the recording, the kernel records the real context "
                            + "switches of its scheduler (the 50 ms sleep, idle, kworkers); ringtrace has no "
                            + "scheduler and records sched events only from producers (none run here), so "
                            + "sched_* and irq_* event lines are dropped from the recorded trace and trace_pipe, and "
                            + "so are the lines the kernel adds when those events overflowed a CPU's buffer "
                            + "(\"CPU:N [LOST N EVENTS]\", \"##### CPU N buffer started ####\")",
                    text(file -> file.endsWith("trace") || file.endsWith("trace_pipe"),
                            section -> section.endsWith("_after_recording"),
                            t -> OVERFLOW_LINE.matcher(SCHED_LINE.matcher(t).replaceAll("")).replaceAll(""))),
            new NamedException("event-counts",
                    "after the recording, entries-in-buffer/entries-written and the stats counters (entries, "
                            + "bytes, read events) count the scheduler events of `scheduler-activity` and depend "
                            + "on the CPU the capture ran on",
                    text(any(), section -> section.endsWith("_after_recording") || section.endsWith("_after_pipe"),
                            t -> t.replaceAll("entries-in-buffer/entries-written: \\d+/\\d+",
                                            "entries-in-buffer/entries-written: N/N")
                                    .replaceAll("(?m)^(entries|bytes|read events): \\d+$", "$1: N"))),
            new NamedException("timestamps",
                    "times of the run: the TIMESTAMP column of event lines (its value and so its width), "
                            + "`oldest event ts`/`now ts` in per_cpu/*/stats and the [seconds] of error_log entries",
                    text(any(), any(), t -> t
                            .replaceAll("(?m)(" + TASK_PID + "\\[\\d{3}\\] \\S{5}) +\\d+\\.\\d{6}:", "$1 T:")
                            .replaceAll("(?m)^(oldest event ts|now ts): +\\d+\\.\\d{6}$", "$1: T")
                            .replaceAll("(?m)^\\[ *\\d+\\.\\d{6}\\]", "[T]"))),
            new NamedException("pids",
                    "the PID half of the TASK-PID column: the process id of the python3 that wrote the markers",
                    text(any(), any(), t -> t.replaceAll("(?m)" + TASK_PID + "(?=\\[\\d{3}\\] )", "$1-PID "))),
            new NamedException("cpu-column",
                    "the CPU column of event lines: the CPU the writer happened to run on (the scheduler's choice)",
                    text(any(), any(), t -> t.replaceAll("(?m)(" + TASK_PID + ")\\[\\d{3}\\] ", "$1[CPU] "))),
            new NamedException("event-ids",
                    "event type ids (`id` files and the ID: line of `format` files) are assigned when the "
                            + "events register and differ between kernel builds",
                    text(file -> file.endsWith("/id") || file.endsWith("/format"), any(), t -> t
                            .replaceAll("(?m)^ID: \\d+$", "ID: N")
                            .replaceAll("\\A\\d+\\n\\z", "N\n"))));

    /** The file a top-level text section was read from. */
    private static final Map<String, String> SECTION_FILES = Map.of(
            "error_log_after_writes", "error_log",
            "trace_after_recording", "trace",
            "trace_pipe_after_recording", "trace_pipe",
            "trace_after_pipe", "trace",
            "stats_after_recording", "per_cpu/cpu0/stats",
            "stats_after_pipe", "per_cpu/cpu0/stats");

    private GoldenCompare() {
    }

    /** The outcome of one comparison. */
    public record Result(List<String> differences, Map<String, int[]> applied, int compared,
                         String goldenKernel, String captureKernel) {
        public boolean passed() {
            return differences.isEmpty();
        }

        /** The human report: exceptions with their counts and reasons, every difference, a verdict line. */
        public String report() {
            StringBuilder sb = new StringBuilder();
            sb.append("differential: golden (kernel ").append(goldenKernel).append(") vs capture (kernel ")
                    .append(captureKernel).append(")\n");
            sb.append("named exceptions (values that differ by nature; applied golden/capture):\n");
            for (NamedException e : EXCEPTIONS) {
                int[] n = applied.get(e.name());
                sb.append(String.format("  %-22s %3d/%-3d %s%n", e.name(), n[0], n[1], e.reason()));
            }
            if (differences.isEmpty()) {
                sb.append("differences: none\n");
            } else {
                sb.append("differences (").append(differences.size()).append("):\n");
                for (String d : differences) {
                    sb.append("  ").append(d.replace("\n", "\n    ")).append('\n');
                }
            }
            sb.append("differential: ").append(passed() ? "PASS" : "FAIL").append(" (").append(compared)
                    .append(" values compared, ").append(differences.size()).append(" differences, ")
                    .append(EXCEPTIONS.size()).append(" named exceptions)\n");
            return sb.toString();
        }
    }

    /** Compares a capture with the golden document. Neither argument is modified. */
    public static Result compare(JsonNode golden, JsonNode capture) {
        if (!golden.isObject() || !capture.isObject()) {
            throw new IllegalArgumentException("both documents must be JSON objects");
        }
        ObjectNode g = golden.deepCopy();
        ObjectNode c = capture.deepCopy();
        Map<String, int[]> applied = new LinkedHashMap<>();
        for (NamedException e : EXCEPTIONS) {
            applied.put(e.name(), new int[]{e.rule().apply(g), e.rule().apply(c)});
        }
        List<String> differences = new ArrayList<>();
        int[] compared = {0};
        diff("", g, c, differences, compared);
        return new Result(differences, applied, compared[0], golden.path("kernel").asText("?"),
                capture.path("kernel").asText("?"));
    }

    public static Result compare(Path golden, Path capture) throws IOException {
        ObjectMapper m = new ObjectMapper();
        return compare(m.readTree(golden.toFile()), m.readTree(capture.toFile()));
    }

    // ------------------------------------------------------------------ rules

    private static <T> Predicate<T> any() {
        return x -> true;
    }

    /** Drops a top-level field on both sides. */
    static Rule field(String name) {
        return doc -> doc.remove(name) != null ? 1 : 0;
    }

    /** Drops entries with these names from every {@code *_listing} array. */
    static Rule listingEntries(Set<String> names) {
        return doc -> {
            int n = 0;
            for (Map.Entry<String, JsonNode> f : doc.properties()) {
                if (!f.getKey().endsWith("_listing") || !f.getValue().isArray()) {
                    continue;
                }
                for (Iterator<JsonNode> el = f.getValue().elements(); el.hasNext(); ) {
                    if (names.contains(el.next().path("name").asText())) {
                        el.remove();
                        n++;
                    }
                }
            }
            return n;
        };
    }

    /** Replaces the {@code result} of every entry of {@code writes} whose input is empty. */
    static Rule emptyWriteResults() {
        return doc -> {
            int n = 0;
            for (JsonNode w : doc.path("writes")) {
                if (w.isObject() && w.path("input").asText("?").isEmpty() && w.has("result")) {
                    ((ObjectNode) w).put("result", "<empty write: not compared>");
                    n++;
                }
            }
            return n;
        };
    }

    /**
     * Rewrites the text of every read whose file and section match: {@code fresh_reads} (file = the
     * key), the {@code after} read-back of {@code writes} (file = the written path) and the
     * top-level sections ({@link #SECTION_FILES}).
     */
    static Rule text(Predicate<String> file, Predicate<String> section, UnaryOperator<String> f) {
        return doc -> {
            int n = 0;
            for (TextRef t : texts(doc)) {
                if (file.test(t.file) && section.test(t.section)) {
                    String old = t.holder.path("text").asText();
                    String now = f.apply(old);
                    if (!now.equals(old)) {
                        t.holder.put("text", now);
                        n++;
                    }
                }
            }
            return n;
        };
    }

    private record TextRef(String section, String file, ObjectNode holder) {
    }

    private static List<TextRef> texts(ObjectNode doc) {
        List<TextRef> out = new ArrayList<>();
        for (Map.Entry<String, JsonNode> f : doc.properties()) {
            String section = f.getKey();
            JsonNode v = f.getValue();
            if (section.equals("fresh_reads") && v.isObject()) {
                for (Map.Entry<String, JsonNode> e : v.properties()) {
                    if (e.getValue().isObject() && e.getValue().has("text")) {
                        out.add(new TextRef(section, e.getKey(), (ObjectNode) e.getValue()));
                    }
                }
            } else if (section.equals("writes") && v.isArray()) {
                for (JsonNode w : v) {
                    JsonNode after = w.path("after");
                    if (after.isObject() && after.has("text")) {
                        out.add(new TextRef(section, w.path("path").asText(), (ObjectNode) after));
                    }
                }
            } else if (v.isObject() && v.has("text")) {
                out.add(new TextRef(section, SECTION_FILES.getOrDefault(section, section), (ObjectNode) v));
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ comparison

    private static void diff(String at, JsonNode g, JsonNode c, List<String> out, int[] compared) {
        if (g.isObject() && c.isObject()) {
            Set<String> keys = new LinkedHashSet<>();
            g.fieldNames().forEachRemaining(keys::add);
            c.fieldNames().forEachRemaining(keys::add);
            for (String k : keys) {
                String here = at + "/" + k;
                if (!g.has(k)) {
                    out.add(here + ": only in the capture: " + brief(c.get(k)));
                } else if (!c.has(k)) {
                    out.add(here + ": missing from the capture (golden: " + brief(g.get(k)) + ")");
                } else {
                    diff(here, g.get(k), c.get(k), out, compared);
                }
            }
            return;
        }
        if (g.isArray() && c.isArray()) {
            if (isListing(g) && isListing(c)) {
                diffListing(at, (ArrayNode) g, (ArrayNode) c, out, compared);
                return;
            }
            int n = Math.max(g.size(), c.size());
            for (int i = 0; i < n; i++) {
                String here = at + "/" + i + label(i < g.size() ? g.get(i) : c.get(i));
                if (i >= g.size()) {
                    out.add(here + ": only in the capture: " + brief(c.get(i)));
                } else if (i >= c.size()) {
                    out.add(here + ": missing from the capture (golden: " + brief(g.get(i)) + ")");
                } else {
                    diff(here, g.get(i), c.get(i), out, compared);
                }
            }
            return;
        }
        compared[0]++;
        if (g.equals(c)) {
            return;
        }
        if (g.isTextual() && c.isTextual() && (g.asText().contains("\n") || c.asText().contains("\n"))) {
            out.add(at + ":\n" + textDiff(g.asText(), c.asText()));
        } else {
            out.add(at + ": golden " + brief(g) + ", capture " + brief(c));
        }
    }

    private static boolean isListing(JsonNode a) {
        for (JsonNode e : a) {
            if (!e.isObject() || !e.has("name")) {
                return false;
            }
        }
        return a.size() > 0;
    }

    /** Listings compare by name, so one missing file gives one difference, not a shifted tail. */
    private static void diffListing(String at, ArrayNode g, ArrayNode c, List<String> out, int[] compared) {
        Map<String, JsonNode> ours = new LinkedHashMap<>();
        c.forEach(e -> ours.put(e.get("name").asText(), e));
        for (JsonNode e : g) {
            String name = e.get("name").asText();
            JsonNode o = ours.remove(name);
            if (o == null) {
                out.add(at + "/" + name + ": missing from the capture (golden: " + brief(e) + ")");
            } else {
                diff(at + "/" + name, e, o, out, compared);
            }
        }
        ours.forEach((name, e) -> out.add(at + "/" + name + ": only in the capture: " + brief(e)));
        List<String> gOrder = new ArrayList<>();
        g.forEach(e -> gOrder.add(e.get("name").asText()));
        List<String> cOrder = new ArrayList<>();
        c.forEach(e -> cOrder.add(e.get("name").asText()));
        compared[0]++;
        if (gOrder.size() == cOrder.size() && new LinkedHashSet<>(gOrder).equals(new LinkedHashSet<>(cOrder))
                && !gOrder.equals(cOrder)) {
            out.add(at + ": same names in another order: " + cOrder);
        }
    }

    /** A readable tag for an element of {@code writes}: its path and input. */
    private static String label(JsonNode e) {
        if (e != null && e.isObject() && e.has("path") && e.has("input")) {
            return "[" + e.get("path").asText() + " <- '" + e.get("input").asText() + "']";
        }
        return "";
    }

    private static String brief(JsonNode v) {
        String s = v == null ? "null" : v.toString();
        return s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }

    /** Line-by-line: the differing lines with their numbers (at most 12). */
    static String textDiff(String g, String c) {
        String[] a = g.split("\n", -1);
        String[] b = c.split("\n", -1);
        StringBuilder sb = new StringBuilder();
        int shown = 0;
        int n = Math.max(a.length, b.length);
        for (int i = 0; i < n && shown < 12; i++) {
            String x = i < a.length ? a[i] : null;
            String y = i < b.length ? b[i] : null;
            if (x != null && x.equals(y)) {
                continue;
            }
            shown++;
            sb.append(String.format("line %d%n  golden:  %s%n  capture: %s%n", i + 1,
                    x == null ? "(none)" : "'" + x + "'", y == null ? "(none)" : "'" + y + "'"));
        }
        sb.append(String.format("(golden %d lines, capture %d lines)", a.length, b.length));
        return sb.toString();
    }

    // ------------------------------------------------------------------ command line

    /** Finds the golden capture from the working directory or one of its parents. */
    public static Path defaultGolden() {
        Path dir = Paths.get("").toAbsolutePath();
        for (Path d = dir; d != null; d = d.getParent()) {
            Path p = d.resolve(GOLDEN_RESOURCE);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        return dir.resolve(GOLDEN_RESOURCE);
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        Path golden = null;
        String capture = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--golden") && i + 1 < args.length) {
                golden = Paths.get(args[++i]);
            } else if (args[i].equals("-h") || args[i].equals("--help")) {
                System.out.println("usage: GoldenCompare [--golden FILE] CAPTURE.json|-");
                return 0;
            } else if (capture == null) {
                capture = args[i];
            } else {
                System.err.println("usage: GoldenCompare [--golden FILE] CAPTURE.json|-");
                return 2;
            }
        }
        if (capture == null) {
            System.err.println("usage: GoldenCompare [--golden FILE] CAPTURE.json|-");
            return 2;
        }
        if (golden == null) {
            golden = defaultGolden();
        }
        ObjectMapper m = new ObjectMapper();
        Result r;
        try {
            JsonNode g = m.readTree(golden.toFile());
            JsonNode c;
            if (capture.equals("-")) {
                try (InputStream in = System.in) {
                    c = m.readTree(in);
                }
            } else {
                c = m.readTree(Paths.get(capture).toFile());
            }
            if (c == null || !c.isObject()) {
                System.err.println("GoldenCompare: the capture is not a JSON object (did capture.py fail?)");
                return 2;
            }
            r = compare(g, c);
        } catch (IOException e) {
            System.err.println("GoldenCompare: " + e.getMessage());
            return 2;
        }
        System.out.print(r.report());
        return r.passed() ? 0 : 1;
    }

    /** For callers that hold the capture as a string (tests). */
    public static Result compare(JsonNode golden, String captureJson) throws IOException {
        return compare(golden, new ObjectMapper().readTree(captureJson));
    }
}
