package io.ringtrace.protocol.event;

/**
 * What a filter predicate may ask about the task recording the event besides its payload: the
 * CPU it records on (the generic {@code CPU}/{@code cpu}/{@code common_cpu} fields) and its comm
 * (the generic {@code COMM}/{@code comm} fields, the kernel's {@code current->comm}).
 */
public interface FilterContext {
    /** The CPU (ring) the event is recorded on. */
    int cpu();

    /** The recording task's comm: 16 bytes, NUL padded (TASK_COMM_LEN). */
    byte[] comm();

    /** A fixed context, for tests and control-plane evaluation. */
    static FilterContext of(int cpu, String comm) {
        byte[] c = SavedCmdlines.commBytes(comm);
        return new FilterContext() {
            @Override
            public int cpu() {
                return cpu;
            }

            @Override
            public byte[] comm() {
                return c;
            }
        };
    }
}
