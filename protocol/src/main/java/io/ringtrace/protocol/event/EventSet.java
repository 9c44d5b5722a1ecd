package io.ringtrace.protocol.event;

import io.ringtrace.protocol.Errno;
import io.ringtrace.protocol.ErrnoException;
import io.ringtrace.protocol.ring.TraceBuffer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The events of one trace instance (the kernel's {@code tr->events} list with {@code set_event},
 * {@code set_event_pid}, {@code set_event_notrace_pid}, {@code events/enable} and the per-system
 * {@code enable}/{@code filter} files): one {@link EventFile} per registered event type.
 *
 * <p>Order: the files are in registration order when the set is created; event types registered
 * later are put in front (the kernel adds a module's events at the head of tr->events).
 * {@code set_event} lists enabled events in this order.
 *
 * <p>Text: every String read or written here is a byte string (one char per byte, ISO-8859-1),
 * so lengths are byte counts as in the kernel. Writes return the number of bytes the kernel's
 * write() returns; errors are {@link ErrnoException}s.
 *
 * <p>Threads: control methods are synchronized on the set; producer threads only read volatile
 * state ({@link #ignorePid}, {@link #sink()}).
 */
public final class EventSet {

    /** EVENT_BUF_SIZE: longest set_event token. */
    static final int EVENT_BUF_SIZE = 127;
    /** PID_BUF_SIZE: longest pid token. */
    static final int PID_BUF_SIZE = 127;
    /** trace_pid_list_set refuses pids from here on. */
    static final long PID_LIMIT = 1L << 30;

    /** The read-back of a system {@code filter} file without an error (DEFAULT_SYS_FILTER_MESSAGE). */
    public static final String DEFAULT_SYS_FILTER_MESSAGE = "### global filter ###\n"
            + "# Use this to set filters for multiple events.\n"
            + "# Only events with the given fields will be affected.\n"
            + "# If no events are modified, an error message will be displayed here\n";

    private static final int[] NO_PIDS = new int[0];

    private final EventRegistry registry;
    private final LinkedList<EventFile> files = new LinkedList<>();
    private final Map<EventType, EventFile> byType = new IdentityHashMap<>();
    private final ErrorLog errorLog;
    private volatile EventSink sink;
    private volatile TraceBuffer buffer;
    private volatile TriggerActions actions;
    private volatile int[] pids = NO_PIDS;
    private volatile int[] notracePids = NO_PIDS;
    private volatile boolean pidsSet;
    private volatile boolean notracePidsSet;
    private Runnable updateBuffersHook = () -> {
    };
    private int synced;
    private boolean destroyed;

    /**
     * The events of an instance whose buffer is {@code buffer}: events go into its rings and
     * triggers switch its tracing_on.
     */
    public EventSet(EventRegistry registry, TraceBuffer buffer, ErrorLog errorLog) {
        this(registry, EventSink.of(buffer), TriggerActions.of(buffer), errorLog);
    }

    public EventSet(EventRegistry registry, EventSink sink, TriggerActions actions, ErrorLog errorLog) {
        this.registry = registry;
        this.sink = sink;
        this.buffer = sink.buffer();
        this.actions = actions;
        this.errorLog = errorLog;
        synchronized (this) {
            sync();
        }
    }

    // ---------------------------------------------------------------- wiring

    public EventRegistry registry() {
        return registry;
    }

    public ErrorLog errorLog() {
        return errorLog;
    }

    /** Where this instance's events are written. Any thread. */
    public EventSink sink() {
        return sink;
    }

    /** Replaces the sink (e.g. when the instance's buffer object changes). */
    public synchronized void setSink(EventSink sink) {
        this.sink = sink;
        this.buffer = sink.buffer();
        for (EventFile f : files) {
            f.type().reroute(f); // writers that cached the old buffer's rings look again
        }
    }

    /** The rings behind {@link #sink()}, or null when the sink has none (the producers' fast path). */
    TraceBuffer buffer() {
        return buffer;
    }

    public TriggerActions actions() {
        return actions;
    }

    public void setActions(TriggerActions actions) {
        this.actions = actions;
    }

    /**
     * Sets what runs before {@code set_event}, {@code set_event_pid} and {@code enable} writes take
     * effect (the kernel's tracing_update_buffers, which drops last-boot data).
     */
    public synchronized void setUpdateBuffersHook(Runnable hook) {
        this.updateBuffersHook = hook == null ? () -> {
        } : hook;
    }

    void updateBuffers() {
        updateBuffersHook.run();
    }

    /** Adds files for event types registered since the last call; new ones go to the front. */
    private void sync() {
        int n = registry.size();
        if (synced == n) {
            return;
        }
        boolean initial = synced == 0 && files.isEmpty();
        for (int i = synced; i < n; i++) {
            EventType t = registry.get(i);
            if (byType.containsKey(t)) {
                continue;
            }
            EventFile f = new EventFile(t, this);
            if (pidsSet || notracePidsSet) {
                f.setFlag(EventFile.PID_FILTER);
            }
            byType.put(t, f);
            if (initial) {
                files.addLast(f);
            } else {
                files.addFirst(f);
            }
        }
        synced = n;
    }

    // ---------------------------------------------------------------- lookup

    /** The file of {@code type} in this instance. */
    public synchronized EventFile file(EventType type) {
        sync();
        return byType.get(type);
    }

    /** The file of {@code system:name}, or null. */
    public synchronized EventFile file(String system, String name) {
        sync();
        EventType t = registry.find(system, name);
        return t == null ? null : byType.get(t);
    }

    /** The ftrace/print file (the trace_marker event, whose triggers markers run). */
    public synchronized EventFile printFile() {
        sync();
        EventType t = registry.print();
        return t == null ? null : byType.get(t);
    }

    /** The event files in this instance's order. */
    public synchronized List<EventFile> files() {
        sync();
        return new ArrayList<>(files);
    }

    /** The systems (sorted), as {@code events/} lists them. */
    public List<String> systems() {
        return registry.systems();
    }

    /** find_event_file: an event that can be enabled, or null. */
    EventFile findEnableable(String system, String name) {
        sync();
        EventType t = registry.find(system, name);
        if (t == null || !t.canEnable()) {
            return null;
        }
        return byType.get(t);
    }

    /** The files of {@code events/}, sorted: enable, header_event, header_page and the systems. */
    public List<String> eventsDirectory() {
        TreeSet<String> s = new TreeSet<>(registry.systems());
        s.add("enable");
        s.add("header_event");
        s.add("header_page");
        return List.copyOf(s);
    }

    /** The files of {@code events/<system>/}: enable, filter and the events (none of the first two for ftrace). */
    public List<String> systemDirectory(String system) {
        TreeSet<String> s = new TreeSet<>();
        for (EventType t : registry.eventsOf(system)) {
            s.add(t.name());
        }
        if (!"ftrace".equals(system) && !s.isEmpty()) {
            s.add("enable");
            s.add("filter");
        }
        return List.copyOf(s);
    }

    // ---------------------------------------------------------------- set_event

    /** The {@code set_event} file: {@code system:event} per enabled event (ftrace events by name). */
    public synchronized String readSetEvent() {
        sync();
        StringBuilder sb = new StringBuilder();
        for (EventFile f : files) {
            if (f.isEnabled() && f.type().canEnable()) {
                EventType t = f.type();
                if (!"ftrace".equals(t.system())) {
                    sb.append(t.system()).append(':');
                }
                sb.append(t.name()).append('\n');
            }
        }
        return sb.toString();
    }

    /** Opening {@code set_event} with O_TRUNC: every event of the instance is disabled. */
    public synchronized void truncateSetEvent() {
        sync();
        for (EventFile f : files) {
            f.enableDisable(false, false);
        }
    }

    /**
     * One write(2) to {@code set_event}, as the kernel handles it: white space is skipped, ONE
     * token is read ({@code [!]sys:event}, {@code sys:}, {@code sys:*}, {@code :event},
     * {@code *:event}, {@code name}) and applied; the return value is the number of bytes
     * consumed (leading white space, the token and the one white space after it). A caller that
     * wants the whole buffer applied writes the rest again, as write loops do; see
     * {@link #writeSetEventAll}.
     *
     * @throws ErrnoException EINVAL when nothing matches or a token is longer than 127 bytes
     */
    public int writeSetEvent(String data) throws ErrnoException {
        if (data.isEmpty()) {
            return 0;
        }
        synchronized (this) {
            sync();
            updateBuffers();
            int[] tok = new int[2];
            int read = getToken(data, 0, EVENT_BUF_SIZE, tok);
            if (tok[1] > tok[0]) {
                String token = data.substring(tok[0], tok[1]);
                boolean set = true;
                if (token.charAt(0) == '!') {
                    set = false;
                    token = token.substring(1);
                }
                setClearEvent(token, set);
            }
            return read;
        }
    }

    /** Applies every token of {@code data} (what {@code echo "a b" > set_event} does). */
    public int writeSetEventAll(String data) throws ErrnoException {
        int off = 0;
        while (off < data.length()) {
            int n = writeSetEvent(data.substring(off));
            if (n <= 0) {
                break;
            }
            off += n;
        }
        return data.length();
    }

    /**
     * trace_get_user with a fresh parser: skips white space, reads one token; returns bytes read
     * and the token bounds in {@code tok} (empty when only white space).
     */
    private static int getToken(String s, int from, int max, int[] tok) throws ErrnoException {
        int n = s.length();
        int i = from;
        while (i < n && KernelText.isSpace(s.charAt(i))) {
            i++;
        }
        if (i >= n || s.charAt(i) == 0) {
            tok[0] = tok[1] = i;
            return Math.min(i + 1, n) - from;
        }
        int start = i;
        while (i < n && !KernelText.isSpace(s.charAt(i)) && s.charAt(i) != 0) {
            if (i - start >= max) {
                throw new ErrnoException(Errno.EINVAL);
            }
            i++;
        }
        tok[0] = start;
        tok[1] = i;
        if (i < n) {
            i++; // the white space (or NUL) ending the token is consumed
        }
        return i - from;
    }

    /** ftrace_set_clr_event: the event-name grammar. */
    private void setClearEvent(String buf, boolean set) throws ErrnoException {
        int modAt = buf.indexOf(":mod:");
        String mod = null;
        if (modAt >= 0) {
            mod = buf.substring(modAt + 5);
            buf = buf.substring(0, modAt);
        }
        String match;
        String sub = null;
        String event = null;
        int colon = buf.indexOf(':');
        if (colon >= 0) {
            sub = buf.substring(0, colon);
            event = buf.substring(colon + 1);
            match = null;
            if (sub.isEmpty() || sub.equals("*")) {
                sub = null;
            }
            if (event.isEmpty() || event.equals("*")) {
                event = null;
            }
        } else {
            match = buf;
            if (mod != null && (match.isEmpty() || match.equals("*"))) {
                match = null;
            }
        }
        int ret = setClear(match, sub, event, set, mod);
        if (ret != 0) {
            throw new ErrnoException(Errno.EINVAL);
        }
    }

    /** __ftrace_set_clr_event_nolock: 0 when at least one event matched. */
    private int setClear(String match, String sub, String event, boolean set, String mod) {
        if (mod != null) {
            return -1; // no modules in this model: nothing is ever from a module
        }
        boolean any = false;
        for (EventFile f : files) {
            EventType t = f.type();
            if (!t.canEnable()) {
                continue;
            }
            if (match != null && !match.equals(t.name()) && !match.equals(t.system())) {
                continue;
            }
            if (sub != null && !sub.equals(t.system())) {
                continue;
            }
            if (event != null && !event.equals(t.name())) {
                continue;
            }
            f.enableDisable(set, false);
            any = true;
        }
        return any ? 0 : -1;
    }

    // ---------------------------------------------------------------- events/enable, system enable

    /** {@code events/enable}: 0, 1, X (mixed) or ? (no events). */
    public synchronized String readEventsEnable() {
        return enableState(null);
    }

    /** {@code events/<system>/enable}. */
    public synchronized String readSystemEnable(String system) {
        return enableState(system);
    }

    private String enableState(String system) {
        sync();
        int set = 0;
        for (EventFile f : files) {
            EventType t = f.type();
            if (!t.canEnable()) {
                continue;
            }
            if (system != null && !system.equals(t.system())) {
                continue;
            }
            set |= 1 << (f.isEnabled() ? 1 : 0);
            if (set == 3) {
                break;
            }
        }
        return "?01X".charAt(set) + "\n";
    }

    /** Writes {@code events/enable}: 0 or 1 for every event. */
    public int writeEventsEnable(String text) throws ErrnoException {
        return writeEnable(null, text);
    }

    /** Writes {@code events/<system>/enable}: 0 or 1 for every event of the system. */
    public int writeSystemEnable(String system, String text) throws ErrnoException {
        return writeEnable(system, text);
    }

    private int writeEnable(String system, String text) throws ErrnoException {
        long v = parseDecimal(text);
        if (v != 0 && v != 1) {
            throw new ErrnoException(Errno.EINVAL);
        }
        synchronized (this) {
            sync();
            updateBuffers();
            if (setClear(null, system, null, v == 1, null) != 0) {
                throw new ErrnoException(Errno.EINVAL);
            }
        }
        return text.length();
    }

    /** kstrtoul_from_user(..., 10) as the enable files use it. */
    static long parseDecimal(String text) throws ErrnoException {
        try {
            return KernelText.kstrtoulFromUser(text);
        } catch (KernelText.BadNumber e) {
            throw new ErrnoException(e.range ? Errno.ERANGE : Errno.EINVAL);
        }
    }

    // ---------------------------------------------------------------- system filter

    /**
     * {@code events/<system>/filter}: always the default message, since a system filter write
     * either fails before anything is stored (ENODEV, EINVAL) or sets the events' own filters.
     */
    public String readSystemFilter(String system) {
        return DEFAULT_SYS_FILTER_MESSAGE;
    }

    /**
     * Writes {@code events/<system>/filter} (apply_subsystem_event_filter): the filter is set on
     * every event of the system; events it does not fit get an error report in their own
     * {@code filter} file and an error_log entry and record unfiltered. {@code 0} clears the
     * filters of every event of the system.
     */
    public int writeSystemFilter(String system, String text) throws ErrnoException {
        if (text.length() >= EventFile.PAGE_SIZE) {
            throw new ErrnoException(Errno.EINVAL);
        }
        String str = KernelText.cString(text);
        synchronized (this) {
            sync();
            List<EventFile> sys = new ArrayList<>();
            for (EventFile f : files) {
                if (f.type().system().equals(system) && f.type().canEnable()) {
                    sys.add(f);
                }
            }
            if (sys.isEmpty()) {
                throw new ErrnoException(Errno.ENODEV);
            }
            if (KernelText.strim(str).equals("0")) {
                for (EventFile f : sys) {
                    f.clearFilter();
                }
                return text.length();
            }
            String stripped = KernelText.stripTrailing(str);
            for (EventFile f : sys) {
                FilterParser.Result r = FilterParser.parse(f.type(), stripped);
                if (r.ok()) {
                    f.setFilter(r.filter(), stripped);
                } else {
                    String bad = FilterParser.ERR_TEXT.get(FilterParser.ERR_BAD_SUBSYS_FILTER);
                    f.setFilterError(stripped + "\n^\nparse_error: " + bad + "\n");
                    errorLog.log(FilterParser.ERROR_LOC, bad, stripped, 0);
                }
            }
        }
        return text.length();
    }

    // ---------------------------------------------------------------- pid filtering

    /** {@code set_event_pid}: one pid per line, ascending. */
    public String readSetEventPid() {
        return pidText(pids);
    }

    /** {@code set_event_notrace_pid}. */
    public String readSetEventNotracePid() {
        return pidText(notracePids);
    }

    /** Opening {@code set_event_pid} with O_TRUNC clears the list. */
    public synchronized void truncateSetEventPid() {
        pids = NO_PIDS;
        pidsSet = false;
        updatePidFlags();
    }

    /** Opening {@code set_event_notrace_pid} with O_TRUNC clears the list. */
    public synchronized void truncateSetEventNotracePid() {
        notracePids = NO_PIDS;
        notracePidsSet = false;
        updatePidFlags();
    }

    /**
     * Adds the white-space separated pids of {@code data} to {@code set_event_pid} (all or
     * nothing). Returns the bytes consumed.
     *
     * @throws ErrnoException EINVAL for a token that is not a number (base auto-detected), EPERM
     *                        for a pid out of range
     */
    public int writeSetEventPid(String data) throws ErrnoException {
        return writePids(data, false);
    }

    /** Adds pids to {@code set_event_notrace_pid}; see {@link #writeSetEventPid}. */
    public int writeSetEventNotracePid(String data) throws ErrnoException {
        return writePids(data, true);
    }

    private int writePids(String data, boolean notrace) throws ErrnoException {
        if (data.isEmpty()) {
            return 0;
        }
        synchronized (this) {
            sync();
            updateBuffers();
            TreeSet<Integer> set = new TreeSet<>();
            for (int p : notrace ? notracePids : pids) {
                set.add(p);
            }
            int off = 0;
            int[] tok = new int[2];
            while (off < data.length()) {
                int read = getToken(data, off, PID_BUF_SIZE, tok);
                off += read;
                if (tok[1] <= tok[0]) {
                    break;
                }
                long val;
                try {
                    val = KernelText.kstrtoull(data.substring(tok[0], tok[1]), 0);
                } catch (KernelText.BadNumber e) {
                    throw new ErrnoException(Errno.EINVAL);
                }
                long pid = val & 0xffffffffL; // (pid_t) then unsigned in the pid list
                if (pid >= PID_LIMIT) {
                    throw new ErrnoException(Errno.EPERM);
                }
                set.add((int) pid);
                if (read <= 0) {
                    break;
                }
            }
            int[] arr = new int[set.size()];
            int i = 0;
            for (int p : set) {
                arr[i++] = p;
            }
            if (notrace) {
                notracePids = arr;
                notracePidsSet = arr.length > 0;
            } else {
                pids = arr;
                pidsSet = arr.length > 0;
            }
            updatePidFlags();
            return off;
        }
    }

    private void updatePidFlags() {
        boolean on = pidsSet || notracePidsSet;
        for (EventFile f : files) {
            if (on) {
                f.setFlag(EventFile.PID_FILTER);
            } else {
                f.clearFlag(EventFile.PID_FILTER);
            }
        }
    }

    private static String pidText(int[] p) {
        StringBuilder sb = new StringBuilder();
        for (int v : p) {
            sb.append(Integer.toUnsignedString(v)).append('\n');
        }
        return sb.toString();
    }

    /**
     * trace_ignore_this_task: true when {@code pid} is not in a non-empty {@code set_event_pid}
     * or is in {@code set_event_notrace_pid}. Any thread; allocation-free.
     */
    public boolean ignorePid(int pid) {
        int[] p = pids;
        if (p.length != 0 && Arrays.binarySearch(p, pid) < 0) {
            return true;
        }
        int[] n = notracePids;
        return n.length != 0 && Arrays.binarySearch(n, pid) >= 0;
    }

    // ---------------------------------------------------------------- teardown

    /**
     * Instance removal: triggers cleared, every event disabled, pid lists cleared, so producers no
     * longer see this instance.
     */
    public synchronized void destroy() {
        sync();
        for (EventFile f : files) {
            f.clearTriggers();
        }
        for (EventFile f : files) {
            f.enableDisable(false, false);
            f.forceDisable();
        }
        pids = NO_PIDS;
        notracePids = NO_PIDS;
        pidsSet = false;
        notracePidsSet = false;
        updatePidFlags();
        destroyed = true;
    }

    public synchronized boolean isDestroyed() {
        return destroyed;
    }
}
