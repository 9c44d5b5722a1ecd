package io.ringtrace.actors.fs;

import io.ringtrace.protocol.ErrnoException;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A file whose read side is a text generated once per open file at its first read (the kernel's
 * seq_file / simple_read_from_buffer), served in pieces of the requested size.
 */
public abstract class TextFile extends FileNode {
    protected TextFile(String name, int mode, boolean holdsRef) {
        super(name, mode, holdsRef);
    }

    /** The whole content as the kernel would print it. */
    protected abstract String content(OpenFile file) throws ErrnoException;

    @Override
    public byte[] read(OpenFile file, int count) throws ErrnoException {
        if (file.pending == null) {
            file.pending = content(file).getBytes(StandardCharsets.UTF_8);
            file.pendingPos = 0;
        }
        int n = Math.min(count, file.pending.length - file.pendingPos);
        byte[] out = Arrays.copyOfRange(file.pending, file.pendingPos, file.pendingPos + n);
        file.pendingPos += n;
        file.pos += n;
        return out;
    }
}
