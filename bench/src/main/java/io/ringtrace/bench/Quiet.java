package io.ringtrace.bench;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

/** Keeps Pekko's and ringtrace's INFO logging off the benchmark output. */
final class Quiet {
    private Quiet() {
    }

    static void logs() {
        org.slf4j.Logger root = LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        if (root instanceof Logger) {
            ((Logger) root).setLevel(Level.WARN);
        }
    }
}
