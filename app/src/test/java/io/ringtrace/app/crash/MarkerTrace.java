package io.ringtrace.app.crash;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The marker lines of a {@code trace} file in the kernel's text format, parsed strictly: every
 * line is either a {@code #} header line or a {@code tracing_mark_write: marker N} event line
 * whose pid is {@code 1000 + N % 2} and whose CPU is {@code N % 2} (the crash test steers
 * marker N to that CPU with that pid). Anything else is reported as corrupt.
 *
 * <pre>
 *            &lt;...&gt;-1001    [001] ...1.     2.601272: tracing_mark_write: marker 1
 * </pre>
 *
 * The task name is free (it is {@code <...>} after a restart: the comm cache is not persisted).
 */
final class MarkerTrace {
    /** A marker written by the crash test. */
    record Marker(long number, int pid, int cpu, long timestampMicros, int line) {
    }

    static final int BASE_PID = 1000;
    static final int CPUS = 2;

    private static final Pattern EVENT = Pattern.compile(
            "^ *(.+)-(\\d+) +\\[(\\d{3})\\] ([.a-zA-Z0-9]{5}) +(\\d+)\\.(\\d{6}): tracing_mark_write: marker (\\d+)$");
    private static final Pattern ENTRIES = Pattern.compile(
            "^# entries-in-buffer/entries-written: (\\d+)/(\\d+) +#P:(\\d+)$");

    final List<Marker> markers = new ArrayList<>();
    /** Lines that are neither header nor a well-formed marker of ours, with their line numbers. */
    final List<String> corrupt = new ArrayList<>();
    /** From the header; -1 when it has none. */
    long entriesInBuffer = -1;
    int headerCpus = -1;

    static MarkerTrace parse(String text) {
        MarkerTrace t = new MarkerTrace();
        if (!text.isEmpty() && !text.endsWith("\n")) {
            t.corrupt.add("end: the text does not end with a newline (a cut line)");
        }
        String body = text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
        int no = 0;
        for (String line : body.isEmpty() ? new String[0] : body.split("\n", -1)) {
            no++;
            if (line.startsWith("#")) {
                Matcher e = ENTRIES.matcher(line);
                if (e.matches()) {
                    t.entriesInBuffer = Long.parseLong(e.group(1));
                    t.headerCpus = Integer.parseInt(e.group(3));
                }
                continue;
            }
            Matcher m = EVENT.matcher(line);
            if (!m.matches()) {
                t.corrupt.add(no + ": " + printable(line));
                continue;
            }
            int pid = Integer.parseInt(m.group(2));
            int cpu = Integer.parseInt(m.group(3));
            long n = Long.parseLong(m.group(7));
            if (pid != BASE_PID + n % CPUS || cpu != n % CPUS) {
                t.corrupt.add(no + ": pid/CPU do not match marker " + n + " (want pid " + (BASE_PID + n % CPUS)
                        + " on CPU " + (n % CPUS) + "): " + printable(line));
                continue;
            }
            long micros = Long.parseLong(m.group(5)) * 1_000_000L + Long.parseLong(m.group(6));
            t.markers.add(new Marker(n, pid, cpu, micros, no));
        }
        return t;
    }

    private static String printable(String s) {
        StringBuilder sb = new StringBuilder();
        for (char c : s.toCharArray()) {
            if (c < 0x20 || c > 0x7e) {
                sb.append(String.format("\\x%02x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
