package io.ringtrace.app;

import io.ringtrace.protocol.Errno;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The command line's side of {@link HttpApi}: one request per command, errors turned back into
 * the errno the daemon answered.
 */
final class Client {
    /** A request the daemon refused with an errno. */
    static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;
        final Errno errno;

        Refused(Errno errno) {
            super(errno.name(), null, false, false);
            this.errno = errno;
        }
    }

    private final String base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    Client(String base) {
        this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    }

    private URI uri(String op, String path, String extra) {
        return URI.create(base + "/v1/" + op + "?path=" + URLEncoder.encode(path, StandardCharsets.UTF_8) + extra);
    }

    /** Streams a read to {@code out} until end of file. */
    void read(String path, boolean nonblock, OutputStream out) throws IOException, InterruptedException, Refused {
        HttpResponse<InputStream> r = http.send(
                HttpRequest.newBuilder(uri("read", path, nonblock ? "&nonblock=1" : "")).GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
        if (r.statusCode() != 200) {
            throw refused(r.headers().firstValue("X-Errno").orElse("EIO"));
        }
        try (InputStream in = r.body()) {
            byte[] buf = new byte[65536];
            int n;
            while ((n = in.read(buf)) > 0) {
                int errAt = indexOfTrailer(buf, n);
                if (errAt >= 0) {
                    out.write(buf, 0, errAt);
                    out.flush();
                    String name = new String(buf, errAt + 7, n - errAt - 7, StandardCharsets.US_ASCII).trim();
                    throw refused(name);
                }
                out.write(buf, 0, n);
                out.flush();
            }
        }
    }

    private static int indexOfTrailer(byte[] b, int n) {
        for (int i = 0; i + 7 <= n; i++) {
            if (b[i] == 0 && b[i + 1] == 'E' && b[i + 2] == 'R' && b[i + 3] == 'R' && b[i + 4] == 'N'
                    && b[i + 5] == 'O' && b[i + 6] == ':') {
                return i;
            }
        }
        return -1;
    }

    /**
     * Streams a read over the daemon's WebSocket until end of file or until the process is stopped
     * (the daemon sees the socket close and closes the file, as the kernel does when cat dies).
     */
    void stream(String path, boolean nonblock, OutputStream out) throws IOException, InterruptedException, Refused {
        URI u = URI.create(base.replaceFirst("^http", "ws") + "/v1/stream?path="
                + URLEncoder.encode(path, StandardCharsets.UTF_8) + (nonblock ? "&nonblock=1" : ""));
        java.util.concurrent.CompletableFuture<Errno> done = new java.util.concurrent.CompletableFuture<>();
        StringBuilder text = new StringBuilder();
        java.net.http.WebSocket.Listener listener = new java.net.http.WebSocket.Listener() {
            @Override
            public java.util.concurrent.CompletionStage<?> onBinary(java.net.http.WebSocket ws, java.nio.ByteBuffer data,
                                                                    boolean last) {
                try {
                    byte[] b = new byte[data.remaining()];
                    data.get(b);
                    out.write(b);
                    out.flush();
                } catch (IOException e) {
                    done.completeExceptionally(e);
                }
                ws.request(1);
                return null;
            }

            @Override
            public java.util.concurrent.CompletionStage<?> onText(java.net.http.WebSocket ws, CharSequence data, boolean last) {
                text.append(data);
                ws.request(1);
                return null;
            }

            @Override
            public java.util.concurrent.CompletionStage<?> onClose(java.net.http.WebSocket ws, int status, String reason) {
                String t = text.toString();
                done.complete(t.startsWith("ERRNO:") ? errnoOf(t.substring(6)) : null);
                return null;
            }

            @Override
            public void onError(java.net.http.WebSocket ws, Throwable error) {
                done.completeExceptionally(error);
            }
        };
        try {
            http.newWebSocketBuilder().buildAsync(u, listener).join();
        } catch (java.util.concurrent.CompletionException e) {
            throw e.getCause() instanceof IOException ? (IOException) e.getCause() : new IOException(e.getCause());
        }
        Errno err;
        try {
            err = done.get();
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof IOException ? (IOException) e.getCause() : new IOException(e.getCause());
        }
        if (err != null) {
            throw new Refused(err);
        }
    }

    private static Errno errnoOf(String name) {
        try {
            return Errno.valueOf(name.trim());
        } catch (IllegalArgumentException e) {
            return Errno.EIO;
        }
    }

    int write(String path, byte[] data) throws IOException, InterruptedException, Refused {
        String body = post("write", path, data);
        return Integer.parseInt(body.trim());
    }

    String ls(String path) throws IOException, InterruptedException, Refused {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri("ls", path, "")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw refused(r.headers().firstValue("X-Errno").orElse("EIO"));
        }
        return r.body();
    }

    void mkdir(String path) throws IOException, InterruptedException, Refused {
        post("mkdir", path, new byte[0]);
    }

    void rmdir(String path) throws IOException, InterruptedException, Refused {
        post("rmdir", path, new byte[0]);
    }

    private String post(String op, String path, byte[] data) throws IOException, InterruptedException, Refused {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri(op, path, ""))
                        .header("X-Caller-Pid", Long.toString(ProcessHandle.current().pid()))
                        .header("X-Caller-Comm", "ringtrace")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(data)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw refused(r.headers().firstValue("X-Errno").orElse("EIO"));
        }
        return r.body();
    }

    private static Refused refused(String name) {
        try {
            return new Refused(Errno.valueOf(name));
        } catch (IllegalArgumentException e) {
            return new Refused(Errno.EIO);
        }
    }

    static boolean isConnectionRefused(IOException e) {
        return e instanceof ConnectException || e.getCause() instanceof ConnectException;
    }
}
