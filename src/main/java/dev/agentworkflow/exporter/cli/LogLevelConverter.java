package dev.agentworkflow.exporter.cli;

import dev.agentworkflow.exporter.log.LogLevel;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** {@code error}, {@code warn}, {@code info} or {@code debug}, in any case. */
final class LogLevelConverter implements ITypeConverter<LogLevel> {
  @Override
  public LogLevel convert(String value) {
    try {
      return LogLevel.valueOf(value.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new TypeConversionException("'" + value + "' is not a log level; use error, warn, info or debug");
    }
  }
}
