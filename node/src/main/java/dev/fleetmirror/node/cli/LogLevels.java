package dev.fleetmirror.node.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import dev.fleetmirror.node.config.LogConfig;
import java.util.Iterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the {@code log} section to logback: {@code log.level} to the root logger, and
 * {@code log.formatter: json} by giving the console appender (the one logback.xml defines) logback's
 * JSON encoder, one object per line with the time, level, logger, thread, formatted message, MDC,
 * the key-value pairs a line carries (the access log's fields) and any exception.
 */
final class LogLevels {
    private LogLevels() {
    }

    static void apply(LogConfig.Level level) {
        if (LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME) instanceof ch.qos.logback.classic.Logger root) {
            root.setLevel(Level.toLevel(level.name()));
        }
    }

    static void apply(LogConfig config) {
        apply(config.level());
        if (config.format() == LogConfig.Format.JSON
                && LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME) instanceof ch.qos.logback.classic.Logger root) {
            for (Iterator<Appender<ILoggingEvent>> it = root.iteratorForAppenders(); it.hasNext(); ) {
                if (it.next() instanceof OutputStreamAppender<ILoggingEvent> console) {
                    JsonEncoder json = new JsonEncoder();
                    json.setContext((LoggerContext) LoggerFactory.getILoggerFactory());
                    // The message as a person reads it, not its template and arguments; no per-line context dump.
                    json.setWithFormattedMessage(true);
                    json.setWithMessage(false);
                    json.setWithArguments(false);
                    json.setWithContext(false);
                    json.setWithSequenceNumber(false);
                    json.setWithNanoseconds(false);
                    json.start();
                    console.stop();
                    console.setEncoder(json);
                    console.start();
                }
            }
        }
    }
}
