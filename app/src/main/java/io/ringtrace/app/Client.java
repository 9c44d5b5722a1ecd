package io.ringtrace.app;

import io.ringtrace.protocol.Errno;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;

/**
 * The command line's side of {@link HttpApi}: one request per command, errors turned back into
 * the errno the daemon answered.
 *
 * <p>Requests go over {@link HttpURLConnection}: a command's JVM starts and exits in about 0.1 s
 * with it, against 0.8 s with {@link HttpClient}, whose selector thread alone holds the JVM's exit
 * for 0.3 s. The blocking reads of {@link #stream} need the WebSocket, and only they build an
 * HttpClient.
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

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

    private final String base;
    private HttpClient http;

    Client(String base) {
        this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    }

    private HttpClient http() {
        if (http == null) {
            HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT);
            if (base.startsWith("http:")) {
                b.sslContext(NoTls.CONTEXT).sslParameters(new SSLParameters());
            }
            http = b.build();
        }
        return http;
    }

    /**
     * The TLS context of a client of a plain {@code http:} daemon: never used, and given so that
     * HttpClient does not build the JDK's default one (its providers and trust store are about
     * 0.4 s of a command's start, for a loopback connection without TLS).
     */
    static final class NoTls extends SSLContextSpi {
        static final SSLContext CONTEXT = new SSLContext(new NoTls(), null, "none") { };

        private static UnsupportedOperationException plain() {
            return new UnsupportedOperationException("the daemon's URL is plain http");
        }

        @Override
        protected void engineInit(KeyManager[] km, TrustManager[] tm, SecureRandom random) {
        }

        @Override
        protected SSLSocketFactory engineGetSocketFactory() {
            throw plain();
        }

        @Override
        protected SSLServerSocketFactory engineGetServerSocketFactory() {
            throw plain();
        }

        @Override
        protected SSLEngine engineCreateSSLEngine() {
            throw plain();
        }

        @Override
        protected SSLEngine engineCreateSSLEngine(String host, int port) {
            throw plain();
        }

        @Override
        protected SSLSessionContext engineGetServerSessionContext() {
            throw plain();
        }

        @Override
        protected SSLSessionContext engineGetClientSessionContext() {
            throw plain();
        }

        @Override
        protected SSLParameters engineGetDefaultSSLParameters() {
            return new SSLParameters();
        }

        @Override
        protected SSLParameters engineGetSupportedSSLParameters() {
            return new SSLParameters();
        }
    }

    private URI uri(String op, String path) {
        return URI.create(base + "/v1/" + op + "?path=" + URLEncoder.encode(path, StandardCharsets.UTF_8));
    }

    /** A request to {@code op}; a POST sends {@code body} (null: a GET). Throws Refused on an errno answer. */
    private HttpURLConnection request(String op, String path, byte[] body) throws IOException, Refused {
        HttpURLConnection c = (HttpURLConnection) uri(op, path).toURL().openConnection();
        c.setConnectTimeout((int) CONNECT_TIMEOUT.toMillis());
        if (body != null) {
            c.setRequestMethod("POST");
            c.setRequestProperty("X-Caller-Pid", Long.toString(ProcessHandle.current().pid()));
            c.setRequestProperty("X-Caller-Comm", "ringtrace");
            c.setDoOutput(true);
            c.setFixedLengthStreamingMode(body.length);
            try (OutputStream o = c.getOutputStream()) {
                o.write(body);
            }
        }
        if (c.getResponseCode() != 200) {
            String errno = c.getHeaderField("X-Errno");
            try (InputStream e = c.getErrorStream()) {
                if (e != null) {
                    e.readAllBytes();
                }
            }
            throw refused(errno != null ? errno : "EIO");
        }
        return c;
    }

    private String text(String op, String path, byte[] body) throws IOException, Refused {
        try (InputStream in = request(op, path, body).getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /**
     * Reads {@code path} to {@code out} with non-blocking reads until end of file (a pipe: what it
     * holds now), as one chunked response.
     */
    void read(String path, OutputStream out) throws IOException, Refused {
        try (InputStream in = request("read", path, null).getInputStream()) {
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
            http().newWebSocketBuilder().buildAsync(u, listener).join();
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

    int write(String path, byte[] data) throws IOException, Refused {
        return Integer.parseInt(text("write", path, data).trim());
    }

    String ls(String path) throws IOException, Refused {
        return text("ls", path, null);
    }

    void mkdir(String path) throws IOException, Refused {
        text("mkdir", path, new byte[0]);
    }

    void rmdir(String path) throws IOException, Refused {
        text("rmdir", path, new byte[0]);
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
