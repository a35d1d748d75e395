package dev.agentworkflow.exporter.bench;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The floor for a first load in Java: one plain JDBC scan of the columns the exporter reads (the
 * {@link ShellScan}'s SELECTs: raw_output as the two numbers the exporter's JSON expressions take
 * from it, the tool uses where the table has rows), on the same file, read-only, every value
 * fetched and nothing done with it. What it costs over the shell is what any JDBC reader pays.
 */
final class BareScan {
  private static final String INVOCATIONS = ShellScan.INVOCATIONS.replace(";", "");
  private static final String SESSIONS = ShellScan.SESSIONS.replace(";", "");
  private static final String TOOL_USES = ShellScan.TOOL_USES.replace(";", "");

  private BareScan() {}

  /** Seconds for both scans; {@code rows} gets the row count, to check that the scan saw the whole table. */
  static double seconds(Path file, long[] rows) throws SQLException {
    long started = System.nanoTime();
    long count = 0;
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:file:" + file.toAbsolutePath() + "?mode=ro");
        Statement s = c.createStatement()) {
      for (String sql : new String[] {INVOCATIONS, SESSIONS, TOOL_USES}) {
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
