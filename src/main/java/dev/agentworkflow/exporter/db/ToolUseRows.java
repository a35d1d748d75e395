package dev.agentworkflow.exporter.db;

import static dev.agentworkflow.exporter.db.TableReader.Cut.IDENTITY;
import static dev.agentworkflow.exporter.db.TableReader.Cut.LABEL;
import static dev.agentworkflow.exporter.db.TableReader.Cut.SHORT;

import dev.agentworkflow.exporter.db.TableReader.Column;
import dev.agentworkflow.exporter.model.ToolUseRow;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/** How a row of {@code agent_tool_uses} (the tool-operations hook's table, where installed) becomes a {@link ToolUseRow}. */
public final class ToolUseRows {
  static final String TABLE = "agent_tool_uses";
  // tool_input, tool_output and error are never read: they are most of a row's bytes
  static final List<Column> COLUMNS = List.of(
      new Column("session_id", IDENTITY),
      new Column("agent_name", LABEL),
      new Column("tool_name", LABEL),
      new Column("status", LABEL),
      new Column("start_time", SHORT),
      new Column("end_time", SHORT),
      new Column("duration_seconds", SHORT),
      new Column("sequence_number", SHORT));

  private ToolUseRows() {}

  public static TableReader<ToolUseRow> reader(TimestampParser timestamps) {
    return new TableReader<>(TABLE, COLUMNS, (row, rowId) -> map(row, rowId, timestamps));
  }

  static ToolUseRow map(ResultSet row, long rowId, TimestampParser timestamps) throws SQLException {
    Object start = TableReader.shortValue(row, "start_time");
    Object end = TableReader.shortValue(row, "end_time");
    Object sequence = TableReader.shortValue(row, "sequence_number");
    String agentName = row.getString("agent_name");
    String toolName = row.getString("tool_name");
    return new ToolUseRow(
        rowId,
        agentName,
        toolName,
        row.getString("status"),
        timestamps.epochSeconds(start),
        timestamps.epochSeconds(end),
        end != null,
        ColumnValues.duration(TableReader.shortValue(row, "duration_seconds")),
        ColumnValues.identity(row.getString("session_id"), agentName, toolName,
            start == null ? null : start.toString(), sequence == null ? null : sequence.toString()));
  }
}
