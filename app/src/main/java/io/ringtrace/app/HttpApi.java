package io.ringtrace.app;

import io.ringtrace.actors.TraceFs;
import io.ringtrace.actors.fs.Caller;
import io.ringtrace.actors.fs.FsReply;
import io.ringtrace.actors.fs.OpenFlags;
import io.ringtrace.actors.fs.Stat;
import io.ringtrace.protocol.Errno;
import io.ringtrace.protocol.ErrnoException;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The daemon's HTTP interface on loopback, used by the command line and other tools. Every
 * endpoint takes the tracefs path as the {@code path} query parameter. Errors answer with HTTP
 * 409 (or 404 for ENOENT), the errno name in the body and in header {@code X-Errno}.
 *
 * <ul>
 *   <li>{@code GET /v1/read?path=P} — open O_RDONLY|O_NONBLOCK and return what read(2) gives
 *       until end of file or EAGAIN (a pipe: what it holds now).</li>
 *   <li>{@code GET /v1/stream?path=P[&nonblock=1]} (WebSocket) — blocking reads, one binary
 *       message per read(2), until end of file; the file is closed as soon as the client goes.</li>
 *   <li>{@code POST /v1/write?path=P} — body written with one write(2) after O_WRONLY|O_TRUNC
 *       (what {@code echo > P} does); answers the count.</li>
 *   <li>{@code GET /v1/ls?path=P} — one line per entry: mode string and name.</li>
 *   <li>{@code POST /v1/mkdir?path=P}, {@code POST /v1/rmdir?path=P}.</li>
 * </ul>
 */
public final class HttpApi extends AllDirectives {
    private final TraceFs fs;
    private final ActorSystem<?> system;

    public HttpApi(ActorSystem<?> system, TraceFs fs) {
        this.system = system;
        this.fs = fs;
    }

    public CompletionStage<ServerBinding> bind(String host, int port) {
        return Http.get(system).newServerAt(host, port).bind(routes());
    }

    /**
     * Serves as soon as the port is bound; a request that comes before {@code ready} completes
     * (the engine's boot) waits for it, so no client sees a tree that is still booting.
     */
    public CompletionStage<ServerBinding> bind(String host, int port, CompletionStage<?> ready) {
        Route r = routes();
        return Http.get(system).newServerAt(host, port).bind(onSuccess(ready, done -> r));
    }

    Route routes() {
        return pathPrefix("v1", () -> concat(
                // Always non-blocking: a chunked response cannot tell when its client went away,
                // so a blocking pipe read here could hold its instance busy; blocking reads use /v1/stream.
                path("read", () -> get(() -> parameter("path", p -> read(p, true)))),
                path("stream", () -> get(() -> parameter("path", p ->
                        parameterOptional("nonblock", nb -> handleWebSocketMessages(stream(p, nb.isPresent())))))),
                path("write", () -> post(() -> parameter("path", p ->
                        optionalHeaderValueByName("X-Caller-Pid", pid ->
                                optionalHeaderValueByName("X-Caller-Comm", comm ->
                                        extractStrictEntity(java.time.Duration.ofSeconds(10),
                                                e -> write(p, e.getData(), caller(pid, comm)))))))),
                path("ls", () -> get(() -> parameter("path", this::ls))),
                path("stat", () -> get(() -> parameter("path", this::stat))),
                path("mkdir", () -> post(() -> parameter("path", p -> dirOp(p, true)))),
                path("rmdir", () -> post(() -> parameter("path", p -> dirOp(p, false))))));
    }

    private static Caller httpCaller() {
        return new Caller((int) ProcessHandle.current().pid(), "ringtrace-http");
    }

    private Route read(String path, boolean nonblock) {
        CompletionStage<HttpResponse> resp = async(() -> {
            try {
                int flags = OpenFlags.O_RDONLY | (nonblock ? OpenFlags.O_NONBLOCK : 0);
                TraceFs.Handle h = fs.open(path, flags, httpCaller());
                // The error after some data ends the stream with a trailer the CLI recognises.
                Source<ByteString, NotUsed> closing = reads(h, ByteString::fromArray,
                        e -> ByteString.fromString("\u0000ERRNO:" + e.name()));
                return HttpResponse.create().withEntity(HttpEntities.createChunked(
                        ContentTypes.APPLICATION_OCTET_STREAM, closing));
            } catch (ErrnoException e) {
                return error(e.errno());
            }
        });
        return completeWithFuture(resp);
    }

    /**
     * A read as a WebSocket: one binary message per read(2) result, closed at end of file; an
     * error is one text message {@code ERRNO:NAME} before the close. Unlike a chunked HTTP
     * response, the server reads the socket all along, so a client that goes away (Ctrl-C on
     * {@code ringtrace pipe}) is seen at once and its file is closed: its instance is no longer
     * busy.
     */
    private org.apache.pekko.stream.javadsl.Flow<org.apache.pekko.http.javadsl.model.ws.Message,
            org.apache.pekko.http.javadsl.model.ws.Message, NotUsed> stream(String path, boolean nonblock) {
        Source<org.apache.pekko.http.javadsl.model.ws.Message, NotUsed> out = Source.lazyCompletionStageSource(() ->
                async(() -> null).thenApply(unused -> {
                    TraceFs.Handle h;
                    try {
                        int flags = OpenFlags.O_RDONLY | (nonblock ? OpenFlags.O_NONBLOCK : 0);
                        h = fs.open(path, flags, httpCaller());
                    } catch (ErrnoException e) {
                        return Source.<org.apache.pekko.http.javadsl.model.ws.Message>single(
                                org.apache.pekko.http.javadsl.model.ws.TextMessage.create("ERRNO:" + e.errno().name()));
                    }
                    return reads(h,
                            b -> (org.apache.pekko.http.javadsl.model.ws.Message)
                                    org.apache.pekko.http.javadsl.model.ws.BinaryMessage.create(ByteString.fromArray(b)),
                            e -> org.apache.pekko.http.javadsl.model.ws.TextMessage.create("ERRNO:" + e.name()));
                })).mapMaterializedValue(m -> NotUsed.getInstance());
        return org.apache.pekko.stream.javadsl.Flow.fromSinkAndSourceCoupled(
                org.apache.pekko.stream.javadsl.Sink.ignore(), out);
    }

    /** The process a client says it is (the CLI sends its pid and name), else the daemon itself. */
    private static Caller caller(Optional<String> pid, Optional<String> comm) {
        try {
            if (pid.isPresent()) {
                return new Caller(Integer.parseInt(pid.get().trim()), comm.orElse("ringtrace"));
            }
        } catch (NumberFormatException e) {
            // not a pid: the daemon's own identity below
        }
        return httpCaller();
    }

    /**
     * read(2) after read(2) of an open file as a stream: each non-empty result through
     * {@code data}, an error other than EAGAIN as a last element through {@code error}, end of
     * file (or EAGAIN) ends it; the file is closed whenever the stream ends, cancellation included.
     */
    private static <T> Source<T, NotUsed> reads(TraceFs.Handle h, java.util.function.Function<byte[], T> data,
                                                java.util.function.Function<Errno, T> error) {
        Source<T, NotUsed> s = Source.unfoldAsync(Boolean.TRUE, more -> {
            if (!more) {
                return CompletableFuture.completedFuture(Optional.<org.apache.pekko.japi.Pair<Boolean, T>>empty());
            }
            return h.readAsync(65536).thenApply(r -> {
                if (r instanceof FsReply.Data && ((FsReply.Data) r).bytes().length > 0) {
                    return Optional.of(org.apache.pekko.japi.Pair.create(Boolean.TRUE, data.apply(((FsReply.Data) r).bytes())));
                }
                if (r instanceof FsReply.Failed && ((FsReply.Failed) r).errno() != Errno.EAGAIN) {
                    return Optional.of(org.apache.pekko.japi.Pair.create(Boolean.FALSE, error.apply(((FsReply.Failed) r).errno())));
                }
                return Optional.empty();
            });
        });
        return s.watchTermination((nu, done) -> {
            done.whenComplete((d, t) -> h.close());
            return NotUsed.getInstance();
        });
    }

    private Route write(String path, ByteString body, Caller caller) {
        return completeWithFuture(async(() -> {
            try (TraceFs.Handle h = fs.open(path, OpenFlags.O_WRONLY | OpenFlags.O_TRUNC, caller)) {
                byte[] data = body.toArray();
                int total = 0;
                do {
                    // A short write is retried with the rest, as stdio's write loop does (set_event
                    // takes one token per write(2)).
                    int n = h.write(java.util.Arrays.copyOfRange(data, total, data.length));
                    if (n <= 0) {
                        break;
                    }
                    total += n;
                } while (total < data.length);
                return HttpResponse.create().withEntity(total + "\n");
            } catch (ErrnoException e) {
                return error(e.errno());
            }
        }));
    }

    private Route ls(String path) {
        return completeWithFuture(async(() -> {
            try {
                StringBuilder sb = new StringBuilder();
                Stat st = fs.stat(path);
                if (!st.directory()) {
                    sb.append(st.modeString()).append(' ').append(path).append('\n');
                } else {
                    for (Stat s : fs.list(path)) {
                        sb.append(s.modeString()).append(' ').append(s.name()).append('\n');
                    }
                }
                return HttpResponse.create().withEntity(sb.toString());
            } catch (ErrnoException e) {
                return error(e.errno());
            }
        }));
    }

    private Route stat(String path) {
        return completeWithFuture(async(() -> {
            try {
                Stat s = fs.stat(path);
                return HttpResponse.create().withEntity(s.modeString() + ' ' + s.name() + '\n');
            } catch (ErrnoException e) {
                return error(e.errno());
            }
        }));
    }

    private Route dirOp(String path, boolean mkdir) {
        return completeWithFuture(async(() -> {
            try {
                if (mkdir) {
                    fs.mkdir(path);
                } else {
                    fs.rmdir(path);
                }
                return HttpResponse.create().withEntity("");
            } catch (ErrnoException e) {
                return error(e.errno());
            }
        }));
    }

    /** Runs a blocking TraceFs call on Pekko's blocking-io dispatcher. */
    private CompletionStage<HttpResponse> async(java.util.function.Supplier<HttpResponse> call) {
        return CompletableFuture.supplyAsync(call,
                system.dispatchers().lookup(org.apache.pekko.actor.typed.DispatcherSelector.blocking()));
    }

    static HttpResponse error(Errno errno) {
        return HttpResponse.create()
                .withStatus(errno == Errno.ENOENT ? StatusCodes.NOT_FOUND : StatusCodes.CONFLICT)
                .addHeader(RawHeader.create("X-Errno", errno.name()))
                .withEntity(HttpEntities.create(ContentTypes.TEXT_PLAIN_UTF8,
                        errno.name().getBytes(StandardCharsets.UTF_8)));
    }
}
