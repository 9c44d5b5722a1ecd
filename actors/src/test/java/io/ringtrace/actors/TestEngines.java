package io.ringtrace.actors;

import io.ringtrace.protocol.event.EventRegistry;
import io.ringtrace.protocol.event.SavedCmdlines;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;

/** Starts an engine inside a test kit: a TraceSystem with the kernel's events and default sizes. */
final class TestEngines {
    private TestEngines() {
    }

    static Engine engine(int cpus) {
        return new Engine(cpus, TraceArray.DEFAULT_BUFFER_BYTES, EventRegistry.createDefault(), new SavedCmdlines());
    }

    static TraceFs start(ActorTestKit kit, int cpus) {
        return new TraceFs(kit.system(), spawn(kit, cpus));
    }

    static ActorRef<TraceSystem.Command> spawn(ActorTestKit kit, int cpus) {
        return kit.spawn(TraceSystem.create(engine(cpus)));
    }
}
