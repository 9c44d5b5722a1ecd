package io.ringtrace.app.fuse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Whether this machine can mount a FUSE file system from Java, and the small facts the mount code
 * needs about the machine: who we are and what is mounted where ({@code /proc/self/mountinfo}).
 */
public final class FuseSupport {
    private FuseSupport() {
    }

    /** Null when FUSE is usable here; otherwise the reason, phrased for a message to the user. */
    public static String unavailableReason() {
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
            return "not Linux (os.name=" + System.getProperty("os.name") + ")";
        }
        Path dev = Paths.get("/dev/fuse");
        if (!Files.exists(dev)) {
            return "/dev/fuse does not exist (no FUSE in this kernel or container)";
        }
        if (!Files.isReadable(dev) || !Files.isWritable(dev)) {
            return "/dev/fuse is not accessible to uid " + uid() + " (it is root-only here: run as root)";
        }
        if (!libfuse2Loadable()) {
            return "libfuse2 cannot be loaded (libfuse.so.2 missing or broken; scripts/install-deps.sh installs it)";
        }
        return null;
    }

    public static boolean devFuseExists() {
        return Files.exists(Paths.get("/dev/fuse"));
    }

    public static boolean libfuse2Loadable() {
        return LibFuseExtra.load() != null;
    }

    /** The real uid of this process, or -1 if /proc cannot tell. */
    public static int uid() {
        try {
            for (String line : Files.readAllLines(Paths.get("/proc/self/status"), StandardCharsets.UTF_8)) {
                if (line.startsWith("Uid:")) {
                    return Integer.parseInt(line.substring(4).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through
        }
        return -1;
    }

    public static boolean isRoot() {
        return uid() == 0;
    }

    /** One line of /proc/self/mountinfo: the mount point and the file system type. */
    public record MountEntry(Path mountPoint, String type, String source) {
    }

    public static List<MountEntry> mounts() {
        List<MountEntry> out = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(Paths.get("/proc/self/mountinfo"), StandardCharsets.UTF_8)) {
                String[] f = line.split(" ");
                int dash = -1;
                for (int i = 6; i < f.length; i++) {
                    if (f[i].equals("-")) {
                        dash = i;
                        break;
                    }
                }
                if (f.length < 5 || dash < 0 || dash + 2 >= f.length) {
                    continue;
                }
                out.add(new MountEntry(Paths.get(unescape(f[4])), f[dash + 1], unescape(f[dash + 2])));
            }
        } catch (IOException e) {
            // no /proc: nothing known
        }
        return out;
    }

    /** The mount at exactly this path (the last one wins when mounts are stacked), or null. */
    public static MountEntry mountAt(Path dir) {
        Path abs = dir.toAbsolutePath().normalize();
        MountEntry found = null;
        for (MountEntry e : mounts()) {
            if (e.mountPoint().equals(abs)) {
                found = e;
            }
        }
        return found;
    }

    /** mountinfo escapes space, tab, newline and backslash as \ooo. */
    static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length() && s.substring(i + 1, i + 4).matches("[0-7]{3}")) {
                sb.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
