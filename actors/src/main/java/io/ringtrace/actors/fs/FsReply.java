package io.ringtrace.actors.fs;

import io.ringtrace.protocol.Errno;

import java.util.List;

/**
 * Every answer of the tracefs protocol (TraceSystem and TraceInstance): one sealed family so that
 * a client (the {@code TraceFs} API, HTTP, FUSE) handles opens, reads, writes and directory
 * operations the same way.
 */
public sealed interface FsReply {
    /** An open succeeded: the handle to read, write and close with. */
    record Opened(long handle, org.apache.pekko.actor.typed.ActorRef<io.ringtrace.actors.TraceInstance.Command> instance,
                  Stat stat) implements FsReply {
    }

    /** Bytes read; an empty array is end of file. */
    record Data(byte[] bytes) implements FsReply {
    }

    /** A write consumed this many bytes. */
    record Written(int count) implements FsReply {
    }

    /** Directory listing. */
    record Entries(List<Stat> entries) implements FsReply {
    }

    /** stat(2) of one entry. */
    record Attributes(Stat stat) implements FsReply {
    }

    /** A directory operation or close completed. */
    enum Done implements FsReply {
        INSTANCE
    }

    /** The kernel refused with this errno. */
    record Failed(Errno errno) implements FsReply {
    }
}
