package io.ringtrace.config;

import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * One line of the boot log, kept as data: what the kernel would print with {@code pr_info} or
 * {@code pr_warn} while it reads the command line and creates the boot instances. The parser and
 * the planner never log by themselves; the caller decides when and where ({@link #logAll}).
 *
 * @param level {@link Level#INFO} for {@code pr_info}, {@link Level#WARN} for {@code pr_warn}
 * @param text the message, one line: control characters are shown as {@code \xNN}, and a text
 *     longer than {@link #MAX_TEXT} characters is cut
 */
public record BootLogLine(Level level, String text) {

    /** Longest text kept; longer texts are cut and end in "...". Hostile input stays bounded. */
    public static final int MAX_TEXT = 1024;

    /** Name of the logger {@link #logAll(List)} uses. */
    public static final String LOGGER_NAME = "io.ringtrace.boot";

    public BootLogLine {
        Objects.requireNonNull(level, "level");
        Objects.requireNonNull(text, "text");
        text = escapeControls(text);
        if (text.length() > MAX_TEXT) {
            text = text.substring(0, MAX_TEXT - 3) + "...";
        }
    }

    /** Control characters (a newline in a hostile command line...) become {@code \xNN}. */
    private static String escapeControls(String s) {
        StringBuilder sb = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isISOControl(c)) {
                if (sb == null) {
                    sb = new StringBuilder(s.length() + 8).append(s, 0, i);
                }
                sb.append(String.format("\\x%02x", (int) c));
            } else if (sb != null) {
                sb.append(c);
            }
        }
        return sb == null ? s : sb.toString();
    }

    static BootLogLine info(String format, Object... args) {
        return new BootLogLine(Level.INFO, String.format(format, args));
    }

    static BootLogLine warn(String format, Object... args) {
        return new BootLogLine(Level.WARN, String.format(format, args));
    }

    /** Writes this line to {@code logger} at its level; the text is an argument, never a pattern. */
    public void logTo(Logger logger) {
        logger.atLevel(level).log("{}", text);
    }

    /** Writes every line, in order, to {@code logger}. */
    public static void logAll(List<BootLogLine> lines, Logger logger) {
        for (BootLogLine line : lines) {
            line.logTo(logger);
        }
    }

    /** Writes every line, in order, to the logger named {@value #LOGGER_NAME}. */
    public static void logAll(List<BootLogLine> lines) {
        logAll(lines, LoggerFactory.getLogger(LOGGER_NAME));
    }

    @Override
    public String toString() {
        return level + " " + text;
    }
}
