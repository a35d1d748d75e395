package dev.agentworkflow.exporter.log;

import java.util.ArrayList;
import java.util.List;
import org.slf4j.Marker;
import org.slf4j.event.KeyValuePair;
import org.slf4j.event.Level;
import org.slf4j.event.LoggingEvent;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.spi.LoggingEventAware;

/**
 * One named SLF4J logger; {@link LineLoggers} decides what is printed and how. Key-value pairs
 * of SLF4J's fluent API ({@code log.atInfo().addKeyValue("rows", 3).log("read")}) become keys of
 * the line after {@code msg}.
 */
final class LineLogger extends LegacyAbstractLogger implements LoggingEventAware {
  private static final long serialVersionUID = 1L;

  private final transient LineLoggers loggers;

  LineLogger(String name, LineLoggers loggers) {
    this.name = name;
    this.loggers = loggers;
  }

  @Override
  public boolean isTraceEnabled() {
    return loggers.prints(Level.TRACE);
  }

  @Override
  public boolean isDebugEnabled() {
    return loggers.prints(Level.DEBUG);
  }

  @Override
  public boolean isInfoEnabled() {
    return loggers.prints(Level.INFO);
  }

  @Override
  public boolean isWarnEnabled() {
    return loggers.prints(Level.WARN);
  }

  @Override
  public boolean isErrorEnabled() {
    return loggers.prints(Level.ERROR);
  }

  @Override
  protected String getFullyQualifiedCallerName() {
    return null;
  }

  @Override
  protected void handleNormalizedLoggingCall(Level level, Marker marker, String pattern, Object[] arguments,
      Throwable thrown) {
    loggers.write(level, MessageFormatter.basicArrayFormat(pattern, arguments), List.of(), thrown);
  }

  @Override
  public void log(LoggingEvent event) {
    List<LogEvent.Attribute> attributes = new ArrayList<>();
    if (event.getKeyValuePairs() != null) {
      for (KeyValuePair pair : event.getKeyValuePairs()) {
        attributes.add(new LogEvent.Attribute(pair.key, pair.value));
      }
    }
    loggers.write(event.getLevel(), MessageFormatter.basicArrayFormat(event.getMessage(), event.getArgumentArray()),
        attributes, event.getThrowable());
  }
}
