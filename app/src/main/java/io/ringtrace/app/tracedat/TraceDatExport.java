package io.ringtrace.app.tracedat;

import io.ringtrace.actors.TraceFs;
import io.ringtrace.actors.fs.OpenFlags;
import io.ringtrace.actors.fs.Stat;
import io.ringtrace.protocol.Errno;
import io.ringtrace.protocol.ErrnoException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds a trace.dat from a tracefs tree the way {@code trace-cmd extract} does: header_page and
 * header_event, every event format, saved_cmdlines, the trace clock, and each CPU's raw pages read
 * (consumed) through {@code per_cpu/cpuN/trace_pipe_raw}. The tree is read through a
 * {@link Source}: the Java API ({@link #of(TraceFs)}) or the daemon over HTTP.
 */
public final class TraceDatExport {
    /** Read access to a tracefs tree. */
    public interface Source {
        String read(String path) throws ErrnoException, IOException;

        /** Names of the entries of a directory, with whether each is a directory. */
        List<Stat> list(String path) throws ErrnoException, IOException;

        /** Everything trace_pipe_raw gives with O_NONBLOCK until it has nothing (EAGAIN or EOF). */
        byte[] readRaw(String path) throws ErrnoException, IOException;
    }

    private TraceDatExport() {
    }

    /** A source on the Java API. */
    public static Source of(TraceFs fs) {
        return new Source() {
            @Override
            public String read(String path) throws ErrnoException {
                return fs.read(path);
            }

            @Override
            public List<Stat> list(String path) throws ErrnoException {
                return fs.list(path);
            }

            @Override
            public byte[] readRaw(String path) throws ErrnoException {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                try (TraceFs.Handle h = fs.open(path, OpenFlags.O_RDONLY | OpenFlags.O_NONBLOCK)) {
                    while (true) {
                        byte[] b;
                        try {
                            b = h.read(1 << 20);
                        } catch (ErrnoException e) {
                            if (e.errno() == Errno.EAGAIN) {
                                break;
                            }
                            throw e;
                        }
                        if (b.length == 0) {
                            break;
                        }
                        out.write(b, 0, b.length);
                    }
                }
                return out.toByteArray();
            }
        };
    }

    /**
     * Reads the instance ({@code null} or "" for the top level) and returns the trace.dat input.
     * Consumes the instance's events, as trace-cmd extract does.
     */
    public static TraceDatInput collect(Source src, String instance) throws ErrnoException, IOException {
        String base = instance == null || instance.isEmpty() ? "" : "instances/" + instance + "/";
        TraceDatInput.Builder b = TraceDatInput.builder()
                .headerPage(src.read(base + "events/header_page"))
                .headerEvent(src.read(base + "events/header_event"));
        for (Stat sys : src.list(base + "events")) {
            if (!sys.directory()) {
                continue;
            }
            for (Stat ev : src.list(base + "events/" + sys.name())) {
                if (!ev.directory()) {
                    continue;
                }
                String format = src.read(base + "events/" + sys.name() + "/" + ev.name() + "/format");
                if (sys.name().equals("ftrace")) {
                    b.ftraceFormat(format);
                } else {
                    b.eventFormat(sys.name(), format);
                }
            }
        }
        b.savedCmdlines(src.read("saved_cmdlines"));
        b.kallsyms(io.ringtrace.protocol.text.KernelSymbols.kallsyms());
        b.traceClock(src.read(base + "trace_clock"));
        if (!base.isEmpty()) {
            b.instanceName(instance);
        }
        int cpus = 0;
        for (Stat s : src.list(base + "per_cpu")) {
            if (s.directory() && s.name().startsWith("cpu")) {
                cpus++;
            }
        }
        b.cpuCount(cpus);
        // Everything but the events first: reading a backup's last page out removes the backup
        // (autoremove), so the raw pages come last.
        List<String> stats = new ArrayList<>();
        for (int cpu = 0; cpu < cpus; cpu++) {
            stats.add(src.read(base + "per_cpu/cpu" + cpu + "/stats"));
        }
        for (int cpu = 0; cpu < cpus; cpu++) {
            byte[] raw = src.readRaw(base + "per_cpu/cpu" + cpu + "/trace_pipe_raw");
            int page = 4096;
            List<byte[]> pages = new ArrayList<>();
            for (int off = 0; off + page <= raw.length; off += page) {
                pages.add(java.util.Arrays.copyOfRange(raw, off, off + page));
            }
            b.cpuPages(cpu, pages);
        }
        b.cpuStats(stats);
        return b.build();
    }

    /** Extracts the instance into {@code out}. */
    public static void extract(Source src, String instance, Path out) throws ErrnoException, IOException {
        new TraceDatWriter(collect(src, instance)).write(out);
    }
}
