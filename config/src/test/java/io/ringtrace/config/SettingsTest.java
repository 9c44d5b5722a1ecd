package io.ringtrace.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValue;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class SettingsTest {

    private static RingtraceSettings with(String hocon) {
        return RingtraceSettings.create(ConfigFactory.parseString(hocon));
    }

    @Test
    void defaults() {
        RingtraceSettings s = RingtraceSettings.create(ConfigFactory.empty());
        assertEquals(Math.min(Runtime.getRuntime().availableProcessors(), 64), s.cpus());
        assertEquals(1408, s.bufferSizeKb());
        assertEquals(1441792, s.bufferSizeBytes());
        assertEquals(BootPlan.DEFAULT_BUFFER_SIZE, s.bufferSizeBytes());
        assertEquals("", s.boot().cmdline());
        assertEquals(Path.of("ringtrace-data"), s.dataDir());
        assertEquals(Duration.ofMillis(100), s.persistence().commitInterval());
        assertTrue(s.persistence().fsync());
        assertEquals("127.0.0.1", s.http().host());
        assertEquals(7311, s.http().port());
        assertFalse(s.workload().enabled());
        assertEquals(100, s.workload().ratePerCpu());
        assertEquals(WorkloadSettings.Kind.SCHED, s.workload().kind());
        assertTrue(s.autoremove().enabled());
        assertEquals(s, RingtraceSettings.load());
    }

    @Test
    void overrides() {
        RingtraceSettings s = with("ringtrace { cpus = 3, buffer-size-kb = 64\n"
                + "boot.cmdline = \"" + BootCommandLine.DEMO + "\"\n"
                + "data-dir = /tmp/rt\n"
                + "persistence { commit-interval = 2s, fsync = off }\n"
                + "http { host = \"0.0.0.0\", port = 0 }\n"
                + "workload { enabled = on, rate-per-cpu = 5000, kind = marker }\n"
                + "autoremove.enabled = off }");
        assertEquals(3, s.cpus());
        assertEquals(64, with("ringtrace.cpus = 64").cpus());
        assertEquals(65536, s.bufferSizeBytes());
        assertEquals(BootCommandLine.DEMO, s.boot().cmdline());
        assertEquals(Path.of("/tmp/rt"), s.dataDir());
        assertEquals(new PersistenceSettings(Duration.ofSeconds(2), false), s.persistence());
        assertEquals(new HttpSettings("0.0.0.0", 0), s.http());
        assertEquals(new WorkloadSettings(true, 5000, WorkloadSettings.Kind.MARKER), s.workload());
        assertFalse(s.autoremove().enabled());
    }

    @Test
    void bootPlanUsesTheConfiguredBufferSize() {
        BootPlan plan = with("ringtrace { buffer-size-kb = 64, boot.cmdline = \""
                + BootCommandLine.DEMO + "\" }").bootPlan();
        assertEquals(65536, plan.bufferSizeBytes());
        assertEquals(2, plan.instances().size());
        BootPlan overridden = with("ringtrace { buffer-size-kb = 64, boot.cmdline = \"trace_buf_size=1M\" }")
                .bootPlan();
        assertEquals(1L << 20, overridden.bufferSizeBytes());
    }

    @Test
    void sectionFactoriesReadTheirSection() {
        Config ref = ConfigFactory.defaultReference();
        assertEquals(new HttpSettings("127.0.0.1", 7311),
                HttpSettings.create(ref.getConfig("ringtrace.http")));
        assertEquals(new HttpSettings("::1", 80),
                HttpSettings.create(ConfigFactory.parseString("host = \"::1\", port = 80")));
        assertEquals(new BootSettings("x"), BootSettings.create(ConfigFactory.parseString("cmdline = x")));
        assertEquals(new AutoremoveSettings(false),
                AutoremoveSettings.create(ConfigFactory.parseString("enabled = false")));
    }

    @Test
    void badValuesNameTheirKey() {
        Map<String, String> bad = Map.ofEntries(
                Map.entry("ringtrace.cpus = -1", "ringtrace.cpus"),
                Map.entry("ringtrace.cpus = 9000", "ringtrace.cpus"),
                Map.entry("ringtrace.cpus = 65", "ringtrace.cpus"), // the engine's cpumask is one long
                Map.entry("ringtrace.buffer-size-kb = 3", "ringtrace.buffer-size-kb"),
                Map.entry("ringtrace.data-dir = \"\"", "ringtrace.data-dir"),
                Map.entry("ringtrace.persistence.commit-interval = 0ms", "ringtrace.persistence.commit-interval"),
                Map.entry("ringtrace.persistence.commit-interval = 2h", "ringtrace.persistence.commit-interval"),
                Map.entry("ringtrace.http.port = 65536", "ringtrace.http.port"),
                Map.entry("ringtrace.http.host = \" \"", "ringtrace.http.host"),
                Map.entry("ringtrace.workload.rate-per-cpu = 0", "ringtrace.workload.rate-per-cpu"),
                Map.entry("ringtrace.workload.kind = irq", "ringtrace.workload.kind"));
        bad.forEach((hocon, key) -> {
            ConfigException e = assertThrows(ConfigException.class, () -> with(hocon), hocon);
            String leaf = key.substring(key.lastIndexOf('.') + 1);
            assertTrue(e.getMessage().contains(leaf), hocon + ": " + e.getMessage());
        });
        assertThrows(ConfigException.WrongType.class, () -> with("ringtrace.cpus = many"));
        assertThrows(ConfigException.WrongType.class, () -> with("ringtrace.persistence.fsync = maybe"));
    }

    @Test
    void recordsRefuseImpossibleValues() {
        assertThrows(IllegalArgumentException.class, () -> new HttpSettings("h", -1));
        assertThrows(IllegalArgumentException.class, () -> new WorkloadSettings(true, 0, WorkloadSettings.Kind.SCHED));
        assertThrows(IllegalArgumentException.class, () -> new PersistenceSettings(Duration.ZERO, true));
    }

    /** STYLE.md: every key of reference.conf is commented. */
    @Test
    void everyReferenceKeyIsCommented() {
        Config ref = ConfigFactory.parseResources(RingtraceSettings.class.getClassLoader(), "reference.conf");
        assertTrue(ref.hasPath("ringtrace"));
        assertEquals(1, ref.root().size(), "only ringtrace { } in this module's reference.conf");
        for (Map.Entry<String, ConfigValue> e : ref.getConfig("ringtrace").entrySet()) {
            assertFalse(e.getValue().origin().comments().isEmpty(), "no comment on ringtrace." + e.getKey());
        }
    }
}
