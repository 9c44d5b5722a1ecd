package io.ringtrace.protocol.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Lookups by id ({@code common_type}) of built-in, application and unknown ids; a registry rebuilt
 * from the specs another run saved; the listener of application events.
 */
class EventRegistryTest {

    @Test
    void byIdFindsEveryRegisteredEventAndNothingElse() {
        EventRegistry r = EventRegistry.createDefault();
        for (EventType t : r.events()) {
            assertSame(t, r.byId(t.id()));
        }
        EventType a = r.define("app", "a").u32("x").register();
        EventType b = r.define("app", "b").u32("x").register();
        assertSame(a, r.byId(a.id()));
        assertSame(b, r.byId(b.id()));
        assertSame(r.print(), r.byId(r.print().id()));
        for (int id : new int[] {0, -1, b.id() + 1, 40_000, EventRegistry.MAX_ID, EventRegistry.MAX_ID + 1, Integer.MAX_VALUE}) {
            assertNull(r.byId(id), "id " + id);
        }
    }

    @Test
    void aRegistryRebuiltFromSavedSpecsHasThatRunsIdsAndFormats() {
        EventRegistry run1 = EventRegistry.createDefault();
        EventType myev = run1.define("app", "myev").u32("x").register();
        EventType all = run1.define("app", "all").u8("a").s16("b").u64("c").chars("d", 5).string("s")
                .dynamicArray("arr", "u16").printFmt("\"custom %u\", REC->a").register();
        List<EventSpec> saved = List.of(EventSpec.of(myev), EventSpec.of(all));

        EventRegistry run2 = EventRegistry.createDefault();
        run2.define("app", "other").u8("a").string("s").register();
        assertEquals(myev.id(), run2.find("app", "other").id());

        List<String> conflicts = new ArrayList<>();
        EventRegistry backup = EventRegistry.withSaved(saved, conflicts::add);
        assertEquals(List.of(), conflicts);
        for (EventType t : run1.events()) {
            EventType b = backup.byId(t.id());
            assertEquals(t.format(), b.format(), t.toString());
            assertEquals(t.structSize(), b.structSize(), t.toString());
        }
        assertNull(backup.find("app", "other"));
        assertEquals(List.of("myev", "all"), backup.applicationEvents().stream().map(EventType::name).toList());

        List<EventSpec> clash = List.of(EventSpec.of(myev), new EventSpec(myev.id() + 1, "app", "myev", List.of(),
                "\"\"", EventType.HEADER_SIZE, EventType.Kind.TRACE_EVENT));
        EventRegistry partial = EventRegistry.withSaved(clash, conflicts::add);
        assertEquals(1, conflicts.size(), conflicts.toString());
        assertSame(partial.find("app", "myev"), partial.byId(myev.id()));
    }

    @Test
    void listenersHearApplicationEventsOnlyBeforeRegisterReturns() {
        EventRegistry r = EventRegistry.createDefault();
        List<EventType> heard = new ArrayList<>();
        java.util.function.Consumer<EventType> l = t -> {
            assertSame(t, r.find(t.system(), t.name()), "visible to lookups when the listener hears it");
            heard.add(t);
        };
        r.addApplicationEventListener(l);
        EventType a = r.define("app", "a").u32("x").register();
        assertEquals(List.of(a), heard);
        r.removeApplicationEventListener(l);
        r.define("app", "b").u32("x").register();
        assertEquals(List.of(a), heard);
        assertEquals(2, r.applicationEvents().size());
    }
}
