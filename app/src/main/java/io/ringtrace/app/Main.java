package io.ringtrace.app;

import io.ringtrace.protocol.Errno;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code bin/ringtrace}: the daemon ({@code boot}) and the commands that talk to it over HTTP on
 * loopback ({@code cat}, {@code write}, {@code ls}, {@code mkdir}, {@code rmdir}, {@code pipe},
 * {@code extract}, {@code mount}). Paths are relative to the tracefs root, as under
 * /sys/kernel/tracing. Errors print like the shell tools' ({@code ringtrace: write error:
 * Invalid argument}) and exit 1.
 */
@Command(name = "ringtrace", mixinStandardHelpOptions = true, version = "ringtrace 0.1.0",
        description = "Linux ftrace trace instances as a Pekko actor engine.",
        subcommands = {Daemon.class, Main.Cat.class, Main.Pipe.class, Main.Write.class, Main.Ls.class,
                Main.Mkdir.class, Main.Rmdir.class, Extract.class, MountCommand.class, CdsTraining.class})
public final class Main {
    static final String DEFAULT_URL = "http://127.0.0.1:7311";

    public static void main(String[] args) {
        int rc = new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true).execute(args);
        if (rc != Integer.MIN_VALUE) {
            System.exit(rc);
        }
    }

    /** Options every client command has. */
    abstract static class ClientCommand implements Callable<Integer> {
        @Option(names = "--url", description = "Daemon address (default: $RINGTRACE_URL or " + DEFAULT_URL + ").")
        String url;

        Client client() {
            String u = url != null ? url : System.getenv().getOrDefault("RINGTRACE_URL", DEFAULT_URL);
            return new Client(u);
        }

        abstract String verb();

        abstract void run(Client c) throws Exception;

        @Override
        public Integer call() {
            PrintStream err = System.err;
            try {
                run(client());
                return 0;
            } catch (Client.Refused r) {
                err.println("ringtrace: " + verb() + " error: " + r.errno.message());
                return 1;
            } catch (IOException e) {
                if (Client.isConnectionRefused(e)) {
                    err.println("ringtrace: no daemon at " + (url != null ? url : "the default address")
                            + " (start one with: bin/ringtrace boot)");
                } else {
                    err.println("ringtrace: " + verb() + " error: " + e.getMessage());
                }
                return 1;
            } catch (InterruptedException e) {
                return 130;
            } catch (Exception e) {
                err.println("ringtrace: " + verb() + " error: " + e);
                return 1;
            }
        }
    }

    @Command(name = "cat", description = "Print a file, like cat(1): reads until end of file "
            + "(a trace_pipe blocks for data until you stop it; --nonblock returns what is there).")
    static final class Cat extends ClientCommand {
        @Parameters(paramLabel = "PATH")
        String path;
        @Option(names = "--nonblock", description = "Open with O_NONBLOCK.")
        boolean nonblock;

        @Override
        String verb() {
            return "read";
        }

        @Override
        void run(Client c) throws Exception {
            if (nonblock || !isPipe(path)) {
                c.read(path, System.out); // never blocks: one HTTP response
            } else {
                c.stream(path, false, System.out);
            }
        }

        /** trace_pipe and trace_pipe_raw (top level, instance, per_cpu): the files whose reads block. */
        static boolean isPipe(String path) {
            return path.substring(path.lastIndexOf('/') + 1).startsWith("trace_pipe");
        }
    }

    @Command(name = "pipe", description = "Follow a trace_pipe (default: trace_pipe of the top level) "
            + "until interrupted.")
    static final class Pipe extends ClientCommand {
        @Parameters(paramLabel = "PATH", defaultValue = "trace_pipe")
        String path;

        @Override
        String verb() {
            return "read";
        }

        @Override
        void run(Client c) throws Exception {
            c.stream(path, false, System.out);
        }
    }

    @Command(name = "write", aliases = "echo", description = "Write to a file like `echo TEXT > PATH` "
            + "(open with O_TRUNC, one write, a newline appended unless -n).")
    static final class Write extends ClientCommand {
        @Option(names = "-n", description = "Do not append a newline.")
        boolean noNewline;
        @Parameters(index = "0", paramLabel = "PATH")
        String path;
        @Parameters(index = "1..*", paramLabel = "TEXT", arity = "0..*")
        List<String> text = List.of();

        @Override
        String verb() {
            return "write";
        }

        @Override
        void run(Client c) throws Exception {
            String s = String.join(" ", text) + (noNewline ? "" : "\n");
            c.write(path, s.getBytes(StandardCharsets.UTF_8));
        }
    }

    @Command(name = "ls", description = "List a directory with modes, like ls -l.")
    static final class Ls extends ClientCommand {
        @Parameters(paramLabel = "PATH", defaultValue = "")
        String path;

        @Override
        String verb() {
            return "ls";
        }

        @Override
        void run(Client c) throws Exception {
            System.out.print(c.ls(path));
        }
    }

    @Command(name = "mkdir", description = "Create an instance: mkdir instances/NAME.")
    static final class Mkdir extends ClientCommand {
        @Parameters(paramLabel = "PATH")
        String path;

        @Override
        String verb() {
            return "mkdir";
        }

        @Override
        void run(Client c) throws Exception {
            c.mkdir(path);
        }
    }

    @Command(name = "rmdir", description = "Remove an instance: rmdir instances/NAME "
            + "(EBUSY while one of its files is open).")
    static final class Rmdir extends ClientCommand {
        @Parameters(paramLabel = "PATH")
        String path;

        @Override
        String verb() {
            return "rmdir";
        }

        @Override
        void run(Client c) throws Exception {
            c.rmdir(path);
        }
    }

    static String describe(Errno e) {
        return e.message();
    }
}
