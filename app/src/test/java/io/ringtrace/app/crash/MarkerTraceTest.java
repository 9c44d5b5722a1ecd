package io.ringtrace.app.crash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The crash test's parser accepts the kernel's lines and reports everything else. */
class MarkerTraceTest {
    private static final String HEADER = String.join("\n",
            "# tracer: nop",
            "#",
            "# entries-in-buffer/entries-written: 3/3   #P:2",
            "#",
            "#           TASK-PID     CPU#  |||||  TIMESTAMP  FUNCTION",
            "#              | |         |   |||||     |         |") + "\n";

    @Test
    void wellFormedMarkers() {
        MarkerTrace t = MarkerTrace.parse(HEADER
                + "           <...>-1001    [001] ...1.     2.601272: tracing_mark_write: marker 1\n"
                + "       ringtrace-1000    [000] ...1.     2.653075: tracing_mark_write: marker 2\n"
                + " some task-name-1000    [000] ...1.    12.000001: tracing_mark_write: marker 4\n");
        assertEquals(List.of(), t.corrupt);
        assertEquals(3, t.entriesInBuffer);
        assertEquals(2, t.headerCpus);
        assertEquals(3, t.markers.size());
        assertEquals(new MarkerTrace.Marker(4, 1000, 0, 12_000_001L, 9), t.markers.get(2));
    }

    @Test
    void everythingElseIsCorrupt() {
        MarkerTrace t = MarkerTrace.parse(HEADER
                + "           <...>-1001    [000] ...1.     2.601272: tracing_mark_write: marker 1\n" // wrong CPU
                + "           <...>-1000    [000] ...1.     2.601272: tracing_mark_write: marker 3\n" // wrong pid
                + "           <...>-1000    [000] ...1.     2.653075: tracing_mark_write: marker 2x\n"
                + "           <...>-1000    [000] ...1.     2.653075: tracing_mark_write: mar\u0000ker 2\n"
                + "\n"
                + "           <...>-1000    [000] ...1.     2.653075: tracing_mark_write: mark"); // cut
        assertTrue(t.markers.isEmpty(), t.markers.toString());
        assertEquals(7, t.corrupt.size(), t.corrupt.toString()); // six lines (one empty) and the missing final newline
    }
}
