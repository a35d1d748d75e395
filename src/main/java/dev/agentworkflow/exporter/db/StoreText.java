package dev.agentworkflow.exporter.db;

/**
 * How a SQLite value is held by the store's text columns: text as it is, a number as Java writes
 * it (which reads back as the same number: the exporter's rules take numeric text as the number),
 * a blob as a marker that is neither a time nor a number, as the blob is to the exporter.
 * PostgreSQL's text cannot hold the NUL character, which becomes U+FFFD.
 */
final class StoreText {
  static final String BLOB = "[blob]";

  private StoreText() {}

  static String of(Object value) {
    if (value == null) {
      return null;
    }
    if (value instanceof String text) {
      return text.indexOf('\0') >= 0 ? text.replace('\0', '\uFFFD') : text;
    }
    if (value instanceof byte[]) {
      return BLOB;
    }
    return value.toString();
  }
}
