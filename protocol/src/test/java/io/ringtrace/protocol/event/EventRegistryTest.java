package io.ringtrace.protocol.event;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

/** Lookups by id ({@code common_type}) of built-in, application and unknown ids. */
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
}
