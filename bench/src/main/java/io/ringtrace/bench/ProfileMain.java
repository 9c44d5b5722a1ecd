package io.ringtrace.bench;

/**
 * JFR-sampled profiles of one path at a time, and a consistency check of the byte[] timestamp what-if:
 * {@code java -cp bench/target-bench/benchmarks.jar io.ringtrace.bench.ProfileMain MODE [THREAD-PREFIX]}
 * with MODE record (EventRecorder.record on one thread), render (the trace text of a filled
 * instance), persist (the persistence measurement; prefix e.g. "PersistBench-pekko" for the
 * journal's threads), recover (a start on a full 12 MB persistent instance until backup/trace's
 * first read), cputime (one event's CPU time on each path, see CpuTimeProfile), breakdown (where the
 * recorder's time goes, see RecorderBreakdown), pipe (consuming reads next to a producer, see
 * PipeReadProfile) or check.
 */
public final class ProfileMain {
    public static void main(String[] args) throws Exception {
        Quiet.logs();
        switch (args[0]) {
            case "render": {
                ReadBench.S s = new ReadBench.S();
                s.setup();
                ReadBench b = new ReadBench();
                for (int i = 0; i < 3; i++) {
                    long t0 = System.nanoTime();
                    byte[] out = b.render(s);
                    System.out.printf("render %d bytes in %.1f ms%n", out.length, (System.nanoTime() - t0) / 1e6);
                }
                System.out.println(JfrProfile.profile("trace render", "main", 40, () -> {
                    for (int i = 0; i < 5; i++) {
                        b.render(s);
                    }
                }));
                break;
            }
            case "persist": {
                java.nio.file.Path work = java.nio.file.Files.createTempDirectory("rtprof");
                String prefix = args.length > 1 ? args[1] : "";
                System.out.println(JfrProfile.profile("persistence", prefix, 60,
                        () -> System.out.println(PersistenceMeasure.run(work, 1, 3000))));
                Engines.deleteTree(work);
                break;
            }
            case "persist-journal": {
                // only the persistent run with the shipped defaults (or -Dkey=value overrides of
                // ringtrace.persistence.*), 3 times; process CPU per wall second beside each
                java.nio.file.Path work = java.nio.file.Files.createTempDirectory("rtprof");
                String prefix = args.length > 1 ? args[1] : "";
                int nr = new io.ringtrace.persistence.Geometry(PersistenceMeasure.RESERVED, PersistenceMeasure.CPUS,
                        4096).nrPages();
                java.util.Map<String, Object> overrides = new java.util.HashMap<>();
                System.getProperties().forEach((k, v) -> {
                    if (k.toString().startsWith("ringtrace.persistence.")) {
                        overrides.put(k.toString(), v.toString());
                    }
                });
                PersistenceMeasure.persistent(work, nr, 1, 2000, overrides); // warm-up
                Rings.Fixture fx = new Rings.Fixture(PersistenceMeasure.CPUS, 64);
                try (Producers p = Producers.of(1, fx.rec, null)) {
                    Thread.sleep(100);
                }
                java.util.List<byte[]> images = PersistenceMeasure.pageImages(fx, 64);
                System.out.println(JfrProfile.profile("persistence journal path", prefix, 60, () -> {
                    for (int i = 0; i < Integer.getInteger("runs", 3); i++) {
                        PersistenceMeasure.Run r = PersistenceMeasure.persistent(work, nr, 1,
                                Long.getLong("window", 3000), overrides);
                        System.out.println(PersistenceMeasure.lastThreadCpu);
                        long c0 = PersistenceMeasure.processCpuNanos();
                        long t0 = System.nanoTime();
                        double raw = RawLevelDb.batchWriteRate(work.resolve("raw"), images,
                                (int) Math.max(1, Math.round(r.avgBatchPages())), true, 3000);
                        double rawCpu = (PersistenceMeasure.processCpuNanos() - c0) / 1e6
                                / (raw * (System.nanoTime() - t0) / 1e9 / 1e6);
                        Engines.deleteTree(work.resolve("raw"));
                        System.out.printf("%.1f MB/s persisted (raw %.1f: %.2f), producer %.2f M events/s, %d commits of"
                                        + " %.0f pages, %d deletes, disk max %.1f MB; CPU ms per MB: journal side %.1f,"
                                        + " raw %.1f; load %s%n",
                                r.persistedBytesPerSec() / 1e6, raw / 1e6, r.persistedBytesPerSec() / raw,
                                r.eventsPerSec() / 1e6, r.commits(), r.avgBatchPages(), r.deletes(),
                                r.maxDiskBytes() / 1e6, r.journalCpuMsPerMB(), rawCpu,
                                java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim());
                    }
                }));
                Engines.deleteTree(work);
                break;
            }
            case "recover": {
                java.nio.file.Path work = java.nio.file.Files.createTempDirectory("rtprof");
                java.nio.file.Path data = java.nio.file.Files.createDirectories(work.resolve("data"));
                RecoveryMeasure.fill(data, new io.ringtrace.persistence.Geometry(12L << 20, 2, 4096).nrPages());
                String prefix = args.length > 1 ? args[1] : "";
                System.out.println(JfrProfile.profile("recovery until backup/trace's first read", prefix, 70, () -> {
                    long t0 = System.nanoTime();
                    var system = Engines.start("RecoverProfile", RecoveryMeasure.config(data));
                    long t1 = System.nanoTime();
                    try (var h = io.ringtrace.actors.Ringtrace.fs(system).open("instances/backup/trace", 0)) {
                        byte[] b = h.read(65536);
                        System.out.printf("boot %.0f ms, first read (%d bytes) %.0f ms%n", (t1 - t0) / 1e6, b.length,
                                (System.nanoTime() - t1) / 1e6);
                    } finally {
                        Engines.stop(system);
                    }
                }));
                Engines.deleteTree(work);
                break;
            }
            case "breakdown": {
                Rings.Fixture fx = new Rings.Fixture(2, Rings.DEFAULT_PAGES);
                io.ringtrace.protocol.event.EventRecorder rec =
                        new io.ringtrace.protocol.event.EventRecorder(new io.ringtrace.protocol.event.SavedCmdlines(), 0);
                System.out.print(io.ringtrace.protocol.event.RecorderBreakdown.run(fx.rec, fx.buffer.cpu(1), rec));
                break;
            }
            case "pipe":
                System.out.print(PipeReadProfile.run());
                break;
            case "cputime":
                System.out.print(CpuTimeProfile.run());
                break;
            case "record": {
                Rings.Fixture fx = new Rings.Fixture(2, Rings.DEFAULT_PAGES);
                io.ringtrace.protocol.event.EventRecorder r =
                        new io.ringtrace.protocol.event.EventRecorder(new io.ringtrace.protocol.event.SavedCmdlines(), 0);
                long[] n = {0};
                Runnable loop = () -> {
                    long end = System.nanoTime() + 3_000_000_000L;
                    long k = n[0];
                    while (System.nanoTime() < end) {
                        for (int i = 0; i < 4096; i++) {
                            r.record(fx.rec, 0, 0, k++);
                        }
                    }
                    n[0] = k;
                };
                loop.run(); // JIT warm-up
                long c0 = n[0];
                System.out.println(JfrProfile.profile("EventRecorder.record, 1 thread", "main", 45, loop::run));
                System.out.printf("%.1f M events/s while profiled%n", (n[0] - c0) / 3e6);
                break;
            }
            case "check": {
                byte[] out = new byte[32];
                long[] samples = {0, 499, 500, 999_999_499L, 999_999_500L, 123_456_789_012L, 99_999_999_999_499L,
                        100_000_000_000_000L, 4_000_000_000_000_000L};
                for (long ts : samples) {
                    int n = ReadBench.formatTimestamp(ts, out, 0);
                    String a = new String(out, 0, n, java.nio.charset.StandardCharsets.US_ASCII);
                    String b = io.ringtrace.protocol.TraceClock.LOCAL.format(ts);
                    if (!a.equals(b)) {
                        throw new AssertionError(ts + ": '" + a + "' != '" + b + "'");
                    }
                }
                System.out.println("checks passed");
                break;
            }
            default:
                throw new IllegalArgumentException(args[0]);
        }
        System.exit(0);
    }
}
