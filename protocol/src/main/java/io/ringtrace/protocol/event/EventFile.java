package io.ringtrace.protocol.event;

import io.ringtrace.protocol.Errno;
import io.ringtrace.protocol.ErrnoException;
import io.ringtrace.protocol.ring.RingBuffer;
import io.ringtrace.protocol.ring.TraceBuffer;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One event in one instance (the kernel's trace_event_file): its enable state (enabled, soft
 * mode, soft-disabled), its filter and its triggers, and the files of
 * {@code events/<system>/<event>/} that show them.
 *
 * <p>State follows __ftrace_event_enable_disable exactly, soft mode included: triggers put the
 * event they are attached to in soft mode ({@code 0*}), {@code enable_event}/{@code disable_event}
 * put their target in soft mode and flip its soft-disabled bit when they fire, and removing the
 * last soft user of a soft-enabled event leaves it enabled (kernel behaviour).
 *
 * <p>Threads: the control methods ({@code read*}/{@code write*}) are serialized by the owning
 * {@link EventSet}; {@link #handle} runs on producer threads. Flags are updated atomically because
 * firing triggers flip soft-disabled bits from producer threads.
 */
public final class EventFile {

    static final int ENABLED = 1;
    static final int SOFT_DISABLED = 1 << 1;
    static final int TRIGGER_MODE = 1 << 2;
    static final int TRIGGER_COND = 1 << 3;
    static final int FILTERED = 1 << 4;
    static final int PID_FILTER = 1 << 5;
    /** Flags that make an event need {@link #handle} (its payload built first, then looked at). */
    private static final int NEEDS_HANDLE = SOFT_DISABLED | TRIGGER_MODE | TRIGGER_COND | FILTERED | PID_FILTER;

    /** Writes of a page or more are refused (EINVAL), as the filter and trigger files do. */
    static final int PAGE_SIZE = 4096;

    private static final VarHandle FLAGS;
    private static final EventTrigger[] NO_TRIGGERS = new EventTrigger[0];

    static {
        try {
            FLAGS = MethodHandles.lookup().findVarHandle(EventFile.class, "flags", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final EventType type;
    private final EventSet owner;
    private volatile int flags;
    private volatile EventFilter filter;
    private volatile EventTrigger[] triggers = NO_TRIGGERS;
    // control plane, guarded by the owner
    private int smRef;
    private int tmRef;
    private String filterReadBack;

    EventFile(EventType type, EventSet owner) {
        this.type = type;
        this.owner = owner;
    }

    public EventType type() {
        return type;
    }

    /** The instance's event set. */
    public EventSet owner() {
        return owner;
    }

    // ---------------------------------------------------------------- state queries

    /** Registered (the kernel's ENABLED flag: enabled, or in soft mode). */
    public boolean isEnabled() {
        return (flags & ENABLED) != 0;
    }

    /** Soft-disabled: registered but not recording. */
    public boolean isSoftDisabled() {
        return (flags & SOFT_DISABLED) != 0;
    }

    /** In soft mode (a trigger holds it). */
    public boolean isSoftMode() {
        synchronized (owner) {
            return smRef != 0;
        }
    }

    /** True when the event is recording (enabled and not soft-disabled). */
    public boolean isRecording() {
        int f = flags;
        return (f & ENABLED) != 0 && (f & SOFT_DISABLED) == 0;
    }

    /** The compiled filter, or null. */
    public EventFilter filter() {
        return filter;
    }

    /** Number of triggers. */
    public int triggerCount() {
        return triggers.length;
    }

    void setFlag(int bit) {
        int f;
        do {
            f = flags;
            if ((f & bit) == bit) {
                return;
            }
        } while (!FLAGS.compareAndSet(this, f, f | bit));
        if ((bit & NEEDS_HANDLE) != 0) {
            type.reroute(this);
        }
    }

    void clearFlag(int bit) {
        int f;
        do {
            f = flags;
            if ((f & bit) == 0) {
                return;
            }
        } while (!FLAGS.compareAndSet(this, f, f & ~bit));
        if ((bit & NEEDS_HANDLE) != 0) {
            type.reroute(this);
        }
    }

    void setSoftDisabled(boolean on) {
        if (on) {
            setFlag(SOFT_DISABLED);
        } else {
            clearFlag(SOFT_DISABLED);
        }
    }

    // ---------------------------------------------------------------- enable

    /** The {@code enable} file: {@code 0}, {@code 1}, {@code 0*} or {@code 1*} and a newline. */
    public String readEnable() {
        synchronized (owner) {
            int f = flags;
            StringBuilder sb = new StringBuilder(3);
            sb.append((f & ENABLED) != 0 && (f & SOFT_DISABLED) == 0 ? '1' : '0');
            if ((f & SOFT_DISABLED) != 0 || smRef != 0) {
                sb.append('*');
            }
            return sb.append('\n').toString();
        }
    }

    /**
     * Writes the {@code enable} file: {@code 0} or {@code 1} (decimal, optional {@code +} and
     * trailing newline). Returns the byte count.
     *
     * @throws ErrnoException EINVAL for anything else, ERANGE for a number too large
     */
    public int writeEnable(String text) throws ErrnoException {
        if (!type.canEnable()) {
            throw new ErrnoException(Errno.EINVAL);
        }
        long v = EventSet.parseDecimal(text);
        if (v != 0 && v != 1) {
            throw new ErrnoException(Errno.EINVAL);
        }
        synchronized (owner) {
            owner.updateBuffers();
            enableDisable(v == 1, false);
        }
        return text.length();
    }

    /** __ftrace_event_enable_disable; caller holds the owner. */
    void enableDisable(boolean enable, boolean softDisable) {
        boolean softMode = smRef != 0;
        if (!enable) {
            boolean disable;
            if (softDisable) {
                if (--smRef > 0) {
                    return;
                }
                if (smRef < 0) {
                    smRef = 0;
                }
                disable = (flags & SOFT_DISABLED) != 0;
                softMode = false;
            } else {
                disable = !softMode;
            }
            if (disable && (flags & ENABLED) != 0) {
                clearFlag(ENABLED);
                type.detach(this);
            }
            if (softMode) {
                setFlag(SOFT_DISABLED);
            } else {
                clearFlag(SOFT_DISABLED);
            }
        } else {
            if (!softDisable) {
                clearFlag(SOFT_DISABLED);
            } else {
                if (++smRef > 1) {
                    return;
                }
            }
            if ((flags & ENABLED) == 0) {
                if (softDisable) {
                    setFlag(SOFT_DISABLED);
                }
                setFlag(ENABLED);
                if (type.canEnable()) {
                    type.attach(this);
                }
            }
        }
    }

    // ---------------------------------------------------------------- filter

    /** The {@code filter} file: the filter text, {@code none}, or the last error report. */
    public String readFilter() {
        synchronized (owner) {
            return filterReadBack == null ? "none\n" : filterReadBack + "\n";
        }
    }

    /**
     * Writes the {@code filter} file. {@code 0} removes the filter. A parse error replaces the
     * filter with none (the event then records everything), makes the file show the error, logs it
     * in the instance's error_log and fails with the kernel's errno. Returns the byte count.
     */
    public int writeFilter(String text) throws ErrnoException {
        if (!type.canEnable()) {
            throw new ErrnoException(Errno.EINVAL);
        }
        if (text.length() >= PAGE_SIZE) {
            throw new ErrnoException(Errno.EINVAL);
        }
        synchronized (owner) {
            applyFilter(KernelText.cString(text));
        }
        return text.length();
    }

    /** apply_event_filter; caller holds the owner. */
    void applyFilter(String text) throws ErrnoException {
        String stripped = KernelText.stripTrailing(text);
        if (KernelText.strim(text).equals("0")) {
            clearFilter();
            return;
        }
        FilterParser.Result r = FilterParser.parse(type, stripped);
        if (r.ok()) {
            setFilter(r.filter(), stripped);
            return;
        }
        filter = null;
        clearFlag(FILTERED);
        filterReadBack = r.errorReadBack();
        owner.errorLog().log(FilterParser.ERROR_LOC, r.errorLogText(), stripped, r.errorLogPos());
        throw new ErrnoException(r.errno());
    }

    void setFilter(EventFilter f, String readBack) {
        filter = f;
        filterReadBack = readBack;
        setFlag(FILTERED);
    }

    void setFilterError(String readBack) {
        filter = null;
        clearFlag(FILTERED);
        filterReadBack = readBack;
    }

    void clearFilter() {
        clearFlag(FILTERED);
        filter = null;
        filterReadBack = null;
    }

    // ---------------------------------------------------------------- triggers

    /** The {@code trigger} file: one line per trigger, newest first, or the available commands. */
    public String readTrigger() {
        synchronized (owner) {
            EventTrigger[] ts = triggers;
            if (ts.length == 0) {
                return EventTrigger.AVAILABLE;
            }
            StringBuilder sb = new StringBuilder();
            for (EventTrigger t : ts) {
                sb.append(t.print());
            }
            return sb.toString();
        }
    }

    /**
     * Writes the {@code trigger} file: {@code [!]traceon|traceoff|stacktrace[:N] [if FILTER]} or
     * {@code [!]enable_event|disable_event:SYSTEM:EVENT[:N] [if FILTER]}. Returns the byte count.
     *
     * @throws ErrnoException EINVAL for a bad command, EEXIST when a trigger of that kind is
     *                        already there, the filter's errno for a bad filter
     */
    public int writeTrigger(String text) throws ErrnoException {
        if (type.kind() == EventType.Kind.FTRACE_RAW_DATA) {
            throw new ErrnoException(Errno.EINVAL);
        }
        if (text.isEmpty()) {
            return 0;
        }
        if (text.length() >= PAGE_SIZE) {
            throw new ErrnoException(Errno.EINVAL);
        }
        String buf = KernelText.strim(KernelText.cString(text));
        synchronized (owner) {
            processTrigger(buf);
        }
        return text.length();
    }

    /**
     * Opening the trigger file with O_TRUNC: the kernel calls each command's unreg_all, which
     * none of traceon, traceoff, stacktrace, enable_event and disable_event has, so triggers stay.
     */
    public void truncateTrigger() {
        // nothing to do, as in the kernel
    }

    private void processTrigger(String buff) throws ErrnoException {
        int sep = -1;
        for (int i = 0; i < buff.length(); i++) {
            char c = buff.charAt(i);
            if (c == ':' || c == ' ' || c == '\t') {
                sep = i;
                break;
            }
        }
        String command;
        String next;
        if (sep < 0) {
            command = buff;
            next = null;
        } else {
            command = buff.substring(0, sep);
            next = skipSpaces(buff.substring(sep + 1));
            if (next.isEmpty()) {
                next = null;
            }
        }
        boolean remove = command.startsWith("!");
        String name = remove ? command.substring(1) : command;
        EventTrigger.Command cmd = EventTrigger.Command.byName(name);
        if (cmd == null) {
            throw new ErrnoException(Errno.EINVAL);
        }
        if (cmd == EventTrigger.Command.ENABLE_EVENT || cmd == EventTrigger.Command.DISABLE_EVENT) {
            enableTriggerParse(cmd, remove, next);
        } else {
            eventTriggerParse(cmd, remove, next);
        }
    }

    private static String skipSpaces(String s) {
        int i = 0;
        while (i < s.length() && KernelText.isSpace(s.charAt(i))) {
            i++;
        }
        return s.substring(i);
    }

    private static int firstBlank(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == ' ' || c == '\t') {
                return i;
            }
        }
        return -1;
    }

    /** event_trigger_separate_filter: returns {param, filter}. */
    private static String[] separateFilter(String paramAndFilter, boolean paramRequired) throws ErrnoException {
        String[] out = new String[2];
        if (paramAndFilter == null) {
            if (paramRequired) {
                throw new ErrnoException(Errno.EINVAL);
            }
            return out;
        }
        if (!paramRequired && !KernelText.isDigit(paramAndFilter.charAt(0))) {
            out[1] = paramAndFilter;
            return out;
        }
        int sp = firstBlank(paramAndFilter);
        if (sp < 0) {
            out[0] = paramAndFilter;
        } else {
            out[0] = paramAndFilter.substring(0, sp);
            String f = skipSpaces(paramAndFilter.substring(sp + 1));
            out[1] = f.isEmpty() ? null : f;
        }
        return out;
    }

    /** event_trigger_parse_num: the count before the first ':' of param. */
    private static long parseCount(String param) throws ErrnoException {
        int colon = param.indexOf(':');
        String number = colon < 0 ? param : param.substring(0, colon);
        if (number.isEmpty()) {
            throw new ErrnoException(Errno.EINVAL);
        }
        try {
            return KernelText.kstrtoull(number, 0);
        } catch (KernelText.BadNumber e) {
            throw new ErrnoException(e.range ? Errno.ERANGE : Errno.EINVAL);
        }
    }

    /** set_trigger_filter: "if FILTER", compiled for this event. Returns {filter, text} holder. */
    private Object[] triggerFilter(String filterStr) throws ErrnoException {
        int sp = firstBlank(filterStr);
        String s = sp < 0 ? filterStr : filterStr.substring(0, sp);
        String rest = sp < 0 ? null : filterStr.substring(sp + 1);
        if (s.isEmpty() || !s.equals("if")) {
            throw new ErrnoException(Errno.EINVAL);
        }
        if (rest == null) {
            throw new ErrnoException(Errno.EINVAL);
        }
        FilterParser.Result r = FilterParser.parse(type, rest);
        if (!r.ok()) {
            owner.errorLog().log(FilterParser.ERROR_LOC, r.errorLogText(), r.text(), r.errorLogPos());
            throw new ErrnoException(r.errno());
        }
        return new Object[] {r.filter(), rest};
    }

    private void eventTriggerParse(EventTrigger.Command cmd, boolean remove, String paramAndFilter)
            throws ErrnoException {
        String[] pf = separateFilter(paramAndFilter, false);
        String param = pf[0];
        String filterStr = pf[1];
        if (remove) {
            unregister(cmd, null);
            return;
        }
        long count = -1;
        if (param != null) {
            count = parseCount(param);
        }
        EventFilter f = null;
        String ftext = null;
        if (filterStr != null) {
            Object[] ff = triggerFilter(filterStr);
            f = (EventFilter) ff[0];
            ftext = (String) ff[1];
        }
        for (EventTrigger t : triggers) {
            if (t.cmd.type == cmd.type) {
                throw new ErrnoException(Errno.EEXIST);
            }
        }
        register(new EventTrigger(cmd, param != null, count, f, ftext, null));
    }

    private void enableTriggerParse(EventTrigger.Command cmd, boolean remove, String paramAndFilter)
            throws ErrnoException {
        if (paramAndFilter == null) {
            throw new ErrnoException(Errno.EINVAL);
        }
        String[] pf = separateFilter(paramAndFilter, true);
        String param = pf[0];
        String filterStr = pf[1];
        int c1 = param.indexOf(':');
        if (c1 < 0) {
            throw new ErrnoException(Errno.EINVAL);
        }
        String system = param.substring(0, c1);
        String rest = param.substring(c1 + 1);
        int c2 = rest.indexOf(':');
        String event = c2 < 0 ? rest : rest.substring(0, c2);
        String countParam = c2 < 0 ? null : rest.substring(c2 + 1);
        EventFile target = owner.findEnableable(system, event);
        if (target == null) {
            throw new ErrnoException(Errno.EINVAL);
        }
        if (remove) {
            unregister(cmd, target);
            return;
        }
        long count = -1;
        if (countParam != null) {
            count = parseCount(countParam);
        }
        EventFilter f = null;
        String ftext = null;
        if (filterStr != null) {
            Object[] ff = triggerFilter(filterStr);
            f = (EventFilter) ff[0];
            ftext = (String) ff[1];
        }
        target.enableDisable(true, true);
        for (EventTrigger t : triggers) {
            if (t.cmd.type == cmd.type && t.target == target) {
                target.enableDisable(false, true);
                throw new ErrnoException(Errno.EEXIST);
            }
        }
        register(new EventTrigger(cmd, countParam != null, count, f, ftext, target));
    }

    private void register(EventTrigger t) {
        EventTrigger[] cur = triggers;
        EventTrigger[] next = new EventTrigger[cur.length + 1];
        next[0] = t;
        System.arraycopy(cur, 0, next, 1, cur.length);
        triggers = next;
        updateCondFlag();
        triggerEnableDisable(true);
    }

    /** try_unregister_trigger: removes the first trigger of that kind (and target). */
    private void unregister(EventTrigger.Command cmd, EventFile target) {
        EventTrigger[] cur = triggers;
        for (int i = 0; i < cur.length; i++) {
            EventTrigger t = cur[i];
            if (t.cmd.type == cmd.type && (target == null || t.target == target)) {
                EventTrigger[] next = new EventTrigger[cur.length - 1];
                System.arraycopy(cur, 0, next, 0, i);
                System.arraycopy(cur, i + 1, next, i, cur.length - i - 1);
                triggers = next.length == 0 ? NO_TRIGGERS : next;
                triggerEnableDisable(false);
                updateCondFlag();
                if (t.target != null) {
                    t.target.enableDisable(false, true);
                }
                return;
            }
        }
    }

    /** Teardown: whatever soft references remain, the event ends disabled and unregistered. */
    void forceDisable() {
        smRef = 0;
        tmRef = 0;
        clearFlag(ENABLED | SOFT_DISABLED | TRIGGER_MODE | TRIGGER_COND);
        type.detach(this);
    }

    /** clear_event_triggers for this file (instance teardown). */
    void clearTriggers() {
        EventTrigger[] cur = triggers;
        for (EventTrigger t : cur) {
            triggerEnableDisable(false);
            if (t.target != null) {
                t.target.enableDisable(false, true);
            }
        }
        triggers = NO_TRIGGERS;
        updateCondFlag();
    }

    private void updateCondFlag() {
        boolean cond = false;
        for (EventTrigger t : triggers) {
            if (t.filter != null || t.cmd.post) {
                cond = true;
                break;
            }
        }
        if (cond) {
            setFlag(TRIGGER_COND);
        } else {
            clearFlag(TRIGGER_COND);
        }
    }

    /** trace_event_trigger_enable_disable. */
    private void triggerEnableDisable(boolean on) {
        if (on) {
            if (++tmRef > 1) {
                return;
            }
            setFlag(TRIGGER_MODE);
            enableDisable(true, true);
        } else {
            if (--tmRef > 0) {
                return;
            }
            tmRef = 0;
            clearFlag(TRIGGER_MODE);
            enableDisable(false, true);
        }
    }

    // ---------------------------------------------------------------- hot path

    /**
     * Runs the triggers (event_triggers_call). With {@code rec == null} every trigger fires
     * unconditionally; otherwise each trigger's filter is checked and post triggers are deferred.
     * Returns the trigger types to run after the commit.
     */
    int callTriggers(byte[] rec, int off, int len, FilterContext ctx, int cpu) {
        EventTrigger[] ts = triggers;
        int tt = 0;
        for (EventTrigger t : ts) {
            if (rec == null) {
                t.fire(this, cpu);
                continue;
            }
            EventFilter f = t.filter;
            if (f != null && !f.match(rec, off, len, ctx)) {
                continue;
            }
            if (t.cmd.post) {
                tt |= t.cmd.type;
                continue;
            }
            t.fire(this, cpu);
        }
        return tt;
    }

    /** event_triggers_post_call. */
    void postCall(int tt, int cpu) {
        for (EventTrigger t : triggers) {
            if ((t.cmd.type & tt) != 0) {
                t.fire(this, cpu);
            }
        }
    }

    /** True when the file has triggers. */
    boolean hasTriggers() {
        return triggers.length != 0;
    }

    /** True when the event is written as is, without a look at its payload (see {@link #plainRing}). */
    boolean plain() {
        return (flags & NEEDS_HANDLE) == 0;
    }

    /**
     * The ring of CPU {@code cpu} when this instance records the event exactly as given, with
     * nothing to look at first (no trigger, filter, pid list or soft-disable) and tracing on: the
     * caller may then reserve the event in that ring and write its fields in place, which is what
     * {@link #handle} would have written. Null otherwise (the caller builds the payload and calls
     * handle). Producer threads; allocation-free.
     */
    RingBuffer plainRing(int cpu) {
        if ((flags & NEEDS_HANDLE) != 0) {
            return null;
        }
        TraceBuffer b = owner.buffer();
        return b != null && b.tracingOn() ? b.ringOf(cpu) : null;
    }

    /**
     * Processes one event for this instance, the way a TRACE_EVENT probe does: unconditional
     * triggers, soft-disable and pid checks, the reservation (tracing_on), conditional triggers,
     * the filter, the write into the CPU's ring, post triggers. Returns true when the event was
     * written. Producer threads; allocation-free.
     */
    boolean handle(byte[] rec, int len, int cpu, int pid, FilterContext ctx) {
        EventSet s = owner;
        int f = flags;
        if ((f & (TRIGGER_MODE | SOFT_DISABLED | PID_FILTER)) != 0 && (f & TRIGGER_COND) == 0) {
            if ((f & TRIGGER_MODE) != 0) {
                callTriggers(null, 0, 0, ctx, cpu);
            }
            if ((f & SOFT_DISABLED) != 0) {
                return false;
            }
            if ((f & PID_FILTER) != 0 && s.ignorePid(pid)) {
                return false;
            }
        }
        if ((flags & PID_FILTER) != 0 && s.ignorePid(pid)) {
            return false;
        }
        EventSink sink = s.sink();
        boolean on = sink.tracingOn();
        int tt = 0;
        if ((flags & TRIGGER_COND) != 0) {
            tt = callTriggers(rec, 0, len, ctx, cpu);
        }
        f = flags;
        boolean discard = false;
        if ((f & (SOFT_DISABLED | FILTERED | PID_FILTER)) != 0) {
            if ((f & SOFT_DISABLED) != 0) {
                discard = true;
            } else if ((f & FILTERED) != 0) {
                EventFilter flt = filter;
                if (flt != null && !flt.match(rec, 0, len, ctx)) {
                    discard = true;
                }
            }
            if (!discard && (f & PID_FILTER) != 0 && s.ignorePid(pid)) {
                discard = true;
            }
        }
        boolean written = false;
        if (!discard && on) {
            written = sink.write(cpu, rec, 0, len);
        }
        if (tt != 0) {
            postCall(tt, cpu);
        }
        return written;
    }

    @Override
    public String toString() {
        return "EventFile(" + type.qualifiedName() + ", " + readEnable().trim() + ")";
    }
}
