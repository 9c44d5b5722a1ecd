package io.ringtrace.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.event.Level;

@Timeout(10)
class TraceInstanceSpecTest {

    private static TraceInstanceSpec parse(String entry) {
        return TraceInstanceSpec.parse(entry);
    }

    @Test
    void plainName() {
        TraceInstanceSpec s = parse("foo");
        assertEquals("foo", s.name());
        assertFalse(s.traceoff());
        assertFalse(s.traceprintk());
        assertFalse(s.mapped());
        assertEquals(Optional.empty(), s.source());
        assertEquals(List.of(), s.events());
        assertEquals(List.of(), s.notes());
    }

    @Test
    void plainInstanceWithEvents() {
        TraceInstanceSpec s = parse("foo,sched:sched_switch,irq_handler_entry,initcall");
        assertEquals("foo", s.name());
        assertEquals(List.of("sched:sched_switch", "irq_handler_entry", "initcall"), s.events());
    }

    @Test
    void eventGrammarIsKeptAsGiven() {
        TraceInstanceSpec s = parse("x,sys:ev,sys:*,sys:,*:ev,:ev,name,!weird,a:b:c");
        assertEquals(List.of("sys:ev", "sys:*", "sys:", "*:ev", ":ev", "name", "!weird", "a:b:c"),
                s.events());
    }

    @Test
    void emptyEventsAreDropped() {
        assertEquals(List.of("sched", "irq"), parse("x,,sched,,irq,").events());
    }

    @Test
    void labelForm() {
        TraceInstanceSpec s = parse("boot_map@trace");
        assertEquals("boot_map", s.name());
        assertEquals(Optional.of("trace"), s.label());
        assertEquals(Optional.empty(), s.address());
        assertTrue(s.mapped());
    }

    @Test
    void flagsAndLabelWithEvents() {
        TraceInstanceSpec s = parse("boot_map^traceoff^traceprintk@trace,sched,irq");
        assertEquals("boot_map", s.name());
        assertTrue(s.traceoff());
        assertTrue(s.traceprintk());
        assertEquals(Optional.of("trace"), s.label());
        assertEquals(List.of("sched", "irq"), s.events());
        assertEquals(List.of(), s.notes());
    }

    @Test
    void flagsAndLabelInEitherOrder() {
        TraceInstanceSpec a = parse("name@label^traceoff");
        TraceInstanceSpec b = parse("name^traceoff@label");
        for (TraceInstanceSpec s : List.of(a, b)) {
            assertEquals("name", s.name());
            assertTrue(s.traceoff());
            assertEquals(Optional.of("label"), s.label());
        }
    }

    @Test
    void printkSpellings() {
        for (String f : List.of("printk", "traceprintk", "trace_printk")) {
            assertTrue(parse("x^" + f).traceprintk(), f);
        }
    }

    @Test
    void unknownAndEmptyFlagsAreInfoLinesAndIgnored() {
        TraceInstanceSpec s = parse("boot_mapped^@trace,sched");
        assertEquals(List.of(new BootLogLine(Level.INFO,
                "Tracing: Invalid instance flag '' for boot_mapped")), s.notes());
        assertEquals(Optional.of("trace"), s.label());

        TraceInstanceSpec t = parse("foo^bogus^traceoff^TraceOff");
        assertTrue(t.traceoff());
        assertEquals(List.of(
                new BootLogLine(Level.INFO, "Tracing: Invalid instance flag 'bogus' for foo"),
                new BootLogLine(Level.INFO, "Tracing: Invalid instance flag 'TraceOff' for foo")),
                t.notes());
    }

    @Test
    void whereEndsAtALaterCaretAndFlagsAtALaterAt() {
        TraceInstanceSpec s = parse("a^x@l^y");
        assertEquals("a", s.name());
        assertEquals(Optional.of("l^y"), s.label());
        assertEquals(List.of(new BootLogLine(Level.INFO, "Tracing: Invalid instance flag 'x' for a")),
                s.notes());

        TraceInstanceSpec t = parse("a@l@m^traceoff^traceoff");
        assertEquals(Optional.of("l@m"), t.label());
        assertTrue(t.traceoff());
    }

    @Test
    void addressForm() {
        TraceInstanceSpec s = parse("boot_map@0x284500000:12M");
        assertEquals(Optional.of(new MemoryRange(0x284500000L, 12L << 20)), s.address());
        assertEquals(Optional.empty(), s.label());
        assertTrue(s.mapped());
    }

    @Test
    void addressErrors() {
        assertEquals(new BootLogLine(Level.WARN, "Tracing: Invalid boot instance address for foo"),
                parse("foo@0:12M").addressError().get());
        assertEquals(new BootLogLine(Level.WARN, "Tracing: No size specified for instance foo"),
                parse("foo@0x1000").addressError().get());
        assertEquals(new BootLogLine(Level.WARN, "Tracing: No size specified for instance foo"),
                parse("foo@4096-12M").addressError().get());
        assertEquals(new BootLogLine(Level.WARN, "Tracing: Invalid boot instance size for foo"),
                parse("foo@0x1000:0").addressError().get());
        assertEquals(new BootLogLine(Level.WARN, "Tracing: Invalid boot instance size for foo"),
                parse("foo@0x1000:").addressError().get());
        assertEquals(new BootLogLine(Level.WARN, "Tracing: Invalid boot instance size for foo"),
                parse("foo@0x1000:zz").addressError().get());
        assertEquals(new BootLogLine(Level.WARN, "Tracing: Invalid boot instance address for foo"),
                parse("foo@99999999999999999999G:4K").addressError().get());
        assertEquals(new BootLogLine(Level.WARN, "Tracing: Invalid boot instance size for foo"),
                parse("foo@4096:99999999999999999999G").addressError().get());
    }

    @Test
    void trailingCharactersAfterTheSizeAreNoted() {
        TraceInstanceSpec s = parse("foo@0x1000:4Kxyz");
        assertEquals(Optional.of(new MemoryRange(4096, 4096)), s.address());
        assertEquals(List.of(new BootLogLine(Level.WARN,
                "Tracing: ignoring 'xyz' after the boot instance size for foo")), s.notes());
    }

    @Test
    void aDigitDecidesAddressOtherwiseLabel() {
        assertEquals(Optional.of("x1000"), parse("foo@x1000").label());
        assertEquals(Optional.of(""), parse("foo@").label());
        assertEquals(Optional.of("-1"), parse("foo@-1").label());
    }

    @Test
    void backupSource() {
        TraceInstanceSpec s = parse("backup=boot_map");
        assertEquals("backup", s.name());
        assertEquals(Optional.of("boot_map"), s.source());
        assertFalse(s.mapped());
    }

    @Test
    void sourceSplitsAtTheFirstEqualsOfTheFirstCommaToken() {
        TraceInstanceSpec s = parse("bk^traceoff=src=x^y@z,ev=1,a");
        assertEquals("bk", s.name());
        assertTrue(s.traceoff());
        assertEquals(Optional.of("src=x^y@z"), s.source());
        assertFalse(s.mapped());
        assertEquals(List.of("ev=1", "a"), s.events());

        assertEquals(Optional.of(""), parse("bk=").source());
        assertEquals("", parse("=src").name());
    }

    @Test
    void nameMayBeEmpty() {
        assertEquals("", parse("").name());
        assertEquals("", parse("@trace").name());
        assertEquals("", parse("^traceoff").name());
        assertEquals("", parse(",sched").name());
    }
}
