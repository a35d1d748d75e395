package dev.agentworkflow.exporter.db;

import static dev.agentworkflow.exporter.db.TableReader.Cut.WHOLE;

import dev.agentworkflow.exporter.db.TableReader.Column;
import dev.agentworkflow.exporter.model.ShippedRow;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;

/**
 * A table as it is shipped to the team's PostgreSQL store: the columns the exporter reads, cut as it
 * cuts them (so that an exporter of the store counts what an exporter of the file counts), then the
 * other columns whole, then the payloads, whole, when they are shipped at all. The store's table has
 * the same name and these columns by these names ({@code deploy/postgresql/schema.sql}).
 *
 * @param name the table, in both databases
 * @param key the store's column that holds the row's id in the file, and with the source names the
 *     row: {@code id}, or {@code row_id} for sessions, whose key in the file is text
 * @param columns the columns shipped, in the order of {@link ShippedRow#values()}
 */
public record ShippedTable(String name, String key, List<Column> columns) {
  public ShippedTable {
    columns = List.copyOf(columns);
  }

  /**
   * The columns a writer never changes after the insert, which know a shipped row again in the
   * file: the ones the exporter's identity of a row hashes.
   */
  public List<String> identityColumns() {
    return switch (name) {
      case SessionRows.TABLE -> List.of("session_id", "start_time");
      case InvocationRows.TABLE -> List.of("session_id", "agent_name", "phase", "start_time");
      default -> List.of("session_id", "agent_name", "tool_name", "start_time");
    };
  }

  /** The three tables, with or without their payload columns, sessions first. */
  public static List<ShippedTable> all(boolean payloads) {
    return List.of(sessions(payloads), invocations(payloads), toolUses(payloads));
  }

  public static ShippedTable sessions(boolean payloads) {
    return of(SessionRows.TABLE, "row_id", SessionRows.COLUMNS, List.of("cwd"), List.of("metadata"), payloads);
  }

  public static ShippedTable invocations(boolean payloads) {
    return of(InvocationRows.TABLE, "id", InvocationRows.COLUMNS,
        List.of("timestamp", "event_type", "agent_type", "parent_agent", "ticket_id", "error", "result_summary"),
        List.of("prompt", "raw_input", "raw_output"), payloads);
  }

  public static ShippedTable toolUses(boolean payloads) {
    return of(ToolUseRows.TABLE, "id", ToolUseRows.COLUMNS, List.of("timestamp", "agent_invocation_id", "error"),
        List.of("tool_input", "tool_output"), payloads);
  }

  private static ShippedTable of(String name, String key, List<Column> read, List<String> others,
      List<String> payloadColumns, boolean payloads) {
    List<Column> columns = new ArrayList<>(read);
    others.forEach(column -> columns.add(new Column(column, WHOLE)));
    if (payloads) {
      payloadColumns.forEach(column -> columns.add(new Column(column, WHOLE)));
    }
    return new ShippedTable(name, key, columns);
  }

  /** A reader of this table of a SQLite file, whose rows are its shipped columns' values. */
  TableReader<ShippedRow> reader() {
    int n = columns.size();
    return new TableReader<>(name, columns, (ResultSet row, long rowId) -> {
      Object[] values = new Object[n];
      for (int i = 0; i < n; i++) {
        values[i] = row.getObject(i + 2); // after the row id
      }
      return new ShippedRow(rowId, values);
    });
  }
}
