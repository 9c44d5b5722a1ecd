package io.ringtrace.app.fuse;

import io.ringtrace.actors.TraceFs;
import io.ringtrace.actors.fs.Caller;
import io.ringtrace.actors.fs.FsReply;
import io.ringtrace.actors.fs.OpenFlags;
import io.ringtrace.actors.fs.Stat;
import io.ringtrace.protocol.Errno;
import io.ringtrace.protocol.ErrnoException;
import jnr.ffi.Pointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import ru.serce.jnrfuse.FuseFillDir;
import ru.serce.jnrfuse.FuseStubFS;
import ru.serce.jnrfuse.struct.FileStat;
import ru.serce.jnrfuse.struct.FuseFileInfo;
import ru.serce.jnrfuse.struct.Timespec;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The tracefs tree of a ringtrace engine as a FUSE file system (libfuse2's high-level API through
 * jnr-fuse). Every callback maps to the {@link TraceFs} API: an open is the instance's Get and a
 * release its Put, so an open file holds its instance as on tracefs (rmdir gives EBUSY, a backup
 * instance removes itself after its last close), and errors are the kernel's errno values.
 *
 * <p>Follows the workarounds of {@code reference/fuse-notes.md}: it must be mounted with
 * {@code -o nopath} (read, write, flush, release, readdir and fgetattr get a null path, so all
 * state is per handle: S4), every file is opened direct_io and the pipes nonseekable through the
 * raw flag word of {@code fuse_file_info} (S1, S2), a read checks O_NONBLOCK in the file's
 * <em>current</em> flags and honours FUSE interrupts (S6), rmdir waits briefly for the RELEASE
 * that the kernel sends after close (S5), and every callback turns a Java exception into EIO with a
 * log line instead of libfuse's silent 0 (S8). Callbacks run on libfuse worker threads (many at
 * once, never {@code -s}: S7) and keep no thread-local state (S14).
 */
public final class TracefsFuse extends FuseStubFS {
    private static final Logger log = LoggerFactory.getLogger(TracefsFuse.class);

    /** Offset of the bit-field word of libfuse 2.9's struct fuse_file_info on x86-64 (S2). */
    static final int FI_BITS_OFFSET = 20;
    static final int FI_DIRECT_IO = 1;
    static final int FI_NONSEEKABLE = 8;
    /** How long one wait of a blocked read lasts before it looks at interrupts and flags again. */
    private static final long READ_SLICE_MS = 50;
    /**
     * How long rmdir waits for the RELEASE of files that were already closed (S5). Only a file
     * flushed and not yet released is waited for; 200 ms was too short on a loaded 2-CPU machine
     * (FuseShellTest.closeThenRmdirIsNeverBusy saw EBUSY once in 100 close-then-rmdir rounds).
     */
    private static final long RELEASE_GRACE_MS = 1000;

    private final TraceFs fs;
    private final LibFuseExtra extra;
    private final long mountTime = System.currentTimeMillis() / 1000;
    private final ConcurrentHashMap<Long, OpenHandle> files = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Long, String> dirs = new ConcurrentHashMap<>();
    private final AtomicLong nextFh = new AtomicLong(1);
    private final CountDownLatch ready = new CountDownLatch(1);
    private final CountDownLatch destroyed = new CountDownLatch(1);
    private volatile boolean closing;

    /** One open file: the engine's handle plus what the FUSE side keeps between callbacks. */
    private static final class OpenHandle {
        /** Replaced when a read goes back to an earlier offset (the file is opened again). */
        TraceFs.Handle handle;
        final String rel;
        final Caller caller;
        final String instance;
        /** The flags of the open; a read's fi.flags may differ after fcntl(F_SETFL). */
        final int openFlags;
        /** trace_pipe or trace_pipe_raw: the only files whose reads wait for data. */
        final boolean pipe;
        final ReentrantLock readLock = new ReentrantLock();
        /** A read the engine has not answered yet (the caller gave up: interrupt or O_NONBLOCK). */
        CompletableFuture<FsReply> pending;
        /** Bytes the engine returned beyond what the last read asked for. */
        byte[] carry;
        int carryPos;
        volatile boolean flushed;
        /** The file offset the next sequential read starts at (files other than the pipes). */
        long pos;

        OpenHandle(TraceFs.Handle handle, String rel, Caller caller, String instance, int openFlags, boolean pipe) {
            this.handle = handle;
            this.rel = rel;
            this.caller = caller;
            this.instance = instance;
            this.openFlags = openFlags;
            this.pipe = pipe;
        }
    }

    @FunctionalInterface
    private interface Op {
        int run() throws Exception;
    }

    /** Loads libfuse2 (jnr-fuse's constructor fails when it is missing). */
    public TracefsFuse(TraceFs fs) {
        this.fs = fs;
        this.extra = LibFuseExtra.load();
        if (extra == null) {
            log.warn("fuse_interrupted() not found in libfuse: readers blocked in trace_pipe cannot be interrupted");
        }
    }

    @Override
    protected String getFSName() {
        return "ringtrace";
    }

    /** Waits until the kernel has sent FUSE_INIT, i.e. the mount is live. */
    boolean awaitReady(long millis) throws InterruptedException {
        return ready.await(millis, TimeUnit.MILLISECONDS);
    }

    boolean isDestroyed() {
        return destroyed.getCount() == 0;
    }

    /** Makes every blocked read return end of file now and every new one at once (before unmount). */
    void shutdown() {
        closing = true;
    }

    /** Open files, for tests and diagnostics. */
    public int openFiles() {
        return files.size();
    }

    // ------------------------------------------------------------------ helpers

    private int guard(String what, Op op) {
        try {
            return op.run();
        } catch (ErrnoException e) {
            return -e.errno().number();
        } catch (Throwable t) {
            log.error("FUSE {} failed", what, t);
            return -Errno.EIO.number();
        }
    }

    /** FUSE paths are absolute ("/instances/foo/trace"); TraceFs paths are relative to the root. */
    static String rel(String path) {
        if (path == null) {
            return "";
        }
        int i = 0;
        while (i < path.length() && path.charAt(i) == '/') {
            i++;
        }
        return path.substring(i);
    }

    /** The instance a path belongs to: the NAME of instances/NAME/..., or "" for the top level. */
    static String instanceOf(String rel) {
        if (rel.startsWith("instances/")) {
            String rest = rel.substring("instances/".length());
            int slash = rest.indexOf('/');
            return slash < 0 ? rest : rest.substring(0, slash);
        }
        return "";
    }

    private Caller caller() {
        int pid = (int) getContext().pid.get();
        String comm;
        try {
            comm = Files.readString(Paths.get("/proc", Integer.toString(pid), "comm"), StandardCharsets.UTF_8).strip();
        } catch (Exception e) {
            comm = "<...>";
        }
        return new Caller(pid, comm, cpuOf(pid));
    }

    /**
     * The CPU process {@code pid} last ran on (field 39, processor, of /proc/PID/stat): the
     * caller is inside its write(2), so that is the CPU it writes from. -1 when unreadable.
     */
    static int cpuOf(int pid) {
        try {
            String stat = Files.readString(Paths.get("/proc", Integer.toString(pid), "stat"), StandardCharsets.US_ASCII);
            // fields after the comm, which is in parentheses and may hold spaces: state is field 3
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
            return Integer.parseInt(f[39 - 3]);
        } catch (Exception e) {
            return -1;
        }
    }

    private void fill(FileStat st, Stat s) {
        st.st_mode.set((s.directory() ? FileStat.S_IFDIR : FileStat.S_IFREG) | (s.mode() & 07777));
        st.st_uid.set(0);
        st.st_gid.set(0);
        st.st_nlink.set(s.directory() ? 2 : 1);
        st.st_size.set(0);
        for (Timespec t : new Timespec[]{st.st_atim, st.st_mtim, st.st_ctim}) {
            t.tv_sec.set(mountTime);
            t.tv_nsec.set(0);
        }
    }

    private boolean interrupted() {
        return extra != null && extra.fuse_interrupted() != 0;
    }

    private static void setFileBits(FuseFileInfo fi, boolean nonseekable) {
        Pointer mem = jnr.ffi.Struct.getMemory(fi);
        byte bits = mem.getByte(FI_BITS_OFFSET);
        bits |= FI_DIRECT_IO;
        if (nonseekable) {
            bits |= FI_NONSEEKABLE;
        }
        mem.putByte(FI_BITS_OFFSET, bits);
    }

    // ------------------------------------------------------------------ lifecycle

    @Override
    public Pointer init(Pointer conn) {
        ready.countDown();
        return null;
    }

    @Override
    public void destroy(Pointer initResult) {
        closing = true;
        destroyed.countDown();
    }

    // ------------------------------------------------------------------ attributes and directories

    @Override
    public int getattr(String path, FileStat stat) {
        return guard("getattr", () -> {
            fill(stat, fs.stat(rel(path)));
            return 0;
        });
    }

    @Override
    public int fgetattr(String path, FileStat stat, FuseFileInfo fi) {
        return guard("fgetattr", () -> {
            long fh = fi.fh.get();
            OpenHandle h = files.get(fh);
            if (h != null) {
                fill(stat, h.handle.stat());
                return 0;
            }
            String dir = dirs.get(fh);
            if (dir != null) {
                fill(stat, fs.stat(dir));
                return 0;
            }
            if (path != null) {
                fill(stat, fs.stat(rel(path)));
                return 0;
            }
            return -Errno.EBADF.number();
        });
    }

    @Override
    public int opendir(String path, FuseFileInfo fi) {
        return guard("opendir", () -> {
            String rel = rel(path);
            if (!fs.stat(rel).directory()) {
                return -Errno.ENOTDIR.number();
            }
            long fh = nextFh.getAndIncrement();
            dirs.put(fh, rel);
            fi.fh.set(fh);
            return 0;
        });
    }

    @Override
    public int readdir(String path, Pointer buf, FuseFillDir filter, long offset, FuseFileInfo fi) {
        return guard("readdir", () -> {
            String rel = dirs.get(fi.fh.get());
            if (rel == null) {
                if (path == null) {
                    return -Errno.EBADF.number();
                }
                rel = rel(path);
            }
            add(filter, buf, ".");
            add(filter, buf, "..");
            for (Stat s : fs.list(rel)) {
                add(filter, buf, s.name());
            }
            return 0;
        });
    }

    private static void add(FuseFillDir filter, Pointer buf, String name) {
        filter.apply(buf, ByteBuffer.wrap((name + "\0").getBytes(StandardCharsets.UTF_8)), null, 0);
    }

    @Override
    public int releasedir(String path, FuseFileInfo fi) {
        dirs.remove(fi.fh.get());
        return 0;
    }

    @Override
    public int mkdir(String path, long mode) {
        return guard("mkdir", () -> {
            fs.mkdir(rel(path));
            return 0;
        });
    }

    @Override
    public int rmdir(String path) {
        return guard("rmdir", () -> {
            String rel = rel(path);
            try {
                fs.rmdir(rel);
            } catch (ErrnoException e) {
                if (e.errno() != Errno.EBUSY || !awaitReleaseOfClosedFiles(instanceOf(rel))) {
                    throw e;
                }
                fs.rmdir(rel);
            }
            return 0;
        });
    }

    /**
     * The kernel sends RELEASE after close(2) returns (S5), so an rmdir right after a close can
     * still see the file open. Files that were flushed (closed by their process) get a short grace
     * to be released; a file never flushed is really open and gives EBUSY at once. Returns true
     * when something was waited for, so that the rmdir is worth retrying.
     */
    private boolean awaitReleaseOfClosedFiles(String instance) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(RELEASE_GRACE_MS);
        boolean waited = false;
        while (System.nanoTime() < deadline) {
            boolean flushedOpen = false;
            for (OpenHandle h : files.values()) {
                if (h.flushed && h.instance.equals(instance)) {
                    flushedOpen = true;
                    break;
                }
            }
            if (!flushedOpen) {
                return waited;
            }
            waited = true;
            Thread.sleep(2);
        }
        return waited;
    }

    // ------------------------------------------------------------------ files

    @Override
    public int open(String path, FuseFileInfo fi) {
        return guard("open", () -> {
            String rel = rel(path);
            int flags = fi.flags.get();
            Caller caller = caller();
            TraceFs.Handle h = fs.open(rel, flags, caller);
            boolean pipe = rel.endsWith("trace_pipe") || rel.endsWith("trace_pipe_raw");
            long fh = nextFh.getAndIncrement();
            files.put(fh, new OpenHandle(h, rel, caller, instanceOf(rel), flags, pipe));
            fi.fh.set(fh);
            setFileBits(fi, pipe);
            return 0;
        });
    }

    @Override
    public int create(String path, long mode, FuseFileInfo fi) {
        // tracefs directories have no ->create: open(O_CREAT) of a new name is EACCES.
        return -Errno.EACCES.number();
    }

    @Override
    public int mknod(String path, long mode, long rdev) {
        return -Errno.EPERM.number();
    }

    @Override
    public int read(String path, Pointer buf, long size, long offset, FuseFileInfo fi) {
        return guard("read", () -> {
            OpenHandle h = files.get(fi.fh.get());
            if (h == null) {
                return -Errno.EBADF.number();
            }
            // One reader at a time per file, like the kernel's trace_pipe mutex; keep the waiter
            // interruptible although the lock is not.
            while (!h.readLock.tryLock(READ_SLICE_MS, TimeUnit.MILLISECONDS)) {
                if (closing) {
                    return 0;
                }
                if (interrupted()) {
                    return -Errno.EINTR.number();
                }
            }
            try {
                if (h.pipe) {
                    return readLocked(h, buf, (int) Math.min(size, Integer.MAX_VALUE), fi);
                }
                if (offset != h.pos) {
                    seek(h, offset);
                    if (h.pos != offset) {
                        return 0; // beyond the end
                    }
                }
                int n = readLocked(h, buf, (int) Math.min(size, Integer.MAX_VALUE), fi);
                if (n > 0) {
                    h.pos += n;
                }
                return n;
            } finally {
                h.readLock.unlock();
            }
        });
    }

    /**
     * A read at another offset than where the last one ended (pread, or lseek then read), as
     * seq_file serves it: going back opens the file again (its text is made anew, as the kernel's
     * seq_file traverses from the start), then the bytes up to {@code offset} are read and dropped.
     * The pipes are not seekable (FOPEN_NONSEEKABLE) and never come here. Read lock held.
     */
    private void seek(OpenHandle h, long offset) throws ErrnoException {
        if (offset < h.pos) {
            TraceFs.Handle again = fs.open(h.rel, h.openFlags & ~(OpenFlags.O_TRUNC | OpenFlags.O_APPEND), h.caller);
            h.handle.close();
            h.handle = again;
            h.pending = null;
            h.carry = null;
            h.pos = 0;
        }
        while (h.pos < offset) {
            int want = (int) Math.min(offset - h.pos, 1 << 16);
            int n;
            if (h.carry != null) {
                n = Math.min(want, h.carry.length - h.carryPos);
                h.carryPos += n;
                if (h.carryPos >= h.carry.length) {
                    h.carry = null;
                }
            } else {
                byte[] skipped = h.handle.read(want);
                n = skipped.length;
                if (n > want) { // (the engine may answer more than asked: keep the rest)
                    h.carry = skipped;
                    h.carryPos = want;
                    n = want;
                }
            }
            if (n == 0) {
                return; // end of file before offset
            }
            h.pos += n;
        }
    }

    private int readLocked(OpenHandle h, Pointer buf, int size, FuseFileInfo fi) throws Exception {
        if (h.carry != null) {
            return fromCarry(h, buf, size);
        }
        CompletableFuture<FsReply> f = h.pending;
        while (true) {
            if (f == null) {
                f = h.handle.readAsync(size).toCompletableFuture();
                h.pending = f;
            }
            FsReply r;
            try {
                r = f.get(READ_SLICE_MS, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                // Still waiting. Leave the read with the engine (its answer is kept for the next
                // read of this file) if the caller will no longer wait. A file opened O_NONBLOCK
                // gets its EAGAIN from the engine, which never parks its reads: only a file
                // switched to O_NONBLOCK later (fcntl) needs one made here.
                if (closing) {
                    return 0;
                }
                if (h.pipe && OpenFlags.nonblock(fi.flags.get()) && !OpenFlags.nonblock(h.openFlags)) {
                    return -Errno.EAGAIN.number();
                }
                if (interrupted()) {
                    return -Errno.EINTR.number();
                }
                continue;
            } catch (ExecutionException e) {
                h.pending = null;
                return -Errno.ENODEV.number();
            }
            h.pending = null;
            f = null;
            if (r instanceof FsReply.Data) {
                byte[] data = ((FsReply.Data) r).bytes();
                if (data.length > size) {
                    h.carry = data;
                    h.carryPos = 0;
                    return fromCarry(h, buf, size);
                }
                buf.put(0, data, 0, data.length);
                return data.length;
            }
            if (r instanceof FsReply.Failed) {
                Errno errno = ((FsReply.Failed) r).errno();
                if (errno == Errno.EAGAIN && !OpenFlags.nonblock(fi.flags.get())) {
                    // Opened O_NONBLOCK, since switched to blocking with fcntl: poll until data.
                    if (closing) {
                        return 0;
                    }
                    if (interrupted()) {
                        return -Errno.EINTR.number();
                    }
                    Thread.sleep(READ_SLICE_MS / 2);
                    continue;
                }
                return -errno.number();
            }
            return -Errno.EIO.number();
        }
    }

    private static int fromCarry(OpenHandle h, Pointer buf, int size) {
        int n = Math.min(size, h.carry.length - h.carryPos);
        buf.put(0, h.carry, h.carryPos, n);
        h.carryPos += n;
        if (h.carryPos >= h.carry.length) {
            h.carry = null;
        }
        return n;
    }

    @Override
    public int write(String path, Pointer buf, long size, long offset, FuseFileInfo fi) {
        return guard("write", () -> {
            OpenHandle h = files.get(fi.fh.get());
            if (h == null) {
                return -Errno.EBADF.number();
            }
            byte[] data = new byte[(int) size];
            buf.get(0, data, 0, data.length);
            // The offset is ignored: tracefs control files and markers take each write(2) whole.
            return h.handle.write(data);
        });
    }

    @Override
    public int flush(String path, FuseFileInfo fi) {
        OpenHandle h = files.get(fi.fh.get());
        if (h != null) {
            h.flushed = true;
        }
        return 0;
    }

    @Override
    public int release(String path, FuseFileInfo fi) {
        return guard("release", () -> {
            OpenHandle h = files.remove(fi.fh.get());
            if (h != null) {
                h.handle.close();
            }
            return 0;
        });
    }

    @Override
    public int fsync(String path, int isdatasync, FuseFileInfo fi) {
        return 0;
    }

    @Override
    public int truncate(String path, long size) {
        // truncate(2) on tracefs changes nothing (only an open with O_TRUNC erases, and with
        // -o atomic_o_trunc that reaches open()); it must not fail, or every `>` would (S3).
        return guard("truncate", () -> fs.stat(rel(path)).directory() ? -Errno.EISDIR.number() : 0);
    }

    @Override
    public int ftruncate(String path, long size, FuseFileInfo fi) {
        return 0;
    }

    @Override
    public int utimens(String path, Timespec[] timespec) {
        return 0;
    }

    @Override
    public int unlink(String path) {
        return -Errno.EPERM.number();
    }

    @Override
    public int rename(String oldpath, String newpath) {
        return -Errno.EPERM.number();
    }

    @Override
    public int symlink(String oldpath, String newpath) {
        return -Errno.EPERM.number();
    }

    @Override
    public int link(String oldpath, String newpath) {
        return -Errno.EPERM.number();
    }

    @Override
    public int chmod(String path, long mode) {
        return -Errno.EPERM.number();
    }

    @Override
    public int chown(String path, long uid, long gid) {
        return -Errno.EPERM.number();
    }
}
