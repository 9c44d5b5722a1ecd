package io.ringtrace.actors.fs;

/**
 * Who performs a file operation: the pid and comm recorded as {@code common_pid} and the
 * saved_cmdlines entry when a write to trace_marker records an event. A FUSE request carries the
 * calling process; the Java API uses the calling thread.
 */
public record Caller(int pid, String comm) {
    /** The current Java thread: its id as pid and its name as comm. */
    public static Caller currentThread() {
        Thread t = Thread.currentThread();
        return new Caller((int) t.getId(), t.getName());
    }
}
