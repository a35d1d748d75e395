package dev.agentworkflow.exporter.cli;

/**
 * Text from users, files and the database made safe for a one-line message: control characters
 * (C0 but the tab, DEL, C1) and the Unicode line and paragraph separators are written as escapes,
 * so a value cannot end the line, forge another log line or send a terminal escape sequence.
 *
 * <pre>{@code
 * OneLine.escape("a\r\nb\u001b[2J")   // a\r\nb\x1b[2J
 * }</pre>
 */
final class OneLine {
  private OneLine() {}

  static String escape(String text) {
    StringBuilder escaped = null;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      String replacement = replacement(c);
      if (replacement != null && escaped == null) {
        escaped = new StringBuilder(text.length() + 8).append(text, 0, i);
      }
      if (escaped != null) {
        escaped.append(replacement != null ? replacement : String.valueOf(c));
      }
    }
    return escaped == null ? text : escaped.toString();
  }

  private static String replacement(char c) {
    if (c == '\t') {
      return null;
    }
    if (c == '\n') {
      return "\\n";
    }
    if (c == '\r') {
      return "\\r";
    }
    if (Character.isISOControl(c)) {
      return String.format("\\x%02x", (int) c);
    }
    if (c == '\u2028' || c == '\u2029') {
      return String.format("\\u%04x", (int) c);
    }
    return null;
  }
}
