package io.ringtrace.actors;

import io.ringtrace.protocol.ErrnoException;
import io.ringtrace.protocol.event.ErrorLog;
import io.ringtrace.protocol.event.EventRegistry;
import io.ringtrace.protocol.event.EventSet;
import io.ringtrace.protocol.event.Markers;
import io.ringtrace.protocol.event.SavedCmdlines;
import io.ringtrace.protocol.ring.TraceBuffer;
import io.ringtrace.protocol.text.TraceFormatter;
import io.ringtrace.protocol.text.TraceOption;
import io.ringtrace.protocol.text.TraceOptions;

/**
 * What an instance shares beyond its actor: the buffer producers write into, its event set
 * (enables, filters, triggers, pid lists), its options, error log and text formatter. Producers
 * (the {@link Tracer}) write markers through it without a message; everything else is changed by
 * the instance actor. After the instance is removed the view is detached: its events are
 * disabled and markers fail with ENODEV.
 */
public final class InstanceView {
    private final String name;
    private final TraceBuffer buffer;
    private final EventSet events;
    private final TraceOptions options;
    private final ErrorLog errorLog;
    private final TraceFormatter formatter;
    private final SavedCmdlines cmdlines;
    private volatile boolean attached = true;

    InstanceView(String name, TraceBuffer buffer, EventRegistry registry, SavedCmdlines cmdlines,
                 TraceOptions options) {
        this.name = name;
        this.buffer = buffer;
        this.cmdlines = cmdlines;
        this.options = options;
        this.errorLog = new ErrorLog();
        this.events = new EventSet(registry, buffer, errorLog);
        this.formatter = new TraceFormatter(registry, cmdlines, io.ringtrace.protocol.TraceClock.LOCAL, options);
    }

    public String name() {
        return name;
    }

    public TraceBuffer buffer() {
        return buffer;
    }

    public EventSet events() {
        return events;
    }

    public TraceOptions options() {
        return options;
    }

    public ErrorLog errorLog() {
        return errorLog;
    }

    public TraceFormatter formatter() {
        return formatter;
    }

    public SavedCmdlines cmdlines() {
        return cmdlines;
    }

    public boolean attached() {
        return attached;
    }

    /**
     * A write to this instance's {@code trace_marker} by task {@code pid} ({@code comm}) on
     * {@code cpu}: one ftrace/print event. Returns the bytes taken (at most 4096; cut to fit a
     * sub-buffer). EBADF when tracing is off, EINVAL when the markers option is off.
     */
    public int writeMarker(int cpu, int pid, String comm, byte[] data, int off, int len) throws ErrnoException {
        if (!attached) {
            throw new ErrnoException(io.ringtrace.protocol.Errno.ENODEV);
        }
        return Markers.writeMarker(events, cpu, pid, cmdlines, comm, data, off, len, options.isSet(TraceOption.MARKERS));
    }

    /** A write to {@code trace_marker_raw}: a u32 id and bytes, all or nothing. */
    public int writeMarkerRaw(int cpu, int pid, byte[] data, int off, int len) throws ErrnoException {
        if (!attached) {
            throw new ErrnoException(io.ringtrace.protocol.Errno.ENODEV);
        }
        return Markers.writeMarkerRaw(events, cpu, pid, data, off, len, options.isSet(TraceOption.MARKERS));
    }

    /** The instance is gone: disable its events so no producer records into it any more. */
    void detach() {
        if (attached) {
            attached = false;
            buffer.setTracingOn(false);
            events.destroy();
        }
    }
}
