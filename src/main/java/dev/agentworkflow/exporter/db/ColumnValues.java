package dev.agentworkflow.exporter.db;

/** Reading loosely typed SQLite values: a column declared REAL may hold text. */
final class ColumnValues {
  private ColumnValues() {}

  /**
   * A number SQLite gave as INTEGER or REAL; anything else (NULL, text, a blob) is no number: a
   * user-defined metric says {@code CAST(x AS REAL)} where it means text as a number.
   */
  static double sqlNumber(Object value) {
    return value instanceof Number n ? n.doubleValue() : Double.NaN;
  }

  /** A finite number from a numeric value or numeric text, else {@code NaN}. */
  static double number(Object value) {
    if (value instanceof Number n) {
      double d = n.doubleValue();
      return Double.isFinite(d) ? d : Double.NaN;
    }
    if (value instanceof String s) {
      String t = s.strip();
      if (!t.isEmpty() && (Character.isDigit(t.charAt(0)) || t.charAt(0) == '-' || t.charAt(0) == '+' || t.charAt(0) == '.')) {
        try {
          double d = Double.parseDouble(t);
          return Double.isFinite(d) ? d : Double.NaN;
        } catch (NumberFormatException e) {
          return Double.NaN;
        }
      }
    }
    return Double.NaN;
  }

  /**
   * A {@code duration_seconds} value: NaN when NULL, so that end minus start stands in; a value
   * that is there but is no number is unknown as it is (negative infinity, which the counting rules
   * treat like any negative).
   */
  static double duration(Object value) {
    if (value == null) {
      return Double.NaN;
    }
    double d = number(value);
    return Double.isNaN(d) ? Double.NEGATIVE_INFINITY : d;
  }

  /**
   * A 64-bit FNV-1a hash of some column values (NULL told apart from every text): what recognises
   * a row whose id changed.
   */
  static long identity(String... values) {
    long h = 0xcbf29ce484222325L;
    for (String value : values) {
      String v = value == null ? "\0null" : value;
      for (int i = 0; i < v.length(); i++) {
        h ^= v.charAt(i);
        h *= 0x100000001b3L;
      }
      h ^= 0x1f; // a separator, so that ("ab", "c") and ("a", "bc") differ
      h *= 0x100000001b3L;
    }
    return h;
  }
}
