package dev.agentworkflow.exporter.cli;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Prometheus-style durations: {@code 90s}, {@code 30m}, {@code 6h}, {@code 1h30m}, {@code 2d}, {@code 500ms},
 * from 1 ms to {@link #MAXIMUM}. The tracker works in nanoseconds (a long holds 292 years of them); a
 * year is already far beyond any invocation that could still be running.
 */
final class DurationConverter implements ITypeConverter<Duration> {
  static final Duration MAXIMUM = Duration.ofDays(365);
  private static final Pattern WHOLE = Pattern.compile("(\\d+(ms|s|m|h|d|w))+");
  private static final Pattern PART = Pattern.compile("(\\d+)(ms|s|m|h|d|w)");

  @Override
  public Duration convert(String value) {
    if (!WHOLE.matcher(value).matches()) {
      throw new TypeConversionException(
          "'" + value + "' is not a duration; use a number with a unit: 90s, 30m, 6h, 1h30m, 2d");
    }
    Duration total = Duration.ZERO;
    Matcher part = PART.matcher(value);
    try {
      while (part.find()) {
        long n = Long.parseLong(part.group(1));
        total = total.plus(switch (part.group(2)) {
          case "ms" -> Duration.ofMillis(n);
          case "s" -> Duration.ofSeconds(n);
          case "m" -> Duration.ofMinutes(n);
          case "h" -> Duration.ofHours(n);
          case "d" -> Duration.ofDays(n);
          default -> Duration.ofDays(Math.multiplyExact(7, n));
        });
      }
    } catch (ArithmeticException | NumberFormatException e) {
      throw outOfRange(value);
    }
    if (total.isZero() || total.compareTo(MAXIMUM) > 0) {
      throw outOfRange(value);
    }
    return total;
  }

  private static TypeConversionException outOfRange(String value) {
    return new TypeConversionException("'" + value + "' is out of range: give a duration from 1ms to "
        + MAXIMUM.toDays() + "d");
  }
}
