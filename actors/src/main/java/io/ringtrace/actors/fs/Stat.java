package io.ringtrace.actors.fs;

/**
 * What stat(2) and ls -l show for a tracefs entry: its name, whether it is a directory, and its
 * permission bits (e.g. 0640 for a writable control file, 0440 read-only, 0220 trace_marker).
 */
public record Stat(String name, boolean directory, int mode) {
    /** ls -l style mode string, e.g. {@code -rw-r-----} or {@code drwxr-x---}. */
    public String modeString() {
        StringBuilder sb = new StringBuilder(directory ? "d" : "-");
        String rwx = "rwxrwxrwx";
        for (int i = 0; i < 9; i++) {
            sb.append((mode & (1 << (8 - i))) != 0 ? rwx.charAt(i) : '-');
        }
        return sb.toString();
    }
}
