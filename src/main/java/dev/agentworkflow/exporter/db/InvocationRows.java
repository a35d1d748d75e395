package dev.agentworkflow.exporter.db;

import static dev.agentworkflow.exporter.db.TableReader.Cut.IDENTITY;
import static dev.agentworkflow.exporter.db.TableReader.Cut.LABEL;
import static dev.agentworkflow.exporter.db.TableReader.Cut.SHORT;

import dev.agentworkflow.exporter.db.TableReader.Column;
import dev.agentworkflow.exporter.model.InvocationRow;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/** How a row of {@code agent_invocations} becomes an {@link InvocationRow}. */
public final class InvocationRows {
  static final String TABLE = "agent_invocations";
  // prompt, raw_input and raw_output are never read whole: they are most of a row's bytes; of
  // raw_output, SQLite hands over two numbers
  static final List<Column> COLUMNS = List.of(
      new Column("session_id", IDENTITY),
      new Column("phase", LABEL),
      new Column("agent_name", IDENTITY), // a label, and its distinct values count (total_unique_agents)
      new Column("model", LABEL),
      new Column("status", LABEL),
      new Column("start_time", SHORT),
      new Column("end_time", SHORT),
      new Column("duration_seconds", SHORT),
      Column.jsonNumber("reported_tool_uses", "raw_output", "totalToolUseCount"),
      Column.jsonNumber("reported_tokens", "raw_output", "totalTokens"));

  private InvocationRows() {}

  public static TableReader<InvocationRow> reader(TimestampParser timestamps) {
    return new TableReader<>(TABLE, COLUMNS, (row, rowId) -> map(row, rowId, timestamps));
  }

  static InvocationRow map(ResultSet row, long rowId, TimestampParser timestamps) throws SQLException {
    Object start = TableReader.shortValue(row, "start_time");
    Object end = TableReader.shortValue(row, "end_time");
    String sessionId = row.getString("session_id");
    String phase = row.getString("phase");
    String agentName = row.getString("agent_name");
    return new InvocationRow(
        rowId,
        sessionId,
        phase,
        agentName,
        row.getString("model"),
        row.getString("status"),
        timestamps.epochSeconds(start),
        timestamps.epochSeconds(end),
        end != null,
        ColumnValues.duration(TableReader.shortValue(row, "duration_seconds")),
        // not the timestamp column: reading it costs a first load some 20% (measured on the
        // benchmark's 1M file), and rows without an agent, which only it would tell apart, anchor nothing
        ColumnValues.identity(sessionId, agentName, phase, start == null ? null : start.toString()),
        // a JSON number, or NULL: a number too large for a double reads as infinite, hence NaN
        ColumnValues.number(row.getObject("reported_tool_uses")),
        ColumnValues.number(row.getObject("reported_tokens")));
  }
}
