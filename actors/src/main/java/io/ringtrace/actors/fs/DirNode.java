package io.ringtrace.actors.fs;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A directory of an instance's tree. Its children are either fixed at creation or produced on
 * lookup by a supplier (like eventfs, whose event directories follow the event registry).
 */
public final class DirNode {
    private final String name;
    private final int mode;
    private final Map<String, Object> fixed = new LinkedHashMap<>();
    private final Supplier<Map<String, Object>> dynamic;

    public DirNode(String name, int mode) {
        this(name, mode, null);
    }

    public DirNode(String name, int mode, Supplier<Map<String, Object>> dynamic) {
        this.name = name;
        this.mode = mode;
        this.dynamic = dynamic;
    }

    public String name() {
        return name;
    }

    public int mode() {
        return mode;
    }

    public DirNode add(FileNode f) {
        fixed.put(f.name(), f);
        return this;
    }

    public DirNode add(DirNode d) {
        fixed.put(d.name(), d);
        return this;
    }

    /** Child by name: a FileNode, a DirNode, or null. */
    public Object child(String childName) {
        Object c = fixed.get(childName);
        if (c == null && dynamic != null) {
            c = dynamic.get().get(childName);
        }
        return c;
    }

    /** Every child, sorted by name (as ls shows them). */
    public List<Stat> list() {
        Map<String, Object> all = new LinkedHashMap<>(fixed);
        if (dynamic != null) {
            all.putAll(dynamic.get());
        }
        List<Stat> out = new ArrayList<>();
        for (Object o : all.values()) {
            out.add(statOf(o));
        }
        out.sort((a, b) -> a.name().compareTo(b.name()));
        return Collections.unmodifiableList(out);
    }

    public Stat stat() {
        return new Stat(name, true, mode);
    }

    public static Stat statOf(Object node) {
        return node instanceof DirNode ? ((DirNode) node).stat() : ((FileNode) node).stat();
    }

    /** Walks a relative path ("per_cpu/cpu0/stats"); null when a component is missing. */
    public Object resolve(String relPath) {
        if (relPath.isEmpty()) {
            return this;
        }
        Object cur = this;
        for (String part : relPath.split("/")) {
            if (part.isEmpty()) {
                continue;
            }
            if (!(cur instanceof DirNode)) {
                return null;
            }
            cur = ((DirNode) cur).child(part);
            if (cur == null) {
                return null;
            }
        }
        return cur;
    }
}
