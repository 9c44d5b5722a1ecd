package io.ringtrace.actors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ringtrace.actors.fs.OpenFlags;
import io.ringtrace.actors.fs.Stat;
import io.ringtrace.protocol.ErrnoException;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Checks ringtrace against what a real Linux 6.18 kernel answered to capture_kernel.py
 * (golden-kernel-6.18.json, a copy in the protocol module's test resources). Every entry is
 * compared; the few that differ by nature are named in {@link #EXCEPTIONS} with the reason, and
 * the test fails if an exception is no longer needed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class GoldenKernelTest {
    private static final String INSTANCE = "instances/golden_probe/";

    /** Golden entries that differ by nature, each with its reason. Key: "section:path". */
    static final Map<String, String> EXCEPTIONS = new LinkedHashMap<>();

    static {
        EXCEPTIONS.put("listing:set_ftrace_filter", "function tracer file; ringtrace has no function tracer");
        EXCEPTIONS.put("listing:set_ftrace_notrace", "function tracer file; ringtrace has no function tracer");
        EXCEPTIONS.put("listing:set_ftrace_notrace_pid", "function tracer file; ringtrace has no function tracer");
        EXCEPTIONS.put("listing:set_ftrace_pid", "function tracer file; ringtrace has no function tracer");
        EXCEPTIONS.put("read:available_tracers", "the kernel lists its function tracer; ringtrace has only nop");
    }

    private final ActorTestKit kit = ActorTestKit.create("GoldenKernelTest");
    private TraceFs fs;
    private JsonNode golden;
    private final List<String> usedExceptions = new ArrayList<>();

    @BeforeAll
    void start() throws Exception {
        try (InputStream in = getClass().getResourceAsStream("/golden/golden-kernel-6.18.json")) {
            golden = new ObjectMapper().readTree(in);
        }
        int cpus = golden.get("nr_cpus").asInt();
        fs = TestEngines.start(kit, cpus);
        fs.mkdir("instances/golden_probe");
    }

    @AfterAll
    void stop() {
        kit.shutdownTestKit();
    }

    private boolean excepted(String key) {
        if (EXCEPTIONS.containsKey(key)) {
            usedExceptions.add(key);
            return true;
        }
        return false;
    }

    private void compareListing(String section, String rel, JsonNode expected, java.util.function.Predicate<String> keep)
            throws ErrnoException {
        Map<String, String> ours = new LinkedHashMap<>();
        for (Stat s : fs.list(INSTANCE + rel)) {
            if (keep.test(s.name())) {
                ours.put(s.name(), s.modeString());
            }
        }
        List<String> problems = new ArrayList<>();
        for (JsonNode e : expected) {
            String name = e.get("name").asText();
            String mode = ours.remove(name);
            if (excepted("listing:" + name)) {
                continue;
            }
            if (mode == null) {
                problems.add("missing " + rel + name);
            } else if (!mode.equals(e.get("mode").asText())) {
                problems.add(rel + name + " mode " + mode + " expected " + e.get("mode").asText());
            }
        }
        ours.keySet().forEach(n -> problems.add("extra " + rel + n));
        assertEquals(List.of(), problems, section);
    }

    @Test
    void listingsHaveTheKernelsNamesAndModes() throws Exception {
        compareListing("instance_listing", "", golden.get("instance_listing"), n -> true);
        compareListing("per_cpu_listing", "per_cpu/cpu0/", golden.get("per_cpu_listing"), n -> true);
        compareListing("events_listing", "events/", golden.get("events_listing"),
                n -> List.of("enable", "header_page", "header_event", "sched", "irq", "ftrace").contains(n));
        compareListing("event_dir_listing", "events/sched/sched_switch/", golden.get("event_dir_listing"), n -> true);
        compareListing("system_dir_listing", "events/sched/", golden.get("system_dir_listing"),
                n -> !n.startsWith("sched_"));
    }

    /** Masks what differs by nature in a text: event ids in format files and the "now ts" of stats. */
    static String normalize(String path, String text) {
        if (path.endsWith("/format")) {
            text = text.replaceFirst("(?m)^ID: \\d+$", "ID: N");
        }
        if (path.endsWith("/id")) {
            text = text.replaceAll("^\\d+\n$", "N\n");
        }
        if (path.endsWith("stats")) {
            text = text.replaceAll("(?m)^(now ts|oldest event ts): +\\d+\\.\\d{6}$", "$1: T");
        }
        if (path.equals("error_log")) {
            text = text.replaceAll("(?m)^\\[ *\\d+\\.\\d{6}\\]", "[T]");
        }
        return text;
    }

    @Test
    void freshReadsMatch() throws Exception {
        List<String> problems = new ArrayList<>();
        Iterator<Map.Entry<String, JsonNode>> it = golden.get("fresh_reads").fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            String path = e.getKey();
            String expected = e.getValue().get("text").asText();
            String ours = fs.read(INSTANCE + path);
            if (excepted("read:" + path)) {
                continue;
            }
            if (!normalize(path, ours).equals(normalize(path, expected))) {
                problems.add(path + "\n--- kernel:\n" + expected + "--- ringtrace:\n" + ours);
            }
        }
        assertEquals("", String.join("\n", problems));
    }

    @Test
    void writesGiveTheKernelsErrnoAndReadBack() throws Exception {
        // A fresh instance, so that the sequence starts from the state the kernel's did.
        fs.mkdir("instances/golden_writes");
        String base = "instances/golden_writes/";
        List<String> problems = new ArrayList<>();
        for (JsonNode w : golden.get("writes")) {
            String path = w.get("path").asText();
            String input = w.get("input").asText();
            if (input.matches("<\\d+ x>")) {
                input = "x".repeat(Integer.parseInt(input.substring(1, input.indexOf(' '))));
            }
            String result;
            try (TraceFs.Handle h = fs.open(base + path, OpenFlags.O_WRONLY | OpenFlags.O_TRUNC)) {
                try {
                    result = "written " + h.write(input.getBytes(StandardCharsets.UTF_8));
                } catch (ErrnoException e) {
                    result = "errno " + e.errno().name();
                }
            }
            JsonNode r = w.get("result");
            String expected = r.has("written") ? "written " + r.get("written").asInt() : "errno " + r.get("errno").asText();
            if (!expected.equals(result)) {
                problems.add(path + " <- '" + abbreviate(input) + "': " + result + ", kernel " + expected);
            }
            JsonNode after = w.get("after");
            if (after != null && !after.isNull()) {
                String ours = fs.read(base + path);
                if (!normalize(path, ours).equals(normalize(path, after.get("text").asText()))) {
                    problems.add(path + " after '" + abbreviate(input) + "':\n--- kernel:\n" + after.get("text").asText()
                            + "--- ringtrace:\n" + ours);
                }
            }
        }
        String log = fs.read(base + "error_log");
        String expectedLog = golden.get("error_log_after_writes").get("text").asText();
        if (!normalize("error_log", log).equals(normalize("error_log", expectedLog))) {
            problems.add("error_log:\n--- kernel:\n" + expectedLog + "--- ringtrace:\n" + log);
        }
        assertEquals("", String.join("\n", problems));
        fs.rmdir("instances/golden_writes");
    }

    /**
     * tracing_cpumask writes the golden capture does not hold, with what this machine's 6.18
     * tracefs answered in an instance (2 CPUs, each write one os.write of exactly these bytes on
     * an O_WRONLY|O_TRUNC fd, checked by hand 2026-11-22). bitmap_parse reads the text, up to the
     * first NUL or newline, from its end in chunks of up to 8 hex digits separated by any run of
     * commas and white space; with 2 CPUs a second chunk, even "0", is EOVERFLOW. Each write
     * starts from the mask 3, so that a kept mask and a cleared one read differently.
     */
    @Test
    void cpumaskWritesAnswerAsTheKernel() throws Exception {
        fs.mkdir("instances/golden_cpumask");
        String path = "instances/golden_cpumask/tracing_cpumask";
        String[][] cases = {
            // no chunk at all: the empty mask; no bytes at all: EINVAL
            {"\n", "written 1", "0\n"}, {"\n\n", "written 2", "0\n"}, {"   ", "written 3", "0\n"},
            {" \n", "written 2", "0\n"}, {"\t", "written 1", "0\n"}, {" \t\r\n", "written 4", "0\n"},
            {"\u00a0", "written 1", "0\n"}, {",", "written 1", "0\n"}, {",,,", "written 3", "0\n"},
            {"", "errno EINVAL", "3\n"},
            // one chunk
            {"1", "written 1", "1\n"}, {"2", "written 1", "2\n"}, {"0", "written 1", "0\n"},
            {"3", "written 1", "3\n"}, {"00000003", "written 8", "3\n"}, {"3\n", "written 2", "3\n"},
            {"ff", "errno EOVERFLOW", "3\n"}, {"4", "errno EOVERFLOW", "3\n"},
            {"F", "errno EOVERFLOW", "3\n"}, {"A", "errno EOVERFLOW", "3\n"}, {"f\n", "errno EOVERFLOW", "3\n"},
            {"zz", "errno EINVAL", "3\n"}, {"0x3", "errno EINVAL", "3\n"}, {"x1", "errno EINVAL", "3\n"},
            {"1x", "errno EINVAL", "3\n"}, {"+1", "errno EINVAL", "3\n"}, {"1-1", "errno EINVAL", "3\n"},
            // commas and white space around a chunk
            {" 1", "written 2", "1\n"}, {"1 ", "written 2", "1\n"}, {"3,", "written 2", "3\n"},
            {",1", "written 2", "1\n"}, {"  3  ", "written 5", "3\n"}, {"\t3\t", "written 3", "3\n"},
            {"\u00a03\u00a0", "written 3", "3\n"}, {"3\u000b", "written 2", "3\n"}, {"3\f", "written 2", "3\n"},
            {"3\r", "written 2", "3\n"}, {"2\r\n", "written 3", "2\n"}, {"3,,", "written 3", "3\n"},
            {",0", "written 2", "0\n"}, {"0,", "written 2", "0\n"}, {"0 ,", "written 3", "0\n"},
            {"0,,", "written 3", "0\n"},
            // the text ends at the first newline or NUL
            {"3\n\n", "written 3", "3\n"}, {"1\n2", "written 3", "1\n"}, {"\n1", "written 2", "0\n"},
            {"1\nzz", "written 4", "1\n"}, {"zz\n1", "errno EINVAL", "3\n"}, {"00000000\n", "written 9", "0\n"},
            {"\0", "written 1", "0\n"}, {"1\0", "written 2", "1\n"}, {"1\0zz", "written 4", "1\n"},
            {"\0\n1", "written 3", "0\n"},
            // a second chunk, whatever separates it: more than 2 CPUs' worth
            {"1,2", "errno EOVERFLOW", "3\n"}, {"1,,2", "errno EOVERFLOW", "3\n"}, {"1 2", "errno EOVERFLOW", "3\n"},
            {"1 ,2", "errno EOVERFLOW", "3\n"}, {"1, 2", "errno EOVERFLOW", "3\n"}, {"1\t2", "errno EOVERFLOW", "3\n"},
            {"0,1", "errno EOVERFLOW", "3\n"}, {"0,0", "errno EOVERFLOW", "3\n"}, {"0 0", "errno EOVERFLOW", "3\n"},
            {"00000001,00000000", "errno EOVERFLOW", "3\n"}, {"00000000,00000001", "errno EOVERFLOW", "3\n"},
            // a 9th digit is EOVERFLOW; any other byte before 8 digits is skipped unread
            {"000000001", "errno EOVERFLOW", "3\n"}, {"100000000", "errno EOVERFLOW", "3\n"},
            {"00000000000000003", "errno EOVERFLOW", "3\n"},
            {"x00000001", "written 9", "1\n"}, {"g00000003", "written 9", "3\n"}, {"-00000001", "written 9", "1\n"},
            {"1,x00000001", "errno EOVERFLOW", "3\n"},
        };
        List<String> problems = new ArrayList<>();
        for (String[] c : cases) {
            fs.write(path, "3");
            String result;
            try (TraceFs.Handle h = fs.open(path, OpenFlags.O_WRONLY | OpenFlags.O_TRUNC)) {
                result = "written " + h.write(c[0].getBytes(StandardCharsets.ISO_8859_1));
            } catch (ErrnoException e) {
                result = "errno " + e.errno().name();
            }
            String after = fs.read(path);
            if (!result.equals(c[1]) || !after.equals(c[2])) {
                problems.add("'" + escaped(c[0]) + "': " + result + ", reads " + after.strip()
                        + "; kernel " + c[1] + ", reads " + c[2].strip());
            }
        }
        assertEquals(List.of(), problems);
        fs.rmdir("instances/golden_cpumask");
    }

    /** The text with bytes outside printable ASCII shown as escapes, for failure messages. */
    private static String escaped(String s) {
        StringBuilder b = new StringBuilder();
        for (char ch : s.toCharArray()) {
            switch (ch) {
                case '\n' -> b.append("\\n");
                case '\t' -> b.append("\\t");
                case '\r' -> b.append("\\r");
                default -> b.append(ch >= 0x20 && ch < 0x7f
                        ? String.valueOf(ch) : String.format("\\x%02x", (int) ch));
            }
        }
        return b.toString();
    }

    private static String abbreviate(String s) {
        return s.length() > 40 ? "<" + s.length() + " x>" : s;
    }

    @Test
    void directoryOperationsGiveTheKernelsErrno() throws Exception {
        JsonNode ops = golden.get("dir_ops");
        assertEquals(ops.get("mkdir golden_probe").asText(), errnoOf(() -> fs.mkdir("instances/golden_probe")));
        assertEquals(ops.get("mkdir a/b").asText(), errnoOf(() -> fs.mkdir("instances/a/b")));
        assertEquals(ops.get("mkdir .").asText(), errnoOf(() -> fs.mkdir("instances/.")));
        assertEquals(ops.get("mkdir xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx").asText(),
                errnoOf(() -> fs.mkdir("instances/" + "x".repeat(300))));
        assertEquals(ops.get("rmdir missing").asText(), errnoOf(() -> fs.rmdir("instances/no_such_instance")));
        try (TraceFs.Handle h = fs.open(INSTANCE + "trace", OpenFlags.O_RDONLY)) {
            assertEquals(ops.get("rmdir while trace open").asText(), errnoOf(() -> fs.rmdir("instances/golden_probe")));
        }
    }

    interface Op {
        void run() throws ErrnoException;
    }

    static String errnoOf(Op op) {
        try {
            op.run();
            return "ok";
        } catch (ErrnoException e) {
            return e.errno().name();
        }
    }

    private static final Pattern MARKER_LINE = Pattern.compile(
            "^ {0,15}\\S.{0,15}-\\d+ +\\[\\d{3}] [.dDbXNnLpBlhHsSzZ0-9a-f]{5} +\\d+\\.\\d{6}: tracing_mark_write: golden marker \\d$");

    @Test
    void recordingShowsTheKernelsLayout() throws Exception {
        fs.mkdir("instances/golden_rec");
        String base = "instances/golden_rec/";
        fs.write(base + "trace", "");
        fs.write(base + "tracing_on", "1");
        fs.write(base + "events/sched/sched_switch/enable", "1");
        for (int i = 0; i < 3; i++) {
            fs.write(base + "trace_marker", "golden marker " + i);
        }
        fs.write(base + "tracing_on", "0");
        String trace = fs.read(base + "trace");
        String kernelTrace = golden.get("trace_after_recording").get("text").asText();
        // The header: the same twelve lines but for the counts.
        List<String> ours = List.of(trace.split("\n"));
        List<String> kernel = List.of(kernelTrace.split("\n"));
        for (int i = 0; i < 12; i++) {
            String k = kernel.get(i).replaceAll("\\d+/\\d+", "N/N");
            String o = ours.get(i).replaceAll("\\d+/\\d+", "N/N");
            assertEquals(k, o, "header line " + i);
        }
        assertEquals("# entries-in-buffer/entries-written: 3/3   #P:2", ours.get(2));
        List<String> markers = ours.subList(12, ours.size());
        assertEquals(3, markers.size(), trace);
        for (String line : markers) {
            assertTrue(MARKER_LINE.matcher(line).matches(), "marker line layout: '" + line + "'");
        }
        // The kernel's own marker lines have the same layout.
        for (String line : kernel.subList(12, 15)) {
            assertTrue(MARKER_LINE.matcher(line).matches(), "golden line: " + line);
        }
        // stats: the same keys in the same order.
        String stats = fs.read(base + "per_cpu/cpu0/stats");
        assertEquals(keys(golden.get("stats_after_recording").get("text").asText()), keys(stats));
        // trace_pipe: the lines of trace without the header, then trace is empty and read events counted.
        String pipe = fs.read(base + "trace_pipe");
        assertEquals(String.join("\n", markers) + "\n", pipe);
        String after = fs.read(base + "trace");
        assertTrue(after.contains("# entries-in-buffer/entries-written: 0/0   #P:2"), after);
        long read = 0;
        for (int cpu = 0; cpu < 2; cpu++) {
            String s = fs.read(base + "per_cpu/cpu" + cpu + "/stats");
            assertTrue(s.startsWith("entries: 0\n"), s);
            read += Long.parseLong(s.replaceAll("(?s).*read events: (\\d+)\n$", "$1"));
        }
        assertEquals(3, read);
        fs.rmdir("instances/golden_rec");
    }

    private static List<String> keys(String stats) {
        List<String> out = new ArrayList<>();
        for (String line : stats.split("\n")) {
            out.add(line.substring(0, line.indexOf(':')));
        }
        return out;
    }

    @Test
    void everyExceptionIsStillNeeded() throws Exception {
        listingsHaveTheKernelsNamesAndModes();
        freshReadsMatch();
        for (String key : EXCEPTIONS.keySet()) {
            if (!usedExceptions.contains(key)) {
                fail("exception no longer used: " + key);
            }
        }
    }

    /**
     * buffer_size_kb shows the size of the last resize: a change of buffer_subbuf_size_kb
     * recomputes the number of sub-buffers (rounding up each time) but the kernel leaves the shown
     * size alone. Measured on this machine's 6.18 kernel (2026-11-22): 1410 through sub-buffer
     * sizes 8, 4, 16, 4 KiB; 103 after a resize to 100, and after another sub-buffer change.
     */
    @Test
    void subbufSizeChangesLeaveBufferSizeKbAlone() throws Exception {
        fs.mkdir("instances/subbuf");
        try {
            String dir = "instances/subbuf/";
            assertEquals("1410\n", fs.read(dir + "buffer_size_kb"));
            for (String kb : List.of("8", "4", "16", "4")) {
                fs.write(dir + "buffer_subbuf_size_kb", kb);
                assertEquals("1410\n", fs.read(dir + "buffer_size_kb"), "after buffer_subbuf_size_kb " + kb);
                assertEquals("1410\n", fs.read(dir + "per_cpu/cpu0/buffer_size_kb"));
                assertEquals((1410 * golden.get("nr_cpus").asInt()) + "\n", fs.read(dir + "buffer_total_size_kb"));
            }
            fs.write(dir + "buffer_size_kb", "100");
            assertEquals("103\n", fs.read(dir + "buffer_size_kb"));
            fs.write(dir + "buffer_subbuf_size_kb", "8");
            assertEquals("103\n", fs.read(dir + "buffer_size_kb"));
        } finally {
            fs.rmdir("instances/subbuf");
        }
    }
}
