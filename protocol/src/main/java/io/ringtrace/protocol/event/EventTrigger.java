package io.ringtrace.protocol.event;

/**
 * One trigger of an event file (the kernel's event_trigger_data): a command, an optional count
 * ({@code :N}), an optional filter ({@code if ...}) and, for {@code enable_event} and
 * {@code disable_event}, the target event file.
 *
 * <p>Immutable except the count, which producer threads decrement (racily, as the kernel does).
 */
final class EventTrigger {

    // trigger types (enum event_trigger_type); traceon and traceoff share one
    static final int ETT_TRACE_ONOFF = 1;
    static final int ETT_SNAPSHOT = 2;
    static final int ETT_STACKTRACE = 4;
    static final int ETT_EVENT_ENABLE = 8;

    /** The trigger commands, in registration order (the order "# Available triggers:" lists). */
    enum Command {
        TRACEON("traceon", ETT_TRACE_ONOFF, false),
        TRACEOFF("traceoff", ETT_TRACE_ONOFF, true),
        STACKTRACE("stacktrace", ETT_STACKTRACE, true),
        ENABLE_EVENT("enable_event", ETT_EVENT_ENABLE, false),
        DISABLE_EVENT("disable_event", ETT_EVENT_ENABLE, false);

        final String text;
        final int type;
        /** EVENT_CMD_FL_POST_TRIGGER: runs after the event is committed. */
        final boolean post;

        Command(String text, int type, boolean post) {
            this.text = text;
            this.type = type;
            this.post = post;
        }

        static Command byName(String name) {
            for (Command c : values()) {
                if (c.text.equals(name)) {
                    return c;
                }
            }
            return null;
        }
    }

    /** The read-back of a trigger file without triggers. */
    static final String AVAILABLE = "# Available triggers:\n# traceon traceoff stacktrace enable_event disable_event\n";

    final Command cmd;
    /** True when a count was given (the *_count trigger ops). */
    final boolean counted;
    /** Remaining count; -1 is unlimited. */
    volatile long count;
    final EventFilter filter;
    /** The filter text as printed after " if ", or null. */
    final String filterText;
    /** enable_event/disable_event: the event to switch. */
    final EventFile target;

    EventTrigger(Command cmd, boolean counted, long count, EventFilter filter, String filterText, EventFile target) {
        this.cmd = cmd;
        this.counted = counted;
        this.count = count;
        this.filter = filter;
        this.filterText = filterText;
        this.target = target;
    }

    /** The trigger's action (data->ops->trigger). */
    void fire(EventFile owner, int cpu) {
        TriggerActions a = owner.owner().actions();
        switch (cmd) {
            case TRACEON:
                if (a.tracingIsOn()) {
                    return;
                }
                if (counted && !takeCount()) {
                    return;
                }
                a.traceOn();
                break;
            case TRACEOFF:
                if (!a.tracingIsOn()) {
                    return;
                }
                if (counted && !takeCount()) {
                    return;
                }
                a.traceOff();
                break;
            case STACKTRACE:
                if (counted && !takeCount()) {
                    return;
                }
                a.stackTrace(owner, cpu);
                break;
            case ENABLE_EVENT:
            case DISABLE_EVENT: {
                boolean enable = cmd == Command.ENABLE_EVENT;
                if (counted) {
                    if (count == 0) {
                        return;
                    }
                    // skip if the event is already in the state we want
                    if (enable == !target.isSoftDisabled()) {
                        return;
                    }
                    long c = count;
                    if (c != -1) {
                        count = c - 1;
                    }
                }
                target.setSoftDisabled(!enable);
                break;
            }
            default:
                break;
        }
    }

    private boolean takeCount() {
        long c = count;
        if (c == 0) {
            return false;
        }
        if (c != -1) {
            count = c - 1;
        }
        return true;
    }

    /** The line this trigger prints in the trigger file. */
    String print() {
        StringBuilder sb = new StringBuilder(cmd.text);
        if (target != null) {
            sb.append(':').append(target.type().system()).append(':').append(target.type().name());
        }
        long c = count;
        if (c == -1) {
            sb.append(":unlimited");
        } else {
            sb.append(":count=").append(c);
        }
        if (filterText != null) {
            sb.append(" if ").append(filterText);
        }
        return sb.append('\n').toString();
    }
}
