package io.ringtrace.protocol.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringtrace.protocol.Errno;
import io.ringtrace.protocol.ErrnoException;
import io.ringtrace.protocol.event.Golden;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class TraceOptionsTest {

    @Test
    void goldenListingAndWrites() {
        TraceOptions o = TraceOptions.forInstance();
        assertEquals(Golden.str(Golden.golden(), "fresh_reads", "trace_options", "text"), o.listing("nop"));
        int n = 0;
        for (Object x : Golden.list(Golden.golden(), "writes")) {
            Map<String, Object> w = Golden.map(x);
            if (!"trace_options".equals(w.get("path"))) {
                continue;
            }
            String input = (String) w.get("input");
            String got;
            try {
                o.write(input, "nop");
                got = "written " + input.length();
            } catch (ErrnoException e) {
                got = e.errno().name();
            }
            Map<String, Object> res = Golden.map(w.get("result"));
            String exp = res.containsKey("written") ? "written " + ((Number) res.get("written")).intValue()
                    : (String) res.get("errno");
            assertEquals(exp, got, input);
            assertEquals(Golden.str(w, "after", "text"), o.listing("nop"), "after " + input);
            n++;
        }
        assertEquals(5, n);
    }

    @Test
    void kernelRules() throws Exception {
        TraceOptions o = TraceOptions.forInstance();
        assertEquals(TraceOption.RAW, o.write(" raw\n", "nop"));
        assertTrue(o.isSet(TraceOption.RAW));
        assertEquals(TraceOption.RAW, o.write("noraw", "nop"));
        assertFalse(o.isSet(TraceOption.RAW));
        assertThrows(ErrnoException.class, () -> o.write("x".repeat(64), "nop"));
        o.write("test_nop_accept", "nop");
        assertTrue(o.listing("nop").contains("\ntest_nop_accept\n"));
        ErrnoException e = assertThrows(ErrnoException.class, () -> o.write("test_nop_refuse", "nop"));
        assertEquals(Errno.EINVAL, e.errno());
        assertThrows(ErrnoException.class, () -> o.write("func_stack_trace", "nop"));
        o.write("func_stack_trace", "function");
        assertTrue(o.listing("function").endsWith("func_stack_trace\nnofunc-no-repeats\n"));
        assertEquals("1\n", o.readOptionFile("func_stack_trace"));
        assertEquals(TraceOption.MARKERS, o.writeOptionFile("markers", "0\n"));
        assertEquals("0\n", o.readOptionFile("markers"));
        assertThrows(ErrnoException.class, () -> o.writeOptionFile("markers", "2"));
        assertThrows(ErrnoException.class, () -> o.writeOptionFile("markers", " 1"));
        assertTrue(TraceOptions.forTopLevel().isSet(TraceOption.COPY_TRACE_MARKER));
        assertFalse(TraceOptions.forInstance().isSet(TraceOption.COPY_TRACE_MARKER));
    }

    /**
     * What this machine's 6.18 tracefs answered (checked by hand 2026-11-22): an options/ file
     * write of the value the option already has succeeds and asks no tracer, so the nop tracer
     * refuses only a change of test_nop_refuse; trace_options asks the tracer even then.
     */
    @Test
    void optionFileWriteOfTheCurrentValueChangesNothing() throws Exception {
        TraceOptions o = TraceOptions.forInstance();
        assertEquals(TraceOption.TEST_NOP_REFUSE, o.writeOptionFile("test_nop_refuse", "0\n"));
        assertEquals(TraceOption.TEST_NOP_REFUSE, o.writeOptionFile("test_nop_refuse", "0"));
        ErrnoException e = assertThrows(ErrnoException.class, () -> o.writeOptionFile("test_nop_refuse", "1\n"));
        assertEquals(Errno.EINVAL, e.errno());
        assertEquals("0\n", o.readOptionFile("test_nop_refuse"));
        for (String v : List.of("0", "0", "1", "1", "0")) {
            o.writeOptionFile("test_nop_accept", v + "\n");
            assertEquals(v + "\n", o.readOptionFile("test_nop_accept"));
        }
        for (String v : List.of("1", "1", "0", "0", "1")) {
            o.writeOptionFile("overwrite", v + "\n");
            assertEquals(v + "\n", o.readOptionFile("overwrite"));
        }
        e = assertThrows(ErrnoException.class, () -> o.write("notest_nop_refuse", "nop"));
        assertEquals(Errno.EINVAL, e.errno());
        assertTrue(o.listing("nop").endsWith("notest_nop_accept\nnotest_nop_refuse\n"));
    }

    /** The options/ directory of a 6.18 instance (ls). */
    @Test
    void instanceOptionFiles() {
        List<String> live = List.of("annotate", "bin", "block", "context-info", "copy_trace_marker", "disable_on_free",
                "event-fork", "fields", "func-no-repeats", "func_stack_trace", "function-fork", "function-trace",
                "hash-ptr", "hex", "irq-info", "latency-format", "markers", "overwrite", "pause-on-trace",
                "print-parent", "raw", "record-tgid", "stacktrace", "sym-addr", "sym-offset", "sym-userobj",
                "test_nop_accept", "test_nop_refuse", "trace_printk_dest", "userstacktrace", "verbose");
        assertEquals(live, List.copyOf(new TreeSet<>(TraceOptions.optionFiles(false))));
        assertTrue(TraceOptions.optionFiles(true).contains("record-cmd"));
    }
}
