package dev.agentworkflow.exporter.db;

import static dev.agentworkflow.exporter.db.TableReader.Cut.IDENTITY;
import static dev.agentworkflow.exporter.db.TableReader.Cut.LABEL;
import static dev.agentworkflow.exporter.db.TableReader.Cut.SHORT;

import dev.agentworkflow.exporter.db.TableReader.Column;
import dev.agentworkflow.exporter.model.SessionRow;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/** How a row of {@code sessions} becomes a {@link SessionRow}. */
public final class SessionRows {
  static final String TABLE = "sessions";
  // cwd and metadata are never read
  static final List<Column> COLUMNS = List.of(
      new Column("session_id", IDENTITY),
      new Column("start_time", SHORT), // with the session id, it names a run
      new Column("end_time", SHORT),
      new Column("status", LABEL)); // only compared with 'active': longer text is not that either

  private SessionRows() {}

  public static TableReader<SessionRow> reader(TimestampParser timestamps) {
    return new TableReader<>(TABLE, COLUMNS, (row, rowId) -> map(row, rowId, timestamps));
  }

  static SessionRow map(ResultSet row, long rowId, TimestampParser timestamps) throws SQLException {
    Object start = TableReader.shortValue(row, "start_time");
    Object end = TableReader.shortValue(row, "end_time");
    return new SessionRow(
        rowId,
        row.getString("session_id"),
        start == null ? null : start.toString(),
        timestamps.epochSeconds(start),
        timestamps.epochSeconds(end),
        end != null,
        row.getString("status"));
  }
}
