package io.ringtrace.actors.fs;

import io.ringtrace.protocol.Errno;
import io.ringtrace.protocol.ErrnoException;

/**
 * One file of an instance's tracefs tree: its mode, whether an open takes an instance reference
 * ({@code tr->ref}) or a reader reference ({@code tr->trace_ref}), and what open, read, write and
 * release do. Every method runs inside the owning {@code TraceInstance} actor.
 */
public abstract class FileNode {
    public static final int MODE_WRITE = 0640;
    public static final int MODE_READ = 0440;
    public static final int MODE_MARKER = 0220;
    public static final int MODE_FREE_BUFFER = 0200;

    private final String name;
    private final int mode;
    private final boolean holdsRef;

    protected FileNode(String name, int mode, boolean holdsRef) {
        this.name = name;
        this.mode = mode;
        this.holdsRef = holdsRef;
    }

    public final String name() {
        return name;
    }

    public final int mode() {
        return mode;
    }

    /** True when an open file holds the instance reference (blocks rmdir with EBUSY). */
    public final boolean holdsRef() {
        return holdsRef;
    }

    /** True when an open file is a consuming reader ({@code trace_ref}). */
    public boolean holdsTraceRef() {
        return false;
    }

    /** Called on open, after the permission checks; may refuse with an errno or act on O_TRUNC. */
    public void open(OpenFile file) throws ErrnoException {
    }

    /**
     * Reads up to {@code count} bytes at the file's position. Returns the bytes (empty = EOF), or
     * null when a blocking read must wait for data ({@link #ready} is asked again later).
     * Default: EINVAL, the VFS answer for a file without a read method.
     */
    public byte[] read(OpenFile file, int count) throws ErrnoException {
        throw new ErrnoException(Errno.EINVAL);
    }

    /** For a read that returned null: true once a retry may make progress. */
    public boolean ready(OpenFile file) {
        return true;
    }

    /** Handles one write(2). Default: EINVAL, the VFS answer for a file without a write method. */
    public int write(OpenFile file, byte[] data, Caller caller) throws ErrnoException {
        throw new ErrnoException(Errno.EINVAL);
    }

    /** Called when the open file is closed (before the reference is dropped). */
    public void release(OpenFile file) {
    }

    public Stat stat() {
        return new Stat(name, false, mode);
    }
}
