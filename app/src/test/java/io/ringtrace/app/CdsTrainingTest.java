package io.ringtrace.app;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The class-data sharing archive bin/ringtrace makes for {@code boot}: the training run
 * ({@code ringtrace cds-training} under {@code -XX:ArchiveClassesAtExit}) succeeds and writes an
 * archive that a JVM maps with {@code -Xshare:on} (which refuses to start with an archive it
 * cannot use), and the engine's classes come from it. CDS archives classes from jars only, so the
 * classpath is made of jars as bin/ringtrace's is: the directories of this build are jarred first.
 */
@Timeout(240)
class CdsTrainingTest {
    @TempDir
    Path tmp;

    @Test
    void trainingRunMakesAnArchiveTheDaemonMaps() throws Exception {
        String cp = jarsOnly(System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
        Path jsa = tmp.resolve("ringtrace.jsa");

        Result training = java(List.of("-XX:ArchiveClassesAtExit=" + jsa, "-Xlog:cds=off", "-Xlog:cds+dynamic=off",
                "-cp", cp, "io.ringtrace.app.Main", "cds-training"));
        assertEquals(0, training.rc, training.out);
        assertTrue(Files.size(jsa) > 1 << 20, "archive of " + Files.size(jsa) + " bytes");

        Result mapped = java(List.of("-Xshare:on", "-XX:SharedArchiveFile=" + jsa, "-Xlog:class+load=info",
                "-cp", cp, "io.ringtrace.app.Main", "--version"));
        assertEquals(0, mapped.rc, mapped.out);
        assertTrue(mapped.out.contains("ringtrace 0.1.0"), mapped.out);
        assertTrue(mapped.out.contains("io.ringtrace.app.Main source: shared objects file (top)"), mapped.out);
    }

    private record Result(int rc, String out) {
    }

    private Result java(List<String> args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-exports=jdk.jfr/jdk.jfr.internal=ALL-UNNAMED"));
        cmd.addAll(args);
        Path log = Files.createTempFile(tmp, "java", ".log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + cmd);
        }
        return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    }

    /** The classpath with each directory of main classes jarred (test classes left out). */
    private String jarsOnly(String cp) throws IOException {
        List<String> out = new ArrayList<>();
        for (String e : cp.split(File.pathSeparator)) {
            Path p = Path.of(e);
            if (!Files.isDirectory(p)) {
                out.add(e);
            } else if (!p.getFileName().toString().equals("test-classes")) {
                out.add(jar(p, tmp.resolve("cp" + out.size() + ".jar")).toString());
            }
        }
        return String.join(File.pathSeparator, out);
    }

    private static Path jar(Path dir, Path jar) throws IOException {
        try (OutputStream o = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(o);
             Stream<Path> files = Files.walk(dir)) {
            for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile).sorted()::iterator) {
                j.putNextEntry(new JarEntry(dir.relativize(f).toString().replace(File.separatorChar, '/')));
                Files.copy(f, j);
                j.closeEntry();
            }
        }
        return jar;
    }
}
