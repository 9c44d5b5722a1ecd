package io.ringtrace.app.fuse;

import jnr.ffi.LibraryLoader;

/**
 * The libfuse2 calls that jnr-fuse's own {@code LibFuse} binding leaves out. {@code
 * fuse_interrupted()} tells a callback running on a FUSE worker thread whether the kernel has sent
 * an INTERRUPT for its request (the caller got a signal), so a blocked {@code trace_pipe} read can
 * return EINTR instead of leaving the reader unkillable (fuse-notes S6). It needs no {@code -o intr}.
 */
public interface LibFuseExtra {
    /** Non-zero when the request of the calling worker thread was interrupted. */
    int fuse_interrupted();

    /** Binds the functions from libfuse2, or returns null when the library cannot be loaded. */
    static LibFuseExtra load() {
        for (String name : new String[]{"fuse", "libfuse.so.2"}) {
            try {
                return LibraryLoader.create(LibFuseExtra.class).failImmediately().load(name);
            } catch (Throwable t) {
                // try the next name
            }
        }
        return null;
    }
}
