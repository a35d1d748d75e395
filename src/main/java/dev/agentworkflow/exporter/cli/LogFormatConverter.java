package dev.agentworkflow.exporter.cli;

import dev.agentworkflow.exporter.log.LogFormat;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** {@code logfmt} or {@code json}, as promslog's {@code --log.format} takes them (here in any case). */
final class LogFormatConverter implements ITypeConverter<LogFormat> {
  @Override
  public LogFormat convert(String value) {
    try {
      return LogFormat.valueOf(value.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new TypeConversionException("'" + value + "' is not a log format; use logfmt or json");
    }
  }
}
