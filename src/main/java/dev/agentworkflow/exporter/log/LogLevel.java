package dev.agentworkflow.exporter.log;

import org.slf4j.event.Level;

/** {@code --log.level}: the least severe events printed. */
public enum LogLevel {
  ERROR(Level.ERROR), WARN(Level.WARN), INFO(Level.INFO), DEBUG(Level.DEBUG);

  private final Level lowest;

  LogLevel(Level lowest) {
    this.lowest = lowest;
  }

  /** Whether an event of {@code level} is printed: SLF4J numbers its levels from ERROR (40) down to TRACE (0). */
  boolean prints(Level level) {
    return level.toInt() >= lowest.toInt();
  }
}
