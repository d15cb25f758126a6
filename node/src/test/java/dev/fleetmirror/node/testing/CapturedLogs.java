package dev.fleetmirror.node.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

/**
 * What one logger writes during each test ({@code @RegisterExtension}): the appender is attached
 * before the test and detached after it, and the logger's level is put back.
 */
public final class CapturedLogs implements BeforeEachCallback, AfterEachCallback {
    private final Logger logger;
    private final Level level;
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private Level before;

    public CapturedLogs(Class<?> source) {
        this(source.getName(), null);
    }

    /** @param level the level the logger runs at during the test; null keeps its own */
    public CapturedLogs(String name, Level level) {
        this.logger = (Logger) LoggerFactory.getLogger(name);
        this.level = level;
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        before = logger.getLevel();
        if (level != null) {
            logger.setLevel(level);
        }
        appender.list.clear();
        appender.start();
        logger.addAppender(appender);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        logger.detachAppender(appender);
        logger.setLevel(before);
    }

    public List<ILoggingEvent> events() {
        return appender.list;
    }

    public List<String> messages() {
        return appender.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    public void clear() {
        appender.list.clear();
    }
}
