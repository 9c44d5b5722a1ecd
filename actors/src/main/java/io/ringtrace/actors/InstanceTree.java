package io.ringtrace.actors;

import io.ringtrace.actors.fs.Caller;
import io.ringtrace.actors.fs.DirNode;
import io.ringtrace.actors.fs.FileNode;
import io.ringtrace.actors.fs.KernelParse;
import io.ringtrace.actors.fs.OpenFile;
import io.ringtrace.actors.fs.OpenFlags;
import io.ringtrace.actors.fs.TextFile;
import io.ringtrace.protocol.Errno;
import io.ringtrace.protocol.ErrnoException;
import io.ringtrace.protocol.TraceClock;
import io.ringtrace.protocol.ring.RingBuffer;

import io.ringtrace.protocol.event.EventHeaders;
import io.ringtrace.protocol.event.EventSet;
import io.ringtrace.protocol.event.EventType;
import io.ringtrace.protocol.ring.RingSnapshot;
import io.ringtrace.protocol.text.TraceFile;
import io.ringtrace.protocol.text.TraceOption;
import io.ringtrace.protocol.text.TraceOptions;
import io.ringtrace.protocol.text.TracePipeReader;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The tracefs tree of one instance (init_tracer_tracefs, tracing_init_tracefs_percpu,
 * event_trace_add_tracer): every file with its mode, its reference behaviour and its kernel
 * semantics. A read-only backup instance gets the reduced tree of the 2026 series, and its
 * read-only state is checked in one place, {@link #refusesWrite}.
 */
final class InstanceTree {
    private static final int W = FileNode.MODE_WRITE;
    private static final int R = FileNode.MODE_READ;

    private final TraceArray tr;
    private final InstanceView view;
    private final DirNode root;
    /** Files a read-only instance keeps with mode 0440 and answers EPERM on write. */
    private final Set<FileNode> readOnlyKept = new HashSet<>();
    private FileNode traceFile;

    InstanceTree(TraceArray tr, InstanceView view) {
        this.tr = tr;
        this.view = view;
        this.root = new DirNode(tr.name(), TraceSystem.DIR_MODE);
        build();
    }

    DirNode root() {
        return root;
    }

    /**
     * The read-only check of a backup instance, in one place: every write to a file it keeps but
     * made read-only is EPERM (the v4 series' choice). {@code trace} (only erasing with O_TRUNC
     * does anything) and {@code trace_options} (it changes only how output is printed) stay
     * writable.
     */
    boolean refusesWrite(FileNode node) {
        return tr.isReadOnly() && readOnlyKept.contains(node);
    }

    private int mode(int writableMode) {
        return tr.isReadOnly() ? R : writableMode;
    }

    private <T extends FileNode> T kept(T node) {
        if (tr.isReadOnly()) {
            readOnlyKept.add(node);
        }
        return node;
    }

    private void build() {
        boolean ro = tr.isReadOnly();
        root.add(text("available_tracers", R, f -> "nop\n"));
        if (!ro) {
            root.add(new NumberFile("buffer_percent", W) {
                @Override
                String value() {
                    return Integer.toString(tr.bufferPercent());
                }

                @Override
                void set(long v) throws ErrnoException {
                    tr.setBufferPercent(v);
                }
            });
        }
        root.add(kept(new NumberFile("buffer_size_kb", mode(W)) {
            @Override
            String value() {
                String s = tr.sizeKbText();
                return s.substring(0, s.length() - 1);
            }

            @Override
            void set(long v) throws ErrnoException {
                tr.resize(v, -1);
            }
        }));
        root.add(kept(new NumberFile("buffer_subbuf_size_kb", mode(W)) {
            @Override
            String value() {
                return Integer.toString(tr.subbufSize() / 1024);
            }

            @Override
            void set(long v) throws ErrnoException {
                tr.setSubbufKb(v);
            }
        }));
        root.add(text("buffer_total_size_kb", R, f -> tr.totalSizeKb() + "\n"));
        root.add(kept(new TextFile("current_tracer", mode(W), true) {
            @Override
            protected String content(OpenFile f) {
                return tr.tracer() + "\n";
            }

            @Override
            public int write(OpenFile f, byte[] data, Caller c) throws ErrnoException {
                tr.setTracer(KernelParse.stripped(data, 100));
                return data.length;
            }
        }));
        if (!ro) {
            root.add(new FileNode("free_buffer", FileNode.MODE_FREE_BUFFER, true) {
                @Override
                public int write(OpenFile f, byte[] data, Caller c) {
                    return data.length;
                }

                @Override
                public void release(OpenFile f) {
                    if (view.options().isSet(TraceOption.DISABLE_ON_FREE)) {
                        tr.setTracingOn(false);
                    }
                    tr.freeBuffer();
                }
            });
        }
        root.add(text("timestamp_mode", R, f -> "[delta] absolute\n"));
        traceFile = new TraceNode(-1);
        root.add(traceFile);
        root.add(kept(new TextFile("trace_clock", mode(W), true) {
            @Override
            protected String content(OpenFile f) {
                return TraceClock.listing(tr.clock());
            }

            @Override
            public int write(OpenFile f, byte[] data, Caller c) throws ErrnoException {
                if (data.length >= 64) {
                    throw new ErrnoException(Errno.EINVAL);
                }
                TraceClock clock = TraceClock.byName(KernelParse.stripped(data, 64));
                if (clock == null) {
                    throw new ErrnoException(Errno.EINVAL);
                }
                tr.setClock(clock);
                return data.length;
            }
        }));
        root.add(new TracePipe(-1));
        root.add(kept(new TextFile("tracing_cpumask", mode(W), true) {
            @Override
            protected String content(OpenFile f) {
                return KernelParse.cpumaskText(tr.cpumask(), tr.cpus()) + "\n";
            }

            @Override
            public byte[] read(OpenFile f, int count) throws ErrnoException {
                String s = content(f);
                if (f.pending == null && count <= s.length()) {
                    throw new ErrnoException(Errno.EINVAL);
                }
                return super.read(f, count);
            }

            @Override
            public int write(OpenFile f, byte[] data, Caller c) throws ErrnoException {
                tr.setCpumask(KernelParse.cpumask(data, tr.cpus()));
                return data.length;
            }
        }));
        root.add(kept(new NumberFile("tracing_on", mode(W)) {
            @Override
            String value() {
                return tr.buffer().tracingOn() ? "1" : "0";
            }

            @Override
            void set(long v) {
                tr.setTracingOn(v != 0);
            }
        }));
        if (tr.isRange()) {
            root.add(text("last_boot_info", R, f -> tr.lastBootInfo()));
        }
        DirNode perCpu = new DirNode("per_cpu", TraceSystem.DIR_MODE);
        for (int cpu = 0; cpu < tr.cpus(); cpu++) {
            perCpu.add(cpuDir(cpu));
        }
        root.add(perCpu);
        addControlFiles();
        addOptionsDir();
        if (tr.has(InstanceFlags.GLOBAL)) {
            addTopLevelOnlyFiles();
        }
        root.add(eventsDir());
    }

    private DirNode cpuDir(int cpu) {
        DirNode d = new DirNode("cpu" + cpu, TraceSystem.DIR_MODE);
        RingBuffer ring = tr.buffer().cpu(cpu);
        d.add(kept(new NumberFile("buffer_size_kb", mode(W)) {
            @Override
            String value() {
                return Long.toString(tr.sizeKb(cpu));
            }

            @Override
            void set(long v) throws ErrnoException {
                tr.resize(v, cpu);
            }
        }));
        d.add(text("stats", R, f -> ring.stats()));
        d.add(new TraceNode(cpu));
        d.add(new TracePipe(cpu));
        d.add(new TracePipeRaw(cpu));
        if (tr.isRange()) {
            d.add(text("buffer_meta", R, f -> bufferMeta(ring)));
        }
        return d;
    }

    private static String bufferMeta(RingBuffer ring) {
        StringBuilder sb = new StringBuilder();
        sb.append("head_buffer:   ").append(0).append('\n');
        sb.append("commit_buffer: ").append(0).append('\n');
        sb.append("subbuf_size:   ").append(ring.subbufSize()).append('\n');
        sb.append("nr_subbufs:    ").append(ring.nrPages() + 1).append('\n');
        return sb.toString();
    }

    /** Text written to a control file, one char per byte as the kernel sees it. */
    static String latin1(byte[] data) {
        return new String(data, StandardCharsets.ISO_8859_1);
    }

    private void addControlFiles() {
        boolean ro = tr.isReadOnly();
        EventSet ev = view.events();
        root.add(new TextFile("trace_options", W, true) {
            @Override
            protected String content(OpenFile f) {
                return view.options().listing(tr.tracer());
            }

            @Override
            public int write(OpenFile f, byte[] data, Caller c) throws ErrnoException {
                applyOption(view.options().write(latin1(data), tr.tracer()));
                return data.length;
            }
        });
        if (ro) {
            return;
        }
        root.add(control("error_log", () -> view.errorLog().clear(), () -> view.errorLog().read(),
                data -> data.length));
        root.add(control("set_event", ev::truncateSetEvent, ev::readSetEvent,
                data -> ev.writeSetEvent(latin1(data))));
        root.add(control("set_event_pid", ev::truncateSetEventPid, ev::readSetEventPid,
                data -> ev.writeSetEventPid(latin1(data))));
        root.add(control("set_event_notrace_pid", ev::truncateSetEventNotracePid, ev::readSetEventNotracePid,
                data -> ev.writeSetEventNotracePid(latin1(data))));
        root.add(new FileNode("trace_marker", FileNode.MODE_MARKER, true) {
            @Override
            public int write(OpenFile f, byte[] data, Caller c) throws ErrnoException {
                return view.writeMarker(cpuOf(c), c.pid(), c.comm(), data, 0, data.length);
            }
        });
        root.add(new FileNode("trace_marker_raw", FileNode.MODE_MARKER, true) {
            @Override
            public int write(OpenFile f, byte[] data, Caller c) throws ErrnoException {
                return view.writeMarkerRaw(cpuOf(c), c.pid(), data, 0, data.length);
            }
        });
    }

    /** Files only the top level has: saved_cmdlines, saved_cmdlines_size, available_events. */
    private void addTopLevelOnlyFiles() {
        root.add(text("saved_cmdlines", R, f -> view.cmdlines().read()));
        root.add(new NumberFile("saved_cmdlines_size", W) {
            @Override
            String value() {
                return Integer.toString(view.cmdlines().size());
            }

            @Override
            void set(long v) throws ErrnoException {
                if (v == 0 || v > 32768) {
                    throw new ErrnoException(Errno.EINVAL);
                }
                view.cmdlines().resize((int) v);
            }
        });
        root.add(text("available_events", R, f -> {
            StringBuilder sb = new StringBuilder();
            for (EventType t : view.events().registry().events()) {
                if (t.canEnable()) {
                    sb.append(t.system()).append(':').append(t.name()).append('\n');
                }
            }
            return sb.toString();
        }));
    }

    interface Writer {
        int write(byte[] data) throws ErrnoException;
    }

    /**
     * A reference-holding control file whose O_TRUNC open clears something (error_log,
     * set_event, the pid lists), read as text and written through {@code writer}.
     */
    private static TextFile control(String name, Runnable truncate, java.util.function.Supplier<String> read,
                                    Writer writer) {
        return new TextFile(name, W, true) {
            @Override
            public void open(OpenFile f) {
                if (OpenFlags.truncate(f.flags())) {
                    truncate.run();
                }
            }

            @Override
            protected String content(OpenFile f) {
                return read.get();
            }

            @Override
            public int write(OpenFile f, byte[] data, Caller c) throws ErrnoException {
                return writer.write(data);
            }
        };
    }

    /**
     * The CPU a write by {@code c} is recorded on: the caller's own CPU when known (as the kernel
     * records on the writer's CPU), else one stable per process, like a task that stays put.
     */
    private int cpuOf(Caller c) {
        return Math.floorMod(c.cpu() >= 0 ? c.cpu() : c.pid(), tr.cpus());
    }

    /** Side effects of an option change beyond printing. */
    private void applyOption(TraceOption o) {
        if (o == TraceOption.OVERWRITE) {
            tr.buffer().setOverwrite(view.options().isSet(TraceOption.OVERWRITE));
        }
    }

    private void addOptionsDir() {
        DirNode options = new DirNode("options", TraceSystem.DIR_MODE);
        for (String name : TraceOptions.optionFiles(tr.has(InstanceFlags.GLOBAL))) {
            // Core option files open without an instance reference (they do not block rmdir).
            options.add(new TextFile(name, W, false) {
                @Override
                protected String content(OpenFile f) throws ErrnoException {
                    return view.options().readOptionFile(name);
                }

                @Override
                public int write(OpenFile f, byte[] data, Caller c) throws ErrnoException {
                    long v = KernelParse.kstrtoul(data);
                    if (v > 1) {
                        throw new ErrnoException(Errno.EINVAL);
                    }
                    applyOption(view.options().writeOptionFile(name, Long.toString(v)));
                    return data.length;
                }
            });
        }
        root.add(options);
    }

    /** {@code events/}: eventfs, whose system and event directories follow the registry. */
    private DirNode eventsDir() {
        boolean ro = tr.isReadOnly();
        EventSet ev = view.events();
        DirNode events = new DirNode("events", EVENTS_DIR_MODE, this::systemDirs);
        events.add(text("header_page", R, f -> EventHeaders.headerPage(tr.subbufSize())));
        events.add(text("header_event", R, f -> EventHeaders.headerEvent()));
        if (!ro) {
            events.add(new TextFile("enable", W, true) {
                @Override
                protected String content(OpenFile f) {
                    return ev.readEventsEnable();
                }

                @Override
                public int write(OpenFile f, byte[] data, Caller c) throws ErrnoException {
                    return ev.writeEventsEnable(latin1(data));
                }
            });
        }
        return events;
    }

    /** Directories are 0755 under events/, as eventfs makes them. */
    private static final int EVENTS_DIR_MODE = 0755;

    private final Map<String, DirNode> systemCache = new LinkedHashMap<>();
    private final Map<EventType, DirNode> eventCache = new LinkedHashMap<>();

    private Map<String, Object> systemDirs() {
        Map<String, Object> out = new LinkedHashMap<>();
        for (String sys : view.events().systems()) {
            out.put(sys, systemCache.computeIfAbsent(sys, this::systemDir));
        }
        return out;
    }

    private DirNode systemDir(String system) {
        EventSet ev = view.events();
        DirNode d = new DirNode(system, EVENTS_DIR_MODE, () -> {
            Map<String, Object> out = new LinkedHashMap<>();
            for (EventType t : ev.registry().eventsOf(system)) {
                out.put(t.name(), eventCache.computeIfAbsent(t, this::eventDir));
            }
            return out;
        });
        if (!tr.isReadOnly() && !"ftrace".equals(system)) {
            d.add(new TextFile("enable", W, true) {
                @Override
                protected String content(OpenFile f) {
                    return ev.readSystemEnable(system);
                }

                @Override
                public int write(OpenFile f, byte[] data, Caller c) throws ErrnoException {
                    return ev.writeSystemEnable(system, latin1(data));
                }
            });
            d.add(new TextFile("filter", W, true) {
                @Override
                protected String content(OpenFile f) {
                    return ev.readSystemFilter(system);
                }

                @Override
                public int write(OpenFile f, byte[] data, Caller c) throws ErrnoException {
                    return ev.writeSystemFilter(system, latin1(data));
                }
            });
        }
        return d;
    }

    private DirNode eventDir(EventType t) {
        DirNode d = new DirNode(t.name(), EVENTS_DIR_MODE);
        EventSet ev = view.events();
        boolean ro = tr.isReadOnly();
        for (String file : t.directoryFiles()) {
            switch (file) {
                case "format":
                    d.add(new TextFile("format", R, false) {
                        @Override
                        protected String content(OpenFile f) {
                            return t.format();
                        }
                    });
                    break;
                case "id":
                    d.add(new TextFile("id", R, false) {
                        @Override
                        protected String content(OpenFile f) {
                            return t.idText();
                        }
                    });
                    break;
                case "enable":
                    if (!ro) {
                        d.add(new TextFile("enable", W, true) {
                            @Override
                            protected String content(OpenFile f) {
                                return ev.file(t).readEnable();
                            }

                            @Override
                            public int write(OpenFile f, byte[] data, Caller c) throws ErrnoException {
                                return ev.file(t).writeEnable(latin1(data));
                            }
                        });
                    }
                    break;
                case "filter":
                    if (!ro) {
                        d.add(new TextFile("filter", W, true) {
                            @Override
                            protected String content(OpenFile f) {
                                return ev.file(t).readFilter();
                            }

                            @Override
                            public int write(OpenFile f, byte[] data, Caller c) throws ErrnoException {
                                return ev.file(t).writeFilter(latin1(data));
                            }
                        });
                    }
                    break;
                case "trigger":
                    if (!ro) {
                        d.add(new TextFile("trigger", W, true) {
                            @Override
                            protected String content(OpenFile f) {
                                return ev.file(t).readTrigger();
                            }

                            @Override
                            public int write(OpenFile f, byte[] data, Caller c) throws ErrnoException {
                                return ev.file(t).writeTrigger(latin1(data));
                            }
                        });
                    }
                    break;
                default:
                    break;
            }
        }
        return d;
    }

    // ------------------------------------------------------------------ node kinds

    interface Content {
        String of(OpenFile f) throws ErrnoException;
    }

    /** A read-only text file whose open holds the instance reference. */
    static TextFile text(String name, int mode, Content content) {
        return new TextFile(name, mode, true) {
            @Override
            protected String content(OpenFile f) throws ErrnoException {
                return content.of(f);
            }
        };
    }

    /** A decimal file: reads {@code N\n}, writes parse with kstrtoul (tracing_on, buffer_*). */
    abstract static class NumberFile extends TextFile {
        NumberFile(String name, int mode) {
            super(name, mode, true);
        }

        abstract String value();

        abstract void set(long v) throws ErrnoException;

        @Override
        protected String content(OpenFile f) {
            return value() + "\n";
        }

        @Override
        public int write(OpenFile f, byte[] data, Caller c) throws ErrnoException {
            set(KernelParse.kstrtoul(data));
            return data.length;
        }
    }

    /** {@code trace} and {@code per_cpu/cpuN/trace}: the non-consuming dump; O_TRUNC erases. */
    final class TraceNode extends FileNode {
        private final int cpu;

        TraceNode(int cpu) {
            super("trace", W, true);
            this.cpu = cpu;
        }

        @Override
        public void open(OpenFile f) {
            if (OpenFlags.truncate(f.flags())) {
                if (cpu < 0) {
                    tr.resetBuffers();
                } else {
                    tr.buffer().cpu(cpu).reset();
                }
                tr.updateLastDataIfEmpty();
            }
        }

        /**
         * The first read takes the snapshot of the rings and fixes the output settings (options,
         * clock); every read then prints only the lines it returns (seq_file style), so the text
         * of a full buffer is never built at once.
         */
        @Override
        public byte[] read(OpenFile f, int count) {
            if (f.state == null) {
                List<RingSnapshot> snaps = new ArrayList<>();
                for (int c = 0; c < tr.cpus(); c++) {
                    snaps.add(cpu < 0 || cpu == c ? tr.buffer().cpu(c).snapshot() : null);
                }
                view.formatter().setClock(tr.clock());
                f.state = TraceFile.open(view.formatter().frozen(tr.clock()), snaps,
                        TraceFile.Info.of(tr.tracer(), tr.cpus()));
            }
            return ((TraceFile.Reader) f.state).read(count);
        }

        @Override
        public int write(OpenFile f, byte[] data, Caller c) {
            return data.length;
        }
    }

    /** {@code trace_pipe}: consuming, blocking, one reader per CPU. */
    final class TracePipe extends FileNode {
        private final int cpu;

        TracePipe(int cpu) {
            super("trace_pipe", R, true);
            this.cpu = cpu;
        }

        @Override
        public boolean holdsTraceRef() {
            return true;
        }

        private long bits() {
            return cpu < 0 ? tr.cpumaskAll() : 1L << cpu;
        }

        @Override
        public void open(OpenFile f) throws ErrnoException {
            if (cpu < 0 ? tr.pipeCpumask != 0 : (tr.pipeCpumask & bits()) != 0) {
                throw new ErrnoException(Errno.EBUSY);
            }
            tr.pipeCpumask |= bits();
            f.state = new TracePipeReader(view.formatter(), cpu);
        }

        @Override
        public void release(OpenFile f) {
            tr.pipeCpumask &= ~bits();
        }

        @Override
        public byte[] read(OpenFile f, int count) throws ErrnoException {
            TracePipeReader reader = (TracePipeReader) f.state;
            if (!reader.hasPending() && empty()) {
                if (tr.has(InstanceFlags.LAST_BOOT) && tr.buffer().isEmpty()) {
                    tr.updateLastData();
                    return new byte[0];
                }
                if (f.nonblock()) {
                    throw new ErrnoException(Errno.EAGAIN);
                }
                if (!tr.buffer().tracingOn() && f.hasRead) {
                    return new byte[0];
                }
                f.hasRead = true;
                return null;
            }
            view.formatter().setClock(tr.clock());
            byte[] out = reader.read(tr.buffer(), count);
            f.hasRead = true;
            return out;
        }

        private boolean empty() {
            return cpu < 0 ? tr.buffer().isEmpty() : tr.buffer().cpu(cpu).isEmpty();
        }

        @Override
        public boolean ready(OpenFile f) {
            return !empty() || (!tr.buffer().tracingOn() && f.hasRead) || tr.freeOnClose;
        }
    }

    /** {@code per_cpu/cpuN/trace_pipe_raw}: one binary sub-buffer per read, consuming. */
    final class TracePipeRaw extends FileNode {
        private final int cpu;

        TracePipeRaw(int cpu) {
            super("trace_pipe_raw", R, true);
            this.cpu = cpu;
        }

        @Override
        public boolean holdsTraceRef() {
            return true;
        }

        @Override
        public byte[] read(OpenFile f, int count) throws ErrnoException {
            RingBuffer ring = tr.buffer().cpu(cpu);
            if (f.pending == null || f.pendingPos >= f.pending.length) {
                byte[] page = new byte[ring.subbufSize()];
                if (ring.readPage(page) == 0) {
                    f.pending = null;
                    if (tr.has(InstanceFlags.LAST_BOOT) && tr.buffer().isEmpty()) {
                        tr.updateLastData();
                        return new byte[0];
                    }
                    if (f.nonblock()) {
                        throw new ErrnoException(Errno.EAGAIN);
                    }
                    return null;
                }
                f.pending = page;
                f.pendingPos = 0;
            }
            int n = Math.min(count, f.pending.length - f.pendingPos);
            byte[] out = Arrays.copyOfRange(f.pending, f.pendingPos, f.pendingPos + n);
            f.pendingPos += n;
            return out;
        }

        @Override
        public boolean ready(OpenFile f) {
            return !tr.buffer().cpu(cpu).isEmpty() || tr.freeOnClose;
        }
    }
}
