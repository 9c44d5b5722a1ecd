package io.ringtrace.app.fuse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The comparison tool on its own (no FUSE): the golden capture equals itself, a capture of another
 * 6.18 kernel build (this machine's, kept in test resources) passes with the named exceptions only,
 * and any change outside them is reported where it is.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60)
class GoldenCompareTest {
    private final ObjectMapper json = new ObjectMapper();
    private JsonNode golden;

    @BeforeAll
    void load() throws Exception {
        golden = json.readTree(Files.readString(FuseTestSupport.golden()));
    }

    @Test
    void goldenEqualsItself() {
        GoldenCompare.Result r = GoldenCompare.compare(golden, golden);
        assertTrue(r.passed(), r.report());
        assertTrue(r.compared() > 300, r.report());
    }

    @Test
    void anotherKernelBuildPassesWithTheNamedExceptionsOnly() throws Exception {
        JsonNode kernel;
        try (InputStream in = getClass().getResourceAsStream("/differential/kernel-6.18.44-fc-v595.json")) {
            kernel = json.readTree(in);
        }
        GoldenCompare.Result r = GoldenCompare.compare(golden, kernel);
        System.out.print(r.report());
        assertTrue(r.passed(), r.report());
        // The things that differ by nature between two kernels did differ and were excepted.
        for (String name : new String[]{"kernel-release", "timestamps", "pids", "scheduler-activity", "event-counts"}) {
            assertTrue(r.applied().get(name)[1] > 0, name + " applied\n" + r.report());
        }
    }

    @Test
    void aWrongModeIsADifference() {
        ObjectNode c = golden.deepCopy();
        ((ObjectNode) c.get("instance_listing").get(0)).put("mode", "-rw-r--r--");
        GoldenCompare.Result r = GoldenCompare.compare(golden, c);
        assertFalse(r.passed());
        assertEquals(1, r.differences().size(), r.report());
        assertTrue(r.differences().get(0).startsWith("/instance_listing/available_tracers/mode"), r.report());
    }

    @Test
    void aWrongErrnoIsADifference() {
        ObjectNode c = golden.deepCopy();
        ObjectNode res = (ObjectNode) c.get("writes").get(1).get("result");
        res.removeAll();
        res.put("written", 3);
        GoldenCompare.Result r = GoldenCompare.compare(golden, c);
        assertFalse(r.passed());
        assertTrue(r.differences().get(0).contains("[tracing_on <- 'abc']"), r.report());
    }

    @Test
    void aMissingFileAndAnExtraFileAreDifferences() {
        ObjectNode c = golden.deepCopy();
        ArrayNode listing = (ArrayNode) c.get("per_cpu_listing");
        listing.remove(0);
        listing.addObject().put("name", "snapshot").put("mode", "-rw-r-----").put("octal", "0o640");
        GoldenCompare.Result r = GoldenCompare.compare(golden, c);
        assertEquals(2, r.differences().size(), r.report());
        assertTrue(r.report().contains("/per_cpu_listing/buffer_size_kb: missing from the capture"), r.report());
        assertTrue(r.report().contains("/per_cpu_listing/snapshot: only in the capture"), r.report());
    }

    @Test
    void aChangedMarkerTextIsADifferenceButItsTimestampAndPidAreNot() {
        ObjectNode c = golden.deepCopy();
        String t = c.get("trace_pipe_after_recording").get("text").asText();
        ((ObjectNode) c.get("trace_pipe_after_recording")).put("text",
                t.replace("python3-13213   [000] ...1.  1601.941265", "python3-7       [001] ...1.  99.000001"));
        assertTrue(GoldenCompare.compare(golden, c).passed(), GoldenCompare.compare(golden, c).report());
        ((ObjectNode) c.get("trace_pipe_after_recording")).put("text", t.replace("golden marker 1", "golden marker X"));
        GoldenCompare.Result r = GoldenCompare.compare(golden, c);
        assertFalse(r.passed());
        assertTrue(r.report().contains("golden marker X"), r.report());
    }

    @Test
    void overflowNoticesOfTheRecordingAreSchedulerActivity() {
        ObjectNode c = golden.deepCopy();
        String t = c.get("trace_pipe_after_recording").get("text").asText();
        ((ObjectNode) c.get("trace_pipe_after_recording")).put("text", "CPU:1 [LOST 60 EVENTS]\n" + t);
        String tr = c.get("trace_after_recording").get("text").asText();
        ((ObjectNode) c.get("trace_after_recording")).put("text", tr + "##### CPU 1 buffer started ####\n");
        assertTrue(GoldenCompare.compare(golden, c).passed(), GoldenCompare.compare(golden, c).report());
    }

    @Test
    void theFlagsColumnIsCompared() {
        ObjectNode c = golden.deepCopy();
        String t = c.get("trace_after_recording").get("text").asText();
        ((ObjectNode) c.get("trace_after_recording")).put("text", t.replaceFirst("\\.\\.\\.1\\.", "....."));
        assertFalse(GoldenCompare.compare(golden, c).passed());
    }

    @Test
    void theHarnessIsTheScriptThatMadeTheGoldenCapture() throws Exception {
        Path root = FuseTestSupport.projectRoot();
        assertEquals(Files.readString(root.resolve("protocol/src/test/resources/golden/capture_kernel.py")),
                Files.readString(root.resolve("scripts/differential/capture.py")),
                "scripts/differential/capture.py must stay the script that made the golden capture");
    }

    @Test
    void exceptionsAreNamedOnceWithAReason() {
        Set<String> names = new HashSet<>();
        for (GoldenCompare.NamedException e : GoldenCompare.EXCEPTIONS) {
            assertTrue(names.add(e.name()), "duplicate " + e.name());
            assertTrue(e.reason().length() > 20, e.name());
        }
    }

    private static String golden() {
        return FuseTestSupport.golden().toString();
    }

    @Test
    void commandLineExitStatus() throws Exception {
        java.nio.file.Path tmp = Files.createTempFile("capture", ".json");
        try {
            Files.writeString(tmp, golden.toString());
            assertEquals(0, GoldenCompare.run(new String[]{"--golden", golden(), tmp.toString()}));
            ObjectNode c = golden.deepCopy();
            c.put("nr_cpus", 2).remove("dir_ops");
            Files.writeString(tmp, c.toString());
            assertEquals(1, GoldenCompare.run(new String[]{"--golden", golden(), tmp.toString()}));
            Files.writeString(tmp, "not json");
            assertEquals(2, GoldenCompare.run(new String[]{"--golden", golden(), tmp.toString()}));
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
