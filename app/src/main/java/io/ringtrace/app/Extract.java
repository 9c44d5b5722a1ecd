package io.ringtrace.app;

import io.ringtrace.actors.fs.Stat;
import io.ringtrace.app.tracedat.TraceDatExport;
import io.ringtrace.protocol.ErrnoException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code bin/ringtrace extract [-B instance] -o trace.dat}: what {@code trace-cmd extract} does,
 * against the running daemon. The events are consumed from the instance, as trace-cmd does; a
 * backup instance read out this way removes itself afterwards.
 */
@Command(name = "extract", description = "Write the events of an instance to a trace.dat for trace-cmd report.")
final class Extract extends Main.ClientCommand {
    @Option(names = "-B", paramLabel = "INSTANCE", description = "Instance to extract (default: the top level).")
    String instance;
    @Option(names = "-o", paramLabel = "FILE", defaultValue = "trace.dat", description = "Output file (default trace.dat).")
    Path out;

    @Override
    String verb() {
        return "extract";
    }

    @Override
    void run(Client c) throws Exception {
        TraceDatExport.extract(new TraceDatExport.Source() {
            @Override
            public String read(String path) throws ErrnoException, IOException {
                return new String(readBytes(path), StandardCharsets.UTF_8);
            }

            @Override
            public List<Stat> list(String path) throws ErrnoException, IOException {
                List<Stat> out = new ArrayList<>();
                try {
                    for (String line : c.ls(path).split("\n")) {
                        if (line.length() > 11) {
                            out.add(new Stat(line.substring(11), line.charAt(0) == 'd', 0));
                        }
                    }
                } catch (Client.Refused r) {
                    throw new ErrnoException(r.errno);
                }
                return out;
            }

            @Override
            public byte[] readRaw(String path) throws ErrnoException, IOException {
                return readBytes(path);
            }

            private byte[] readBytes(String path) throws ErrnoException, IOException {
                ByteArrayOutputStream buf = new ByteArrayOutputStream();
                try {
                    c.read(path, buf);
                } catch (Client.Refused r) {
                    if (r.errno != io.ringtrace.protocol.Errno.EAGAIN) {
                        throw new ErrnoException(r.errno);
                    }
                }
                return buf.toByteArray();
            }
        }, instance, out);
        System.err.println("ringtrace: wrote " + out);
    }
}
