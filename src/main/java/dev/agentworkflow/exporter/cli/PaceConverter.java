package dev.agentworkflow.exporter.cli;

import dev.agentworkflow.exporter.demo.Pace;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** The demo's {@code --pace}: {@code busy} or {@code sparse}, in any case. */
final class PaceConverter implements ITypeConverter<Pace> {
  @Override
  public Pace convert(String value) {
    try {
      return Pace.valueOf(value.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new TypeConversionException("'" + value + "' is not a pace; use busy or sparse");
    }
  }
}
