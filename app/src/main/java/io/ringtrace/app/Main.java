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
        ClientCommand c = switch (args[0]) {
            case "cat" -> new Cat();
            case "pipe" -> new Pipe();
            case "write", "echo" -> new Write();
            case "ls" -> new Ls();
            case "mkdir" -> new Mkdir();
            case "rmdir" -> new Rmdir();
            default -> null;
        };
        if (c == null) {
            return null;
        }
        boolean flag = false;
        List<String> operands = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            if (a.startsWith("--url=") && c.url == null) {
                c.url = a.substring("--url=".length());
            } else if (a.equals("--url") && c.url == null && i + 1 < args.length) {
                c.url = args[++i];
            } else if (a.equals(c.quickFlag()) && !flag) {
                flag = true;
            } else if (a.startsWith("-")) {
                return null;
            } else {
                operands.add(a);
            }
        }
        return c.take(operands, flag) ? c : null;
    }

    /** The single operand, or null when there is not exactly one. */
    private static String only(List<String> operands) {
        return operands.size() == 1 ? operands.get(0) : null;
    }

    /** The single operand, {@code otherwise} when there is none, null when there are more. */
    private static String atMostOne(List<String> operands, String otherwise) {
        return operands.isEmpty() ? otherwise : only(operands);
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

        /** The one flag {@link #quick} knows for this command, or null. */
        String quickFlag() {
            return null;
        }

        /**
         * For {@link #quick}: sets what picocli would set from {@code operands} and the flag;
         * false when their number does not fit (picocli then reports it) or the command is not one
         * that {@link #quick} runs.
         */
        boolean take(List<String> operands, boolean flag) {
            return false;
        }

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

    /** A client command of exactly one PATH operand. */
    abstract static class PathCommand extends ClientCommand {
        @Parameters(paramLabel = "PATH")
        String path;

        @Override
        boolean take(List<String> operands, boolean flag) {
            path = only(operands);
            return path != null;
        }
    }

    @Command(name = "cat", description = "Print a file, like cat(1): reads until end of file "
            + "(a trace_pipe blocks for data until you stop it; --nonblock returns what is there).")
    static final class Cat extends PathCommand {
        @Option(names = "--nonblock", description = "Open with O_NONBLOCK.")
        boolean nonblock;

        @Override
        String verb() {
            return "read";
        }

        @Override
        String quickFlag() {
            return "--nonblock";
        }

        @Override
        boolean take(List<String> operands, boolean flag) {
            nonblock = flag;
            return super.take(operands, flag);
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
        boolean take(List<String> operands, boolean flag) {
            path = atMostOne(operands, "trace_pipe");
            return path != null;
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
        String quickFlag() {
            return "-n";
        }

        @Override
        boolean take(List<String> operands, boolean flag) {
            if (operands.isEmpty()) {
                return false;
            }
            path = operands.get(0);
            text = List.copyOf(operands.subList(1, operands.size()));
            noNewline = flag;
            return true;
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
        boolean take(List<String> operands, boolean flag) {
            path = atMostOne(operands, "");
            return path != null;
        }

        @Override
        void run(Client c) throws Exception {
            System.out.print(c.ls(path));
        }
    }

    @Command(name = "mkdir", description = "Create an instance: mkdir instances/NAME.")
    static final class Mkdir extends PathCommand {
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
    static final class Rmdir extends PathCommand {
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
