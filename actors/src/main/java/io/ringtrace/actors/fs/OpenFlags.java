package io.ringtrace.actors.fs;

/** open(2) flags, with the Linux x86-64 values, as far as tracefs looks at them. */
public final class OpenFlags {
    public static final int O_RDONLY = 0;
    public static final int O_WRONLY = 1;
    public static final int O_RDWR = 2;
    public static final int O_ACCMODE = 3;
    public static final int O_TRUNC = 0x200;
    public static final int O_APPEND = 0x400;
    public static final int O_NONBLOCK = 0x800;

    private OpenFlags() {
    }

    public static boolean readable(int flags) {
        int acc = flags & O_ACCMODE;
        return acc == O_RDONLY || acc == O_RDWR;
    }

    public static boolean writable(int flags) {
        int acc = flags & O_ACCMODE;
        return acc == O_WRONLY || acc == O_RDWR;
    }

    public static boolean truncate(int flags) {
        return (flags & O_TRUNC) != 0 && writable(flags);
    }

    public static boolean nonblock(int flags) {
        return (flags & O_NONBLOCK) != 0;
    }
}
