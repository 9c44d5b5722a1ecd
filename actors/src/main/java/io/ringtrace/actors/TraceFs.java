package io.ringtrace.actors;

import io.ringtrace.actors.fs.Caller;
import io.ringtrace.actors.fs.FsReply;
import io.ringtrace.actors.fs.OpenFlags;
import io.ringtrace.actors.fs.Stat;
import io.ringtrace.protocol.Errno;
import io.ringtrace.protocol.ErrnoException;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * The tracefs tree as a Java API: open/read/write/close, list, stat, mkdir and rmdir on paths
 * from the tracefs root ({@code "trace"}, {@code "instances/foo/trace_pipe"}). Errors are the
 * kernel's errno values as {@link ErrnoException}. Every call is a message to the engine's
 * actors, so an open file holds its instance exactly as an open tracefs file does.
 *
 * <p>Thread-safe; blocking calls wait at most {@link #timeout()} except reads of
 * {@code trace_pipe} and {@code trace_pipe_raw}, which block like the kernel's until data, EOF or
 * close (use {@link OpenFlags#O_NONBLOCK} for EAGAIN instead).
 */
public final class TraceFs {
    /** How long a blocking read may wait for data before the ask gives up. */
    private static final Duration BLOCKING = Duration.ofDays(200);

    private final ActorSystem<?> system;
    private final ActorRef<TraceSystem.Command> traceSystem;
    private final Duration timeout;

    public TraceFs(ActorSystem<?> system, ActorRef<TraceSystem.Command> traceSystem, Duration timeout) {
        this.system = system;
        this.traceSystem = traceSystem;
        this.timeout = timeout;
    }

    public TraceFs(ActorSystem<?> system, ActorRef<TraceSystem.Command> traceSystem) {
        this(system, traceSystem, Duration.ofSeconds(10));
    }

    public Duration timeout() {
        return timeout;
    }

    /** An open tracefs file. Not thread-safe: one user at a time, like a file descriptor. */
    public final class Handle implements AutoCloseable {
        private final long id;
        private final ActorRef<TraceInstance.Command> instance;
        private final Stat stat;
        private final Caller caller;
        private boolean closed;

        private Handle(FsReply.Opened o, Caller caller) {
            this.id = o.handle();
            this.instance = o.instance();
            this.stat = o.stat();
            this.caller = caller;
        }

        public Stat stat() {
            return stat;
        }

        /** read(2): up to {@code count} bytes; an empty array is end of file. */
        public byte[] read(int count) throws ErrnoException {
            FsReply r = ask(instance, rt -> new TraceInstance.Read(id, count, rt), BLOCKING);
            return ((FsReply.Data) r).bytes();
        }

        /** read(2) as a CompletionStage (for servers that must not block a thread). */
        public CompletionStage<FsReply> readAsync(int count) {
            return AskPattern.ask(instance, rt -> new TraceInstance.Read(id, count, rt), BLOCKING, system.scheduler());
        }

        /** write(2): returns the count the file took. */
        public int write(byte[] data) throws ErrnoException {
            FsReply r = ask(instance, rt -> new TraceInstance.Write(id, data, caller, rt), timeout);
            return ((FsReply.Written) r).count();
        }

        public int write(String text) throws ErrnoException {
            return write(text.getBytes(StandardCharsets.UTF_8));
        }

        /** Reads until end of file (not for blocking pipes, which end only when tracing stops). */
        public byte[] readAll() throws ErrnoException {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            while (true) {
                byte[] b = read(65536);
                if (b.length == 0) {
                    return out.toByteArray();
                }
                out.write(b, 0, b.length);
            }
        }

        /** close(2): drops the reference this file holds (the kernel's trace_array_put). */
        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            try {
                ask(instance, rt -> new TraceInstance.Close(id, rt), timeout);
            } catch (ErrnoException e) {
                // A removed instance has nothing left to release.
            }
        }
    }

    /** open(2) with flags from {@link OpenFlags}, as the calling thread. */
    public Handle open(String path, int flags) throws ErrnoException {
        return open(path, flags, Caller.currentThread());
    }

    /** open(2) on behalf of a process (FUSE, HTTP clients). */
    public Handle open(String path, int flags, Caller caller) throws ErrnoException {
        FsReply r = ask(traceSystem, rt -> new TraceSystem.OpenPath(path, flags, caller, rt), timeout);
        return new Handle((FsReply.Opened) r, caller);
    }

    /** The whole content of a file (cat), read with O_NONBLOCK so pipes return what they hold. */
    public String read(String path) throws ErrnoException {
        try (Handle h = open(path, OpenFlags.O_RDONLY | OpenFlags.O_NONBLOCK)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            while (true) {
                byte[] b;
                try {
                    b = h.read(65536);
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
            return out.toString(StandardCharsets.UTF_8);
        }
    }

    /** {@code echo -n TEXT > path}: open O_WRONLY|O_TRUNC, one write(2), close. Returns the count. */
    public int write(String path, String text) throws ErrnoException {
        return write(path, text.getBytes(StandardCharsets.UTF_8));
    }

    public int write(String path, byte[] data) throws ErrnoException {
        try (Handle h = open(path, OpenFlags.O_WRONLY | OpenFlags.O_TRUNC)) {
            return h.write(data);
        }
    }

    /** readdir, sorted by name. */
    public List<Stat> list(String path) throws ErrnoException {
        return ((FsReply.Entries) ask(traceSystem, rt -> new TraceSystem.ListPath(path, rt), timeout)).entries();
    }

    /** stat(2). */
    public Stat stat(String path) throws ErrnoException {
        return ((FsReply.Attributes) ask(traceSystem, rt -> new TraceSystem.StatPath(path, rt), timeout)).stat();
    }

    /** mkdir(2): only {@code instances/NAME} creates something. */
    public void mkdir(String path) throws ErrnoException {
        ask(traceSystem, rt -> new TraceSystem.Mkdir(path, rt), timeout);
    }

    /** rmdir(2): EBUSY while any reference-holding file of the instance is open. */
    public void rmdir(String path) throws ErrnoException {
        ask(traceSystem, rt -> new TraceSystem.Rmdir(path, rt), timeout);
    }

    private <T> FsReply ask(RecipientRef<T> to, Function<ActorRef<FsReply>, T> msg, Duration wait)
            throws ErrnoException {
        CompletionStage<FsReply> stage = AskPattern.ask(to, msg::apply, wait, system.scheduler());
        FsReply r;
        try {
            r = stage.toCompletableFuture().get(wait.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ErrnoException(Errno.EINTR);
        } catch (ExecutionException | TimeoutException e) {
            // The instance is gone (removed while this file was open): ENODEV, as tracefs says.
            throw new ErrnoException(Errno.ENODEV);
        }
        if (r instanceof FsReply.Failed) {
            throw new ErrnoException(((FsReply.Failed) r).errno());
        }
        return r;
    }
}
