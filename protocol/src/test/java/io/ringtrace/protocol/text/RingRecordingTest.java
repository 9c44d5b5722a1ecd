package io.ringtrace.protocol.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringtrace.protocol.TraceClock;
import io.ringtrace.protocol.event.ErrorLog;
import io.ringtrace.protocol.event.EventRecorder;
import io.ringtrace.protocol.event.EventRegistry;
import io.ringtrace.protocol.event.EventSet;
import io.ringtrace.protocol.event.EventType;
import io.ringtrace.protocol.event.Markers;
import io.ringtrace.protocol.event.SavedCmdlines;
import io.ringtrace.protocol.ring.EventCursor;
import io.ringtrace.protocol.ring.RingSnapshot;
import io.ringtrace.protocol.ring.TraceBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * End to end with the real ring buffer: events recorded by the recorder and markers go into an
 * instance's TraceBuffer, and the {@code trace} file and {@code trace_pipe} lines come out of it.
 */
class RingRecordingTest {

    private static final String HEADER_END = "#              | |         |   |||||     |         |\n";

    @Test
    void recordThenReadTraceAndPipe() throws Exception {
        EventRegistry registry = EventRegistry.createDefault();
        EventType sw = registry.find("sched", "sched_switch");
        EventType gc = registry.define("jvm", "gc_pause").u32("gen").u64("duration_ns").string("cause").register();
        TraceBuffer buffer = new TraceBuffer(2, 4096, 4, true, TraceClock.LOCAL);
        EventSet events = new EventSet(registry, buffer, new ErrorLog());
        SavedCmdlines cmd = new SavedCmdlines();
        events.writeSetEvent("sched:sched_switch");
        events.writeSetEvent("jvm:gc_pause");
        assertEquals("sched:sched_switch\njvm:gc_pause\n", events.readSetEvent());

        String oldName = Thread.currentThread().getName();
        Thread.currentThread().setName("recorder-main");
        EventRecorder rec;
        try {
            rec = new EventRecorder(cmd, 0);
            record(rec, sw, gc);
        } finally {
            Thread.currentThread().setName(oldName);
        }
        byte[] hello = "hello from java".getBytes(StandardCharsets.UTF_8);
        assertEquals(15, Markers.writeMarker(events, 1, rec.pid(), cmd, "recorder-main", hello, 0, hello.length, true));
        check(registry, buffer, events, cmd, rec, sw, gc, hello);
    }

    private static void record(EventRecorder rec, EventType sw, EventType gc) {
        rec.setContext(0x01, 2);
        rec.begin(sw, 0).putString("python3").putInt(13213).putInt(120).putLong(2)
                .putString("sleep").putInt(13254).putInt(120).commit();
        rec.setContext(0, 0);
        rec.begin(gc, 1).putInt(1).putLong(1500).putString("System.gc()").commit();
    }

    private static void check(EventRegistry registry, TraceBuffer buffer, EventSet events, SavedCmdlines cmd,
            EventRecorder rec, EventType sw, EventType gc, byte[] hello) throws Exception {

        TraceFormatter f = new TraceFormatter(registry, cmd, TraceClock.LOCAL, TraceOptions.forInstance());
        List<RingSnapshot> snaps = new ArrayList<>();
        snaps.add(buffer.cpu(0).snapshot());
        snaps.add(buffer.cpu(1).snapshot());
        String trace = new String(TraceFile.render(f, snaps, TraceFile.Info.of("nop", 2)), StandardCharsets.UTF_8);
        assertTrue(trace.startsWith("# tracer: nop\n#\n# entries-in-buffer/entries-written: 3/3   #P:2\n"), trace);
        String body = trace.substring(trace.indexOf(HEADER_END) + HEADER_END.length());
        String[] lines = body.split("\n");
        assertEquals(3, lines.length, body);
        String pidCol = String.format("%16s-%-7d ", "recorder-main", rec.pid());
        assertTrue(lines[0].matches("\\Q" + pidCol + "\\E\\[000\\] d\\.\\.2\\. +\\d+\\.\\d{6}: sched_switch: prev_comm=python3 "
                + "prev_pid=13213 prev_prio=120 prev_state=D ==> next_comm=sleep next_pid=13254 next_prio=120"), lines[0]);
        assertTrue(lines[1].matches("\\Q" + pidCol + "\\E\\[001\\] \\.{5} +\\d+\\.\\d{6}: gc_pause: gen=1 duration_ns=1500 "
                + "cause=System\\.gc\\(\\)"), lines[1]);
        assertTrue(lines[2].matches("\\Q" + pidCol + "\\E\\[001\\] \\.\\.\\.1\\. +\\d+\\.\\d{6}: tracing_mark_write: hello from java"),
                lines[2]);

        // trace_pipe consumes
        EventCursor c = new EventCursor();
        assertTrue(buffer.cpu(1).peek(c));
        String pipe = new String(f.line(c), StandardCharsets.UTF_8);
        assertTrue(pipe.contains("gc_pause: gen=1 duration_ns=1500 cause=System.gc()\n"), pipe);
        buffer.cpu(1).consume();
        assertTrue(buffer.cpu(1).peek(c));
        buffer.cpu(1).consume();
        assertTrue(buffer.cpu(1).isEmpty());

        // tracing off: recorder writes nothing and markers fail with EBADF
        buffer.setTracingOn(false);
        rec.begin(gc, 1).putInt(2).commit();
        assertTrue(buffer.cpu(1).isEmpty());
        try {
            Markers.writeMarker(events, 1, 1, hello, 0, hello.length, true);
        } catch (io.ringtrace.protocol.ErrnoException e) {
            assertEquals(io.ringtrace.protocol.Errno.EBADF, e.errno());
        }
        // a 5000-byte marker is cut to the largest event the 4 KiB sub-buffer holds
        buffer.setTracingOn(true);
        byte[] big = new byte[5000];
        java.util.Arrays.fill(big, (byte) 'x');
        assertEquals(4054, Markers.writeMarker(events, 1, 1, big, 0, big.length, true));
        assertTrue(buffer.cpu(1).peek(c));
        assertEquals(4072, c.length);
        events.destroy();
        assertTrue(!sw.isEnabled() && !gc.isEnabled());
    }
}
