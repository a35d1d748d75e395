package dev.agentworkflow.exporter.log;

import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * An event as Go's slog text handler writes it for promslog: {@code key=value} pairs, a value
 * quoted (with Go's escapes) only when it is empty or holds a space, {@code =}, {@code "} or a
 * character that is not printable. So a newline or an escape sequence inside a message is written
 * as {@code \n} or {@code \x1b}: every event stays one line.
 *
 * <pre>{@code
 * time=2026-11-30T04:50:53.104Z level=INFO source=Poller.java:120 msg="the database file logs/a.db does not exist"
 * }</pre>
 */
final class LogfmtLine {
  /** slog's text handler: milliseconds, and the offset ({@code Z} in UTC). */
  static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSXXX", Locale.ROOT);

  private LogfmtLine() {}

  static String of(LogEvent event, ZoneId zone) {
    StringBuilder line = new StringBuilder(160);
    line.append("time=").append(TIME.format(event.time().atZone(zone)));
    line.append(" level=").append(event.level().name());
    pair(line, "source", event.source());
    pair(line, "msg", event.message());
    for (LogEvent.Attribute attribute : event.attributes()) {
      pair(line, attribute.key(), String.valueOf(attribute.value()));
    }
    return line.toString();
  }

  private static void pair(StringBuilder line, String key, String value) {
    line.append(' ');
    value(line, key);
    line.append('=');
    value(line, value);
  }

  /** The value as it is when that is unambiguous, else quoted as Go's {@code strconv.Quote} quotes it. */
  static void value(StringBuilder out, String text) {
    if (!needsQuotes(text)) {
      out.append(text);
      return;
    }
    out.append('"');
    for (int i = 0; i < text.length(); ) {
      int c = text.codePointAt(i);
      i += Character.charCount(c);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20 || c == 0x7f) {
            out.append(String.format("\\x%02x", c));
          } else if (!printable(c)) {
            out.append(c > 0xffff ? String.format("\\U%08x", c) : String.format("\\u%04x", c));
          } else {
            out.appendCodePoint(c);
          }
        }
      }
    }
    out.append('"');
  }

  private static boolean needsQuotes(String text) {
    if (text.isEmpty()) {
      return true;
    }
    for (int i = 0; i < text.length(); ) {
      int c = text.codePointAt(i);
      i += Character.charCount(c);
      if (c <= ' ' || c == '=' || c == '"' || c == 0x7f || !printable(c)) {
        return true;
      }
    }
    return false;
  }

  /** Go's {@code unicode.IsPrint}: letters, marks, numbers, punctuation, symbols and the ASCII space. */
  static boolean printable(int c) {
    if (c == ' ') {
      return true;
    }
    return switch (Character.getType(c)) {
      case Character.CONTROL, Character.FORMAT, Character.SURROGATE, Character.PRIVATE_USE, Character.UNASSIGNED,
          Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR, Character.SPACE_SEPARATOR -> false;
      default -> true;
    };
  }
}
