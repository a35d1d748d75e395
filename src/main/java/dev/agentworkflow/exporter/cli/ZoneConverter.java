package dev.agentworkflow.exporter.cli;

import java.time.DateTimeException;
import java.time.ZoneId;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** A time zone: a region such as {@code Europe/Berlin}, {@code UTC}, or an offset such as {@code +02:00}. */
final class ZoneConverter implements ITypeConverter<ZoneId> {
  @Override
  public ZoneId convert(String value) {
    try {
      return ZoneId.of(value);
    } catch (DateTimeException e) {
      throw new TypeConversionException(
          "unknown time zone '" + value + "'; use a region such as Europe/Berlin, UTC, or an offset such as +02:00");
    }
  }
}
