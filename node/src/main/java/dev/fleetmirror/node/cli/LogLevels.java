package dev.fleetmirror.node.cli;

import ch.qos.logback.classic.Level;
import dev.fleetmirror.node.config.LogConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Applies {@code log.level} to logback's root logger (the console pattern lives in logback.xml). */
final class LogLevels {
    private LogLevels() {
    }

    static void apply(LogConfig.Level level) {
        if (LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME) instanceof ch.qos.logback.classic.Logger root) {
            root.setLevel(Level.toLevel(level.name()));
        }
    }
}
