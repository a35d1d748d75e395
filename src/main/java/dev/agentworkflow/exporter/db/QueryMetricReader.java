package dev.agentworkflow.exporter.db;

import dev.agentworkflow.exporter.custom.QueryMetric;
import dev.agentworkflow.exporter.model.QueryRow;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs a user-defined query metric's SELECT, interrupted past its timeout, and returns its rows as
 * label values and a value. The statement is the user's own text; it was checked at start to be
 * one read-only SELECT, and runs on a read-only connection.
 */
public final class QueryMetricReader implements AutoCloseable {
  /** More rows than this is not a set of series anyone charts: the run fails. */
  public static final int MAX_ROWS = 10_000;

  private final WorkflowDatabase database;

  /**
   * A fresh connection to {@code path} for one round of runs: it pins no file between rounds and
   * caches no page of an old one. It waits half a second for a writer's lock, with a small page
   * cache: the queries are the user's, their cost is theirs to keep small.
   */
  public QueryMetricReader(Path path) {
    this.database = new WorkflowDatabase(path, Duration.ofMillis(500), 512);
  }

  /** Runs {@code metric}'s query, interrupted past its timeout. */
  public List<QueryRow> run(QueryMetric metric, StatementTimer timer) throws ReadFailure {
    try {
      return run(database.connection(), metric, timer);
    } catch (SQLException e) {
      throw ReadFailure.of(e);
    }
  }

  @Override
  public void close() {
    database.close();
  }

  static List<QueryRow> run(Connection connection, QueryMetric metric, StatementTimer timer)
      throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(metric.query())) {
      int[] labelColumns = new int[metric.keyLabels().size()];
      int valueColumn = columns(statement.getMetaData(), metric, labelColumns);
      List<QueryRow> rows = new ArrayList<>();
      try (StatementTimeout timeout = timer.arm(statement, metric.timeout())) {
        try (ResultSet rs = statement.executeQuery()) {
          while (rs.next()) {
            if (rows.size() == MAX_ROWS) {
              throw new SQLException("the query returned more than " + MAX_ROWS + " rows");
            }
            List<String> labels = new ArrayList<>(labelColumns.length);
            for (int column : labelColumns) {
              String value = rs.getString(column);
              labels.add(value != null && value.length() > TableReader.MAX_LABEL_LENGTH
                  ? value.substring(0, TableReader.MAX_LABEL_LENGTH + 1) : value);
            }
            rows.add(new QueryRow(labels,
                ColumnValues.sqlNumber(rs.getObject(valueColumn))));
          }
        } catch (SQLException e) {
          throw timeout.explain(e);
        }
      }
      return rows;
    }
  }

  /**
   * Fills {@code labelColumns} with the key labels' column numbers and returns the value's; fails
   * naming a column the query does not return.
   */
  static int columns(ResultSetMetaData meta, QueryMetric metric, int[] labelColumns) throws SQLException {
    Map<String, Integer> byName = new HashMap<>();
    for (int i = meta.getColumnCount(); i >= 1; i--) {
      byName.put(meta.getColumnLabel(i).toLowerCase(Locale.ROOT), i); // the first of a repeated name wins
    }
    for (int i = 0; i < labelColumns.length; i++) {
      labelColumns[i] = column(byName, metric.keyLabels().get(i), "key label");
    }
    return column(byName, metric.value(), "value");
  }

  private static int column(Map<String, Integer> byName, String name, String what) throws SQLException {
    Integer column = byName.get(name.toLowerCase(Locale.ROOT));
    if (column == null) {
      throw new SQLException("the query returns no column '" + name + "' for its " + what + " (columns: "
          + String.join(", ", byName.keySet().stream().sorted().toList()) + ")");
    }
    return column;
  }

}
