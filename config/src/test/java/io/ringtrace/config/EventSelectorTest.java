package io.ringtrace.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class EventSelectorTest {

    private static boolean m(String selector, String system, String event) {
        return EventSelector.parse(selector).matches(system, event);
    }

    @Test
    void exact() {
        EventSelector s = EventSelector.parse("sched:sched_switch");
        assertEquals(Optional.of("sched"), s.system());
        assertEquals(Optional.of("sched_switch"), s.event());
        assertTrue(s.qualified());
        assertTrue(m("sched:sched_switch", "sched", "sched_switch"));
        assertFalse(m("sched:sched_switch", "sched", "sched_wakeup"));
        assertFalse(m("sched:sched_switch", "irq", "sched_switch"));
    }

    @Test
    void wholeSystem() {
        for (String sel : new String[] {"sched:", "sched:*"}) {
            assertTrue(m(sel, "sched", "sched_wakeup"), sel);
            assertFalse(m(sel, "irq", "irq_handler_entry"), sel);
        }
    }

    @Test
    void eventInAnySystem() {
        for (String sel : new String[] {":print", "*:print"}) {
            assertTrue(m(sel, "ftrace", "print"), sel);
            assertFalse(m(sel, "ftrace", "raw_data"), sel);
        }
    }

    @Test
    void everything() {
        for (String sel : new String[] {":", "*:*", "*:", ":*"}) {
            assertTrue(m(sel, "irq", "irq_handler_exit"), sel);
        }
    }

    @Test
    void bareNameMatchesEventOrSystem() {
        assertTrue(m("sched", "sched", "sched_switch"));
        assertTrue(m("irq_handler_entry", "irq", "irq_handler_entry"));
        assertFalse(m("irq_handler_entry", "irq", "irq_handler_exit"));
        assertFalse(EventSelector.parse("sched").qualified());
    }

    @Test
    void noGlobbing() {
        assertFalse(m("*", "sched", "sched_switch"));
        assertFalse(m("sched_*", "sched", "sched_switch"));
        assertFalse(m("sched:sched_*", "sched", "sched_switch"));
        assertFalse(m("!sched", "sched", "sched_switch"));
        assertFalse(m("", "sched", "sched_switch"));
    }

    @Test
    void moduleSuffix() {
        EventSelector s = EventSelector.parse("sched:sched_switch:mod:kvm");
        assertEquals(Optional.of("kvm"), s.module());
        assertEquals(Optional.of("sched_switch"), s.event());
        assertTrue(s.matches("sched", "sched_switch"));
        EventSelector all = EventSelector.parse(":mod:kvm");
        assertTrue(all.matches("kvm", "kvm_exit"));
        assertEquals(Optional.of("kvm"), all.module());
        assertEquals(Optional.of("x"), EventSelector.parse("x:mod:m").name());
    }

    @Test
    void colonInsideTheEventPart() {
        EventSelector s = EventSelector.parse("a:b:c");
        assertEquals(Optional.of("a"), s.system());
        assertEquals(Optional.of("b:c"), s.event());
    }
}
