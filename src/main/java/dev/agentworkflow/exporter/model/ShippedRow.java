package dev.agentworkflow.exporter.model;

import java.util.Arrays;

/**
 * A row of the SQLite file on its way to the team's PostgreSQL store: its id there (a session's
 * rowid), and its columns' values in the order of the table's shipped columns, as SQLite gave them
 * (text, a number, NULL) after the exporter's cuts.
 */
public record ShippedRow(long rowId, Object[] values) {
  public ShippedRow {
    values = values.clone();
  }

  @Override
  public Object[] values() {
    return values.clone();
  }

  /** The value of column {@code index}, without a copy of the row. */
  public Object value(int index) {
    return values[index];
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof ShippedRow row && row.rowId == rowId && Arrays.equals(row.values, values);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(rowId) * 31 + Arrays.hashCode(values);
  }

  @Override
  public String toString() {
    return "ShippedRow[" + rowId + ", " + Arrays.toString(values) + "]";
  }
}
