package io.ringtrace.actors;

import io.ringtrace.actors.fs.OpenFlags;
import io.ringtrace.protocol.ErrnoException;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reading {@code trace} through the actors, where the text is printed per read: the read sizes
 * do not change the bytes, every read but the last returns its full count, and what an open file
 * returns is fixed at its first read (events recorded, a wrapped ring or an option written later
 * do not show; a new open sees them).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class TraceReadTest {
    private final ActorTestKit kit = ActorTestKit.create("TraceReadTest");
    private TraceFs fs;
    private Tracer tracer;

    @BeforeAll
    void start() throws Exception {
        ActorRef<TraceSystem.Command> ts = TestEngines.spawn(kit, 2);
        fs = new TraceFs(kit.system(), ts);
        tracer = Ringtrace.tracer(kit.system(), ts);
    }

    @AfterAll
    void stop() {
        kit.shutdownTestKit();
    }

    private void markers(String instance, int from, int n) throws ErrnoException {
        for (int i = from; i < from + n; i++) {
            tracer.marker(instance, i % 2, "marker " + i + (i % 49 == 0 ? " " + "x".repeat(3000) : ""));
        }
    }

    private static byte[] readAll(TraceFs.Handle h, int size) throws ErrnoException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        boolean shortRead = false;
        while (true) {
            byte[] b = h.read(size);
            if (b.length == 0) {
                return out.toByteArray();
            }
            assertFalse(shortRead, "data after a short read");
            shortRead = b.length < size;
            out.write(b, 0, b.length);
        }
    }

    private byte[] cat(String path, int size) throws ErrnoException {
        try (TraceFs.Handle h = fs.open(path, OpenFlags.O_RDONLY)) {
            return readAll(h, size);
        }
    }

    @Test
    void readSizesDoNotChangeTheText() throws Exception {
        fs.mkdir("instances/sizes");
        markers("sizes", 0, 400);
        for (String path : new String[] {"instances/sizes/trace", "instances/sizes/per_cpu/cpu1/trace"}) {
            byte[] whole = cat(path, 1 << 24);
            assertTrue(whole.length > 20_000, path + " is " + whole.length + " bytes");
            for (int size : new int[] {13, 100, 4096, 65536, whole.length}) {
                assertArrayEquals(whole, cat(path, size), path + " read size " + size);
            }
        }
        fs.rmdir("instances/sizes");
    }

    @Test
    void anOpenFileKeepsTheTextOfItsFirstRead() throws Exception {
        fs.mkdir("instances/fixed");
        fs.write("instances/fixed/buffer_size_kb", "16");
        markers("fixed", 0, 300);
        byte[] expected = cat("instances/fixed/trace", 1 << 20);
        try (TraceFs.Handle h = fs.open("instances/fixed/trace", OpenFlags.O_RDONLY)) {
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            got.write(h.read(1000));
            // the clock changes (which erases the buffer), the rings wrap several times over, the
            // output options change: this file does not see any of it
            fs.write("instances/fixed/trace_clock", "counter");
            markers("fixed", 300, 3000);
            fs.write("instances/fixed/trace_options", "raw");
            got.write(readAll(h, 777));
            assertArrayEquals(expected, got.toByteArray());
        }
        String now = new String(cat("instances/fixed/trace", 1 << 20), StandardCharsets.UTF_8);
        assertTrue(now.contains("marker 3299"), "a new open sees the new events");
        assertFalse(now.contains("tracing_mark_write"), "and the new options");
        fs.rmdir("instances/fixed");
    }

    @Test
    void anEmptyInstanceReadsItsHeaderOnly() throws Exception {
        fs.mkdir("instances/empty");
        String text = new String(cat("instances/empty/trace", 7), StandardCharsets.US_ASCII);
        assertTrue(text.startsWith("# tracer: nop\n#\n# entries-in-buffer/entries-written: 0/0   #P:2\n#\n"), text);
        assertEquals(text, new String(cat("instances/empty/trace", 1 << 16), StandardCharsets.US_ASCII));
        fs.rmdir("instances/empty");
    }
}
