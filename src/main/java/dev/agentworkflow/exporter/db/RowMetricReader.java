package dev.agentworkflow.exporter.db;

import dev.agentworkflow.exporter.custom.RowMetric;
import dev.agentworkflow.exporter.model.CustomRow;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.StringJoiner;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * Reads a user-defined row metric's table as the built-in tables are read: the rows after an id in
 * chunks of about 10 ms, each its own statement, and given rows again by id. SQLite evaluates the
 * metric's expressions; only their results reach the JVM, label values cut to 257 characters. Each
 * expression is put in parentheses of its own ({@code custom} checked that it cannot close them).
 */
public final class RowMetricReader {
  private static final String TABLE_EXISTS = """
      SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?
      """;
  private static final String ROWS_AFTER = """
      SELECT %2$s
        FROM "%1$s"
       WHERE rowid > ?
       ORDER BY rowid
       LIMIT ?
      """;
  private static final String ROWS_BY_ID = """
      SELECT %2$s
        FROM "%1$s"
       WHERE rowid IN (%3$s)
      """;
  /** The columns every read selects: the id, then the two conditions. */
  private static final int FIXED = 3;

  private final RowMetric metric;
  private final String rowsAfterSql;
  private final String rowsByIdSql;
  private int chunkSize = 256;

  public RowMetricReader(RowMetric metric) {
    this.metric = metric;
    StringJoiner select = new StringJoiner(",\n       ");
    select.add("rowid");
    select.add("CASE WHEN (" + metric.finished() + ") THEN 1 ELSE 0 END");
    select.add(metric.where().map(w -> "CASE WHEN (" + w + ") THEN 1 ELSE 0 END").orElse("1"));
    for (RowMetric.Label label : metric.labels()) {
      select.add("substr(CAST((" + label.expression() + ") AS TEXT), 1, " + (TableReader.MAX_LABEL_LENGTH + 1) + ")");
    }
    select.add("(" + metric.value() + ")");
    StringJoiner placeholders = new StringJoiner(", ");
    for (int i = 0; i < TableReader.IDS_PER_LOOKUP; i++) {
      placeholders.add("?");
    }
    this.rowsAfterSql = ROWS_AFTER.formatted(metric.table(), select);
    this.rowsByIdSql = ROWS_BY_ID.formatted(metric.table(), select, placeholders);
  }

  public RowMetric metric() {
    return metric;
  }

  /** The statement a read prepares, for checking it against a database at start. */
  String rowsAfterSql() {
    return rowsAfterSql;
  }

  public boolean tableExists(Connection connection) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(TABLE_EXISTS)) {
      statement.setString(1, metric.table());
      try (ResultSet rs = statement.executeQuery()) {
        return rs.next() && rs.getInt(1) > 0;
      }
    }
  }

  /**
   * Reads the rows after {@code rowId} (all when empty) in id order, a chunk per statement, each
   * chunk handed to {@code rows} once its statement has ended. Returns how many were read; a
   * statement past the metric's timeout throws {@link java.sql.SQLTimeoutException}.
   */
  public long readRowsAfter(Connection connection, OptionalLong rowId, Consumer<CustomRow> rows) throws SQLException {
    long total = 0;
    long after = rowId.orElse(Long.MIN_VALUE); // SQLite's rowids are above it
    if (after == Long.MAX_VALUE) {
      return 0;
    }
    try (PreparedStatement statement = connection.prepareStatement(rowsAfterSql)) {
      while (true) {
        if (Thread.currentThread().isInterrupted()) {
          throw new SQLException("poll interrupted");
        }
        int limit = chunkSize;
        statement.setLong(1, after);
        statement.setInt(2, limit);
        long started = System.nanoTime();
        List<CustomRow> chunk = read(statement);
        chunkSize = TableReader.adapted(chunkSize, System.nanoTime() - started, chunk.size() == limit);
        total += chunk.size();
        chunk.forEach(rows);
        if (chunk.size() < limit) {
          return total;
        }
        after = chunk.get(chunk.size() - 1).rowId();
        if (after == Long.MAX_VALUE) {
          return total;
        }
      }
    }
  }

  /**
   * Reads the rows of {@code rowIds} again, {@value TableReader#IDS_PER_LOOKUP} per statement; each
   * id not found goes to {@code gone}. Returns how many were read.
   */
  public long readRows(Connection connection, long[] rowIds, Consumer<CustomRow> rows, LongConsumer gone)
      throws SQLException {
    long total = 0;
    long[] ids = rowIds.clone();
    Arrays.sort(ids);
    try (PreparedStatement statement = connection.prepareStatement(rowsByIdSql)) {
      for (int from = 0; from < ids.length; from += TableReader.IDS_PER_LOOKUP) {
        int to = Math.min(ids.length, from + TableReader.IDS_PER_LOOKUP);
        for (int i = 0; i < TableReader.IDS_PER_LOOKUP; i++) {
          // the last lookup repeats its last id in the unused places: one statement for every size
          statement.setLong(i + 1, ids[Math.min(from + i, to - 1)]);
        }
        List<CustomRow> found = read(statement);
        Set<Long> seen = new HashSet<>();
        for (CustomRow row : found) {
          seen.add(row.rowId());
          rows.accept(row);
        }
        total += found.size();
        for (int i = from; i < to; i++) {
          if (!seen.contains(ids[i])) {
            gone.accept(ids[i]);
          }
        }
      }
    }
    return total;
  }

  /** One statement's rows, kept until it has ended: nothing done with them prolongs the read. */
  private List<CustomRow> read(PreparedStatement statement) throws SQLException {
    List<CustomRow> rows = new ArrayList<>();
    int labels = metric.labels().size();
    try (StatementTimeout timeout = StatementTimeout.arm(statement, metric.timeout())) {
      try (ResultSet rs = statement.executeQuery()) {
        while (rs.next()) {
          List<String> values = new ArrayList<>(labels);
          for (int i = 0; i < labels; i++) {
            values.add(rs.getString(FIXED + 1 + i));
          }
          rows.add(new CustomRow(rs.getLong(1), rs.getInt(2) == 1, rs.getInt(3) == 1, values,
              number(rs.getObject(FIXED + 1 + labels))));
        }
      } catch (SQLException e) {
        throw timeout.explain(e);
      }
    }
    return rows;
  }

  /** A number SQLite gave as INTEGER or REAL; anything else (NULL, text, a blob) is no number. */
  static double number(Object value) {
    return value instanceof Number n ? n.doubleValue() : Double.NaN;
  }
}
