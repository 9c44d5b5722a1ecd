package io.ringtrace.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Random and hostile command lines: the parser and the planner never throw, never hang, and every
 * result they return satisfies its invariants. Seeded, so a failure names its reproducible input.
 */
@Timeout(120)
class BootParserPropertyTest {

    private static final String[] FRAGMENTS = {
            "trace_instance=", "reserve_mem=", "trace_buf_size=", "trace_event=", "trace_options=",
            "trace_clock=", "traceoff_after_boot", "traceoff_on_warning", "alloc_snapshot",
            "ftrace_boot_snapshot", "trace-instance=", "--", "0x", "0X", "99999999999999999999G",
            "18446744073709551616", "9223372036854775807", "8E", "12M", "4096", "4K", ":", "::",
            "^traceoff", "^printk", "^", "@", "@trace", "@0x1000:4K", "=", "==", ",", ",,",
            "sched", "sched:*", ":ev", "*:ev", "\"", "\"\"", " ", "\t", "\n", "\r", "\u000b",
            "\u0000", "\u00a0", "\u2028", "\u00e9", "\u4e2d", "\ud83d\ude00", "\ud83d", "\ude00",
            "\uffff", "trace", "boot_map", "backup", "/", ".", "..", "no", "nooverwrite", "global",
            "=0", "=off", "%s", "%n", "{}", "\\", "$", "'",
    };

    private static final String ALPHABET = "abcxyz_-019KMGTPEkmgxX=^@,:*!\"\t \n/.%{}\u00e9\u4e2d";

    private static String randomChars(Random r, int len) {
        StringBuilder sb = new StringBuilder(len);
        for (int i = 0; i < len; i++) {
            int kind = r.nextInt(10);
            if (kind < 7) {
                sb.append(ALPHABET.charAt(r.nextInt(ALPHABET.length())));
            } else if (kind < 9) {
                sb.append((char) r.nextInt(0x80));
            } else {
                sb.append((char) r.nextInt(0x10000));
            }
        }
        return sb.toString();
    }

    private static String randomLine(Random r) {
        StringBuilder sb = new StringBuilder();
        int parts = r.nextInt(30);
        for (int i = 0; i < parts; i++) {
            switch (r.nextInt(4)) {
                case 0:
                    sb.append(randomChars(r, r.nextInt(20)));
                    break;
                case 1:
                    sb.append(' ');
                    break;
                default:
                    sb.append(FRAGMENTS[r.nextInt(FRAGMENTS.length)]);
            }
        }
        return sb.toString();
    }

    /** A line built from the grammar, then damaged in a few random places. */
    private static String grammarLine(Random r) {
        StringBuilder sb = new StringBuilder();
        int labels = r.nextInt(4);
        for (int i = 0; i < labels; i++) {
            sb.append("reserve_mem=").append(size(r)).append(':').append(size(r)).append(":l")
                    .append(r.nextInt(3)).append(' ');
        }
        int n = r.nextInt(8);
        List<String> earlier = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String name = r.nextInt(3) == 0 ? name(r) : "i" + i;
            earlier.add(name);
            sb.append("trace_instance=").append(name);
            if (r.nextBoolean()) {
                sb.append('^').append(r.nextBoolean() ? "traceoff" : randomChars(r, 3));
            }
            boolean mapped = false;
            if (r.nextInt(3) == 0) {
                sb.append("@l").append(r.nextInt(4));
                mapped = true;
            } else if (r.nextInt(4) == 0) {
                sb.append('@').append(size(r)).append(':').append(size(r));
                mapped = true;
            }
            if (r.nextInt(mapped ? 8 : 2) == 0) {
                // mostly an earlier instance, so that some backups succeed
                sb.append('=').append(r.nextInt(4) > 0 && i > 0 ? earlier.get(r.nextInt(i)) : name(r));
            }
            int events = r.nextInt(4);
            for (int e = 0; e < events; e++) {
                sb.append(',').append(r.nextBoolean() ? "sched" : randomChars(r, 4));
            }
            sb.append(' ');
        }
        if (r.nextBoolean()) {
            sb.append("trace_buf_size=").append(size(r)).append(' ');
        }
        if (r.nextBoolean()) {
            sb.append("trace_options=").append(r.nextBoolean() ? "nooverwrite,raw" : randomChars(r, 8));
        }
        char[] c = sb.toString().toCharArray();
        int damage = c.length == 0 ? 0 : r.nextInt(3);
        for (int i = 0; i < damage; i++) {
            c[r.nextInt(c.length)] = ALPHABET.charAt(r.nextInt(ALPHABET.length()));
        }
        return new String(c);
    }

    private static String name(Random r) {
        String[] names = {"a", "b", "boot_map", "backup", "x", ""};
        return names[r.nextInt(names.length)];
    }

    private static String size(Random r) {
        String[] sizes = {"0", "4096", "12M", "0x1000", "5000", "64", "4K", "99999999999999999999G",
                "1E", "8E", "010", "", "abc", "1T", "2T"};
        return sizes[r.nextInt(sizes.length)];
    }

    @Test
    void randomLinesKeepTheInvariants() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            Random r = new Random(0x5eed_0001L);
            for (int i = 0; i < 5000; i++) {
                check(randomLine(r));
            }
        });
    }

    @Test
    void damagedGrammarLinesKeepTheInvariants() {
        int[] made = new int[4];
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            Random r = new Random(0x5eed_0002L);
            for (int i = 0; i < 5000; i++) {
                BootPlan plan = check(grammarLine(r));
                made[0] += plan.skipped().size();
                for (BootInstance inst : plan.instances()) {
                    made[inst.persistent() ? 1 : inst.backup() ? 2 : 3]++;
                }
            }
        });
        // the generator reaches every outcome, so the invariants are not checked on nothing
        assertTrue(made[0] > 1000, "skipped " + made[0]);
        assertTrue(made[1] > 300, "persistent " + made[1]);
        assertTrue(made[2] > 50, "backups " + made[2]);
        assertTrue(made[3] > 1000, "plain " + made[3]);
    }

    @Test
    void hostileInputs() {
        List<String> inputs = new ArrayList<>();
        inputs.add("=".repeat(1_000_000));
        inputs.add("\"".repeat(1_000_001));
        inputs.add("trace_instance=" + "^".repeat(500_000) + "@".repeat(500_000));
        inputs.add("trace_instance=" + "@^".repeat(300_000));
        inputs.add("trace_instance=" + ",".repeat(1_000_000));
        inputs.add("trace_instance=a@" + "9".repeat(1_000_000) + ":" + "9".repeat(1_000_000));
        inputs.add("reserve_mem=" + "9".repeat(1_000_000) + "G:4096:x");
        inputs.add("trace_buf_size=" + "0x" + "f".repeat(1_000_000));
        inputs.add("trace_instance=\"" + " ".repeat(1_000_000));
        inputs.add(("trace_instance=a=b ").repeat(100_000));
        inputs.add(("reserve_mem=4K:4K:x ").repeat(100_000));
        inputs.add("\u0000".repeat(100_000));
        inputs.add("\ud83d\ude00".repeat(100_000));
        inputs.add("x".repeat(2046) + "\ud83d\ude00");
        StringBuilder all = new StringBuilder("trace_instance=");
        for (char c = 0; c < 0xffff; c++) {
            all.append(c);
        }
        inputs.add(all.toString());
        inputs.add("trace_options=" + "no,".repeat(40));
        inputs.add("trace_clock=" + "\n".repeat(5000));
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            for (String in : inputs) {
                check(in);
                // the public pieces also take input that was not cut to the command-line size
                TraceInstanceSpec spec = TraceInstanceSpec.parse(in);
                checkLog(spec.notes(), "spec");
                spec.addressError().ifPresent(l -> checkLog(List.of(l), "spec"));
                EventSelector.parse(in).matches("sched", "sched_switch");
                MemParse.parse(in, in.length() / 2);
            }
        });
    }

    @Test
    void everySingleCharacterAfterEachParameter() {
        String[] keys = {"trace_instance=a", "trace_instance=a@", "trace_instance=a@1:", "reserve_mem=4K:",
                "reserve_mem=4K:4K:", "trace_buf_size=", "trace_options=", "trace_clock=",
                "traceoff_on_warning=", "alloc_snapshot=", "trace_event="};
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            for (String key : keys) {
                // every ASCII and Latin character, then a sample of the rest of the BMP
                for (int c = 0; c < 0x10000; c += c < 0x300 ? 1 : 61) {
                    check(key + (char) c + " trace_instance=ok");
                }
            }
        });
    }

    /** Builds valid entries from parts and checks that parsing gives the parts back. */
    @Test
    void validEntriesRoundTrip() {
        Random r = new Random(0x5eed_0003L);
        String nameChars = "abcdefghijklmnopqrstuvwxyz0123456789_.-\u00e9";
        for (int i = 0; i < 5000; i++) {
            String name = word(r, nameChars, 1 + r.nextInt(12));
            boolean traceoff = r.nextBoolean();
            boolean printk = r.nextBoolean();
            List<String> flags = new ArrayList<>();
            if (traceoff) {
                flags.add("traceoff");
            }
            if (printk) {
                flags.add(new String[] {"printk", "traceprintk", "trace_printk"}[r.nextInt(3)]);
            }
            Collections.shuffle(flags, r);
            String where = "";
            String label = null;
            long start = 0;
            long size = 0;
            switch (r.nextInt(3)) {
                case 0:
                    label = "l" + word(r, "abc_", r.nextInt(10));
                    where = "@" + label;
                    break;
                case 1:
                    start = (1 + r.nextInt(1 << 20)) * 4096L;
                    size = (1 + r.nextInt(1 << 10)) * 4096L;
                    where = "@0x" + Long.toHexString(start) + ":" + (size / 1024) + "K";
                    break;
                default:
                    break;
            }
            String flagText = flags.isEmpty() ? "" : "^" + String.join("^", flags);
            String spec = r.nextBoolean() ? name + flagText + where : name + where + flagText;
            String source = null;
            if (where.isEmpty() && r.nextBoolean()) {
                source = word(r, nameChars + "=^@", 1 + r.nextInt(8));
                spec = spec + "=" + source;
            }
            List<String> events = new ArrayList<>();
            int ne = r.nextInt(5);
            for (int e = 0; e < ne; e++) {
                events.add(word(r, "abc:*_!", 1 + r.nextInt(8)));
            }
            String entry = events.isEmpty() ? spec : spec + "," + String.join(",", events);

            TraceInstanceSpec parsed = TraceInstanceSpec.parse(entry);
            String ctx = "entry " + entry;
            assertEquals(name, parsed.name(), ctx);
            assertEquals(traceoff, parsed.traceoff(), ctx);
            assertEquals(printk, parsed.traceprintk(), ctx);
            assertEquals(List.of(), parsed.notes(), ctx);
            assertEquals(Optional.ofNullable(label), parsed.label(), ctx);
            assertEquals(start == 0 ? Optional.empty() : Optional.of(new MemoryRange(start, size)),
                    parsed.address(), ctx);
            assertEquals(Optional.ofNullable(source), parsed.source(), ctx);
            assertEquals(events, parsed.events(), ctx);

            BootCommandLine cl = BootCommandLine.parse("trace_instance=" + entry);
            assertEquals(List.of(parsed), cl.traceInstances(), ctx);
        }
    }

    private static String word(Random r, String chars, int len) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < len; i++) {
            sb.append(chars.charAt(r.nextInt(chars.length())));
        }
        return sb.toString();
    }

    @Test
    void memParseNeverThrowsAndStaysInRange() {
        Random r = new Random(0x5eed_0004L);
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            for (int i = 0; i < 20000; i++) {
                String s = r.nextBoolean() ? randomChars(r, r.nextInt(30))
                        : Long.toUnsignedString(r.nextLong(), 2 + r.nextInt(15)) + "KMGTPEx:".charAt(r.nextInt(8));
                int from = s.isEmpty() ? 0 : r.nextInt(s.length() + 1);
                MemParse.Parsed p = MemParse.parse(s, from);
                assertTrue(p.value() >= 0, s);
                assertTrue(p.end() >= from && p.end() <= s.length(), s);
                if (p.overflow()) {
                    assertEquals(0, p.value(), s);
                }
            }
        });
    }

    // ---------------------------------------------------------------------------------------

    private static int checks;

    private static BootPlan check(String input) {
        String ctx = input.length() > 200 ? input.substring(0, 200) + "...(" + input.length() + ")" : input;
        BootCommandLine cl;
        BootPlan plan;
        try {
            cl = BootCommandLine.parse(input);
            plan = BootPlan.resolve(cl);
        } catch (RuntimeException e) {
            throw new AssertionError("threw on: " + ctx, e);
        }
        checkCommandLine(cl, ctx);
        checkPlan(plan, ctx);
        if ((++checks & 7) == 0) {
            assertEquals(cl, BootCommandLine.parse(input), "deterministic: " + ctx);
        }
        return plan;
    }

    private static void checkLog(List<BootLogLine> log, String ctx) {
        for (BootLogLine line : log) {
            assertNotNull(line.level(), ctx);
            assertTrue(line.text().length() <= BootLogLine.MAX_TEXT, ctx);
            for (int i = 0; i < line.text().length(); i++) {
                assertFalse(Character.isISOControl(line.text().charAt(i)), "control char in log: " + ctx);
            }
        }
    }

    private static void checkCommandLine(BootCommandLine cl, String ctx) {
        assertTrue(cl.text().length() < BootCommandLine.COMMAND_LINE_SIZE, ctx);
        checkLog(cl.log(), ctx);

        assertTrue(cl.reserveMem().size() <= BootCommandLine.RESERVE_MEM_MAX_ENTRIES, ctx);
        Set<String> labels = new HashSet<>();
        List<MemoryRange> ranges = new ArrayList<>();
        for (ReserveMem m : cl.reserveMem()) {
            assertTrue(labels.add(m.label()), "unique label: " + ctx);
            assertTrue(m.label().length() >= 1 && m.label().length() < BootCommandLine.RESERVE_MEM_NAME_SIZE, ctx);
            assertFalse(m.label().chars().allMatch(c -> KernelArgs.isSpace((char) c)), "blank label: " + ctx);
            assertTrue(m.size() > 0, ctx);
            assertTrue(m.align() >= ReserveMem.MIN_ALIGN, ctx);
            assertEquals(0, m.start() % m.align(), ctx);
            assertTrue(m.start() >= BootCommandLine.MEMORY_BOTTOM, ctx);
            assertTrue(m.start() + m.size() <= BootCommandLine.MEMORY_TOP, ctx);
            MemoryRange range = new MemoryRange(m.start(), m.size());
            for (MemoryRange other : ranges) {
                assertFalse(range.overlaps(other), "reservations overlap: " + ctx);
            }
            ranges.add(range);
        }

        cl.traceBufSize().ifPresent(v -> assertTrue(v >= BootCommandLine.MIN_TRACE_BUF_SIZE, ctx));
        for (String ev : cl.traceEvents()) {
            assertFalse(ev.isEmpty(), ctx);
            assertTrue(ev.indexOf(',') < 0, ctx);
        }
        for (TraceOptionSetting o : cl.traceOptions()) {
            assertTrue(TraceOptionNames.isKnown(o.name()), ctx);
        }
        for (TraceInstanceSpec s : cl.traceInstances()) {
            for (char c : new char[] {'^', '@', '=', ',', '\t'}) {
                assertTrue(s.name().indexOf(c) < 0, "name has " + c + ": " + ctx);
            }
            assertTrue(s.entry().indexOf('\t') < 0, ctx);
            for (String ev : s.events()) {
                assertFalse(ev.isEmpty(), ctx);
                assertTrue(ev.indexOf(',') < 0 && ev.indexOf('\t') < 0, ctx);
            }
            assertFalse(s.label().isPresent() && (s.address().isPresent() || s.addressError().isPresent()), ctx);
            assertFalse(s.address().isPresent() && s.addressError().isPresent(), ctx);
            s.address().ifPresent(a -> assertTrue(a.start() > 0 && a.size() > 0, ctx));
            checkLog(s.notes(), ctx);
        }
    }

    private static void checkPlan(BootPlan plan, String ctx) {
        checkLog(plan.log(), ctx);
        BootCommandLine cl = plan.commandLine();
        assertEquals(cl.traceInstances().size(), plan.instances().size() + plan.skipped().size(), ctx);
        assertTrue(plan.bufferSizeBytes() >= BootCommandLine.MIN_TRACE_BUF_SIZE, ctx);

        Set<BootLogLine> logged = Collections.newSetFromMap(new IdentityHashMap<>());
        logged.addAll(plan.log());
        for (SkippedInstance s : plan.skipped()) {
            assertTrue(logged.contains(s.reason()), "skip reason is logged: " + ctx);
        }
        Map<String, BootInstance> seen = new HashMap<>();
        Set<String> regionKeys = new HashSet<>();
        List<MemoryRange> memmaps = new ArrayList<>();
        for (BootInstance i : plan.instances()) {
            assertFalse(i.name().isEmpty(), ctx);
            assertTrue(i.name().indexOf('/') < 0 && !i.name().equals(".") && !i.name().equals(".."), ctx);
            assertTrue(i.name().length() <= BootPlan.NAME_MAX, ctx);
            assertFalse(seen.containsKey(i.name()), "unique name: " + ctx);
            assertFalse(i.region().isPresent() && i.backupOf().isPresent(), ctx);
            if (i.region().isPresent()) {
                BootRegion reg = i.region().get();
                assertEquals(0, reg.start() % BootPlan.PAGE_SIZE, ctx);
                assertEquals(0, reg.size() % BootPlan.PAGE_SIZE, ctx);
                assertEquals(reg.size(), i.rangeSize(), ctx);
                assertTrue(regionKeys.add(reg.key()), "one instance per region: " + ctx);
                if (reg.memmap()) {
                    MemoryRange mr = new MemoryRange(reg.start(), reg.size());
                    for (MemoryRange other : memmaps) {
                        assertFalse(mr.overlaps(other), ctx);
                    }
                    memmaps.add(mr);
                } else {
                    ReserveMem mem = cl.reserveMem(reg.label().get()).orElseThrow();
                    assertEquals(mem.size(), reg.size(), ctx);
                }
            } else if (i.backupOf().isPresent()) {
                BootInstance src = seen.get(i.backupOf().get());
                assertNotNull(src, "backup source made earlier: " + ctx);
                assertTrue(src.boot(), ctx);
                assertEquals(src.rangeSize(), i.rangeSize(), ctx);
            } else {
                assertEquals(0, i.rangeSize(), ctx);
            }
            seen.put(i.name(), i);
        }
        plan.printkDestination().ifPresent(d -> assertTrue(seen.get(d).traceprintk(), ctx));
    }
}
