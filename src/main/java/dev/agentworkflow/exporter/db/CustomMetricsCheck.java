package dev.agentworkflow.exporter.db;

import dev.agentworkflow.exporter.custom.CustomMetrics;
import dev.agentworkflow.exporter.custom.CustomMetricsException;
import dev.agentworkflow.exporter.custom.QueryMetric;
import dev.agentworkflow.exporter.custom.RowMetric;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;

/**
 * Checks user-defined metrics against a database's schema at start and at each reload: a row
 * metric as its reader prepares it ({@link RowMetricReader}), a query prepares and returns
 * its key label and value columns. A database that does not exist yet, or a table it does not have
 * yet, is not checked: the metric reads nothing until it is there.
 */
public final class CustomMetricsCheck {
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
          reader.check(connection); // a table not there yet is not checked: read as empty until it is
        } catch (SQLException e) {
          throw new CustomMetricsException(where + "cannot be read from " + database + ": " + message(e));
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



  private static String message(SQLException e) {
    return String.valueOf(e.getMessage()).strip().replace('\n', ' ');
  }
}
