package io.ringtrace.protocol.event;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * An event type: the kernel's {@code trace_event_call} with its id (the payload's
 * {@code common_type}), system, name, field layout, {@code print fmt} and the exact text of its
 * {@code format} file.
 *
 * <p>The hot path reads {@link #enabledFiles()}: the per-instance {@link EventFile}s in which this
 * event is registered (enabled, soft-disabled or carrying triggers). It is a volatile array that
 * the control plane replaces copy-on-write; an event no instance wants costs one volatile read of
 * an empty array. Everything else is immutable.
 */
public final class EventType {

    /** What the kernel makes of the event: a TRACE_EVENT, or one of ftrace's own entry types. */
    public enum Kind {
        /** A TRACE_EVENT (or an application event): enable, filter, format, id, trigger. */
        TRACE_EVENT,
        /** ftrace/print, written by trace_marker: format, id and trigger, never enabled. */
        FTRACE_PRINT,
        /** ftrace/raw_data, written by trace_marker_raw: format only. */
        FTRACE_RAW_DATA
    }

    /** The 8-byte common header every payload starts with (struct trace_entry). */
    public static final List<EventField> COMMON_FIELDS = List.of(
            EventField.of("unsigned short", "common_type", 0, 2, false, EventField.Kind.NUMBER, 2),
            EventField.of("unsigned char", "common_flags", 2, 1, false, EventField.Kind.NUMBER, 1),
            EventField.of("unsigned char", "common_preempt_count", 3, 1, false, EventField.Kind.NUMBER, 1),
            EventField.of("int", "common_pid", 4, 4, true, EventField.Kind.NUMBER, 4));

    /** Size of the common header. */
    public static final int HEADER_SIZE = 8;

    private static final EventFile[] NONE = new EventFile[0];

    private final int id;
    private final String system;
    private final String name;
    private final List<EventField> fields;
    private final String printFmt;
    private final int structSize;
    private final Kind kind;
    private final String format;
    private final int dynamicFields;
    /** (offset << 8 | size) of each field when all are numbers, else null (see numberLayout). */
    private final int[] numberLayout;
    /** For n = 0 .. fields: offsets of the 4-byte words the first n fields leave (partly) unwritten. */
    private final int[][] zeroWords;
    private volatile EventFile[] enabledFiles = NONE;

    EventType(int id, String system, String name, List<EventField> fields, String printFmt, int structSize,
            Kind kind) {
        this.id = id;
        this.system = Objects.requireNonNull(system);
        this.name = Objects.requireNonNull(name);
        this.fields = Collections.unmodifiableList(new ArrayList<>(fields));
        this.printFmt = Objects.requireNonNull(printFmt);
        this.structSize = structSize;
        this.kind = kind;
        int dyn = 0;
        for (EventField f : fields) {
            if (f.kind() == EventField.Kind.DATA_LOC_STRING || f.kind() == EventField.Kind.DYNAMIC_ARRAY) {
                dyn++;
            }
        }
        this.dynamicFields = dyn;
        int[] layout = new int[fields.size()];
        for (int i = 0; i < layout.length; i++) {
            EventField f = fields.get(i);
            if (f.kind() != EventField.Kind.NUMBER) {
                layout = null;
                break;
            }
            layout[i] = f.offset() << 8 | f.size();
        }
        this.numberLayout = layout;
        this.zeroWords = layout == null ? null : zeroWords(layout, structSize);
        this.format = buildFormat();
    }

    private String buildFormat() {
        StringBuilder sb = new StringBuilder();
        sb.append("name: ").append(name).append('\n');
        sb.append("ID: ").append(id).append('\n');
        sb.append("format:\n");
        for (EventField f : COMMON_FIELDS) {
            sb.append(f.formatLine());
        }
        sb.append('\n');
        for (EventField f : fields) {
            sb.append(f.formatLine());
        }
        sb.append('\n');
        sb.append("print fmt: ").append(printFmt).append('\n');
        return sb.toString();
    }

    /** The event id: the payload's {@code common_type}, and the {@code id} file's number. */
    public int id() {
        return id;
    }

    public String system() {
        return system;
    }

    public String name() {
        return name;
    }

    /** {@code system:name}, as {@code set_event} prints it (ftrace events print their name only). */
    public String qualifiedName() {
        return system + ":" + name;
    }

    /** The event's own fields in declaration order (the common header excluded). */
    public List<EventField> fields() {
        return fields;
    }

    /** The field with this name, common fields included, or null. */
    public EventField field(String fieldName) {
        for (EventField f : fields) {
            if (f.name().equals(fieldName)) {
                return f;
            }
        }
        for (EventField f : COMMON_FIELDS) {
            if (f.name().equals(fieldName)) {
                return f;
            }
        }
        return null;
    }

    /** The text after {@code print fmt: } in the format file. */
    public String printFmt() {
        return printFmt;
    }

    /**
     * Size of the fixed part of the payload (common header included), padded like the C struct;
     * dynamic ({@code __data_loc}) data starts here.
     */
    public int structSize() {
        return structSize;
    }

    public Kind kind() {
        return kind;
    }

    /**
     * When every field is a number: {@code offset << 8 | size} of each, in order (what the
     * recorder's in-place path writes); null when the event has string or array fields.
     */
    int[] numberLayout() {
        return numberLayout;
    }

    private static int[][] zeroWords(int[] layout, int structSize) {
        int[][] out = new int[layout.length + 1][];
        for (int n = 0; n <= layout.length; n++) {
            int[] words = new int[(structSize - HEADER_SIZE) / 4];
            int k = 0;
            for (int w = HEADER_SIZE; w + 4 <= structSize; w += 4) {
                boolean covered = false;
                for (int i = 0; i < n && !covered; i++) {
                    int o = layout[i] >>> 8;
                    int size = layout[i] & 0xff;
                    covered = o <= w && w + 4 <= o + size;
                }
                if (!covered) {
                    words[k++] = w;
                }
            }
            out[n] = java.util.Arrays.copyOf(words, k);
        }
        return out;
    }

    /**
     * The offsets of the 4-byte words after the common header that the first {@code n} fields of
     * {@link #numberLayout()} do not cover whole: the recorder zeroes them before writing the
     * fields, so padding and fields not given are zero.
     */
    int[] zeroWords(int n) {
        return zeroWords[n];
    }

    /** Number of {@code __data_loc} fields. */
    public int dynamicFieldCount() {
        return dynamicFields;
    }

    /** True for ftrace's own entry types (print, raw_data): never enabled, not in set_event. */
    public boolean isFtraceInternal() {
        return kind != Kind.TRACE_EVENT;
    }

    /** True when the event can be enabled (it has {@code enable} and {@code filter} files). */
    public boolean canEnable() {
        return kind == Kind.TRACE_EVENT;
    }

    /** The exact text of {@code events/<system>/<name>/format}. */
    public String format() {
        return format;
    }

    /** The text of the {@code id} file. */
    public String idText() {
        return id + "\n";
    }

    /**
     * The files of {@code events/<system>/<name>/}, sorted by name: {@code enable filter format id
     * trigger} for trace events, {@code format id trigger} for ftrace/print, {@code format} for
     * ftrace/raw_data (as a 6.18 kernel shows them).
     */
    public List<String> directoryFiles() {
        switch (kind) {
            case FTRACE_PRINT:
                return List.of("format", "id", "trigger");
            case FTRACE_RAW_DATA:
                return List.of("format");
            default:
                return List.of("enable", "filter", "format", "id", "trigger");
        }
    }

    /** True when the event's directory has {@code file}. */
    public boolean hasFile(String file) {
        return directoryFiles().contains(file);
    }

    // ---------------------------------------------------------------- hot path registration

    /** The instance files that want this event; empty when no instance does. Any thread. */
    public EventFile[] enabledFiles() {
        return enabledFiles;
    }

    /** True when at least one instance has the event registered (enabled, soft mode or triggers). */
    public boolean isEnabled() {
        return enabledFiles.length != 0;
    }

    synchronized void attach(EventFile file) {
        EventFile[] cur = enabledFiles;
        for (EventFile f : cur) {
            if (f == file) {
                return;
            }
        }
        EventFile[] next = new EventFile[cur.length + 1];
        System.arraycopy(cur, 0, next, 0, cur.length);
        next[cur.length] = file;
        enabledFiles = next;
    }

    synchronized void detach(EventFile file) {
        EventFile[] cur = enabledFiles;
        int idx = -1;
        for (int i = 0; i < cur.length; i++) {
            if (cur[i] == file) {
                idx = i;
                break;
            }
        }
        if (idx < 0) {
            return;
        }
        if (cur.length == 1) {
            enabledFiles = NONE;
            return;
        }
        EventFile[] next = new EventFile[cur.length - 1];
        System.arraycopy(cur, 0, next, 0, idx);
        System.arraycopy(cur, idx + 1, next, idx, cur.length - idx - 1);
        enabledFiles = next;
    }

    /**
     * Publishes {@link #enabledFiles()} again, same files in a new array, when {@code file} is one
     * of them: the instance changed how it takes the event (a filter, trigger, pid list or
     * soft-disable came or went), and writers that cached the event's route
     * ({@link EventWriter}) see a new array and look again.
     */
    synchronized void reroute(EventFile file) {
        EventFile[] cur = enabledFiles;
        for (EventFile f : cur) {
            if (f == file) {
                enabledFiles = cur.clone();
                return;
            }
        }
    }

    @Override
    public String toString() {
        return qualifiedName() + "(" + id + ")";
    }
}
