package io.ringtrace.actors;

import io.ringtrace.protocol.ring.RingBuffer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

import java.time.Duration;

/**
 * One CPU of an in-memory instance: the owner of its {@link RingBuffer}'s reader wakeups (the
 * kernel's rb_wake_up_waiters irq_work). Producers never message it: they write into the ring
 * directly. When its instance has a reader blocked on this CPU it arms a short poll and sends
 * {@link TraceInstance.DataReady} once the ring holds data.
 */
public final class CpuBuffer extends AbstractBehavior<CpuBuffer.Command> {

    public sealed interface Command {
    }

    /** A reader waits for data on this CPU: wake the instance when there is some. */
    public enum Arm implements Command {
        INSTANCE
    }

    private enum Poll implements Command {
        INSTANCE
    }

    private static final Duration POLL = Duration.ofMillis(2);

    private final int cpu;
    private final RingBuffer ring;
    private final ActorRef<TraceInstance.Command> instance;
    private final TimerScheduler<Command> timers;

    public static Behavior<Command> create(int cpu, RingBuffer ring, ActorRef<TraceInstance.Command> instance) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(t -> new CpuBuffer(ctx, t, cpu, ring, instance)));
    }

    private CpuBuffer(ActorContext<Command> ctx, TimerScheduler<Command> timers, int cpu, RingBuffer ring,
                      ActorRef<TraceInstance.Command> instance) {
        super(ctx);
        this.timers = timers;
        this.cpu = cpu;
        this.ring = ring;
        this.instance = instance;
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessageEquals(Arm.INSTANCE, this::onArm)
                .onMessageEquals(Poll.INSTANCE, this::onPoll)
                .build();
    }

    private Behavior<Command> onArm() {
        if (!timers.isTimerActive(Poll.INSTANCE)) {
            timers.startTimerWithFixedDelay(Poll.INSTANCE, POLL);
        }
        return this;
    }

    private Behavior<Command> onPoll() {
        if (!ring.isEmpty()) {
            timers.cancel(Poll.INSTANCE);
            instance.tell(new TraceInstance.DataReady(cpu));
        }
        return this;
    }
}
