package io.ringtrace.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringtrace.protocol.TraceClock;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.event.Level;

@Timeout(10)
class BootCommandLineTest {

    private static BootCommandLine parse(String s) {
        return BootCommandLine.parse(s);
    }

    private static List<String> warnings(BootCommandLine cl) {
        return cl.log().stream().filter(l -> l.level() == Level.WARN).map(BootLogLine::text)
                .collect(Collectors.toList());
    }

    @Test
    void emptyLine() {
        BootCommandLine cl = parse("");
        assertEquals(List.of(), cl.reserveMem());
        assertEquals(List.of(), cl.traceInstances());
        assertEquals(OptionalLong.empty(), cl.traceBufSize());
        assertEquals(List.of(), cl.log());
        assertEquals(cl, parse(null));
        assertEquals(List.of(), parse(" \t\n ").log());
    }

    @Test
    void demoLine() {
        BootCommandLine cl = parse(BootCommandLine.DEMO);
        assertEquals(1, cl.reserveMem().size());
        ReserveMem r = cl.reserveMem().get(0);
        assertEquals("trace", r.label());
        assertEquals(12L << 20, r.size());
        assertEquals(4096, r.align());
        assertEquals(2, cl.traceInstances().size());
        assertEquals("boot_map", cl.traceInstances().get(0).name());
        assertEquals(List.of("sched", "irq"), cl.traceInstances().get(0).events());
        assertEquals(Optional.of("boot_map"), cl.traceInstances().get(1).source());
        assertEquals(List.of(new BootLogLine(Level.INFO, "Kernel command line: " + BootCommandLine.DEMO)),
                cl.log());
    }

    @Test
    void reserveMemForms() {
        BootCommandLine cl = parse("reserve_mem=100M:12M:trace reserve_mem=0x1000:0:small "
                + "reserve_mem=4K::blank reserve_mem=1M:0x2000000:a:b");
        assertEquals(List.of("trace", "small", "blank", "a:b"),
                cl.reserveMem().stream().map(ReserveMem::label).collect(Collectors.toList()));
        assertEquals(12L << 20, cl.reserveMem("trace").get().align());
        assertEquals(ReserveMem.MIN_ALIGN, cl.reserveMem("small").get().align());
        assertEquals(ReserveMem.MIN_ALIGN, cl.reserveMem("blank").get().align());
        assertEquals(List.of(), warnings(cl));
        for (ReserveMem r : cl.reserveMem()) {
            assertEquals(0, r.start() % r.align(), r.label());
        }
    }

    @Test
    void reservationsAreTopDownAndDisjoint() {
        BootCommandLine cl = parse("reserve_mem=12M:4096:a reserve_mem=5000:64:b reserve_mem=1M:1M:c");
        ReserveMem a = cl.reserveMem("a").get();
        ReserveMem b = cl.reserveMem("b").get();
        ReserveMem c = cl.reserveMem("c").get();
        assertEquals(BootCommandLine.MEMORY_TOP - (12L << 20), a.start());
        assertTrue(b.start() + b.size() <= a.start());
        assertTrue(c.start() + c.size() <= b.start());
        assertEquals(0, b.start() % 64);
        assertEquals(0, c.start() % (1L << 20));
    }

    @Test
    void malformedReserveMemIsReportedAndSkipped() {
        String[] bad = {
                "reserve_mem=", "reserve_mem=0:4096:x", "reserve_mem=abc:4096:x",
                "reserve_mem=12MB:4096:x", "reserve_mem=12M", "reserve_mem=12M:4096",
                "reserve_mem=12M:4096x:x", "reserve_mem=12M:4096:",
                "reserve_mem=12M:4096:sixteen_chars_xy", "reserve_mem=\"12M:4096:   \"",
                "reserve_mem=99999999999999999999G:4096:x", "reserve_mem=12M:99999999999999999999G:x",
                "reserve_mem=2T:4096:huge", "reserve_mem=1M:1E:x",
        };
        for (String p : bad) {
            BootCommandLine cl = parse(p);
            assertEquals(List.of(), cl.reserveMem(), p);
            List<String> w = warnings(cl);
            assertEquals(1, w.size(), p + " " + w);
            assertTrue(w.get(0).startsWith("reserve_mem: ignoring 'reserve_mem="), w.get(0));
            assertTrue(w.get(0).endsWith("(want SIZE:ALIGN:LABEL)"), w.get(0));
        }
        assertEquals("reserve_mem: ignoring 'reserve_mem=12M:4096': ':' expected after the alignment"
                + " (want SIZE:ALIGN:LABEL)", warnings(parse("reserve_mem=12M:4096")).get(0));
    }

    @Test
    void fifteenCharacterLabelIsTheLongest() {
        assertEquals(1, parse("reserve_mem=4K:4K:fifteen_chars_x").reserveMem().size());
    }

    @Test
    void duplicateLabelAndTooManyReservations() {
        BootCommandLine cl = parse("reserve_mem=4K:4K:x reserve_mem=8K:4K:x");
        assertEquals(1, cl.reserveMem().size());
        assertEquals(4096, cl.reserveMem("x").get().size());
        assertEquals(List.of("reserve_mem: ignoring 'reserve_mem=8K:4K:x': label 'x' is already"
                + " reserved (want SIZE:ALIGN:LABEL)"), warnings(cl));

        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 9; i++) {
            sb.append("reserve_mem=4K:4K:r").append(i).append(' ');
        }
        BootCommandLine many = parse(sb.toString());
        assertEquals(BootCommandLine.RESERVE_MEM_MAX_ENTRIES, many.reserveMem().size());
        assertEquals(1, warnings(many).size());
    }

    @Test
    void traceInstanceKeepsOrderAndSplitsOnTab() {
        BootCommandLine cl = parse("trace_instance=a trace_instance=\"b\tc,sched\" trace_instance=d");
        assertEquals(List.of("a", "b", "c", "d"), cl.traceInstances().stream()
                .map(TraceInstanceSpec::name).collect(Collectors.toList()));
        assertEquals(List.of("sched"), cl.traceInstances().get(2).events());
    }

    @Test
    void instanceSyntaxLinesAppearInTheParseLog() {
        BootCommandLine cl = parse("trace_instance=a^x trace_instance=b@0:4K");
        assertEquals(List.of(
                new BootLogLine(Level.INFO, "Kernel command line: trace_instance=a^x trace_instance=b@0:4K"),
                new BootLogLine(Level.INFO, "Tracing: Invalid instance flag 'x' for a"),
                new BootLogLine(Level.WARN, "Tracing: Invalid boot instance address for b")), cl.log());
        assertEquals(List.of(cl.log().get(0)), cl.parameterLog());
    }

    @Test
    void traceBufSize() {
        assertEquals(OptionalLong.of(1L << 20), parse("trace_buf_size=1M").traceBufSize());
        assertEquals(OptionalLong.of(0x10000), parse("trace_buf_size=0x10000").traceBufSize());
        assertEquals(OptionalLong.of(8192), parse("trace_buf_size=1M trace_buf_size=8K").traceBufSize());

        BootCommandLine small = parse("trace_buf_size=100");
        assertEquals(OptionalLong.of(4096), small.traceBufSize());
        assertEquals(List.of("Tracing: trace_buf_size=100 is below the minimum, using 4096"),
                warnings(small));

        BootCommandLine junk = parse("trace_buf_size=abc");
        assertEquals(OptionalLong.of(4096), junk.traceBufSize());
        assertEquals(List.of("Tracing: trace_buf_size=abc is not a size, using 4096"), warnings(junk));

        BootCommandLine trailing = parse("trace_buf_size=64KB");
        assertEquals(OptionalLong.of(65536), trailing.traceBufSize());
        assertEquals(List.of("Tracing: trace_buf_size=64KB: ignoring 'B' after the size"),
                warnings(trailing));

        BootCommandLine huge = parse("trace_buf_size=99999999999999999999G");
        assertEquals(OptionalLong.empty(), huge.traceBufSize());
        assertEquals(List.of("Tracing: trace_buf_size=99999999999999999999G is out of range, ignored"),
                warnings(huge));
    }

    @Test
    void traceEventRepeatsAndJoins() {
        BootCommandLine cl = parse("trace_event=sched:sched_switch,,irq trace_event=:ev trace_event=");
        assertEquals(List.of("sched:sched_switch", "irq", ":ev"), cl.traceEvents());
    }

    @Test
    void traceOptions() {
        BootCommandLine cl = parse("trace_options=nooverwrite,record-tgid,,bogus,\" nohash-ptr \"");
        // quotes inside a value stay: "\" nohash-ptr \"" is no option name
        assertEquals(List.of(new TraceOptionSetting("overwrite", false),
                new TraceOptionSetting("record-tgid", true)), cl.traceOptions());

        BootCommandLine quoted = parse("trace_options=\"nooverwrite, record-tgid ,bogus\"");
        assertEquals(List.of(new TraceOptionSetting("overwrite", false),
                new TraceOptionSetting("record-tgid", true)), quoted.traceOptions());
        assertEquals(List.of("Tracing: trace_options: unknown option 'bogus' ignored"),
                warnings(quoted));
        assertEquals("nooverwrite", quoted.traceOptions().get(0).toString());
    }

    @Test
    void traceOptionsLastWinsAndIsCutAt99() {
        assertEquals(List.of(new TraceOptionSetting("raw", true)),
                parse("trace_options=hex trace_options=raw").traceOptions());
        String longValue = "raw," + "x".repeat(100);
        BootCommandLine cl = parse("trace_options=" + longValue);
        assertEquals(List.of(new TraceOptionSetting("raw", true)), cl.traceOptions());
        assertEquals(List.of("Tracing: trace_options= cut to its first 99 characters",
                "Tracing: trace_options: unknown option '" + "x".repeat(95) + "' ignored"),
                warnings(cl));
    }

    @Test
    void traceClock() {
        assertEquals(Optional.of(TraceClock.GLOBAL), parse("trace_clock=global").traceClock());
        assertEquals(Optional.of(TraceClock.X86_TSC), parse("trace_clock=x86-tsc").traceClock());
        BootCommandLine bad = parse("trace_clock=global trace_clock=sundial");
        assertEquals(Optional.empty(), bad.traceClock());
        assertEquals(List.of("Trace clock sundial not defined, going back to default"), warnings(bad));
    }

    @Test
    void booleanSwitches() {
        BootCommandLine none = parse("quiet");
        assertFalse(none.traceoffAfterBoot());
        assertFalse(none.traceoffOnWarning());
        assertFalse(none.allocSnapshot());

        assertTrue(parse("traceoff_after_boot").traceoffAfterBoot());
        assertTrue(parse("traceoff_after_boot=0").traceoffAfterBoot(), "any form enables it");
        assertTrue(parse("traceoff_on_warning").traceoffOnWarning());
        assertTrue(parse("traceoff_on_warning=1").traceoffOnWarning());
        assertTrue(parse("traceoff_on_warning=no").traceoffOnWarning());
        assertFalse(parse("traceoff_on_warning=0").traceoffOnWarning());
        assertFalse(parse("traceoff_on_warning=off").traceoffOnWarning());
        assertTrue(parse("traceoff_on_warning traceoff_on_warning=0").traceoffOnWarning(),
                "=0 does not undo an earlier enable");
    }

    @Test
    void snapshots() {
        BootCommandLine cl = parse("alloc_snapshot=foo ftrace_boot_snapshot=bar alloc_snapshot");
        assertTrue(cl.allocSnapshot());
        assertTrue(cl.bootSnapshot());
        assertEquals(List.of("foo", "bar"), cl.snapshotInstances());
        BootCommandLine named = parse("alloc_snapshot=foo");
        assertFalse(named.allocSnapshot());
        assertFalse(named.bootSnapshot());
    }

    @Test
    void dashesAndUnderscoresAreAlike() {
        BootCommandLine cl = parse("trace-instance=foo trace-buf-size=8K reserve-mem=4K:4K:x");
        assertEquals("foo", cl.traceInstances().get(0).name());
        assertEquals(OptionalLong.of(8192), cl.traceBufSize());
        assertEquals(1, cl.reserveMem().size());
    }

    @Test
    void unknownParametersArePassedOn() {
        BootCommandLine cl = parse("quiet root=/dev/sda1 trace_instance memmap=12M$0x284500000 "
                + "trace_instancefoo=1 -- single x=y");
        assertEquals(List.of("quiet", "root=/dev/sda1", "trace_instance", "memmap=12M$0x284500000",
                "trace_instancefoo=1", "single", "x=y"), cl.passedOn());
        assertEquals(List.of(), cl.traceInstances());
        BootLogLine last = cl.log().get(cl.log().size() - 1);
        assertEquals(Level.INFO, last.level());
        assertEquals("Unknown kernel command line parameters \"quiet root=/dev/sda1 trace_instance "
                + "memmap=12M$0x284500000 trace_instancefoo=1 single x=y\", will be passed to user space.",
                last.text());
    }

    @Test
    void parametersAfterDoubleDashAreNotRead() {
        BootCommandLine cl = parse("trace_instance=a -- trace_instance=b");
        assertEquals(1, cl.traceInstances().size());
        assertEquals(List.of("trace_instance=b"), cl.passedOn());
    }

    @Test
    void longLineIsCut() {
        String line = "trace_instance=a " + "x".repeat(5000) + " trace_instance=b";
        BootCommandLine cl = parse(line);
        assertEquals(BootCommandLine.COMMAND_LINE_SIZE - 1, cl.text().length());
        assertEquals(1, cl.traceInstances().size());
        assertEquals("Kernel command line truncated to 2047 characters (5034 given)",
                warnings(cl).get(0));
    }

    @Test
    void logLinesAreOneLineAndBounded() {
        BootCommandLine cl = parse("trace_clock=\"a\nb\"");
        assertEquals("Trace clock a\\x0ab not defined, going back to default", warnings(cl).get(0));
        BootCommandLine big = parse("trace_clock=" + "z".repeat(3000));
        for (BootLogLine l : big.log()) {
            assertTrue(l.text().length() <= BootLogLine.MAX_TEXT);
        }
    }
}
