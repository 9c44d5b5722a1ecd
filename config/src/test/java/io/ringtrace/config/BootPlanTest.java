package io.ringtrace.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.event.Level;

@Timeout(10)
class BootPlanTest {

    private static BootLogLine warn(String text) {
        return new BootLogLine(Level.WARN, text);
    }

    private static BootLogLine info(String text) {
        return new BootLogLine(Level.INFO, text);
    }

    private static List<String> names(BootPlan plan) {
        return plan.instances().stream().map(BootInstance::name).collect(Collectors.toList());
    }

    /** The plan's log without the "Kernel command line" echo. */
    private static List<BootLogLine> log(BootPlan plan) {
        return plan.log().stream().filter(l -> !l.text().startsWith("Kernel command line: "))
                .collect(Collectors.toList());
    }

    @Test
    void demoLine() {
        BootPlan plan = BootPlan.of(BootCommandLine.DEMO);
        assertEquals(List.of("boot_map", "backup"), names(plan));
        BootInstance map = plan.instance("boot_map").get();
        assertTrue(map.persistent());
        assertTrue(map.boot());
        assertFalse(map.backup());
        assertFalse(map.memmap());
        assertEquals("trace", map.region().get().key());
        assertEquals(12L << 20, map.region().get().size());
        assertEquals(12L << 20, map.rangeSize());
        assertEquals(List.of("sched", "irq"), map.events());
        BootInstance backup = plan.instance("backup").get();
        assertEquals(Optional.of("boot_map"), backup.backupOf());
        assertTrue(backup.backup());
        assertTrue(backup.boot());
        assertFalse(backup.persistent());
        assertEquals(12L << 20, backup.rangeSize());
        assertEquals(List.of(), backup.events());
        assertEquals(List.of(), plan.skipped());
        assertEquals(Optional.empty(), plan.printkDestination());
        assertEquals(BootPlan.DEFAULT_BUFFER_SIZE, plan.bufferSizeBytes());
        assertEquals(List.of(info("Tracing: mapped boot instance boot_map at physical memory "
                + "0x000000ffff400000 of size 0xc00000")), log(plan));
    }

    @Test
    void flagsExample() {
        BootPlan plan = BootPlan.of("reserve_mem=12M:4096:trace "
                + "trace_instance=boot_map^traceoff^traceprintk@trace,sched,irq");
        BootInstance map = plan.instance("boot_map").get();
        assertTrue(map.traceoff());
        assertTrue(map.traceprintk());
        assertEquals(Optional.of("boot_map"), plan.printkDestination());
    }

    @Test
    void addressExample() {
        BootPlan plan = BootPlan.of("memmap=12M$0x284500000 trace_instance=boot_map@0x284500000:12M");
        BootInstance map = plan.instance("boot_map").get();
        assertTrue(map.memmap());
        assertTrue(map.persistent());
        BootRegion r = map.region().get();
        assertEquals(Optional.empty(), r.label());
        assertEquals(0x284500000L, r.start());
        assertEquals("memmap@0x284500000", r.key());
        assertEquals(List.of(
                info("Unknown kernel command line parameters \"memmap=12M$0x284500000\", "
                        + "will be passed to user space."),
                info("Tracing: mapped boot instance boot_map at physical memory 0x0000000284500000 "
                        + "of size 0xc00000")), log(plan));
    }

    @Test
    void eventWildcardsExample() {
        BootPlan plan = BootPlan.of("reserve_mem=12M:4M:trace "
                + "trace_instance=boot_map@trace,syscalls:*,sched:*,irq:* trace_instance=backup=boot_map");
        assertEquals(List.of("syscalls:*", "sched:*", "irq:*"), plan.instance("boot_map").get().events());
        assertEquals(4L << 20, plan.instance("boot_map").get().region().get().align());
        assertTrue(plan.instance("backup").isPresent());
    }

    @Test
    void plainInstanceWithEventsExample() {
        BootPlan plan = BootPlan.of("trace_instance=foo,sched:sched_switch,irq_handler_entry,initcall");
        BootInstance foo = plan.instance("foo").get();
        assertFalse(foo.boot());
        assertEquals(0, foo.rangeSize());
        assertEquals(List.of("sched:sched_switch", "irq_handler_entry", "initcall"), foo.events());
        assertEquals(List.of(), log(plan));
    }

    @Test
    void seedExampleWithEmptyFlag() {
        BootPlan plan = BootPlan.of("reserve_mem=100M:12M:trace trace_instance=boot_mapped^@trace,sched "
                + "trace_instance=backup=boot_mapped");
        assertEquals(List.of("boot_mapped", "backup"), names(plan));
        assertEquals(List.of("sched"), plan.instance("boot_mapped").get().events());
        assertEquals(info("Tracing: Invalid instance flag '' for boot_mapped"), log(plan).get(0));
    }

    @Test
    void labelNotFoundSkipsAndItsBackupFollows() {
        BootPlan plan = BootPlan.of("trace_instance=boot_map@nolabel,sched trace_instance=backup=boot_map");
        assertEquals(List.of(), plan.instances());
        assertEquals(List.of(
                warn("Failed to map boot instance boot_map to nolabel"),
                warn("Tracing: Instance boot_map is not boot mapped")), log(plan));
        assertEquals(2, plan.skipped().size());
        assertEquals("boot_map@nolabel,sched", plan.skipped().get(0).entry());
        assertEquals(warn("Failed to map boot instance boot_map to nolabel"),
                plan.skipped().get(0).reason());
        assertEquals("backup", plan.skipped().get(1).name());
    }

    @Test
    void malformedReservationMeansLabelNotFound() {
        BootPlan plan = BootPlan.of("reserve_mem=12MB:4096:trace trace_instance=boot_map@trace");
        assertEquals(List.of(), plan.instances());
        assertEquals(List.of(
                warn("reserve_mem: ignoring 'reserve_mem=12MB:4096:trace': ':' expected after the size"
                        + " (want SIZE:ALIGN:LABEL)"),
                warn("Failed to map boot instance boot_map to trace")), log(plan));
    }

    @Test
    void labelMayBeReservedLaterOnTheLine() {
        BootPlan plan = BootPlan.of("trace_instance=boot_map@trace reserve_mem=12M:4096:trace");
        assertTrue(plan.instance("boot_map").get().persistent());
    }

    @Test
    void backupBeforeItsSourceIsSkippedWithoutAStrayInstance() {
        BootPlan plan = BootPlan.of("reserve_mem=12M:4096:trace trace_instance=backup=boot_map "
                + "trace_instance=boot_map@trace");
        assertEquals(List.of("boot_map"), names(plan), "no stray plain 'boot_map' before the real one");
        assertEquals(warn("Tracing: Instance boot_map is not boot mapped"), log(plan).get(0));
    }

    @Test
    void backupOfAPlainInstanceIsRefused() {
        BootPlan plan = BootPlan.of("trace_instance=foo trace_instance=bk=foo trace_instance=bk2=");
        assertEquals(List.of("foo"), names(plan));
        assertEquals(List.of(warn("Tracing: Instance foo is not boot mapped"),
                warn("Tracing: Instance  is not boot mapped")), log(plan));
    }

    @Test
    void backupOfABackupIsABootInstance() {
        BootPlan plan = BootPlan.of(BootCommandLine.DEMO + " trace_instance=b2^traceoff=backup,sched");
        BootInstance b2 = plan.instance("b2").get();
        assertEquals(Optional.of("backup"), b2.backupOf());
        assertEquals(12L << 20, b2.rangeSize());
        assertTrue(b2.traceoff());
        assertEquals(List.of("sched"), b2.events());
    }

    @Test
    void mappedBackupIsRefused() {
        BootPlan plan = BootPlan.of(BootCommandLine.DEMO + " trace_instance=odd@trace=boot_map");
        assertFalse(plan.instance("odd").isPresent());
        assertEquals(warn("Tracing: Instance odd cannot be both boot mapped and a backup of boot_map"),
                plan.skipped().get(0).reason());
    }

    @Test
    void kernelOrderBackupCheckComesBeforeFlagsAndAddress() {
        BootPlan plan = BootPlan.of("trace_instance=bk^bogus@0:0=nosuch");
        // the parse log has the syntax lines, the boot log only what the kernel reaches
        assertEquals(List.of(info("Tracing: Invalid instance flag 'bogus' for bk"),
                warn("Tracing: Invalid boot instance address for bk")), log(plan.commandLine().log()));
        assertEquals(List.of(warn("Tracing: Instance bk cannot be both boot mapped and a backup of nosuch")),
                log(plan));

        BootPlan plain = BootPlan.of("trace_instance=bk^bogus=nosuch");
        assertEquals(List.of(warn("Tracing: Instance nosuch is not boot mapped")), log(plain));

        BootPlan flags = BootPlan.of("trace_instance=x^bogus@0x1000");
        assertEquals(List.of(info("Tracing: Invalid instance flag 'bogus' for x"),
                warn("Tracing: No size specified for instance x")), log(flags));
    }

    private static List<BootLogLine> log(List<BootLogLine> lines) {
        return lines.stream().filter(l -> !l.text().startsWith("Kernel command line: "))
                .collect(Collectors.toList());
    }

    @Test
    void addressErrorsSkip() {
        BootPlan plan = BootPlan.of("trace_instance=a@0:4K trace_instance=b@0x1000 "
                + "trace_instance=c@0x1000:0 trace_instance=d@0x1000:4K");
        assertEquals(List.of("d"), names(plan));
        assertEquals(List.of(
                warn("Tracing: Invalid boot instance address for a"),
                warn("Tracing: No size specified for instance b"),
                warn("Tracing: Invalid boot instance size for c"),
                info("Tracing: mapped boot instance d at physical memory 0x0000000000001000 of size 0x1000")),
                log(plan));
    }

    @Test
    void pageAlignment() {
        BootPlan plan = BootPlan.of("trace_instance=a@0x1001:4K trace_instance=b@0x1000:100");
        assertEquals(List.of(), plan.instances());
        assertEquals(List.of(
                warn("Tracing: mapping start addr 0x0000000000001001 is not page aligned"),
                warn("Tracing: mapping size 0x0000000000000064 is not page aligned")), log(plan));

        BootPlan odd = BootPlan.of("reserve_mem=5000:4096:odd trace_instance=x@odd");
        assertEquals(List.of(warn("Tracing: mapping size 0x0000000000001388 is not page aligned")),
                log(odd));

        BootCommandLine cl = BootCommandLine.parse("reserve_mem=12M:4096:a reserve_mem=5000:64:b "
                + "reserve_mem=4K:64:c trace_instance=x@c trace_instance=y@a");
        long start = cl.reserveMem("c").get().start();
        assertTrue(start % BootPlan.PAGE_SIZE != 0);
        BootPlan unaligned = BootPlan.resolve(cl);
        assertEquals(List.of("y"), names(unaligned));
        assertEquals(warn("Tracing: mapping start addr " + BootPlan.pa(start) + " is not page aligned"),
                unaligned.skipped().get(0).reason());
    }

    @Test
    void smallAlignmentIsFineWhenEverythingIsPageSized() {
        BootPlan plan = BootPlan.of("reserve_mem=12M:0:trace trace_instance=boot_map@trace");
        assertEquals(64, plan.instance("boot_map").get().region().get().align());
    }

    @Test
    void oneRegionHasOneInstance() {
        BootPlan plan = BootPlan.of("reserve_mem=12M:4096:trace trace_instance=a@trace trace_instance=b@trace");
        assertEquals(List.of("a"), names(plan));
        assertEquals(warn("Failed to map boot instance b to trace (already mapped by a)"),
                plan.skipped().get(0).reason());

        BootPlan mm = BootPlan.of("trace_instance=a@0x100000:1M trace_instance=b@0x1ff000:8K "
                + "trace_instance=c@0x200000:4K");
        assertEquals(List.of("a", "c"), names(mm));
        assertEquals(warn("Tracing: Failed to map boot instance b (overlaps a)"),
                mm.skipped().get(0).reason());
    }

    @Test
    void failedCreationDoesNotHoldTheRegion() {
        BootPlan plan = BootPlan.of("reserve_mem=12M:4096:trace trace_instance=a/b@trace trace_instance=c@trace");
        assertEquals(List.of("c"), names(plan));
        assertEquals(warn("Tracing: Failed to create instance buffer a/b"), plan.skipped().get(0).reason());
    }

    @Test
    void unusableAndDuplicateNames() {
        String longName = "n".repeat(BootPlan.NAME_MAX + 1);
        BootPlan plan = BootPlan.of("trace_instance=foo trace_instance=foo,sched trace_instance= "
                + "trace_instance=. trace_instance=.. trace_instance=a/b trace_instance=" + longName
                + " trace_instance=" + longName.substring(1));
        assertEquals(List.of("foo", longName.substring(1)), names(plan));
        assertEquals(List.of(
                warn("Tracing: Failed to create instance buffer foo"),
                warn("Tracing: Failed to create instance buffer "),
                warn("Tracing: Failed to create instance buffer ."),
                warn("Tracing: Failed to create instance buffer .."),
                warn("Tracing: Failed to create instance buffer a/b"),
                warn("Tracing: Failed to create instance buffer " + longName)), log(plan));
    }

    @Test
    void snapshotsOnlyForNamedPlainInstances() {
        BootPlan plan = BootPlan.of("alloc_snapshot=foo reserve_mem=4M:4K:r trace_instance=foo "
                + "trace_instance=bar trace_instance=mapped@r alloc_snapshot=mapped "
                + "trace_instance=bk=mapped alloc_snapshot=bk");
        assertTrue(plan.instance("foo").get().snapshot());
        assertFalse(plan.instance("bar").get().snapshot());
        assertFalse(plan.instance("mapped").get().snapshot());
        assertFalse(plan.instance("bk").get().snapshot());
        assertFalse(plan.commandLine().allocSnapshot());
    }

    @Test
    void lastCreatedTraceprintkWins() {
        BootPlan plan = BootPlan.of("trace_instance=a^printk trace_instance=b^trace_printk "
                + "trace_instance=c^traceprintk@nolabel");
        assertEquals(Optional.of("b"), plan.printkDestination());
    }

    @Test
    void bufferSize() {
        assertEquals(1L << 20, BootPlan.of("trace_buf_size=1M").bufferSizeBytes());
        BootCommandLine none = BootCommandLine.parse("");
        assertEquals(65536, BootPlan.resolve(none, 65536).bufferSizeBytes());
        assertEquals(8192, BootPlan.resolve(BootCommandLine.parse("trace_buf_size=8K"), 65536)
                .bufferSizeBytes());
        assertThrows(IllegalArgumentException.class, () -> BootPlan.resolve(none, 100));
    }

    @Test
    void topLevelSettingsComeFirstInTheLog() {
        BootPlan plan = BootPlan.of("trace_instance=a@nolabel trace_clock=sundial");
        assertEquals(List.of(warn("Trace clock sundial not defined, going back to default"),
                warn("Failed to map boot instance a to nolabel")), log(plan));
    }

    @Test
    void logsThroughSlf4jAtEachLinesLevel() {
        ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger)
                org.slf4j.LoggerFactory.getLogger("io.ringtrace.config.test.capture");
        logger.setAdditive(false);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> appender =
                new ch.qos.logback.core.read.ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        try {
            BootPlan plan = BootPlan.of("trace_instance=a^x@nolabel trace_clock={}");
            plan.logTo(logger);
            List<String> seen = appender.list.stream()
                    .map(e -> e.getLevel() + " " + e.getFormattedMessage())
                    .collect(Collectors.toList());
            assertEquals(List.of(
                    "INFO Kernel command line: trace_instance=a^x@nolabel trace_clock={}",
                    "WARN Trace clock {} not defined, going back to default",
                    "INFO Tracing: Invalid instance flag 'x' for a",
                    "WARN Failed to map boot instance a to nolabel"), seen);
        } finally {
            logger.detachAppender(appender);
        }
    }
}
