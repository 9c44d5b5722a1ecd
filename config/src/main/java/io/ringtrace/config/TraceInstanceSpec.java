package io.ringtrace.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One {@code trace_instance=} entry, split by the kernel's grammar but not yet checked against the
 * rest of the command line (that is {@link BootPlan}'s job):
 *
 * <pre>
 * entry    := spec ( "," event )*
 * spec     := namepart [ "=" source ]       split at the first '=' of the first comma token
 * namepart := NAME, then "^flag^flag..." and "@where" in either order
 * where    := ADDR ":" SIZE                 when the first character after '@' is a digit
 *           | LABEL                         otherwise (a reserve_mem label)
 * </pre>
 *
 * The name ends at the first {@code ^} or {@code @}. The flag list runs from the first {@code ^}
 * to the {@code @} if that comes later, else to the end; the where part runs from the first
 * {@code @} to the first {@code ^} if that comes later, else to the end ({@code a^x@l^y} has
 * flag {@code x} and label {@code l^y}, as in the kernel). Events are kept as given, empty ones
 * dropped (the kernel skips them); they are checked against known events later.
 *
 * @param entry the entry as it stood on the command line (one TAB-separated piece)
 * @param name the instance name; may still be unusable (empty, {@code /}...), see BootPlan
 * @param traceoff the {@code ^traceoff} flag: the instance starts with recording off
 * @param traceprintk {@code ^printk}, {@code ^traceprintk} or {@code ^trace_printk}: the instance
 *     becomes the trace_printk destination
 * @param label the reserve_mem label after {@code @}, possibly empty
 * @param address the {@code @ADDR:SIZE} range when it parsed
 * @param addressError the kernel's message when {@code @ADDR:SIZE} did not parse; the entry is
 *     then skipped
 * @param source the instance to back up, after {@code =}, possibly empty
 * @param events the event selectors after the first comma, as given, none empty
 * @param notes non-fatal messages (unknown flags, trailing characters after a size), in the
 *     order the kernel prints them
 */
public record TraceInstanceSpec(
        String entry,
        String name,
        boolean traceoff,
        boolean traceprintk,
        Optional<String> label,
        Optional<MemoryRange> address,
        Optional<BootLogLine> addressError,
        Optional<String> source,
        List<String> events,
        List<BootLogLine> notes) {

    public TraceInstanceSpec {
        Objects.requireNonNull(entry, "entry");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(addressError, "addressError");
        Objects.requireNonNull(source, "source");
        events = List.copyOf(events);
        notes = List.copyOf(notes);
    }

    /** True when the entry names a place ({@code @LABEL} or {@code @ADDR:SIZE}). */
    public boolean mapped() {
        return label.isPresent() || address.isPresent() || addressError.isPresent();
    }

    /** Splits one entry. Never throws; problems are returned as log lines. */
    public static TraceInstanceSpec parse(String entry) {
        int comma = entry.indexOf(',');
        String first = comma < 0 ? entry : entry.substring(0, comma);
        List<String> events = new ArrayList<>();
        if (comma >= 0) {
            for (String ev : entry.substring(comma + 1).split(",", -1)) {
                if (!ev.isEmpty()) {
                    events.add(ev);
                }
            }
        }

        int eq = first.indexOf('=');
        String namePart = eq < 0 ? first : first.substring(0, eq);
        Optional<String> source = eq < 0 ? Optional.empty() : Optional.of(first.substring(eq + 1));

        int caret = namePart.indexOf('^');
        int at = namePart.indexOf('@');
        int nameEnd = namePart.length();
        if (caret >= 0) {
            nameEnd = Math.min(nameEnd, caret);
        }
        if (at >= 0) {
            nameEnd = Math.min(nameEnd, at);
        }
        String name = namePart.substring(0, nameEnd);

        boolean traceoff = false;
        boolean traceprintk = false;
        List<BootLogLine> notes = new ArrayList<>();
        if (caret >= 0) {
            int end = at > caret ? at : namePart.length();
            for (String flag : namePart.substring(caret + 1, end).split("\\^", -1)) {
                switch (flag) {
                    case "traceoff":
                        traceoff = true;
                        break;
                    case "printk":
                    case "traceprintk":
                    case "trace_printk":
                        traceprintk = true;
                        break;
                    default:
                        notes.add(BootLogLine.info("Tracing: Invalid instance flag '%s' for %s",
                                flag, name));
                }
            }
        }

        Optional<String> label = Optional.empty();
        Optional<MemoryRange> address = Optional.empty();
        Optional<BootLogLine> addressError = Optional.empty();
        if (at >= 0) {
            String where = namePart.substring(at + 1, caret > at ? caret : namePart.length());
            if (!where.isEmpty() && where.charAt(0) >= '0' && where.charAt(0) <= '9') {
                MemParse.Parsed start = MemParse.parse(where, 0);
                if (start.overflow() || start.value() == 0) {
                    addressError = Optional.of(BootLogLine.warn(
                            "Tracing: Invalid boot instance address for %s", name));
                } else if (start.end() >= where.length() || where.charAt(start.end()) != ':') {
                    addressError = Optional.of(BootLogLine.warn(
                            "Tracing: No size specified for instance %s", name));
                } else {
                    MemParse.Parsed size = MemParse.parse(where, start.end() + 1);
                    if (size.overflow() || size.value() == 0) {
                        addressError = Optional.of(BootLogLine.warn(
                                "Tracing: Invalid boot instance size for %s", name));
                    } else {
                        if (size.end() < where.length()) {
                            notes.add(BootLogLine.warn(
                                    "Tracing: ignoring '%s' after the boot instance size for %s",
                                    where.substring(size.end()), name));
                        }
                        address = Optional.of(new MemoryRange(start.value(), size.value()));
                    }
                }
            } else {
                label = Optional.of(where);
            }
        }
        return new TraceInstanceSpec(entry, name, traceoff, traceprintk, label, address,
                addressError, source, events, notes);
    }
}
