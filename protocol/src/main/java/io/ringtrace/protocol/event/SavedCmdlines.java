package io.ringtrace.protocol.event;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The comm cache behind {@code TASK-PID} in trace output (the kernel's saved_cmdlines): a fixed
 * number of slots (default 128) filled round robin, a pid-to-slot map indexed by
 * {@code pid & (PID_MAX_DEFAULT - 1)} and the slot's owning pid, so a pid whose slot was taken
 * by another pid is no longer found. Comms are at most 15 bytes (TASK_COMM_LEN 16 with the NUL).
 *
 * <p>{@link #find} answers {@code <idle>} for pid 0, {@code <XXX>} for a negative pid and
 * {@code <...>} for an unknown one. The tgid map (saved_tgids) is kept alongside.
 *
 * <p>Thread-safe; {@link #save} is cheap and allocation-free when the comm is unchanged.
 */
public final class SavedCmdlines {

    /** PID_MAX_DEFAULT: size of the pid map. */
    public static final int PID_MAP_SIZE = 0x8000;
    public static final int DEFAULT_SIZE = 128;
    /** TASK_COMM_LEN. */
    public static final int COMM_LEN = 16;
    private static final int NO_MAP = -1;

    private int[] mapPidToCmdline = new int[PID_MAP_SIZE];
    private int[] mapCmdlineToPid;
    private byte[][] cmdlines;
    private int cmdlineIdx;
    private final int[] tgids = new int[PID_MAP_SIZE];
    private final int[] tgidPids = new int[PID_MAP_SIZE];

    public SavedCmdlines() {
        this(DEFAULT_SIZE);
    }

    public SavedCmdlines(int size) {
        allocate(size);
        Arrays.fill(tgidPids, -1);
    }

    private void allocate(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("size " + size);
        }
        mapPidToCmdline = new int[PID_MAP_SIZE];
        Arrays.fill(mapPidToCmdline, NO_MAP);
        mapCmdlineToPid = new int[size];
        Arrays.fill(mapCmdlineToPid, NO_MAP);
        cmdlines = new byte[size][COMM_LEN];
        cmdlineIdx = 0;
    }

    /** The comm as the kernel stores it: UTF-8, cut to 15 bytes on a character boundary, NUL padded to 16. */
    public static byte[] commBytes(String name) {
        byte[] out = new byte[COMM_LEN];
        if (name == null) {
            return out;
        }
        byte[] b = name.getBytes(StandardCharsets.UTF_8);
        int n = Math.min(b.length, COMM_LEN - 1);
        while (n > 0 && n < b.length && (b[n] & 0xc0) == 0x80) {
            n--;
        }
        System.arraycopy(b, 0, out, 0, n);
        return out;
    }

    /** Records the comm of {@code pid} (trace_save_cmdline). */
    public synchronized void save(int pid, String comm) {
        saveBytes(pid, commBytes(comm));
    }

    /** Records the comm of {@code pid} from 16 NUL-padded bytes. */
    public synchronized void saveBytes(int pid, byte[] comm16) {
        if (pid <= 0) {
            return;
        }
        int tpid = pid & (PID_MAP_SIZE - 1);
        int idx = mapPidToCmdline[tpid];
        if (idx == NO_MAP) {
            idx = (cmdlineIdx + 1) % cmdlines.length;
            mapPidToCmdline[tpid] = idx;
            cmdlineIdx = idx;
        }
        mapCmdlineToPid[idx] = pid;
        byte[] dst = cmdlines[idx];
        Arrays.fill(dst, (byte) 0);
        System.arraycopy(comm16, 0, dst, 0, Math.min(COMM_LEN - 1, comm16.length));
    }

    /** Records the tgid of {@code pid} (saved_tgids). */
    public synchronized void saveTgid(int pid, int tgid) {
        if (pid <= 0) {
            return;
        }
        int t = pid & (PID_MAP_SIZE - 1);
        tgidPids[t] = pid;
        tgids[t] = tgid;
    }

    /** The tgid of {@code pid}, 0 if unknown. */
    public synchronized int findTgid(int pid) {
        if (pid <= 0) {
            return 0;
        }
        int t = pid & (PID_MAP_SIZE - 1);
        return tgidPids[t] == pid ? tgids[t] : 0;
    }

    /** The comm bytes of {@code pid} without the NUL padding (trace_find_cmdline). */
    public byte[] findBytes(int pid) {
        byte[] b = new byte[COMM_LEN];
        return Arrays.copyOf(b, findBytes(pid, b));
    }

    private static final byte[] IDLE = "<idle>".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] BAD_PID = "<XXX>".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] UNKNOWN = "<...>".getBytes(StandardCharsets.US_ASCII);

    /**
     * {@link #findBytes} into {@code dst} (at least {@link #COMM_LEN} bytes) without allocating:
     * returns the length. For the per-line path of trace output.
     */
    public int findBytes(int pid, byte[] dst) {
        byte[] fixed = pid == 0 ? IDLE : pid < 0 ? BAD_PID : null;
        if (fixed != null) {
            System.arraycopy(fixed, 0, dst, 0, fixed.length);
            return fixed.length;
        }
        synchronized (this) {
            int tpid = pid & (PID_MAP_SIZE - 1);
            int map = mapPidToCmdline[tpid];
            if (map != NO_MAP && mapCmdlineToPid[map] == pid) {
                byte[] c = cmdlines[map];
                int n = 0;
                while (n < COMM_LEN && c[n] != 0) {
                    n++;
                }
                System.arraycopy(c, 0, dst, 0, n);
                return n;
            }
        }
        System.arraycopy(UNKNOWN, 0, dst, 0, UNKNOWN.length);
        return UNKNOWN.length;
    }

    /** The comm of {@code pid} as text. */
    public String find(int pid) {
        return new String(findBytes(pid), StandardCharsets.UTF_8);
    }

    /** Number of slots ({@code saved_cmdlines_size}). */
    public synchronized int size() {
        return cmdlines.length;
    }

    /** Resizes the cache; its content is lost (as writing saved_cmdlines_size does). */
    public synchronized void resize(int size) {
        allocate(size);
    }

    /** The text of {@code saved_cmdlines}: {@code "%d %s\n"} per used slot, in slot order. */
    public synchronized String read() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < cmdlines.length; i++) {
            int pid = mapCmdlineToPid[i];
            if (pid == NO_MAP) {
                continue;
            }
            byte[] c = cmdlines[i];
            int n = 0;
            while (n < COMM_LEN && c[n] != 0) {
                n++;
            }
            sb.append(pid).append(' ').append(new String(c, 0, n, StandardCharsets.UTF_8)).append('\n');
        }
        return sb.toString();
    }
}
