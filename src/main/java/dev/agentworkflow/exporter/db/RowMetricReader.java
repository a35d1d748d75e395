package dev.agentworkflow.exporter.db;

import dev.agentworkflow.exporter.custom.RowMetric;
import dev.agentworkflow.exporter.model.CustomRow;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.StringJoiner;
import java.util.function.LongConsumer;

/**
 * Reads a table for the user-defined row metrics on it, as the built-in tables are read: the rows
 * after an id in chunks of about 10 ms, each its own statement, and given rows again by id. One
 * statement evaluates every metric's expressions on a row, so that a row (with its payload in
 * overflow pages) is read once for all of them; only the expressions' results reach the JVM, label
 * values cut to 257 characters. Each expression is put in parentheses of its own ({@code custom}
 * checked that it cannot close them).
 */
public final class RowMetricReader {
  private static final String HIGHEST_ROW_ID = """
      SELECT max(rowid) FROM "%s"
      """;
  /**
   * Prepared, never run: SQLite refuses an aggregate or window function in WHERE, so an expression
   * that would turn a chunk into one row over the whole table fails here.
   */
  private static final String PER_ROW = """
      SELECT 1 FROM "%s" WHERE (%s) IS NOT NULL LIMIT 0
      """;
  private static final String PRIMARY_KEY = """
      SELECT type FROM pragma_table_info(?) WHERE pk > 0
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

  /** Takes in what one metric's expressions gave for a row: {@code metric} is its place in the reader's list. */
  @FunctionalInterface
  public interface RowSink {
    void accept(int metric, CustomRow row);
  }

  private final String table;
  private final List<RowMetric> metrics;
  private final Duration timeout;
  private final StatementTimer timer;
  /** What each selected column after the rowid is read as, in order. */
  private final List<Kind> kinds = new ArrayList<>();
  /** Per metric: its columns' places (from 0, after the rowid): finished, where, each label, value. */
  private final int[][] places;
  private final String rowsAfterSql;
  private final String rowsByIdSql;
  private int chunkSize = 256;
  /**
   * The two statements, prepared on {@link #preparedOn} and kept between polls: preparing them (a
   * dozen expressions each) cost a busy poll as much as running them. A statement between two
   * runs is reset and holds no lock; SQLite prepares it again itself after a schema change.
   */
  private Connection preparedOn;
  private PreparedStatement rowsAfter;
  private PreparedStatement rowsById;
  private PreparedStatement highest;

  /** How a column's value reaches the JVM. */
  private enum Kind { CONDITION, LABEL, VALUE }

  /**
   * @param metrics row metrics of {@code table}; a statement may run as long as the shortest timeout
   *     among them. An expression several of them share (the same condition, the same label) is
   *     selected once: each value costs a call into SQLite.
   */
  public RowMetricReader(String table, List<RowMetric> metrics, StatementTimer timer) {
    this.table = table;
    this.metrics = List.copyOf(metrics);
    this.timer = timer;
    this.timeout = metrics.stream().map(RowMetric::timeout).min(Duration::compareTo).orElseThrow();
    Map<String, Integer> selected = new LinkedHashMap<>();
    this.places = new int[metrics.size()][];
    for (int m = 0; m < metrics.size(); m++) {
      RowMetric metric = metrics.get(m);
      int[] place = new int[3 + metric.labels().size()];
      place[0] = column(selected, "CASE WHEN (" + metric.finished() + ") THEN 1 ELSE 0 END", Kind.CONDITION);
      place[1] = column(selected, "CASE WHEN (" + metric.where().orElse("1") + ") THEN 1 ELSE 0 END", Kind.CONDITION);
      for (int i = 0; i < metric.labels().size(); i++) {
        place[2 + i] = column(selected, "substr(CAST((" + metric.labels().get(i).expression() + ") AS TEXT), 1, "
            + (TableReader.MAX_LABEL_LENGTH + 1) + ")", Kind.LABEL);
      }
      place[place.length - 1] = column(selected, "(" + metric.value() + ")", Kind.VALUE);
      places[m] = place;
    }
    StringJoiner select = new StringJoiner(",\n       ");
    select.add("rowid");
    selected.keySet().forEach(select::add);
    StringJoiner placeholders = new StringJoiner(", ");
    for (int i = 0; i < TableReader.IDS_PER_LOOKUP; i++) {
      placeholders.add("?");
    }
    this.rowsAfterSql = ROWS_AFTER.formatted(table, select);
    this.rowsByIdSql = ROWS_BY_ID.formatted(table, select, placeholders);
  }

  private int column(Map<String, Integer> selected, String sql, Kind kind) {
    Integer place = selected.get(sql);
    if (place == null) {
      place = selected.size();
      selected.put(sql, place);
      kinds.add(kind);
    }
    return place;
  }

  public List<RowMetric> metrics() {
    return metrics;
  }

  /**
   * Checks the metrics against the database on {@code connection} as a read prepares them (the
   * table's INTEGER PRIMARY KEY, one value per row, every statement); false when the table is not
   * there (yet). Keeps nothing prepared.
   */
  boolean check(Connection connection) throws SQLException {
    try {
      return prepare(connection);
    } finally {
      close();
    }
  }

  /**
   * Where the table's ids end, as of now.
   *
   * @param exists the table is in the database: a table missing for a moment (a migration) says
   *     nothing of its rows, unlike one that is there and empty
   * @param highestRowId its highest row id; empty when it is empty or missing
   */
  public record TableEnd(boolean exists, OptionalLong highestRowId) {
    static final TableEnd MISSING = new TableEnd(false, OptionalLong.empty());
  }

  /**
   * Where the table's ids end. Below the highest id a metric has read, rows were deleted or the
   * table was made again.
   */
  public TableEnd tableEnd(WorkflowDatabase database) throws ReadFailure {
    try {
      return tableEnd(database.connection());
    } catch (SQLException e) {
      throw ReadFailure.of(e);
    }
  }

  TableEnd tableEnd(Connection connection) throws SQLException {
    if (!prepare(connection)) {
      return TableEnd.MISSING;
    }
    try (ResultSet rs = highest.executeQuery()) {
      long max = rs.next() ? rs.getLong(1) : 0;
      return new TableEnd(true, rs.wasNull() ? OptionalLong.empty() : OptionalLong.of(max));
    } catch (SQLException e) {
      close(); // sqlite-jdbc finalizes a statement whose first step failed (other than busy): prepare again
      if (WorkflowDatabase.isMissingTable(e)) {
        return TableEnd.MISSING;
      }
      throw e;
    }
  }

  /**
   * Reads the rows after {@code rowId} (all when empty) in id order, a chunk per statement, each
   * chunk handed to {@code rows} once its statement has ended. Returns how many rows were read
   * (none from a table the database does not have); a statement past the timeout fails {@link
   * ReadFailure#timedOut timed out}.
   */
  public long readRowsAfter(WorkflowDatabase database, OptionalLong rowId, RowSink rows) throws ReadFailure {
    try {
      return readRowsAfter(database.connection(), rowId, rows);
    } catch (SQLException e) {
      throw ReadFailure.of(e);
    }
  }

  long readRowsAfter(Connection connection, OptionalLong rowId, RowSink rows) throws SQLException {
    long total = 0;
    long after = rowId.orElse(Long.MIN_VALUE); // SQLite's rowids are above it
    if (after == Long.MAX_VALUE || !prepare(connection)) {
      return 0;
    }
    PreparedStatement statement = rowsAfter;
    while (true) {
      if (Thread.currentThread().isInterrupted()) {
        throw new SQLException("poll interrupted");
      }
      int limit = chunkSize;
      statement.setLong(1, after);
      statement.setInt(2, limit);
      long started = System.nanoTime();
      List<CustomRow[]> chunk;
      try {
        chunk = read(statement);
      } catch (SQLTimeoutException e) {
        chunkSize = Math.max(TableReader.MIN_CHUNK, chunkSize / 2); // the next poll tries a smaller chunk
        throw e;
      }
      chunkSize = TableReader.adapted(chunkSize, System.nanoTime() - started, chunk.size() == limit);
      total += chunk.size();
      hand(chunk, rows);
      if (chunk.size() < limit) {
        return total;
      }
      after = chunk.get(chunk.size() - 1)[0].rowId();
      if (after == Long.MAX_VALUE) {
        return total;
      }
    }
  }

  /**
   * Reads the rows of {@code rowIds} again, {@value TableReader#IDS_PER_LOOKUP} per statement; each
   * id not found goes to {@code gone}. Returns how many were read.
   */
  public long readRows(WorkflowDatabase database, long[] rowIds, RowSink rows, LongConsumer gone)
      throws ReadFailure {
    try {
      return readRows(database.connection(), rowIds, rows, gone);
    } catch (SQLException e) {
      throw ReadFailure.of(e);
    }
  }

  long readRows(Connection connection, long[] rowIds, RowSink rows, LongConsumer gone) throws SQLException {
    long total = 0;
    if (rowIds.length == 0 || !prepare(connection)) {
      return 0;
    }
    long[] ids = rowIds.clone();
    Arrays.sort(ids);
    PreparedStatement statement = rowsById;
    for (int from = 0; from < ids.length; from += TableReader.IDS_PER_LOOKUP) {
      int to = Math.min(ids.length, from + TableReader.IDS_PER_LOOKUP);
      for (int i = 0; i < TableReader.IDS_PER_LOOKUP; i++) {
        // the last lookup repeats its last id in the unused places: one statement for every size
        statement.setLong(i + 1, ids[Math.min(from + i, to - 1)]);
      }
      List<CustomRow[]> found = read(statement);
      if (rowsById == null) {
        return total; // the table was dropped meanwhile: its rows are not gone, they are out of reach
      }
      Set<Long> seen = new HashSet<>();
      for (CustomRow[] row : found) {
        seen.add(row[0].rowId());
      }
      hand(found, rows);
      total += found.size();
      for (int i = from; i < to; i++) {
        if (!seen.contains(ids[i])) {
          gone.accept(ids[i]);
        }
      }
    }
    return total;
  }

  /**
   * Prepares the statements on {@code connection} unless they are already; false when the table is
   * not in the database (a metric of a table that comes with a later version of the hooks).
   */
  private boolean prepare(Connection connection) throws SQLException {
    if (preparedOn == connection && rowsAfter != null) {
      return true;
    }
    close();
    try {
      rowsAfter = connection.prepareStatement(rowsAfterSql);
      rowsById = connection.prepareStatement(rowsByIdSql);
      highest = connection.prepareStatement(HIGHEST_ROW_ID.formatted(table));
      String keyProblem = integerKeyProblem(connection, table);
      if (keyProblem != null) {
        throw new SQLException("table " + table + " " + keyProblem + "; a row metric reads a table by its ids, "
            + "which only an INTEGER PRIMARY KEY keeps");
      }
      for (RowMetric metric : metrics) {
        checkPerRow(connection, metric);
      }
    } catch (SQLException e) {
      close();
      if (WorkflowDatabase.isMissingTable(e)) {
        return false;
      }
      throw e;
    }
    preparedOn = connection;
    return true;
  }

  /** Closes the statements kept between polls; the next read prepares them again. */
  public void close() {
    for (PreparedStatement statement : new PreparedStatement[] {rowsAfter, rowsById, highest}) {
      if (statement != null) {
        try {
          statement.close();
        } catch (SQLException e) {
          // a statement of a closed connection: nothing left to free
        }
      }
    }
    rowsAfter = null;
    rowsById = null;
    highest = null;
    preparedOn = null;
  }

  /**
   * Fails when an expression of {@code metric} is not one value per row: an aggregate ({@code sum},
   * {@code count}, {@code max} of rows) or a window function would make a chunk one row over the
   * whole table, counted under an arbitrary id.
   */
  static void checkPerRow(Connection connection, RowMetric metric) throws SQLException {
    List<String> expressions = new ArrayList<>(List.of(metric.finished(), metric.value()));
    metric.where().ifPresent(expressions::add);
    metric.labels().forEach(label -> expressions.add(label.expression()));
    for (String expression : expressions) {
      try {
        connection.prepareStatement(PER_ROW.formatted(metric.table(), expression)).close();
      } catch (SQLException e) {
        String message = String.valueOf(e.getMessage());
        if (message.contains("misuse of aggregate") || message.contains("misuse of window")) {
          throw new SQLException("'" + expression + "' is not a value of one row: a row metric's expressions are "
              + "evaluated row by row (an aggregate such as sum or count belongs in a query metric)", e);
        }
        throw e;
      }
    }
  }

  /** Why the table's rowid is not its key, or null when it has an INTEGER PRIMARY KEY. */
  static String integerKeyProblem(Connection connection, String table) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(PRIMARY_KEY)) {
      statement.setString(1, table);
      try (ResultSet rs = statement.executeQuery()) {
        if (!rs.next()) {
          return "has no primary key";
        }
        String type = String.valueOf(rs.getString(1)).toUpperCase(java.util.Locale.ROOT);
        if (rs.next()) {
          return "has a primary key of several columns";
        }
        return type.equals("INTEGER") ? null : "has a primary key of type " + type;
      }
    }
  }

  private static void hand(List<CustomRow[]> rows, RowSink sink) {
    for (CustomRow[] row : rows) {
      for (int metric = 0; metric < row.length; metric++) {
        sink.accept(metric, row[metric]);
      }
    }
  }

  /**
   * One statement's rows, one per metric each, kept until it has ended: nothing done with them
   * prolongs the read. A metric's labels and value are fetched only for a row it counts now
   * (finished, and its condition holds): most rows a busy poll reads are running ones, and each
   * value fetched is a call into SQLite.
   */
  private List<CustomRow[]> read(PreparedStatement statement) throws SQLException {
    List<CustomRow[]> rows = new ArrayList<>();
    Object[] values = new Object[kinds.size()];
    boolean[] fetched = new boolean[kinds.size()];
    try (StatementTimeout armed = timer.arm(statement, timeout)) {
      try (ResultSet rs = statement.executeQuery()) {
        while (rs.next()) {
          long id = rs.getLong(1);
          Arrays.fill(fetched, false);
          CustomRow[] row = new CustomRow[metrics.size()];
          for (int m = 0; m < row.length; m++) {
            int[] place = places[m];
            boolean finished = (Boolean) value(rs, place[0], values, fetched);
            boolean counted = finished && (Boolean) value(rs, place[1], values, fetched);
            List<String> labels = new ArrayList<>(place.length - 3);
            double number = Double.NaN;
            if (counted) {
              for (int i = 2; i < place.length - 1; i++) {
                labels.add((String) value(rs, place[i], values, fetched));
              }
              number = (Double) value(rs, place[place.length - 1], values, fetched);
            } else {
              for (int i = 2; i < place.length - 1; i++) {
                labels.add(null); // not counted now: its labels are not used
              }
            }
            row[m] = new CustomRow(id, finished, counted, labels, number);
          }
          rows.add(row);
        }
      } catch (SQLException e) {
        if (!WorkflowDatabase.isBusy(e)) {
          // sqlite-jdbc finalizes a statement whose first step failed (an interrupt, an error of an
          // expression): the next read prepares them again
          close();
        }
        if (WorkflowDatabase.isMissingTable(e)) {
          return rows; // dropped since it was prepared: read as empty until it is back
        }
        throw armed.explain(e);
      }
    }
    return rows;
  }

  /** Column {@code c} (after the rowid) of the current row, fetched from SQLite once per row. */
  private Object value(ResultSet rs, int c, Object[] values, boolean[] fetched) throws SQLException {
    if (!fetched[c]) {
      values[c] = switch (kinds.get(c)) {
        case CONDITION -> rs.getInt(c + 2) == 1;
        case LABEL -> rs.getString(c + 2);
        case VALUE -> ColumnValues.sqlNumber(rs.getObject(c + 2));
      };
      fetched[c] = true;
    }
    return values[c];
  }

}
