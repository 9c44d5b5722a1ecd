package io.ringtrace.protocol;

/**
 * A tracefs operation failed with a kernel errno. This is the only exception the {@code TraceFs}
 * API lets through to its callers; it carries no stack trace because it is an answer, not a bug.
 */
public final class ErrnoException extends Exception {
    private static final long serialVersionUID = 1L;
    private final Errno errno;

    public ErrnoException(Errno errno) {
        super(errno.name() + ": " + errno.message(), null, false, false);
        this.errno = errno;
    }

    public Errno errno() {
        return errno;
    }
}
