package io.ringtrace.protocol.event;

/**
 * A compiled event filter: the kernel's branch program (prog_entry array) built by
 * predicate_parse from an expression such as {@code prev_pid == 1 && (next_comm ~ "sw*" || !(cpu > 1))}.
 * Each entry tests one {@link Predicate} and jumps forward when the result equals its
 * {@code when_to_branch}; the two entries after the last predicate answer TRUE and FALSE.
 *
 * <p>Immutable and thread-safe; {@link #match} allocates nothing. Build it with
 * {@link FilterParser#parse}.
 */
public final class EventFilter {

    private final Predicate[] preds;
    private final int[] target;
    private final boolean[] whenToBranch;
    private final String text;

    EventFilter(Predicate[] preds, int[] target, boolean[] whenToBranch, String text) {
        this.preds = preds;
        this.target = target;
        this.whenToBranch = whenToBranch;
        this.text = text;
    }

    /**
     * True when the payload {@code rec[off .. off+len)} passes the filter (filter_match_preds).
     * {@code ctx} answers the generic CPU and COMM fields.
     */
    public boolean match(byte[] rec, int off, int len, FilterContext ctx) {
        int n = preds.length;
        int i = 0;
        for (; i < n; i++) {
            boolean m = preds[i].test(rec, off, len, ctx);
            if (m == whenToBranch[i]) {
                i = target[i];
            }
        }
        return target[i] != 0;
    }

    /** The expression as written (trailing white space removed). */
    public String text() {
        return text;
    }

    /** Number of predicates. */
    public int size() {
        return preds.length;
    }

    @Override
    public String toString() {
        return text;
    }
}
