package io.ringtrace.protocol.event;

import io.ringtrace.protocol.CborSerializable;
import java.util.ArrayList;
import java.util.List;

/**
 * The whole description of one event type as its {@code format} file gives it: id, system, name,
 * field layout and {@code print fmt}; what a reader of recorded payloads needs to decode and print
 * them, and what trace-cmd keeps of each event in a trace.dat. Persistent instances save the
 * specs of the application events next to their data (their ids are given out per run), so that
 * the next run decodes the data with the events of the run that recorded it
 * ({@link EventRegistry#withSaved}).
 *
 * @param id         the event id ({@code common_type})
 * @param system     the system (directory under {@code events/})
 * @param name       the event name
 * @param fields     the event's own fields, common header excluded, in declaration order
 * @param printFmt   the text after {@code print fmt: }
 * @param structSize size of the fixed part of the payload, common header included
 * @param kind       what the kernel makes of the event
 */
public record EventSpec(int id, String system, String name, List<Field> fields, String printFmt, int structSize,
                        EventType.Kind kind) implements CborSerializable {

    /**
     * One field as the {@code format} file describes it, plus how its bytes are laid out.
     *
     * @param type        the C type in the kernel's spelling, array part included
     * @param name        the field name
     * @param offset      byte offset from the start of the payload
     * @param size        size in bytes
     * @param signed      signedness
     * @param kind        layout of the field's bytes
     * @param elementSize size of one element for arrays, the field size for numbers
     */
    public record Field(String type, String name, int offset, int size, boolean signed, EventField.Kind kind,
                        int elementSize) implements CborSerializable {
    }

    /** The spec of a registered event type. */
    public static EventSpec of(EventType t) {
        List<Field> fields = new ArrayList<>(t.fields().size());
        for (EventField f : t.fields()) {
            fields.add(new Field(f.type(), f.name(), f.offset(), f.size(), f.signed(), f.kind(), f.elementSize()));
        }
        return new EventSpec(t.id(), t.system(), t.name(), List.copyOf(fields), t.printFmt(), t.structSize(),
                t.kind());
    }

    /** The event type this spec describes (not registered anywhere). */
    EventType toType() {
        List<EventField> out = new ArrayList<>(fields.size());
        for (Field f : fields) {
            out.add(EventField.of(f.type(), f.name(), f.offset(), f.size(), f.signed(), f.kind(), f.elementSize()));
        }
        return new EventType(id, system, name, out, printFmt, structSize, kind == null ? EventType.Kind.TRACE_EVENT : kind);
    }
}
