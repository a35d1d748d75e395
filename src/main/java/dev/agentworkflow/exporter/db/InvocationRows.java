package dev.agentworkflow.exporter.db;

import dev.agentworkflow.exporter.model.InvocationRow;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/** How a row of {@code agent_invocations} becomes an {@link InvocationRow}. */
public final class InvocationRows {
  static final String TABLE = "agent_invocations";
  // prompt, raw_input and raw_output are never read: they are most of a row's bytes
  static final List<String> COLUMNS = List.of(
      "session_id", "phase", "agent_name", "model", "status", "start_time", "end_time", "duration_seconds");

  private InvocationRows() {}

  public static TableReader<InvocationRow> reader(TimestampParser timestamps) {
    return new TableReader<>(TABLE, COLUMNS, row -> map(row, timestamps));
  }

  /**
   * NaN when NULL, so that end minus start stands in; a value that is there but is no number is
   * unknown as it is (negative infinity, which the counting rules treat like any negative).
   */
  private static double duration(Object value) {
    if (value == null) {
      return Double.NaN;
    }
    double d = ColumnValues.number(value);
    return Double.isNaN(d) ? Double.NEGATIVE_INFINITY : d;
  }

  private static InvocationRow map(ResultSet row, TimestampParser timestamps) throws SQLException {
    Object end = row.getObject("end_time");
    return new InvocationRow(
        row.getLong("row_id"),
        row.getString("session_id"),
        row.getString("phase"),
        row.getString("agent_name"),
        row.getString("model"),
        row.getString("status"),
        timestamps.epochSeconds(row.getObject("start_time")),
        timestamps.epochSeconds(end),
        end != null,
        duration(row.getObject("duration_seconds")));
  }
}
