package io.ringtrace.bench;

import io.ringtrace.protocol.event.EventRecorder;
import io.ringtrace.protocol.event.EventType;
import io.ringtrace.protocol.event.SavedCmdlines;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Supplier;

/**
 * Producer threads outside JMH (persistence, reading): each records bench/rec as fast as it can on
 * its own CPU through its own {@link EventRecorder} until stopped; {@link #count()} is the number of
 * events recorded so far (read at any time, so a window can be measured while they run).
 */
final class Producers implements AutoCloseable {
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicLongArray counts;
    private volatile boolean stop;

    /**
     * @param recorders makes the recorder of the calling (producer) thread
     */
    Producers(int n, EventType type, Supplier<EventRecorder> recorders) {
        counts = new AtomicLongArray(n * 16);
        CountDownLatch started = new CountDownLatch(n);
        for (int i = 0; i < n; i++) {
            final int cpu = i;
            Thread t = new Thread(() -> {
                EventRecorder r = recorders.get();
                r.setCpu(cpu);
                started.countDown();
                long k = 0;
                while (!stop) {
                    for (int j = 0; j < 1024; j++) {
                        r.record(type, cpu, cpu, k++);
                    }
                    counts.lazySet(cpu * 16, k);
                }
                counts.set(cpu * 16, k);
            }, "producer-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        try {
            started.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Producers recording into an EventSet's instance with fresh recorders. */
    static Producers of(int n, EventType type, SavedCmdlines cmdlines) {
        return new Producers(n, type, () -> new EventRecorder(cmdlines, 0));
    }

    /** CPU time the producer threads have used so far (ns), or -1 when not measurable. */
    long cpuNanos() {
        var mx = java.lang.management.ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (Thread t : threads) {
            long c = mx.getThreadCpuTime(t.getId());
            if (c < 0) {
                return -1;
            }
            sum += c;
        }
        return sum;
    }

    long count() {
        long s = 0;
        for (int i = 0; i < threads.size(); i++) {
            s += counts.get(i * 16);
        }
        return s;
    }

    /** Events/s over a window of {@code millis} from now. */
    double rate(long millis) throws InterruptedException {
        long c0 = count();
        long t0 = System.nanoTime();
        Thread.sleep(millis);
        long c1 = count();
        long t1 = System.nanoTime();
        return (c1 - c0) * 1e9 / (t1 - t0);
    }

    @Override
    public void close() {
        stop = true;
        for (Thread t : threads) {
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

}
