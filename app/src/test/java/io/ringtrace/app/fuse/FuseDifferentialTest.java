package io.ringtrace.app.fuse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The differential suite against the kernel: mounts a fresh ringtrace engine through FUSE, runs
 * {@code scripts/differential/capture.py --tracefs MOUNT} (the very script that made the golden
 * capture on Linux 6.18, unchanged) and checks its document against golden-kernel-6.18.json with
 * {@link GoldenCompare}: equal everywhere but for the named exceptions.
 *
 * <p>The engine gets the golden's CPU count, since the capture asks tracefs per-CPU questions.
 * Skipped with a printed reason when FUSE is not usable here (see {@link FuseTestSupport}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(300)
class FuseDifferentialTest {
    @TempDir
    static Path tmp;
    private FuseTestSupport.MountedEngine engine;
    private JsonNode golden;
    private String skip;

    @BeforeAll
    void mount() throws Exception {
        golden = new ObjectMapper().readTree(FuseTestSupport.golden().toFile());
        skip = FuseTestSupport.fuseSkipReason();
        if (skip == null) {
            engine = FuseTestSupport.startAndMount("FuseDifferentialTest", golden.get("nr_cpus").asInt(), tmp, "");
        }
    }

    /** Reported as skipped, with the reason, when FUSE is not usable here. */
    @BeforeEach
    void requireMount() {
        FuseTestSupport.skipIf(skip);
    }

    @AfterAll
    void unmount() {
        if (engine != null) {
            engine.close();
            assertNull(FuseSupport.mountAt(engine.mnt), "mount left behind at " + engine.mnt);
        }
    }

    @Test
    void captureOfTheMountMatchesTheKernelsGoldenCapture() throws Exception {
        FuseTestSupport.assumePython();
        Path script = FuseTestSupport.projectRoot().resolve("scripts/differential/capture.py");
        FuseTestSupport.Result r = FuseTestSupport.run(
                List.of("python3", script.toString(), "--tracefs", engine.mnt.toString()), tmp, Duration.ofMinutes(3));
        assertEquals(0, r.rc(), "capture.py failed against the ringtrace mount\n" + r);
        Path out = Files.createDirectories(FuseTestSupport.buildDir().resolve("differential"))
                .resolve("ringtrace-fuse-capture.json");
        Files.writeString(out, r.out());
        GoldenCompare.Result cmp = GoldenCompare.compare(golden, r.out());
        System.out.println("capture of the ringtrace mount: " + out);
        System.out.print(cmp.report());
        assertTrue(cmp.passed(), cmp.report());
        // The capture removed its instance, and every file it opened was released (Put).
        assertEquals(List.of(), engine.fs.list("instances").stream().map(s -> s.name()).toList());
        assertEquals(0, engine.mounter.openFiles());
    }
}
