package io.ringtrace.protocol.event;

import io.ringtrace.protocol.ring.TraceBuffer;

/**
 * What event triggers do to their instance: {@code traceon}/{@code traceoff} switch its
 * {@code tracing_on} (tracer_tracing_on/off), {@code stacktrace} records a stack. The instance
 * implements it; calls come from producer threads and must be cheap and thread-safe.
 * ({@code enable_event}/{@code disable_event} act on the target {@link EventFile} directly.)
 */
public interface TriggerActions {

    /** tracer_tracing_is_on. */
    boolean tracingIsOn();

    /** tracer_tracing_on: the {@code traceon} trigger. */
    void traceOn();

    /** tracer_tracing_off: the {@code traceoff} trigger. */
    void traceOff();

    /** The {@code stacktrace} trigger fired on {@code file}, recorded on {@code cpu}. Default: nothing. */
    default void stackTrace(EventFile file, int cpu) {
    }

    /** Actions on a {@link TraceBuffer}'s tracing_on switch. */
    static TriggerActions of(TraceBuffer buffer) {
        return new TriggerActions() {
            @Override
            public boolean tracingIsOn() {
                return buffer.tracingOn();
            }

            @Override
            public void traceOn() {
                buffer.setTracingOn(true);
            }

            @Override
            public void traceOff() {
                buffer.setTracingOn(false);
            }
        };
    }
}
