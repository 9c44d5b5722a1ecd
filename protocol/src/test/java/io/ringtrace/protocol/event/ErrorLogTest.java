package io.ringtrace.protocol.event;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ErrorLogTest {

    @Test
    void formatAndRing() {
        ErrorLog log = new ErrorLog(() -> 0L);
        log.logAt(1_601_751_351_999L, "event filter parse error", "Field not found", "bogus == 1", 6);
        assertEquals("[ 1601.751351] event filter parse error: error: Field not found\n"
                + "  Command: bogus == 1\n"
                + "                 ^\n", log.read());
        for (int i = 0; i < 10; i++) {
            log.logAt(i * 1_000_000_000L + 5_000L, "loc", "e" + i, "c" + i, 0);
        }
        assertEquals(ErrorLog.MAX_ENTRIES, log.size());
        String text = log.read();
        assertEquals(true, text.startsWith("[    2.000005] loc: error: e2\n  Command: c2\n           ^\n"));
        log.clear();
        assertEquals("", log.read());
    }
}
