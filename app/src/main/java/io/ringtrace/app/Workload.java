package io.ringtrace.app;

import com.typesafe.config.Config;
import io.ringtrace.actors.Ringtrace;
import io.ringtrace.actors.TraceSystem;
import io.ringtrace.actors.Tracer;
import io.ringtrace.config.WorkloadSettings;
import io.ringtrace.protocol.ErrnoException;
import io.ringtrace.protocol.event.BuiltinEvents;
import io.ringtrace.protocol.event.EventRecorder;
import io.ringtrace.protocol.event.EventRegistry;
import io.ringtrace.protocol.event.EventType;
import org.apache.pekko.actor.typed.ActorSystem;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.locks.LockSupport;

/**
 * The daemon's built-in workload, so a demo boot has something to trace: one thread per CPU.
 * {@code marker} writes a numbered trace_marker into the top level on every CPU; {@code sched}
 * simulates a scheduler on every CPU (tasks with realistic names and pids switching, waking each
 * other, interrupts and softirqs) through the sched and irq events, which land in every instance
 * that enabled them (the demo's boot_map does).
 */
final class Workload {
    private Workload() {
    }

    static void start(ActorSystem<TraceSystem.Command> system, Config config) throws Exception {
        WorkloadSettings s = WorkloadSettings.create(config.getConfig("ringtrace.workload"));
        if (!s.enabled()) {
            return;
        }
        Tracer tracer = Ringtrace.tracer(system);
        List<Thread> threads = new ArrayList<>();
        for (int cpu = 0; cpu < tracer.cpus(); cpu++) {
            int c = cpu;
            if (s.kind() != WorkloadSettings.Kind.SCHED) {
                int rate = s.kind() == WorkloadSettings.Kind.MIXED ? Math.max(1, s.ratePerCpu() / 10) : s.ratePerCpu();
                threads.add(daemonThread(() -> markers(tracer, c, rate), "workload-marker-cpu" + cpu));
            }
            if (s.kind() != WorkloadSettings.Kind.MARKER) {
                threads.add(daemonThread(() -> new SchedSimulator(tracer, c, s.ratePerCpu()).run(), "workload-sched-cpu" + cpu));
            }
        }
        threads.forEach(Thread::start);
        // Ctrl-C: the workload stops before the engine does, so it never records into a stopping engine.
        org.apache.pekko.actor.CoordinatedShutdown.get(system).addTask(
                org.apache.pekko.actor.CoordinatedShutdown.PhaseServiceUnbind(), "stop-workload", () -> {
                    threads.forEach(Thread::interrupt);
                    for (Thread t : threads) {
                        try {
                            t.join(1000);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                    return java.util.concurrent.CompletableFuture.completedFuture(org.apache.pekko.Done.getInstance());
                });
    }

    private static Thread daemonThread(Runnable body, String name) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        return t;
    }

    private static void markers(Tracer tracer, int cpu, int rate) {
        long period = 1_000_000_000L / Math.max(1, rate);
        long n = 0;
        long next = System.nanoTime();
        while (!Thread.currentThread().isInterrupted()) {
            try {
                tracer.marker("", cpu, "workload marker " + n++ + " on cpu " + cpu);
            } catch (ErrnoException e) {
                if (e.errno() == io.ringtrace.protocol.Errno.ENODEV) {
                    return; // the engine is going away
                }
                // tracing off (EBADF) or markers disabled: the workload keeps its pace regardless.
            }
            next += period;
            LockSupport.parkNanos(Math.max(0, next - System.nanoTime()));
        }
    }

    /** A made-up but plausible scheduler on one CPU. */
    static final class SchedSimulator {
        private static final String[] COMMS = {"java", "bash", "sshd", "postgres", "nginx", "kworker/%d:1",
            "rcu_preempt", "systemd-journal", "containerd", "chronyd"};
        private static final String[] IRQS = {"virtio0-input.0", "virtio1-req.0", "timer", "eth0-rx-0"};
        private static final int[] SOFTIRQS = {1, 3, 7, 9};

        private final Tracer tracer;
        private final int cpu;
        private final int rate;
        private final SplittableRandom rnd;
        private final String[] comm;
        private final int[] pid;
        private final EventType sw;
        private final EventType wakeup;
        private final EventType waking;
        private final EventType irqEntry;
        private final EventType irqExit;
        private final EventType softEntry;
        private final EventType softExit;
        private final EventType exit;
        private int current;

        SchedSimulator(Tracer tracer, int cpu, int rate) {
            this.tracer = tracer;
            this.cpu = cpu;
            this.rate = rate;
            this.rnd = new SplittableRandom(0x5eed + cpu);
            EventRegistry r = tracer.events();
            sw = r.find("sched", "sched_switch");
            wakeup = r.find("sched", "sched_wakeup");
            waking = r.find("sched", "sched_waking");
            exit = r.find("sched", "sched_process_exit");
            irqEntry = r.find("irq", "irq_handler_entry");
            irqExit = r.find("irq", "irq_handler_exit");
            softEntry = r.find("irq", "softirq_entry");
            softExit = r.find("irq", "softirq_exit");
            comm = new String[COMMS.length + 1];
            pid = new int[COMMS.length + 1];
            comm[0] = "swapper/" + cpu;
            pid[0] = 0;
            for (int i = 0; i < COMMS.length; i++) {
                comm[i + 1] = String.format(COMMS[i], cpu);
                pid[i + 1] = 1000 + cpu * 100 + i * 7 + rnd.nextInt(5);
            }
        }

        void run() {
            EventRecorder rec = tracer.recorder();
            long period = 1_000_000_000L / Math.max(1, rate);
            long next = System.nanoTime();
            while (!Thread.currentThread().isInterrupted()) {
                step(rec);
                next += period;
                LockSupport.parkNanos(Math.max(0, next - System.nanoTime()));
            }
            rec.resetTask();
        }

        void step(EventRecorder rec) {
            int roll = rnd.nextInt(100);
            rec.setTask(pid[current], comm[current]);
            if (roll < 15) {
                int irq = rnd.nextInt(IRQS.length);
                rec.begin(irqEntry, cpu, BuiltinEvents.FLAG_IRQS_OFF | BuiltinEvents.FLAG_HARDIRQ, 1)
                        .putInt(24 + irq).putString(IRQS[irq]).commit();
                rec.begin(irqExit, cpu, BuiltinEvents.FLAG_IRQS_OFF | BuiltinEvents.FLAG_HARDIRQ, 1)
                        .putInt(24 + irq).putInt(1).commit();
            } else if (roll < 25) {
                int vec = SOFTIRQS[rnd.nextInt(SOFTIRQS.length)];
                rec.begin(softEntry, cpu, BuiltinEvents.FLAG_SOFTIRQ, 0x1).putInt(vec).commit();
                rec.begin(softExit, cpu, BuiltinEvents.FLAG_SOFTIRQ, 0x1).putInt(vec).commit();
            } else if (roll < 26 && current != 0) {
                rec.begin(exit, cpu, 0, 1).putString(comm[current]).putInt(pid[current]).putInt(120).putInt(1).commit();
                pid[current] += 1000;
                switchTo(rec, 0, 0x20);
            } else {
                int target = 1 + rnd.nextInt(comm.length - 1);
                if (target == current) {
                    target = 0;
                }
                rec.begin(waking, cpu, BuiltinEvents.FLAG_IRQS_OFF, 2).putString(comm[target]).putInt(pid[target])
                        .putInt(120).putInt(cpu).commit();
                rec.begin(wakeup, cpu, BuiltinEvents.FLAG_IRQS_OFF, 2).putString(comm[target]).putInt(pid[target])
                        .putInt(120).putInt(cpu).commit();
                long state = current == 0 ? 0 : (rnd.nextInt(4) == 0 ? 2 : 1);
                switchTo(rec, target, state);
            }
        }

        private void switchTo(EventRecorder rec, int target, long prevState) {
            rec.begin(sw, cpu, BuiltinEvents.FLAG_IRQS_OFF, 2).putString(comm[current]).putInt(pid[current])
                    .putInt(120).putLong(prevState).putString(comm[target]).putInt(pid[target]).putInt(120).commit();
            current = target;
        }
    }
}
