package io.ringtrace.protocol.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringtrace.protocol.ring.PageFormat;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The filter language: kernel error texts, carets and errnos, and evaluation truth tables. */
class FilterTest {

    private final EventRegistry registry = EventRegistry.createDefault();

    /** Every filter write of the live probe: errno, read-back and error_log (timestamps masked). */
    @Test
    void liveFilterProbe() {
        TestInstance in = new TestInstance();
        int n = 0;
        for (Object o : Golden.list(Golden.live(), "filters")) {
            Map<String, Object> w = Golden.map(o);
            Map<String, Object> res = Golden.map(w.get("result"));
            if (res.containsKey("open_errno")) {
                continue; // ftrace/print has no filter file
            }
            String path = (String) w.get("path");
            String input = (String) w.get("input");
            in.errorLog.clear();
            String what = path + " <- " + input.replace("\n", "\\n");
            assertEquals(TestInstance.expected(res), in.write(path, input, true), what);
            assertEquals(w.get("after"), in.read(path), "read-back of " + what);
            assertEquals(TestInstance.maskTimes((String) w.get("error_log")),
                    TestInstance.maskTimes(in.errorLog.read()), "error_log after " + what);
            n++;
        }
        assertEquals(84, n);
    }

    /** The kernel's own filter self-test (CONFIG_FTRACE_STARTUP_TEST) truth table. */
    @Test
    void kernelSelfTestTruthTable() {
        EventRegistry r = new EventRegistry();
        EventType t = r.define("test", "ftrace_test_filter")
                .s32("a").s32("b").s32("c").s32("d").s32("e").s32("f").s32("g").s32("h").register();
        Object[][] data = {
            {"a == 1 && b == 1 && c == 1 && d == 1 && e == 1 && f == 1 && g == 1 && h == 1",
                new int[][] {{1, 1, 1, 1, 1, 1, 1, 1, 1}, {0, 0, 1, 1, 1, 1, 1, 1, 1}, {0, 1, 1, 1, 1, 1, 1, 1, 0}}},
            {"a == 1 || b == 1 || c == 1 || d == 1 || e == 1 || f == 1 || g == 1 || h == 1",
                new int[][] {{0, 0, 0, 0, 0, 0, 0, 0, 0}, {1, 0, 0, 0, 0, 0, 0, 0, 1}, {1, 1, 0, 0, 0, 0, 0, 0, 0}}},
            {"(a == 1 || b == 1) && (c == 1 || d == 1) && (e == 1 || f == 1) && (g == 1 || h == 1)",
                new int[][] {{0, 0, 0, 1, 1, 1, 1, 1, 1}, {1, 0, 1, 0, 1, 0, 1, 0, 1}, {1, 1, 0, 1, 0, 0, 1, 0, 1},
                    {0, 1, 0, 1, 0, 0, 1, 0, 0}}},
            {"(a == 1 && b == 1) || (c == 1 && d == 1) || (e == 1 && f == 1) || (g == 1 && h == 1)",
                new int[][] {{1, 1, 0, 1, 1, 1, 1, 1, 1}, {1, 0, 0, 0, 0, 0, 0, 1, 1}, {0, 0, 0, 0, 0, 0, 0, 0, 1}}},
            {"(a == 1 && b == 1) && (c == 1 && d == 1) && (e == 1 && f == 1) || (g == 1 && h == 1)",
                new int[][] {{1, 1, 1, 1, 1, 1, 1, 0, 0}, {0, 0, 0, 0, 0, 0, 0, 0, 1}, {1, 1, 1, 1, 1, 1, 0, 1, 1}}},
            {"((a == 1 || b == 1) || (c == 1 || d == 1) || (e == 1 || f == 1)) && (g == 1 || h == 1)",
                new int[][] {{1, 1, 1, 1, 1, 1, 1, 0, 1}, {0, 0, 0, 0, 0, 0, 0, 0, 0}, {1, 1, 1, 1, 1, 1, 0, 1, 1}}},
            {"((((((((a == 1) && (b == 1)) || (c == 1)) && (d == 1)) || (e == 1)) && (f == 1)) || (g == 1)) && (h == 1))",
                new int[][] {{1, 1, 1, 1, 1, 1, 1, 1, 1}, {0, 0, 1, 0, 1, 0, 1, 0, 1}, {0, 1, 0, 1, 0, 1, 0, 1, 0}}},
            {"((((((((a == 1) || (b == 1)) && (c == 1)) || (d == 1)) && (e == 1)) || (f == 1)) && (g == 1)) || (h == 1))",
                new int[][] {{1, 1, 1, 1, 1, 1, 1, 1, 1}, {1, 0, 1, 0, 1, 0, 1, 0, 1}, {1, 1, 0, 1, 0, 1, 0, 1, 0}}},
        };
        FilterContext ctx = FilterContext.of(0, "x");
        for (Object[] d : data) {
            FilterParser.Result res = FilterParser.parse(t, (String) d[0]);
            assertTrue(res.ok(), (String) d[0]);
            for (int[] row : (int[][]) d[1]) {
                byte[] rec = new byte[t.structSize()];
                for (int i = 0; i < 8; i++) {
                    PageFormat.putInt(rec, 8 + 4 * i, row[i + 1]);
                }
                assertEquals(row[0] == 1, res.filter().match(rec, 0, rec.length, ctx), d[0] + " on row " + row[1]);
            }
        }
    }

    private byte[] schedSwitch(String prevComm, int prevPid, int prevPrio, long prevState, String nextComm,
            int nextPid, int nextPrio) {
        EventType sw = registry.find("sched", "sched_switch");
        byte[] rec = new byte[sw.structSize()];
        PageFormat.putShort(rec, 0, sw.id());
        PageFormat.putInt(rec, 4, prevPid);
        byte[] pc = prevComm.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(pc, 0, rec, 8, Math.min(15, pc.length));
        PageFormat.putInt(rec, 24, prevPid);
        PageFormat.putInt(rec, 28, prevPrio);
        PageFormat.putLong(rec, 32, prevState);
        byte[] nc = nextComm.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(nc, 0, rec, 40, Math.min(15, nc.length));
        PageFormat.putInt(rec, 56, nextPid);
        PageFormat.putInt(rec, 60, nextPrio);
        return rec;
    }

    private boolean eval(String event, String filter, byte[] rec, FilterContext ctx) {
        String[] sn = event.split(":");
        FilterParser.Result r = FilterParser.parse(registry.find(sn[0], sn[1]), filter);
        assertTrue(r.ok(), filter + ": " + (r.ok() ? "" : r.errorReadBack()));
        return r.filter().match(rec, 0, rec.length, ctx);
    }

    @Test
    void numericSemantics() {
        FilterContext ctx = FilterContext.of(1, "python3");
        byte[] rec = schedSwitch("python3", 13213, 120, 0x102, "swapper/0", 0, 120);
        String sw = "sched:sched_switch";
        assertTrue(eval(sw, "prev_pid == 13213", rec, ctx));
        assertTrue(eval(sw, "prev_pid == 0x339d", rec, ctx));
        assertTrue(eval(sw, "prev_pid != 1", rec, ctx));
        assertTrue(eval(sw, "prev_pid > -5", rec, ctx));
        assertTrue(eval(sw, "prev_prio <= 120 && prev_prio >= 120 && prev_prio < 121", rec, ctx));
        assertTrue(eval(sw, "prev_state & 2", rec, ctx));
        assertFalse(eval(sw, "prev_state & 1", rec, ctx));
        assertTrue(eval(sw, "prev_state & 0x100", rec, ctx));
        assertTrue(eval(sw, "next_pid == 4294967296", rec, ctx)); // truncated to 32 bits
        assertTrue(eval(sw, "next_pid == 0 && !(prev_pid == 1)", rec, ctx));
        assertFalse(eval(sw, "!(next_pid == 0)", rec, ctx));
        assertTrue(eval(sw, "common_pid == 13213 && common_type == 372", rec, ctx));
        assertTrue(eval(sw, "CPU == 1 && cpu > 0 && common_cpu != 0", rec, ctx));
        assertFalse(eval(sw, "CPU == 0", rec, ctx));
        assertTrue(eval(sw, "COMM == \"python3\" && comm ~ \"py*\"", rec, ctx));
        assertTrue(eval(sw, "prev_pid == 1 ||", rec, FilterContext.of(0, "x")) == false);
        assertTrue(eval(sw, "prev_pid == 13213 ||", rec, ctx));
        // common_flags/preempt_count are unsigned bytes
        rec[2] = (byte) 0x81;
        rec[3] = (byte) 0x12;
        assertTrue(eval(sw, "common_flags & 0x80 && common_flags > 0x7f && common_preempt_count == 18", rec, ctx));
    }

    @Test
    void signedAndUnsignedComparisons() {
        EventRegistry r = new EventRegistry();
        EventType t = r.define("t", "n").s8("s8").u8("u8").s16("s16").u16("u16").s64("s64").u64("u64").register();
        byte[] rec = new byte[t.structSize()];
        rec[t.field("s8").offset()] = (byte) -1;
        rec[t.field("u8").offset()] = (byte) 0xff;
        PageFormat.putShort(rec, t.field("s16").offset(), -2);
        PageFormat.putShort(rec, t.field("u16").offset(), 0xfffe);
        PageFormat.putLong(rec, t.field("s64").offset(), -3);
        PageFormat.putLong(rec, t.field("u64").offset(), -3);
        FilterContext ctx = FilterContext.of(0, "");
        String[][] cases = {
            {"s8 < 0", "1"}, {"u8 > 254", "1"}, {"s8 == -1", "1"}, {"u8 == 255", "1"}, {"s8 == 255", "1"},
            {"s16 < -1", "1"}, {"u16 > 65533", "1"}, {"s64 < -2", "1"}, {"u64 > 5", "1"},
            {"u64 == 0xfffffffffffffffd", "1"}, {"s64 == -3", "1"}, {"u8 & 0x100", "0"}, {"s64 >= 0", "0"},
        };
        for (String[] c : cases) {
            FilterParser.Result res = FilterParser.parse(t, c[0]);
            assertTrue(res.ok(), c[0] + " " + (res.ok() ? "" : res.errorReadBack()));
            assertEquals(c[1].equals("1"), res.filter().match(rec, 0, rec.length, ctx), c[0]);
        }
        FilterParser.Result bad = FilterParser.parse(t, "u64 == -1");
        assertFalse(bad.ok());
        assertEquals("Illegal integer value", bad.errorLogText());
    }

    /** String matching, including the kernel's end-glob quirk on fixed char arrays (live probe). */
    @Test
    void globSemanticsMatchTheKernel() {
        Map<String, Object> expected = Golden.map(Golden.live(), "glob_static_vs_dynamic");
        EventType exit = registry.find("sched", "sched_process_exit");
        byte[] ex = new byte[exit.structSize()];
        PageFormat.putShort(ex, 0, exit.id());
        System.arraycopy("true".getBytes(StandardCharsets.US_ASCII), 0, ex, 8, 4);
        EventType exec = registry.find("sched", "sched_process_exec");
        byte[] fn = "/bin/true".getBytes(StandardCharsets.US_ASCII);
        byte[] ec = new byte[exec.structSize() + fn.length + 1];
        PageFormat.putShort(ec, 0, exec.id());
        System.arraycopy(fn, 0, ec, exec.structSize(), fn.length);
        PageFormat.putInt(ec, 8, ((fn.length + 1) << 16) | exec.structSize());
        FilterContext ctx = FilterContext.of(0, "true");
        int n = 0;
        for (Map.Entry<String, Object> e : expected.entrySet()) {
            String f = e.getKey();
            boolean onExit = f.startsWith("comm");
            byte[] rec = onExit ? ex : ec;
            assertEquals(e.getValue(), eval(onExit ? "sched:sched_process_exit" : "sched:sched_process_exec", f, rec, ctx), f);
            n++;
        }
        assertEquals(16, n);
    }

    @Test
    void moreGlobForms() {
        byte[] rec = schedSwitch("kworker/u8:2", 41, 120, 1, "rcu_preempt", 15, 120);
        FilterContext ctx = FilterContext.of(0, "x");
        String sw = "sched:sched_switch";
        assertTrue(eval(sw, "prev_comm ~ \"kworker/*\"", rec, ctx));
        assertTrue(eval(sw, "prev_comm ~ \"*orker*\"", rec, ctx));
        assertTrue(eval(sw, "prev_comm ~ \"kw?rker/u[0-9]:*\"", rec, ctx));
        assertFalse(eval(sw, "prev_comm ~ \"kw?rker/u[!0-9]:*\"", rec, ctx));
        assertTrue(eval(sw, "next_comm ~ \"rcu_*\" && prev_comm != \"rcu_preempt\"", rec, ctx));
        assertTrue(eval(sw, "next_comm == \"rcu_preempt\"", rec, ctx));
        assertFalse(eval(sw, "next_comm == \"rcu\"", rec, ctx));
        assertTrue(eval(sw, "next_comm ~ \"*\"", rec, ctx));
        assertTrue(eval(sw, "prev_comm ~ 'kworker/u8:2'", rec, ctx));
    }

    @Test
    void errorReadBackAndCaret() {
        EventType sw = registry.find("sched", "sched_switch");
        FilterParser.Result r = FilterParser.parse(sw, "prev_pid ==");
        assertFalse(r.ok());
        assertEquals("prev_pid ==\n           ^\nparse_error: Invalid value (did you forget quotes)?\n", r.errorReadBack());
        assertEquals(12, r.errorLogPos());
        FilterParser.Result q = FilterParser.parse(sw, "prev_comm == \"x");
        assertEquals("Missing matching quote", q.errorLogText());
        assertNotNull(q.errno());
    }
}
