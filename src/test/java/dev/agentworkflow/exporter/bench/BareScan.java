package dev.agentworkflow.exporter.bench;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The floor for a first load: one plain JDBC scan of the columns the exporter reads, on the same
 * file, read-only, every value fetched and nothing done with it.
 */
final class BareScan {
  private static final String INVOCATIONS = """
      SELECT rowid, session_id, phase, agent_name, model, status, start_time, end_time, duration_seconds
        FROM agent_invocations
      """;
  private static final String SESSIONS = """
      SELECT rowid, session_id, start_time, end_time, status
        FROM sessions
      """;

  private BareScan() {}

  /** Seconds for both scans; {@code rows} gets the row count, to check that the scan saw the whole table. */
  static double seconds(Path file, long[] rows) throws SQLException {
    long started = System.nanoTime();
    long count = 0;
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:file:" + file.toAbsolutePath() + "?mode=ro");
        Statement s = c.createStatement()) {
      for (String sql : new String[] {INVOCATIONS, SESSIONS}) {
        try (ResultSet rs = s.executeQuery(sql)) {
          int columns = rs.getMetaData().getColumnCount();
          while (rs.next()) {
            for (int i = 1; i <= columns; i++) {
              rs.getObject(i);
            }
            count++;
          }
        }
      }
    }
    rows[0] = count;
    return (System.nanoTime() - started) / 1e9;
  }
}
