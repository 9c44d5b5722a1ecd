package io.ringtrace.app.crash;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One {@code ringtrace boot} daemon as a separate JVM ({@code java -cp <test class path>
 * io.ringtrace.app.Main boot ...}), its stdout and stderr in a log file, and the few HTTP calls
 * the crash test makes (write, read, ls).
 */
final class DaemonProcess implements AutoCloseable {
    /** The exit status Java reports for a process that died of SIGKILL (128 + 9). */
    static final int SIGKILL_EXIT = 137;

    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    final int port;
    final Path log;
    final Process process;
    private final HttpClient http;
    private final String base;
    /** How long the boot took until HTTP answered. */
    long bootMillis;

    private DaemonProcess(int port, Path log, Process process) {
        this.port = port;
        this.log = log;
        this.process = process;
        this.base = "http://127.0.0.1:" + port;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2))
                .build();
    }

    /**
     * Starts a daemon on a free port with 2 CPUs, no built-in workload and the default (demo) boot
     * command line, and waits until it answers HTTP. A daemon that dies before (say because the
     * port was taken in between) is retried on another port, twice.
     */
    static DaemonProcess start(Path dataDir, Path log, String classPath, List<Process> started) throws Exception {
        IOException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            int port = freePort();
            Path attemptLog = attempt == 0 ? log : log.resolveSibling(log.getFileName() + "." + attempt);
            List<String> cmd = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx512m", "--add-exports=jdk.jfr/jdk.jfr.internal=ALL-UNNAMED",
                    // Starts faster and leaves more of a small machine to the test: C1 only, serial GC.
                    "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
            // For diagnosis: more JVM options for the daemon, e.g. -Dringtrace.persistence.fsync=off.
            String extra = System.getProperty("ringtrace.crash.daemon-opts", "").trim();
            if (!extra.isEmpty()) {
                cmd.addAll(List.of(extra.split("\\s+")));
            }
            cmd.addAll(List.of(
                    "-cp", classPath,
                    "io.ringtrace.app.Main", "boot",
                    "--port", Integer.toString(port),
                    "--cpus", "2",
                    "--workload", "none",
                    "--data-dir", dataDir.toAbsolutePath().toString()));
            Process p = new ProcessBuilder(cmd)
                    .directory(dataDir.getParent().toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(attemptLog.toFile())
                    .start();
            started.add(p);
            DaemonProcess d = new DaemonProcess(port, attemptLog, p);
            long t0 = System.nanoTime();
            try {
                d.awaitUp();
                d.bootMillis = (System.nanoTime() - t0) / 1_000_000;
                return d;
            } catch (IOException e) {
                last = e;
                d.close();
                if (!Files.readString(attemptLog).contains("Address already in use")) {
                    throw e;
                }
            }
        }
        throw last;
    }

    /**
     * The class path to give the daemon: the test's own. Under surefire the JVM's
     * {@code java.class.path} may be only the booter's manifest jar, so its
     * {@code surefire.test.class.path} (the full test class path of this module, which contains
     * the whole runtime class path) comes first.
     */
    static String classPath() {
        String cp = System.getProperty("surefire.test.class.path");
        return cp != null && !cp.isBlank() ? cp : System.getProperty("java.class.path");
    }

    /**
     * {@link #classPath()} with every SNAPSHOT jar copied into {@code dir} first. Run with
     * {@code -pl app}, the sibling modules come from the local Maven repository, where anyone
     * running {@code mvn install} at the same time rewrites them in place; a daemon started
     * while that happens fails with NoClassDefFoundError. The copies keep every daemon of a test
     * on one consistent set (each copy is checked to be a whole jar that did not change while
     * being copied, else copied again).
     */
    static String snapshotClassPath(Path dir) throws Exception {
        Files.createDirectories(dir);
        List<String> out = new ArrayList<>();
        int i = 0;
        for (String entry : classPath().split(java.io.File.pathSeparator)) {
            Path src = Path.of(entry);
            if (!entry.endsWith("-SNAPSHOT.jar") || !Files.isRegularFile(src)) {
                out.add(entry);
                continue;
            }
            Path copy = dir.resolve((i++) + "-" + src.getFileName());
            copyWhole(src, copy);
            out.add(copy.toString());
        }
        return String.join(java.io.File.pathSeparator, out);
    }

    private static void copyWhole(Path src, Path copy) throws Exception {
        Exception last = null;
        for (int attempt = 0; attempt < 20; attempt++) {
            try {
                long size = Files.size(src);
                java.nio.file.attribute.FileTime mtime = Files.getLastModifiedTime(src);
                Files.copy(src, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                try (java.util.zip.ZipFile z = new java.util.zip.ZipFile(copy.toFile())) {
                    z.stream().count(); // the central directory is there and readable
                }
                if (Files.size(src) == size && Files.getLastModifiedTime(src).equals(mtime)
                        && Files.size(copy) == size) {
                    return;
                }
            } catch (IOException e) {
                last = e;
            }
            Thread.sleep(500);
        }
        throw new IOException("could not take a stable copy of " + src, last);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }

    private void awaitUp() throws Exception {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        String upLine = "ringtrace: up, http://127.0.0.1:" + port;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("daemon exited with " + process.exitValue() + " before answering:\n" + logTail());
            }
            try {
                HttpResponse<String> r = http.send(get("/v1/ls", "instances/boot_map"),
                        HttpResponse.BodyHandlers.ofString());
                // Our daemon, not something else that took the port: its log says it is up there.
                if (r.statusCode() == 200 && Files.readString(log).contains(upLine)) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new IOException("daemon did not answer within " + START_TIMEOUT + ":\n" + logTail());
    }

    /**
     * {@code echo -n TEXT > PATH} as process {@code pid}: one write(2) after O_TRUNC. Returns
     * normally only when the daemon answered that the whole text was written.
     */
    void write(String path, String text, int pid) throws IOException, InterruptedException {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        HttpRequest req = HttpRequest.newBuilder(uri("/v1/write", path))
                .timeout(Duration.ofSeconds(10))
                .header("X-Caller-Pid", Integer.toString(pid))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200 || !r.body().trim().equals(Integer.toString(body.length))) {
            throw new IllegalStateException("write of '" + text + "' to " + path + " answered "
                    + r.statusCode() + " " + r.body().trim());
        }
    }

    /** {@code cat PATH} with O_NONBLOCK; fails on an HTTP error or an error trailer. */
    String read(String path) throws IOException, InterruptedException {
        HttpResponse<byte[]> r = http.send(get("/v1/read", path), HttpResponse.BodyHandlers.ofByteArray());
        String text = new String(r.body(), StandardCharsets.UTF_8);
        if (r.statusCode() != 200 || text.contains("\u0000ERRNO:")) {
            throw new IllegalStateException("read of " + path + " answered " + r.statusCode() + ": "
                    + text.substring(Math.max(0, text.length() - 200)));
        }
        return text;
    }

    private HttpRequest get(String endpoint, String path) {
        String q = endpoint.equals("/v1/read") ? "&nonblock=1" : "";
        return HttpRequest.newBuilder(URI.create(uri(endpoint, path) + q))
                .timeout(Duration.ofSeconds(30))
                .GET()
                .build();
    }

    private URI uri(String endpoint, String path) {
        return URI.create(base + endpoint + "?path=" + URLEncoder.encode(path, StandardCharsets.UTF_8));
    }

    /**
     * kill -9: {@link Process#destroyForcibly()} sends SIGKILL on Linux, which the exit status
     * (137 = 128 + 9) confirms. Returns the exit status.
     */
    int killMinus9() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("daemon pid " + process.pid() + " still alive 10 s after SIGKILL");
        }
        return process.exitValue();
    }

    /** The last lines of the daemon's log, for failure messages. */
    String logTail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return "--- " + log + " (last lines) ---\n"
                    + String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log " + log + ": " + e + ")";
        }
    }

    /** Stops the daemon if still running: SIGTERM, then SIGKILL after 10 s. */
    @Override
    public void close() throws InterruptedException {
        stop(process);
    }

    static void stop(Process p) throws InterruptedException {
        if (p.isAlive()) {
            p.destroy();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
