package io.ringtrace.protocol.event;

import java.util.Objects;

/**
 * One field of an event's payload, as the kernel's {@code ftrace_event_field} describes it and the
 * event's {@code format} file prints it: C type, name, byte offset in the payload, size and
 * signedness.
 *
 * <p>The type is kept in the kernel's own spelling, array part included: {@code "pid_t"},
 * {@code "char[16]"} (a fixed char array), {@code "unsigned long[16]"}, {@code "char[]"} (a
 * trailing flexible array), {@code "__data_loc char[]"} (a dynamic string whose 32-bit slot holds
 * {@code len << 16 | offset}). The {@code format} line puts the array part after the name, except
 * for {@code __data_loc} types, exactly like the kernel's {@code f_show}.
 *
 * <p>Immutable and thread-safe.
 */
public final class EventField {

    /** How the payload bytes of the field are laid out. */
    public enum Kind {
        /** An integer (or pointer, bool, enum) of size 1, 2, 4 or 8. */
        NUMBER,
        /** {@code char name[N]}: a fixed, NUL-padded string. */
        CHAR_ARRAY,
        /** {@code __data_loc char[] name}: a string stored after the fixed part. */
        DATA_LOC_STRING,
        /** {@code __data_loc T[] name}: an array of numbers stored after the fixed part. */
        DYNAMIC_ARRAY,
        /** {@code T name[N]} with T not char: a fixed array of numbers. */
        FIXED_ARRAY,
        /** {@code T name[]}: a trailing array of unknown length (size 0), as ftrace/print's buf. */
        FLEX_ARRAY
    }

    /**
     * The kernel's filter classification of a field (filter_assign_type plus the generic
     * {@code CPU}/{@code COMM} fields), which decides the operators a filter may use on it and how
     * {@code fields} output prints it.
     */
    public enum FilterType {
        OTHER, STATIC_STRING, DYN_STRING, COMM, CPU, STACKTRACE
    }

    private final String type;
    private final String name;
    private final int offset;
    private final int size;
    private final boolean signed;
    private final Kind kind;
    private final int elementSize;
    private final FilterType filterType;

    EventField(String type, String name, int offset, int size, boolean signed, Kind kind, int elementSize,
            FilterType filterType) {
        this.type = Objects.requireNonNull(type);
        this.name = Objects.requireNonNull(name);
        this.offset = offset;
        this.size = size;
        this.signed = signed;
        this.kind = Objects.requireNonNull(kind);
        this.elementSize = elementSize;
        this.filterType = filterType;
    }

    /** A payload field, classified from its type like the kernel's filter_assign_type. */
    static EventField of(String type, String name, int offset, int size, boolean signed, Kind kind,
            int elementSize) {
        return new EventField(type, name, offset, size, signed, kind, elementSize, assignFilterType(type));
    }

    static FilterType assignFilterType(String type) {
        if (type.contains("__data_loc") && type.contains("char")) {
            return FilterType.DYN_STRING;
        }
        if (type.indexOf('[') >= 0 && type.contains("char") && !type.contains("__data_loc")) {
            return FilterType.STATIC_STRING;
        }
        return FilterType.OTHER;
    }

    /** The C type in the kernel's spelling, array part included ({@code "char[16]"}). */
    public String type() {
        return type;
    }

    public String name() {
        return name;
    }

    /** Byte offset from the start of the payload (the common header is at 0..7). */
    public int offset() {
        return offset;
    }

    /** Size in bytes: 4 for a {@code __data_loc} slot, 0 for a flexible array. */
    public int size() {
        return size;
    }

    public boolean signed() {
        return signed;
    }

    public Kind kind() {
        return kind;
    }

    /** Size of one element for arrays (1 for char arrays); the field size for numbers. */
    public int elementSize() {
        return elementSize;
    }

    public FilterType filterType() {
        return filterType;
    }

    /** True for the fields a filter compares as strings. */
    public boolean isString() {
        return filterType == FilterType.STATIC_STRING || filterType == FilterType.DYN_STRING
                || filterType == FilterType.COMM;
    }

    /** Number of elements of a fixed array, 0 otherwise. */
    public int length() {
        return (kind == Kind.CHAR_ARRAY || kind == Kind.FIXED_ARRAY) && elementSize > 0 ? size / elementSize : 0;
    }

    /** The line of the {@code format} file, with its leading tab and trailing newline. */
    public String formatLine() {
        StringBuilder sb = new StringBuilder("\tfield:");
        int bracket = type.indexOf('[');
        if (type.startsWith("__data_loc") || bracket < 0) {
            sb.append(type).append(' ').append(name);
        } else {
            sb.append(type, 0, bracket).append(' ').append(name).append(type, bracket, type.length());
        }
        sb.append(";\toffset:").append(offset)
                .append(";\tsize:").append(size)
                .append(";\tsigned:").append(signed ? 1 : 0)
                .append(";\n");
        return sb.toString();
    }

    @Override
    public String toString() {
        return formatLine().trim();
    }
}
