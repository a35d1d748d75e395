package dev.agentworkflow.exporter.db;

/** Reading loosely typed SQLite values: a column declared REAL may hold text. */
final class ColumnValues {
  private ColumnValues() {}

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
}
