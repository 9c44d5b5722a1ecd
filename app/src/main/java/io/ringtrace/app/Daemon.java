package io.ringtrace.app;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.ringtrace.actors.Ringtrace;
import io.ringtrace.actors.TraceFs;
import io.ringtrace.actors.TraceSystem;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.ServerBinding;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@code bin/ringtrace boot}: starts the engine (one "boot" with a boot command line), serves
 * HTTP on loopback, runs the built-in workload, and stops cleanly on Ctrl-C (Pekko's coordinated
 * shutdown runs from the JVM shutdown hook).
 */
@Command(name = "boot", description = "Start the ringtrace daemon.")
final class Daemon implements Callable<Integer> {
    @Option(names = "--port", description = "HTTP port on loopback (default: ringtrace.http.port, 7311).")
    Integer port;
    @Option(names = "--host", description = "HTTP address (default: ringtrace.http.host, 127.0.0.1).")
    String host;
    @picocli.CommandLine.Mixin
    EngineOptions engine = new EngineOptions();
    @Option(names = "--workload", description = "Built-in workload: marker, sched, none (default: ringtrace.workload.kind).")
    String workload;
    @Option(names = "--rate", description = "Workload events per second per CPU.")
    Integer rate;
    @Option(names = "--mount", description = "Also mount the tracefs tree at this directory (FUSE).")
    Path mount;

    @Override
    public Integer call() throws Exception {
        Config config = Ringtrace.systemConfig(overrides().withFallback(ConfigFactory.load()).resolve());
        ActorSystem<TraceSystem.Command> system = ActorSystem.create(Ringtrace.create(config), "ringtrace", config);
        try {
            Ringtrace.awaitBoot(system);
            TraceFs fs = Ringtrace.fs(system);
            String h = config.getString("ringtrace.http.host");
            int p = config.getInt("ringtrace.http.port");
            ServerBinding binding = new HttpApi(system, fs).bind(h, p).toCompletableFuture().get(30, TimeUnit.SECONDS);
            system.log().info("ringtrace: tracefs over HTTP at http://{}:{} (Ctrl-C stops)", h,
                    binding.localAddress().getPort());
            System.err.println("ringtrace: up, http://" + h + ":" + binding.localAddress().getPort()
                    + "  (try: bin/ringtrace cat trace)");
            Workload.start(system, config);
            if (mount != null) {
                MountCommand.mountInBackground(system, fs, mount);
            }
        } catch (Exception e) {
            System.err.println("ringtrace: boot failed: " + e.getMessage());
            system.terminate();
            return 1;
        }
        system.getWhenTerminated().toCompletableFuture().get();
        return 0;
    }

    /** What `boot` runs when not told otherwise (DESIGN.md section 4). */
    static final String DEMO_CMDLINE =
            "reserve_mem=12M:4096:trace trace_instance=boot_map@trace,sched,irq trace_instance=backup=boot_map";

    private Config overrides() {
        Config c = ConfigFactory.empty()
                .withValue("ringtrace.workload.enabled", ConfigValueFactory.fromAnyRef(true))
                .withValue("ringtrace.workload.kind", ConfigValueFactory.fromAnyRef("mixed"))
                .withValue("ringtrace.boot.cmdline", ConfigValueFactory.fromAnyRef(DEMO_CMDLINE));
        if (port != null) {
            c = c.withValue("ringtrace.http.port", ConfigValueFactory.fromAnyRef(port));
        }
        if (host != null) {
            c = c.withValue("ringtrace.http.host", ConfigValueFactory.fromAnyRef(host));
        }
        c = engine.applyTo(c);
        if ("none".equals(workload)) {
            c = c.withValue("ringtrace.workload.enabled", ConfigValueFactory.fromAnyRef(false));
        } else if (workload != null) {
            c = c.withValue("ringtrace.workload.kind", ConfigValueFactory.fromAnyRef(workload));
        }
        if (rate != null) {
            c = c.withValue("ringtrace.workload.rate-per-cpu", ConfigValueFactory.fromAnyRef(rate));
        }
        return c;
    }
}
