package dev.agentworkflow.exporter.log;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/**
 * An event as one JSON object, as Go's slog JSON handler writes it for promslog: the same keys as
 * logfmt, the time to the clock's precision. Control characters (C0, DEL, C1) and the Unicode line
 * and paragraph separators are escaped, so the object is one line and sends no terminal escape.
 *
 * <pre>{@code
 * {"time":"2026-11-30T04:50:53.104512Z","level":"INFO","source":"Poller.java:120","msg":"read 3 rows"}
 * }</pre>
 */
final class JsonLine {
  /** RFC 3339 with as many fractional digits as needed, as Go's {@code time.RFC3339Nano}. */
  static final DateTimeFormatter TIME = DateTimeFormatter.ISO_OFFSET_DATE_TIME;

  private JsonLine() {}

  static String of(LogEvent event, ZoneId zone) {
    StringBuilder line = new StringBuilder(160).append("{\"time\":");
    string(line, TIME.format(event.time().atZone(zone)));
    line.append(",\"level\":");
    string(line, event.level().name());
    line.append(",\"source\":");
    string(line, event.source());
    line.append(",\"msg\":");
    string(line, event.message());
    for (LogEvent.Attribute attribute : event.attributes()) {
      line.append(',');
      string(line, attribute.key());
      line.append(':');
      value(line, attribute.value());
    }
    return line.append('}').toString();
  }

  private static void value(StringBuilder out, Object value) {
    boolean number = value instanceof Integer || value instanceof Long || value instanceof Short
        || value instanceof Byte || value instanceof BigInteger || value instanceof BigDecimal
        || (value instanceof Double d && Double.isFinite(d)) || (value instanceof Float f && Float.isFinite(f));
    if (number || value instanceof Boolean) {
      out.append(value);
    } else {
      string(out, String.valueOf(value));
    }
  }

  static void string(StringBuilder out, String text) {
    out.append('"');
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        default -> {
          if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029'
              || (Character.isSurrogate(c) && !pairedAt(text, i))) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }

  /** Whether the surrogate at {@code i} is half of a pair (then both halves are written as they are). */
  private static boolean pairedAt(String text, int i) {
    char c = text.charAt(i);
    return Character.isHighSurrogate(c)
        ? i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))
        : i > 0 && Character.isHighSurrogate(text.charAt(i - 1));
  }
}
