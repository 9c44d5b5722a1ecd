package io.ringtrace.protocol.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringtrace.protocol.TraceClock;
import io.ringtrace.protocol.event.ErrorLog;
import io.ringtrace.protocol.event.EventRegistry;
import io.ringtrace.protocol.event.EventSet;
import io.ringtrace.protocol.event.Markers;
import io.ringtrace.protocol.event.SavedCmdlines;
import io.ringtrace.protocol.ring.TraceBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class TracePipeReaderTest {

    @Test
    void consumesWholeLinesInTimestampOrder() throws Exception {
        EventRegistry registry = EventRegistry.createDefault();
        TraceBuffer buffer = new TraceBuffer(2, 4096, 8, true, TraceClock.LOCAL);
        EventSet events = new EventSet(registry, buffer, new ErrorLog());
        SavedCmdlines cmd = new SavedCmdlines();
        cmd.save(77, "writer");
        byte[] text = new byte[4000];
        for (int i = 0; i < 3; i++) {
            Arrays.fill(text, (byte) ('a' + i));
            Markers.writeMarker(events, i % 2, 77, text, 0, text.length, true);
        }
        TraceFormatter f = new TraceFormatter(registry, cmd, TraceClock.LOCAL, TraceOptions.forInstance());
        TracePipeReader pipe = new TracePipeReader(f);
        byte[] first = pipe.read(buffer, 65536);
        String s = new String(first, StandardCharsets.US_ASCII);
        String[] lines = s.split("\n");
        assertEquals(2, lines.length);
        assertTrue(lines[0].startsWith("          writer-77      [000] ...1. "), lines[0]);
        assertTrue(lines[0].endsWith(": tracing_mark_write: " + "a".repeat(4000)));
        assertTrue(lines[1].contains("[001] ...1.") && lines[1].endsWith("b".repeat(4000)));
        assertFalse(buffer.cpu(1).isEmpty() && buffer.cpu(0).isEmpty());
        // a short read leaves the rest of the text for the next one
        byte[] part = pipe.read(buffer, 100);
        assertEquals(100, part.length);
        assertTrue(pipe.hasPending());
        byte[] rest = pipe.read(buffer, 65536);
        String third = new String(part, StandardCharsets.US_ASCII) + new String(rest, StandardCharsets.US_ASCII);
        assertTrue(third.endsWith("c".repeat(4000) + "\n"), third);
        assertEquals(0, pipe.read(buffer, 65536).length);
        assertTrue(buffer.isEmpty());
    }
}
