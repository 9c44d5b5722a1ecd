package io.ringtrace.bench;

import jdk.jfr.Category;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** The JDK Flight Recorder baseline event: the same two fields as bench/rec (u32 cpu, s64 value). */
@Name("ringtrace.bench.Rec")
@Label("bench rec")
@Category("ringtrace bench")
@StackTrace(false)
public final class JfrRec extends jdk.jfr.Event {
    @Label("cpu")
    public int cpu;
    @Label("value")
    public long value;
}
