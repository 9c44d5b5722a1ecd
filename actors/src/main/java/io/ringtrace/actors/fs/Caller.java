package io.ringtrace.actors.fs;

/**
 * Who performs a file operation: the pid and comm recorded as {@code common_pid} and the
 * saved_cmdlines entry when a write to trace_marker records an event, and the CPU it runs on
 * (-1 when not known: the event then goes to a CPU chosen by pid, stable per process). A FUSE
 * request carries the calling process and its CPU; the Java API uses the calling thread.
 */
public record Caller(int pid, String comm, int cpu) {
    /** A caller whose CPU is not known. */
    public Caller(int pid, String comm) {
        this(pid, comm, -1);
    }

    /** The current Java thread: its id as pid and its name as comm. */
    public static Caller currentThread() {
        Thread t = Thread.currentThread();
        return new Caller((int) t.getId(), t.getName());
    }
}
