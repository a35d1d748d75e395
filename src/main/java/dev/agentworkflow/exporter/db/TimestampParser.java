package dev.agentworkflow.exporter.db;

import java.time.DateTimeException;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.zone.ZoneRules;

/**
 * Turns a timestamp column value into epoch seconds, or {@code NaN} when it is not one.
 *
 * <p>Accepted: numbers (epoch seconds); ISO-8601 text {@code YYYY-MM-DD[T| ]HH:MM[:SS[.f…]]}
 * with an optional {@code Z} or {@code ±HH[:MM]} offset. Text without an offset is read in the
 * configured zone. Hand-written rather than a {@code DateTimeFormatter} because it runs twice per
 * row on first loads of millions of rows.
 */
public final class TimestampParser {
  private final ZoneRules zoneRules;

  public TimestampParser(ZoneId zone) {
    this.zoneRules = zone.getRules();
  }

  /** Epoch seconds of a column value as JDBC returns it (Number, String, or null). */
  public double epochSeconds(Object value) {
    if (value instanceof Number n) {
      double d = n.doubleValue();
      return Double.isFinite(d) ? d : Double.NaN;
    }
    if (value instanceof String s) {
      return parse(s.strip());
    }
    return Double.NaN;
  }

  private double parse(String s) {
    if (s.length() < 16 || s.charAt(4) != '-') {
      return ColumnValues.number(s);
    }
    try {
      int year = digits(s, 0, 4);
      int month = digits(s, 5, 2);
      int day = digits(s, 8, 2);
      char sep = s.charAt(10);
      if (s.charAt(7) != '-' || (sep != 'T' && sep != ' ') || s.charAt(13) != ':') {
        return Double.NaN;
      }
      int hour = digits(s, 11, 2);
      int minute = digits(s, 14, 2);
      int second = 0;
      int nanos = 0;
      int i = 16;
      if (i < s.length() && s.charAt(i) == ':') {
        second = digits(s, i + 1, 2);
        i += 3;
        if (i < s.length() && (s.charAt(i) == '.' || s.charAt(i) == ',')) {
          int start = ++i;
          int scale = 100_000_000;
          while (i < s.length() && isDigit(s.charAt(i))) {
            nanos += (s.charAt(i) - '0') * scale;
            scale /= 10;
            i++;
          }
          if (i == start) {
            return Double.NaN;
          }
        }
      }
      LocalDateTime local = LocalDateTime.of(year, month, day, hour, minute, second, nanos);
      ZoneOffset offset = i == s.length() ? zoneRules.getOffset(local) : offset(s, i);
      if (offset == null) {
        return Double.NaN;
      }
      return local.toEpochSecond(offset) + nanos / 1e9;
    } catch (DateTimeException | NumberFormatException e) {
      return Double.NaN;
    }
  }

  /** {@code Z}, {@code ±HH}, {@code ±HHMM} or {@code ±HH:MM} filling the rest of the text. */
  private static ZoneOffset offset(String s, int i) {
    String rest = s.substring(i);
    if (rest.equals("Z") || rest.equals("z")) {
      return ZoneOffset.UTC;
    }
    char sign = rest.charAt(0);
    if (sign != '+' && sign != '-') {
      return null;
    }
    String body = rest.substring(1).replace(":", "");
    if (body.length() != 2 && body.length() != 4) {
      return null;
    }
    int hours = digits(body, 0, 2);
    int minutes = body.length() == 4 ? digits(body, 2, 2) : 0;
    return sign == '+' ? ZoneOffset.ofHoursMinutes(hours, minutes) : ZoneOffset.ofHoursMinutes(-hours, -minutes);
  }

  private static int digits(String s, int from, int count) {
    if (from + count > s.length()) {
      throw new NumberFormatException("too short");
    }
    int value = 0;
    for (int i = from; i < from + count; i++) {
      char c = s.charAt(i);
      if (!isDigit(c)) {
        throw new NumberFormatException("not a digit");
      }
      value = value * 10 + (c - '0');
    }
    return value;
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }
}
