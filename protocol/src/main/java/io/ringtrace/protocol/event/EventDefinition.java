package io.ringtrace.protocol.event;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Builder of an event type: typed fields laid out after the 8-byte common header with natural
 * alignment (like the C struct a TRACE_EVENT declares), and a generated {@code print fmt} in the
 * kernel's TRACE_EVENT style ({@code "a=%u b=%s", REC->a, __get_str(b)}).
 *
 * <pre>{@code
 * EventType gc = registry.define("jvm", "gc_pause")
 *         .u32("gen").u64("duration_ns").string("cause")
 *         .register();
 * }</pre>
 *
 * <p>Not thread-safe; {@link #register()} is.
 */
public final class EventDefinition {

    private static final Pattern IDENT = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private final EventRegistry registry;
    private final String system;
    private final String name;
    private final List<Spec> specs = new ArrayList<>();
    private final Set<String> names = new HashSet<>();
    private final List<String> fmtParts = new ArrayList<>();
    private final List<String> argParts = new ArrayList<>();
    private String printFmt;
    private EventType.Kind kind = EventType.Kind.TRACE_EVENT;

    private static final class Spec {
        final String type;
        final String name;
        final int size;
        final boolean signed;
        final EventField.Kind kind;
        final int elementSize;
        final int align;

        Spec(String type, String name, int size, boolean signed, EventField.Kind kind, int elementSize, int align) {
            this.type = type;
            this.name = name;
            this.size = size;
            this.signed = signed;
            this.kind = kind;
            this.elementSize = elementSize;
            this.align = align;
        }
    }

    EventDefinition(EventRegistry registry, String system, String name) {
        if (!IDENT.matcher(system).matches()) {
            throw new IllegalArgumentException("bad system name: " + system);
        }
        if (!IDENT.matcher(name).matches()) {
            throw new IllegalArgumentException("bad event name: " + name);
        }
        this.registry = registry;
        this.system = system;
        this.name = name;
    }

    // ---------------------------------------------------------------- application field types

    public EventDefinition u8(String field) {
        return number("u8", field, 1, false);
    }

    public EventDefinition s8(String field) {
        return number("s8", field, 1, true);
    }

    public EventDefinition u16(String field) {
        return number("u16", field, 2, false);
    }

    public EventDefinition s16(String field) {
        return number("s16", field, 2, true);
    }

    public EventDefinition u32(String field) {
        return number("u32", field, 4, false);
    }

    public EventDefinition s32(String field) {
        return number("s32", field, 4, true);
    }

    public EventDefinition u64(String field) {
        return number("u64", field, 8, false);
    }

    public EventDefinition s64(String field) {
        return number("s64", field, 8, true);
    }

    /** {@code char field[length]}: a fixed string, NUL padded (and cut to fit). */
    public EventDefinition chars(String field, int length) {
        if (length <= 0 || length > 4096) {
            throw new IllegalArgumentException("char array length " + length);
        }
        add(new Spec("char[" + length + "]", field, length, false, EventField.Kind.CHAR_ARRAY, 1, 1));
        fmt(field + "=%s", "REC->" + field);
        return this;
    }

    /** {@code __data_loc char[] field}: a string of any length stored after the fixed fields. */
    public EventDefinition string(String field) {
        add(new Spec("__data_loc char[]", field, 4, false, EventField.Kind.DATA_LOC_STRING, 1, 4));
        fmt(field + "=%s", "__get_str(" + field + ")");
        return this;
    }

    /**
     * {@code __data_loc T[] field}: an array of numbers stored after the fixed fields;
     * {@code elementType} is one of u8, s8, u16, s16, u32, s32, u64, s64.
     */
    public EventDefinition dynamicArray(String field, String elementType) {
        int es = elementSize(elementType);
        add(new Spec("__data_loc " + elementType + "[]", field, 4, false, EventField.Kind.DYNAMIC_ARRAY, es, 4));
        fmt(field + "=%s", "__print_array(__get_dynamic_array(" + field + "), __get_dynamic_array_len(" + field
                + ") / " + es + ", " + es + ")");
        return this;
    }

    /** Replaces the generated print format (the text after {@code print fmt: }). */
    public EventDefinition printFmt(String fmt) {
        this.printFmt = fmt;
        return this;
    }

    /** Registers the event and returns its type (with a fresh id). */
    public EventType register() {
        if (registry == null) {
            throw new IllegalStateException("no registry");
        }
        return registry.register(this);
    }

    // ---------------------------------------------------------------- built-in (kernel) spellings

    EventDefinition number(String cType, String field, int size, boolean signed) {
        if (size != 1 && size != 2 && size != 4 && size != 8) {
            throw new IllegalArgumentException("size " + size);
        }
        add(new Spec(cType, field, size, signed, EventField.Kind.NUMBER, size, size));
        String conv;
        if (size == 8) {
            conv = signed ? "%lld" : "%llu";
        } else {
            conv = signed ? "%d" : "%u";
        }
        fmt(field + "=" + conv, "REC->" + field);
        return this;
    }

    EventDefinition fixedArray(String elementCType, String field, int length, int elementSize, boolean signed) {
        add(new Spec(elementCType + "[" + length + "]", field, length * elementSize, signed,
                EventField.Kind.FIXED_ARRAY, elementSize, elementSize));
        fmt(field + "=%s", "__print_array(REC->" + field + ", " + length + ", " + elementSize + ")");
        return this;
    }

    EventDefinition flexArray(String elementCType, String field, int elementSize) {
        add(new Spec(elementCType + "[]", field, 0, false, EventField.Kind.FLEX_ARRAY, elementSize, elementSize));
        return this;
    }

    EventDefinition kind(EventType.Kind k) {
        this.kind = k;
        return this;
    }

    String system() {
        return system;
    }

    String name() {
        return name;
    }

    /** Lays the fields out and creates the type with this id. */
    EventType build(int id) {
        List<EventField> fields = new ArrayList<>();
        int off = EventType.HEADER_SIZE;
        int maxAlign = 4;
        for (Spec s : specs) {
            off = align(off, s.align);
            fields.add(EventField.of(s.type, s.name, off, s.size, s.signed, s.kind, s.elementSize));
            off += s.size;
            maxAlign = Math.max(maxAlign, s.align);
        }
        int structSize = align(off, maxAlign);
        String fmt = printFmt;
        if (fmt == null) {
            StringBuilder sb = new StringBuilder("\"").append(String.join(" ", fmtParts)).append('"');
            for (String a : argParts) {
                sb.append(", ").append(a);
            }
            fmt = sb.toString();
        }
        return new EventType(id, system, name, fields, fmt, structSize, kind);
    }

    private void add(Spec s) {
        if (!IDENT.matcher(s.name).matches()) {
            throw new IllegalArgumentException("bad field name: " + s.name);
        }
        if (s.name.startsWith("common_") || !names.add(s.name)) {
            throw new IllegalArgumentException("duplicate or reserved field name: " + s.name);
        }
        specs.add(s);
    }

    private void fmt(String part, String arg) {
        fmtParts.add(part);
        argParts.add(arg);
    }

    private static int align(int v, int a) {
        return (v + a - 1) / a * a;
    }

    private static int elementSize(String t) {
        switch (t) {
            case "u8":
            case "s8":
                return 1;
            case "u16":
            case "s16":
                return 2;
            case "u32":
            case "s32":
                return 4;
            case "u64":
            case "s64":
                return 8;
            default:
                throw new IllegalArgumentException("element type " + t);
        }
    }
}
