package io.ringtrace.config;

import java.util.Objects;
import java.util.Optional;

/**
 * One event selector in the grammar of {@code set_event}, {@code trace_event=} and the event list
 * of {@code trace_instance=} (kernel {@code ftrace_set_clr_event}):
 *
 * <pre>
 * sys:event        that event of that system
 * sys:  sys:*      every event of the system
 * :event  *:event  that event in any system
 * :  *:*           every event
 * name             any event named name, and every event of a system named name
 * ...:mod:MODULE   limited to a module (the part after ":mod:" is cut off first)
 * </pre>
 *
 * There is no other globbing: {@code *} alone, or {@code sched_*}, matches nothing, as in the
 * kernel. A leading {@code !} is not part of this grammar (it is set_event's "disable" marker), so
 * {@code !sched} is a name that matches nothing.
 *
 * @param text the selector as given
 * @param system the system when the selector has a colon; empty means any
 * @param event the event when the selector has a colon; empty means any
 * @param name the selector without a colon: matches an event name or a system name
 * @param module the module after {@code :mod:}
 */
public record EventSelector(
        String text,
        Optional<String> system,
        Optional<String> event,
        Optional<String> name,
        Optional<String> module) {

    public EventSelector {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(system, "system");
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(module, "module");
    }

    /** Splits a selector; every string is a selector (it may match nothing). */
    public static EventSelector parse(String text) {
        String rest = text;
        Optional<String> module = Optional.empty();
        int mod = rest.indexOf(":mod:");
        if (mod >= 0) {
            module = Optional.of(rest.substring(mod + 5));
            rest = rest.substring(0, mod);
        }
        int colon = rest.indexOf(':');
        if (colon < 0) {
            return new EventSelector(text, Optional.empty(), Optional.empty(),
                    rest.isEmpty() ? Optional.empty() : Optional.of(rest), module);
        }
        return new EventSelector(text, any(rest.substring(0, colon)),
                any(rest.substring(colon + 1)), Optional.empty(), module);
    }

    private static Optional<String> any(String part) {
        return part.isEmpty() || part.equals("*") ? Optional.empty() : Optional.of(part);
    }

    /** True for the colon forms ({@code sys:event} and its wildcards), false for a bare name. */
    public boolean qualified() {
        int mod = text.indexOf(":mod:");
        return (mod < 0 ? text : text.substring(0, mod)).indexOf(':') >= 0;
    }

    /**
     * True when the event {@code system:eventName} is selected (the module part is not checked:
     * the caller knows which module an event comes from).
     */
    public boolean matches(String eventSystem, String eventName) {
        if (name.isPresent()) {
            return name.get().equals(eventName) || name.get().equals(eventSystem);
        }
        if (!qualified()) {
            // nothing before ":mod:" selects every event of the module; "" selects nothing
            return module.isPresent();
        }
        return system.map(eventSystem::equals).orElse(true)
                && event.map(eventName::equals).orElse(true);
    }
}
