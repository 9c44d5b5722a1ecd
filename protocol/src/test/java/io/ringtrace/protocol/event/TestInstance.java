package io.ringtrace.protocol.event;

import io.ringtrace.protocol.ErrnoException;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A trace instance's event side for tests: an {@link EventSet} on a capturing sink and
 * switchable tracing_on, with the tracefs paths of the events directory and the set_event files
 * mapped to the EventSet calls (O_TRUNC opens included), as the kernel harness drives them.
 */
public final class TestInstance {

    /** Captures written payloads; tracing_on is a flag. */
    public static final class Sink implements EventSink, TriggerActions {
        public volatile boolean on = true;
        public final List<byte[]> written = new ArrayList<>();
        public final List<Integer> cpus = new ArrayList<>();
        public int maxPayload = 4072;
        public int stackTraces;

        @Override
        public boolean tracingOn() {
            return on;
        }

        @Override
        public synchronized boolean write(int cpu, byte[] payload, int offset, int length) {
            if (length > maxPayload) {
                return false;
            }
            written.add(Arrays.copyOfRange(payload, offset, offset + length));
            cpus.add(cpu);
            return true;
        }

        @Override
        public int maxPayload(int cpu) {
            return maxPayload;
        }

        @Override
        public boolean tracingIsOn() {
            return on;
        }

        @Override
        public void traceOn() {
            on = true;
        }

        @Override
        public void traceOff() {
            on = false;
        }

        @Override
        public void stackTrace(EventFile file, int cpu) {
            stackTraces++;
        }

        public synchronized int count() {
            return written.size();
        }
    }

    public final EventRegistry registry;
    public final Sink sink = new Sink();
    public final ErrorLog errorLog;
    public final EventSet events;
    private long clock = 1_601_751_351_000L;

    public TestInstance() {
        this(EventRegistry.createDefault());
    }

    public TestInstance(EventRegistry registry) {
        this.registry = registry;
        this.errorLog = new ErrorLog(() -> clock += 57_000);
        this.events = new EventSet(registry, sink, sink, errorLog);
    }

    /** Opens {@code path} for writing (O_TRUNC when asked) and writes {@code input} once. */
    public String write(String path, String input, boolean trunc) {
        try {
            if (trunc) {
                truncate(path);
            }
            return "written " + writeOnce(path, input);
        } catch (ErrnoException e) {
            return e.errno().name();
        }
    }

    private void truncate(String path) {
        switch (path) {
            case "set_event":
                events.truncateSetEvent();
                break;
            case "set_event_pid":
                events.truncateSetEventPid();
                break;
            case "set_event_notrace_pid":
                events.truncateSetEventNotracePid();
                break;
            case "error_log":
                errorLog.clear();
                break;
            default:
                if (path.endsWith("/trigger")) {
                    file(path).truncateTrigger();
                }
                break;
        }
    }

    private int writeOnce(String path, String in) throws ErrnoException {
        switch (path) {
            case "set_event":
                return events.writeSetEvent(in);
            case "set_event_pid":
                return events.writeSetEventPid(in);
            case "set_event_notrace_pid":
                return events.writeSetEventNotracePid(in);
            case "events/enable":
                return events.writeEventsEnable(in);
            default:
                break;
        }
        String[] p = path.split("/");
        if (p.length == 3 && p[2].equals("enable")) {
            return events.writeSystemEnable(p[1], in);
        }
        if (p.length == 3 && p[2].equals("filter")) {
            return events.writeSystemFilter(p[1], in);
        }
        EventFile f = file(path);
        switch (p[3]) {
            case "enable":
                return f.writeEnable(in);
            case "filter":
                return f.writeFilter(in);
            case "trigger":
                return f.writeTrigger(in);
            default:
                throw new IllegalArgumentException(path);
        }
    }

    /** Reads a file. */
    public String read(String path) {
        switch (path) {
            case "set_event":
                return events.readSetEvent();
            case "set_event_pid":
                return events.readSetEventPid();
            case "set_event_notrace_pid":
                return events.readSetEventNotracePid();
            case "events/enable":
                return events.readEventsEnable();
            case "error_log":
                return errorLog.read();
            default:
                break;
        }
        String[] p = path.split("/");
        if (p.length == 3 && p[2].equals("enable")) {
            return events.readSystemEnable(p[1]);
        }
        if (p.length == 3 && p[2].equals("filter")) {
            return events.readSystemFilter(p[1]);
        }
        EventFile f = file(path);
        switch (p[3]) {
            case "enable":
                return f.readEnable();
            case "filter":
                return f.readFilter();
            case "trigger":
                return f.readTrigger();
            case "format":
                return f.type().format();
            case "id":
                return f.type().idText();
            default:
                throw new IllegalArgumentException(path);
        }
    }

    public EventFile file(String path) {
        String[] p = path.split("/");
        EventFile f = events.file(p[1], p[2]);
        if (f == null) {
            throw new IllegalArgumentException("no event " + path);
        }
        return f;
    }

    /** The kernel's result as the golden files spell it. */
    @SuppressWarnings("unchecked")
    public static String expected(Object result) {
        java.util.Map<String, Object> m = (java.util.Map<String, Object>) result;
        if (m.containsKey("written")) {
            return "written " + ((Number) m.get("written")).intValue();
        }
        if (m.containsKey("errno")) {
            String e = (String) m.get("errno");
            // the kernel's ESRCH (missing quote) is EINVAL while Errno has no ESRCH
            if (FilterParser.errno(e, null) == null) {
                return "EINVAL";
            }
            return e;
        }
        return "open " + m.get("open_errno");
    }

    /** error_log text with the timestamps masked. */
    public static String maskTimes(String log) {
        return log.replaceAll("\\[\\s*\\d+\\.\\d{6}\\]", "[TS]");
    }

    public static String bytes(String s) {
        return new String(s.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.ISO_8859_1);
    }
}
