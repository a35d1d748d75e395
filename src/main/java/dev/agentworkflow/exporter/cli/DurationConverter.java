package dev.agentworkflow.exporter.cli;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Prometheus-style durations: {@code 90s}, {@code 30m}, {@code 6h}, {@code 1h30m}, {@code 2d}, {@code 500ms}. */
final class DurationConverter implements ITypeConverter<Duration> {
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
          default -> Duration.ofDays(7 * n);
        });
      }
    } catch (ArithmeticException | NumberFormatException e) {
      throw new TypeConversionException("'" + value + "' is too long a duration");
    }
    if (total.isZero()) {
      throw new TypeConversionException("'" + value + "' must be longer than zero");
    }
    return total;
  }
}
