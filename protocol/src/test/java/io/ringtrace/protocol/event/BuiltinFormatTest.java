package io.ringtrace.protocol.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The built-in events' format files, ids and directories against a 6.18 kernel. */
class BuiltinFormatTest {

    private final EventRegistry registry = EventRegistry.createDefault();

    @Test
    void goldenFormatsByteForByte() {
        Map<String, Object> fresh = Golden.map(Golden.golden(), "fresh_reads");
        String[][] cases = {
            {"sched", "sched_switch"}, {"sched", "sched_wakeup"}, {"irq", "irq_handler_entry"},
            {"irq", "irq_handler_exit"}, {"ftrace", "print"}, {"ftrace", "raw_data"},
        };
        for (String[] c : cases) {
            String expected = Golden.str(fresh, "events/" + c[0] + "/" + c[1] + "/format", "text");
            EventType t = registry.find(c[0], c[1]);
            assertNotNull(t, c[1]);
            assertEquals(expected, t.format(), c[0] + "/" + c[1]);
        }
        assertEquals(Golden.str(fresh, "events/sched/sched_switch/id", "text"),
                registry.find("sched", "sched_switch").idText());
    }

    @Test
    void everyLiveFormatByteForByte() {
        Map<String, Object> formats = Golden.map(Golden.live(), "formats");
        int checked = 0;
        for (Map.Entry<String, Object> e : formats.entrySet()) {
            String[] sn = e.getKey().split("/");
            EventType t = registry.find(sn[0], sn[1]);
            if (t == null) {
                assertEquals("ftrace", sn[0], "missing built-in " + e.getKey());
                continue;
            }
            Map<String, Object> v = Golden.map(e.getValue());
            assertEquals(Golden.str(v, "format"), t.format(), e.getKey());
            @SuppressWarnings("unchecked")
            List<Object> files = (List<Object>) v.get("files");
            assertEquals(files, new ArrayList<>(t.directoryFiles()), "files of " + e.getKey());
            if (v.containsKey("id")) {
                assertEquals(Golden.str(v, "id"), t.idText());
            }
            checked++;
        }
        assertEquals(35, checked);
        assertEquals(35, registry.size());
    }

    @Test
    void builtInsAreInIdOrder() {
        int last = 0;
        for (EventType t : registry.events()) {
            assertTrue(t.id() > last, t.toString());
            last = t.id();
        }
        assertEquals(List.of("ftrace", "irq", "sched"), registry.systems());
        assertEquals(BuiltinEvents.SCHED_SWITCH_ID, registry.find("sched", "sched_switch").id());
        assertEquals(BuiltinEvents.PRINT_ID, registry.print().id());
        assertEquals(BuiltinEvents.RAW_DATA_ID, registry.rawData().id());
        assertEquals(registry.find("sched", "sched_wakeup"), registry.byId(374));
    }

    @Test
    void headerPageAndEvent() {
        Map<String, Object> fresh = Golden.map(Golden.golden(), "fresh_reads");
        assertEquals(Golden.str(fresh, "events/header_page", "text"), EventHeaders.headerPage(4096));
        assertEquals(Golden.str(fresh, "events/header_event", "text"), EventHeaders.headerEvent());
    }
}
