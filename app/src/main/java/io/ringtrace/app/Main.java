package io.ringtrace.app;

import io.ringtrace.protocol.Errno;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code bin/ringtrace}: the daemon ({@code boot}) and the commands that talk to it over HTTP on
 * loopback ({@code cat}, {@code write}, {@code ls}, {@code mkdir}, {@code rmdir}, {@code pipe},
 * {@code extract}, {@code mount}). Paths are relative to the tracefs root, as under
 * /sys/kernel/tracing. Errors print like the shell tools' ({@code ringtrace: write error:
 * Invalid argument}) and exit 1.
 */
// scope INHERIT: every command has --help (and --version), as users try first
@Command(name = "ringtrace", mixinStandardHelpOptions = true, scope = CommandLine.ScopeType.INHERIT,
        version = "ringtrace 0.1.0",
        description = "Linux ftrace trace instances as a Pekko actor engine.",
        subcommands = {Daemon.class, Main.Cat.class, Main.Pipe.class, Main.Write.class, Main.Ls.class,
                Main.Mkdir.class, Main.Rmdir.class, Extract.class, MountCommand.class, CdsTraining.class})
public final class Main {
    static final String DEFAULT_URL = "http://127.0.0.1:7311";

    public static void main(String[] args) {
        int rc = run(args);
        if (rc != Integer.MIN_VALUE) {
            System.exit(rc);
        }
    }

    /**
     * Runs one command line and returns its exit code. The client commands in their plain forms
     * ({@link #quick}) run without picocli, whose command model costs 0.3 s of every command's
     * start; everything else (help, usage errors, the other commands) goes through picocli.
     */
    static int run(String... args) {
        ClientCommand c = quick(args);
        return c != null ? c.call() : new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true).execute(args);
    }

    /**
     * The client command {@code args} stand for, set as picocli would set it, when they are a verb
     * ({@code cat}, {@code pipe}, {@code write}/{@code echo}, {@code ls}, {@code mkdir},
     * {@code rmdir}), at most one {@code --url}, that verb's flags at most once each and the
     * number of operands it takes, none of which starts with '-'; null for anything else.
     */
    static ClientCommand quick(String... args) {
        if (args.length == 0) {
            return null;
        }
        String verb = args[0];
        String url = null;
        boolean flag = false;
        String flagName = verb.equals("cat") ? "--nonblock" : verb.equals("write") || verb.equals("echo") ? "-n" : null;
        List<String> operands = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            if (a.startsWith("--url=") && url == null) {
                url = a.substring("--url=".length());
            } else if (a.equals("--url") && url == null && i + 1 < args.length) {
                url = args[++i];
            } else if (a.equals(flagName) && !flag) {
                flag = true;
            } else if (a.startsWith("-")) {
                return null;
            } else {
                operands.add(a);
            }
        }
        int n = operands.size();
        ClientCommand c;
        switch (verb) {
            case "cat":
                if (n != 1) {
                    return null;
                }
                Cat cat = new Cat();
                cat.path = operands.get(0);
                cat.nonblock = flag;
                c = cat;
                break;
            case "pipe":
                if (n > 1) {
                    return null;
                }
                Pipe pipe = new Pipe();
                pipe.path = n == 1 ? operands.get(0) : "trace_pipe";
                c = pipe;
                break;
            case "write":
            case "echo":
                if (n < 1) {
                    return null;
                }
                Write w = new Write();
                w.path = operands.get(0);
                w.text = List.copyOf(operands.subList(1, n));
                w.noNewline = flag;
                c = w;
                break;
            case "ls":
                if (n > 1) {
                    return null;
                }
                Ls ls = new Ls();
                ls.path = n == 1 ? operands.get(0) : "";
                c = ls;
                break;
            case "mkdir":
            case "rmdir":
                if (n != 1) {
                    return null;
                }
                if (verb.equals("mkdir")) {
                    Mkdir m = new Mkdir();
                    m.path = operands.get(0);
                    c = m;
                } else {
                    Rmdir r = new Rmdir();
                    r.path = operands.get(0);
                    c = r;
                }
                break;
            default:
                return null;
        }
        c.url = url;
        return c;
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
