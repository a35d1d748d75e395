package dev.agentworkflow.exporter.db;

import dev.agentworkflow.exporter.custom.CustomMetrics;
import dev.agentworkflow.exporter.custom.CustomMetricsException;
import dev.agentworkflow.exporter.custom.QueryMetric;
import dev.agentworkflow.exporter.custom.RowMetric;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;

/**
 * Checks user-defined metrics against a database's schema at start and at each reload: every
 * statement prepares, a row metric's table keeps its ids (an INTEGER PRIMARY KEY), a query returns
 * its key label and value columns. A database that does not exist yet, or a table it does not have
 * yet, is not checked: the metric reads nothing until it is there.
 */
public final class CustomMetricsCheck {
  private static final String TABLE_EXISTS = """
      SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?
      """;

  private CustomMetricsCheck() {}

  public static void check(CustomMetrics metrics, Path database) throws CustomMetricsException {
    if (metrics.isEmpty() || !Files.isRegularFile(database)) {
      return;
    }
    String file = metrics.file().orElse("");
    try (WorkflowDatabase db = new WorkflowDatabase(database, Duration.ofSeconds(1), 256);
        StatementTimer timer = new StatementTimer("agent-workflow-check")) { // only prepares: it never runs
      Connection connection;
      try {
        connection = db.connection();
      } catch (SQLException e) {
        return; // not readable now: the poller says why, and the metrics read nothing until it is
      }
      for (RowMetric metric : metrics.rows()) {
        String where = file + ":" + metric.line() + ": " + metric.name() + ": ";
        RowMetricReader reader = new RowMetricReader(metric.table(), List.of(metric), timer);
        try {
          if (!tableExists(connection, metric.table())) {
            continue;
          }
          String keyType = RowMetricReader.integerKeyProblem(connection, metric.table());
          if (keyType != null) {
            throw new CustomMetricsException(where + "table " + metric.table() + " in " + database + " " + keyType
                + "; a row metric reads a table by its ids, which only an INTEGER PRIMARY KEY keeps");
          }
          RowMetricReader.checkPerRow(connection, metric);
          connection.prepareStatement(reader.rowsAfterSql()).close();
        } catch (SQLException e) {
          throw new CustomMetricsException(where + "its SQL does not prepare against " + database + ": " + message(e));
        }
      }
      for (QueryMetric metric : metrics.queries()) {
        String where = file + ":" + metric.line() + ": " + metric.name() + ": ";
        try (PreparedStatement statement = connection.prepareStatement(metric.query())) {
          QueryMetricReader.columns(statement.getMetaData(), metric, new int[metric.keyLabels().size()]);
        } catch (SQLException e) {
          if (!WorkflowDatabase.isMissingTable(e)) {
            throw new CustomMetricsException(where + "the query does not prepare against " + database + ": "
                + message(e));
          }
        }
      }
    }
  }

  private static boolean tableExists(Connection connection, String table) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(TABLE_EXISTS)) {
      statement.setString(1, table);
      try (ResultSet rs = statement.executeQuery()) {
        return rs.next() && rs.getInt(1) > 0;
      }
    }
  }

  private static String message(SQLException e) {
    return String.valueOf(e.getMessage()).strip().replace('\n', ' ');
  }
}
