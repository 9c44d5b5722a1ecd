package io.ringtrace.protocol.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.ringtrace.protocol.Errno;
import io.ringtrace.protocol.ErrnoException;
import io.ringtrace.protocol.ring.PageFormat;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** trace_marker and trace_marker_raw against the golden and live kernel results. */
class MarkersTest {

    private final TestInstance in = new TestInstance();

    private int marker(byte[] b) throws ErrnoException {
        return Markers.writeMarker(in.events, 0, 13213, b, 0, b.length, true);
    }

    private int raw(byte[] b) throws ErrnoException {
        return Markers.writeMarkerRaw(in.events, 0, 13213, b, 0, b.length, true);
    }

    @Test
    void goldenMarkerWrites() throws Exception {
        for (Object o : Golden.list(Golden.golden(), "writes")) {
            Map<String, Object> w = Golden.map(o);
            if (!"trace_marker".equals(w.get("path"))) {
                continue;
            }
            String input = (String) w.get("input");
            byte[] data = input.equals("<5000 x>") ? "x".repeat(5000).getBytes() : input.getBytes();
            assertEquals(TestInstance.expected(w.get("result")), "written " + marker(data));
        }
        byte[] p = in.sink.written.get(0);
        assertEquals(BuiltinEvents.PRINT_ID, PageFormat.getShort(p, 0));
        assertEquals(0, p[2]);
        assertEquals(1, p[3]);
        assertEquals(13213, PageFormat.getInt(p, 4));
        assertEquals(Markers.MARK_IP, PageFormat.getLong(p, 8));
        assertEquals("hello golden\n\0", new String(p, 16, p.length - 16, StandardCharsets.US_ASCII));
        assertEquals(16 + 12 + 2, p.length);
        byte[] big = in.sink.written.get(1);
        assertEquals(4072, big.length);
        assertEquals('\n', big[16 + 4054]);
        assertEquals(0, big[16 + 4055]);
    }

    @Test
    void liveMarkerResults() throws Exception {
        Map<String, Object> live = Golden.map(Golden.live(), "output_markers");
        String[] inputs = {"hello", "hello nl\n", "", "a\nb", "x".repeat(4096), "y".repeat(5000), "tab\there", "\u0001\u007f\u00ff"};
        List<Object> results = Golden.list(live, "marker_results");
        for (int i = 0; i < inputs.length; i++) {
            byte[] b = inputs[i].getBytes(StandardCharsets.ISO_8859_1);
            assertEquals(TestInstance.expected(Golden.at(results, i, 2)), "written " + marker(b), "marker " + i);
        }
        assertEquals("\n\0", new String(in.sink.written.get(2), 16, 2, StandardCharsets.US_ASCII));
        // a text ending in a newline gets no second one; the cut text gets one
        byte[] nl = ("n".repeat(4055) + "\n").getBytes();
        assertEquals(4054, marker(nl));
        byte[] last = in.sink.written.get(in.sink.count() - 1);
        assertEquals('n', last[16 + 4053]);
        assertEquals('\n', last[16 + 4054]);
        assertEquals(4054, marker("m".repeat(4054).getBytes()));
        assertEquals(4053, marker("m".repeat(4053).getBytes()));

        byte[][] raws = {{1, 2, 3}, {4, 3, 2, 1}, concat(new byte[] {0x78, 0x56, 0x34, 0x12}, "hello raw".getBytes()),
            concat(new byte[] {1, 0, 0, 0}, new byte[4092]), concat(new byte[] {1, 0, 0, 0}, new byte[4093]),
            concat(new byte[] {1, 0, 0, 0}, new byte[4062]), concat(new byte[] {1, 0, 0, 0}, new byte[4063]),
            concat(new byte[] {1, 0, 0, 0}, new byte[4064])};
        List<Object> rawResults = Golden.list(live, "raw_results");
        for (int i = 0; i < raws.length; i++) {
            String got;
            try {
                got = "written " + raw(raws[i]);
            } catch (ErrnoException e) {
                got = e.errno().name();
            }
            assertEquals(TestInstance.expected(Golden.at(rawResults, i, 1)), got, "raw " + i);
        }
        assertEquals(4064, raw(new byte[4064]));
        assertThrows(ErrnoException.class, () -> raw(new byte[4065]));
        byte[] r = in.sink.written.get(in.sink.count() - 2);
        assertEquals(BuiltinEvents.RAW_DATA_ID, PageFormat.getShort(r, 0));
        assertEquals(8 + 13, r.length);
        assertEquals(0x12345678, PageFormat.getInt(r, 8));
        assertEquals("hello raw", new String(r, 12, 9, StandardCharsets.US_ASCII));
    }

    @Test
    void offAndNoMarkers() {
        in.sink.on = false;
        ErrnoException e = assertThrows(ErrnoException.class, () -> marker("off".getBytes()));
        assertEquals(Errno.EBADF, e.errno());
        e = assertThrows(ErrnoException.class, () -> raw(new byte[] {1, 2, 3, 4}));
        assertEquals(Errno.EBADF, e.errno());
        in.sink.on = true;
        e = assertThrows(ErrnoException.class,
                () -> Markers.writeMarker(in.events, 0, 1, new byte[] {'a'}, 0, 1, false));
        assertEquals(Errno.EINVAL, e.errno());
        e = assertThrows(ErrnoException.class,
                () -> Markers.writeMarkerRaw(in.events, 0, 1, new byte[] {1, 2, 3, 4}, 0, 4, false));
        assertEquals(Errno.EINVAL, e.errno());
        assertEquals(0, in.sink.count());
    }

    @Test
    void markerSavesTheWritersComm() throws Exception {
        SavedCmdlines cmd = new SavedCmdlines();
        byte[] b = "x".getBytes();
        Markers.writeMarker(in.events, 1, 4242, cmd, "python3", b, 0, 1, true);
        assertEquals("python3", cmd.find(4242));
        assertEquals(1, (int) in.sink.cpus.get(0));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
