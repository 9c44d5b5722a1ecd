package io.ringtrace.actors.fs;

/**
 * The state of one open file description ({@code struct file}): its node, flags, position and
 * whatever the node keeps between reads (pending text of a seq_file, a trace iterator, a raw
 * page being read). Confined to the owning instance actor.
 */
public final class OpenFile {
    private final long id;
    private final FileNode node;
    private final int flags;
    private final Caller caller;
    /** Bytes of generated text not yet returned (seq_file buffer), or null. */
    public byte[] pending;
    public int pendingPos;
    /** Byte position in the file. */
    public long pos;
    /** Node-specific state (iterator, raw page, ...). */
    public Object state;
    /** True once a read has returned data (the trace_pipe EOF rule). */
    public boolean hasRead;

    public OpenFile(long id, FileNode node, int flags, Caller caller) {
        this.id = id;
        this.node = node;
        this.flags = flags;
        this.caller = caller;
    }

    public long id() {
        return id;
    }

    public FileNode node() {
        return node;
    }

    public int flags() {
        return flags;
    }

    public Caller caller() {
        return caller;
    }

    public boolean nonblock() {
        return OpenFlags.nonblock(flags);
    }
}
