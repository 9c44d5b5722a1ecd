package io.ringtrace.app;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.ringtrace.actors.Ringtrace;
import io.ringtrace.actors.TraceSystem;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.ServerBinding;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionStage;
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
        Config config = config(overrides());
        ActorSystem<TraceSystem.Command> system = ActorSystem.create(Ringtrace.create(config), "ringtrace", config);
        try {
            ServerBinding binding = serve(system, config);
            system.log().info("ringtrace: tracefs over HTTP at http://{}:{} (Ctrl-C stops)",
                    config.getString("ringtrace.http.host"), binding.localAddress().getPort());
            System.err.println("ringtrace: up, http://" + config.getString("ringtrace.http.host") + ":"
                    + binding.localAddress().getPort() + "  (try: bin/ringtrace cat trace)");
            if (mount != null) {
                MountCommand.mountInBackground(system, Ringtrace.fs(system), mount);
            }
        } catch (Exception e) {
            System.err.println("ringtrace: boot failed: " + e.getMessage());
            system.terminate();
            return 1;
        }
        system.getWhenTerminated().toCompletableFuture().get();
        return 0;
    }

    /** The daemon's configuration: {@code overrides} over application.conf and reference.conf. */
    static Config config(Config overrides) {
        return Ringtrace.systemConfig(overrides.withFallback(ConfigFactory.load()).resolve());
    }

    /**
     * Serves HTTP on {@code ringtrace.http.host}:{@code port} while the engine boots, waits for the
     * boot and starts the workload: everything {@code boot} does once the ActorSystem exists.
     */
    static ServerBinding serve(ActorSystem<TraceSystem.Command> system, Config config) throws Exception {
        // the HTTP server starts while the engine boots (they take about as long); requests wait for the boot
        CompletionStage<TraceSystem.BootCompleted> booted = Ringtrace.bootCompleted(system, system, BOOT_TIMEOUT);
        ServerBinding binding = new HttpApi(system, Ringtrace.fs(system))
                .bind(config.getString("ringtrace.http.host"), config.getInt("ringtrace.http.port"), booted)
                .toCompletableFuture().get(30, TimeUnit.SECONDS);
        booted.toCompletableFuture().get(BOOT_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        Workload.start(system, config);
        return binding;
    }

    private static final Duration BOOT_TIMEOUT = Duration.ofSeconds(60);

    /** What `boot` runs when not told otherwise (DESIGN.md section 4). */
    static final String DEMO_CMDLINE =
            "reserve_mem=12M:4096:trace trace_instance=boot_map@trace,sched,irq trace_instance=backup=boot_map";

    Config overrides() {
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
