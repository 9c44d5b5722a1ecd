package io.ringtrace.protocol.event;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class SavedCmdlinesTest {

    @Test
    void kernelLookupRules() {
        SavedCmdlines c = new SavedCmdlines(4);
        assertEquals("<idle>", c.find(0));
        assertEquals("<XXX>", c.find(-3));
        assertEquals("<...>", c.find(100));
        c.save(100, "Monitor Deflation Thread");
        assertEquals("Monitor Deflati", c.find(100)); // 15 bytes, as golden's "Monitor Deflati-12900"
        c.save(101, "a");
        c.save(102, "b");
        c.save(103, "c");
        assertEquals("Monitor Deflati", c.find(100));
        c.save(104, "d"); // takes the slot of 100
        assertEquals("<...>", c.find(100));
        assertEquals("d", c.find(104));
        c.save(100 + SavedCmdlines.PID_MAP_SIZE, "alias"); // same map index as 100
        assertEquals("alias", c.find(100 + SavedCmdlines.PID_MAP_SIZE));
        c.save(101, "a2"); // same pid: same slot
        assertEquals("a2", c.find(101));
        assertEquals(4, c.size());
    }

    @Test
    void commIsCutOnACharacterBoundary() {
        byte[] b = SavedCmdlines.commBytes("ééééééééé"); // 2 bytes each
        assertEquals(16, b.length);
        assertEquals(0, b[14]); // 7 characters = 14 bytes, the 8th does not fit
        assertEquals("ééééééé", new SavedCmdlines().find(0).isEmpty() ? "" : new String(b, 0, 14,
                java.nio.charset.StandardCharsets.UTF_8));
    }

    @Test
    void tgidsAndListing() {
        SavedCmdlines c = new SavedCmdlines();
        c.save(7, "seven");
        c.saveTgid(7, 70);
        assertEquals(70, c.findTgid(7));
        assertEquals(0, c.findTgid(8));
        assertEquals("7 seven\n", c.read());
        c.resize(16);
        assertEquals("", c.read());
    }
}
