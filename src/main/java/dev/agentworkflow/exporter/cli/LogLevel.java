package dev.agentworkflow.exporter.cli;

import java.util.Locale;

/**
 * {@code --log-level}. slf4j-simple reads its level once, when the first logger is made, so this
 * is applied before any class that logs is loaded; the command classes themselves keep no static
 * logger for that reason.
 */
enum LogLevel {
  ERROR, WARN, INFO, DEBUG;

  void apply() {
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", name().toLowerCase(Locale.ROOT));
  }
}
