package dev.agentworkflow.exporter.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.StringJoiner;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * Reads one table incrementally by row id: the rows after a given id, in chunks, and given rows
 * again. Columns are read by name; a column the table lacks reads as NULL, a missing table as
 * empty. Each statement is its own short read transaction, and the chunk size adapts so that one
 * stays well under {@link #TARGET_CHUNK_NANOS}, which keeps writers with a 1 s busy timeout safe.
 *
 * @param <R> the record a row becomes
 */
public final class TableReader<R> {
  /** Mapping from the current row of a result set (with a {@code row_id} column) to a record. */
  @FunctionalInterface
  public interface RowMapper<R> {
    R map(ResultSet row) throws SQLException;
  }

  private static final String COLUMN_NAMES = """
      SELECT name FROM pragma_table_info(?)
      """;
  private static final String HIGHEST_ROW_ID = """
      SELECT max(rowid) FROM "%s"
      """;
  private static final String HAS_SEQUENCE_TABLE = """
      SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_sequence'
      """;
  private static final String HIGHEST_ID_GIVEN = """
      SELECT seq FROM sqlite_sequence WHERE name = ?
      """;
  private static final String ROWS_AFTER = """
      SELECT rowid AS row_id, %2$s
        FROM "%1$s"
       WHERE rowid > ?
       ORDER BY rowid
       LIMIT ?
      """;
  private static final String ROWS_BY_ID = """
      SELECT rowid AS row_id, %2$s
        FROM "%1$s"
       WHERE rowid IN (%3$s)
      """;

  static final long TARGET_CHUNK_NANOS = 10_000_000;
  private static final int MIN_CHUNK = 64;
  /** An upper bound only: at the ~500 rows/ms measured on a first load the 10 ms timing target binds first. */
  private static final int MAX_CHUNK = 10_000;
  private static final int IDS_PER_LOOKUP = 128;

  private final String table;
  private final List<String> columns;
  private final RowMapper<R> mapper;

  private Set<String> presentColumns = Set.of();
  private boolean tableExists;
  private boolean hasSequenceTable;
  private String rowsAfterSql;
  private String rowsByIdSql;
  /** Small at first: the first chunks run before the JIT has compiled the row path. */
  private int chunkSize = 100;
  private long longestLockNanos;

  public TableReader(String table, List<String> columns, RowMapper<R> mapper) {
    this.table = table;
    this.columns = List.copyOf(columns);
    this.mapper = mapper;
  }

  public String table() {
    return table;
  }

  /** Reads the table's columns again (tables gain columns as hooks are upgraded). */
  public void refreshSchema(Connection connection) throws SQLException {
    Set<String> present = new HashSet<>();
    try (PreparedStatement statement = connection.prepareStatement(COLUMN_NAMES)) {
      statement.setString(1, table);
      try (ResultSet rs = statement.executeQuery()) {
        while (rs.next()) {
          present.add(rs.getString(1).toLowerCase(Locale.ROOT));
        }
      }
    }
    tableExists = !present.isEmpty();
    try (PreparedStatement statement = connection.prepareStatement(HAS_SEQUENCE_TABLE);
        ResultSet rs = statement.executeQuery()) {
      hasSequenceTable = rs.next() && rs.getInt(1) > 0;
    }
    if (!present.equals(presentColumns) || rowsAfterSql == null) {
      presentColumns = Set.copyOf(present);
      StringJoiner select = new StringJoiner(", ");
      for (String column : columns) {
        select.add(present.contains(column) ? '"' + column + '"' : "NULL AS " + column);
      }
      StringJoiner placeholders = new StringJoiner(", ");
      for (int i = 0; i < IDS_PER_LOOKUP; i++) {
        placeholders.add("?");
      }
      rowsAfterSql = ROWS_AFTER.formatted(table, select);
      rowsByIdSql = ROWS_BY_ID.formatted(table, select, placeholders);
    }
  }

  /**
   * The highest row id the table has given: for an AUTOINCREMENT table the one SQLite remembers
   * in {@code sqlite_sequence} even after its row was deleted, else the highest id present; 0
   * when the table is empty or missing. It goes down only when the file was replaced or emptied.
   */
  public long highestRowId(Connection connection) throws SQLException {
    if (!tableExists) {
      return 0;
    }
    long highest;
    try (PreparedStatement statement = connection.prepareStatement(HIGHEST_ROW_ID.formatted(table));
        ResultSet rs = statement.executeQuery()) {
      highest = rs.next() ? rs.getLong(1) : 0;
    }
    if (hasSequenceTable) {
      try (PreparedStatement statement = connection.prepareStatement(HIGHEST_ID_GIVEN)) {
        statement.setString(1, table);
        try (ResultSet rs = statement.executeQuery()) {
          if (rs.next()) {
            highest = Math.max(highest, rs.getLong(1));
          }
        }
      }
    }
    return highest;
  }

  /** Streams every row after {@code rowId} to {@code sink}, in row id order; returns how many. */
  public long readRowsAfter(Connection connection, long rowId, Consumer<R> sink) throws SQLException {
    if (!tableExists) {
      return 0;
    }
    long total = 0;
    long after = rowId;
    try (PreparedStatement statement = connection.prepareStatement(rowsAfterSql)) {
      while (true) {
        if (Thread.currentThread().isInterrupted()) {
          throw new SQLException("poll interrupted"); // shutting down: stop between two chunks
        }
        int limit = chunkSize;
        statement.setLong(1, after);
        statement.setInt(2, limit);
        long started = System.nanoTime();
        long locked = 0;
        int read = 0;
        try (ResultSet rs = statement.executeQuery()) {
          while (rs.next()) {
            if (read == 0) {
              locked = System.nanoTime(); // the shared lock is held from the first row on
            }
            R row = mapper.map(rs);
            after = rs.getLong("row_id");
            sink.accept(row);
            read++;
          }
        }
        long finished = System.nanoTime();
        noteLockHeld(read == 0 ? 0 : finished - locked);
        adaptChunk(finished - started, read == limit);
        total += read;
        if (read < limit) {
          return total;
        }
      }
    }
  }

  /**
   * Reads the given rows again: each one found goes to {@code found}, each id no longer in the
   * table to {@code missing}. Returns how many were found.
   */
  public long readRows(Connection connection, long[] rowIds, Consumer<R> found, LongConsumer missing)
      throws SQLException {
    if (rowIds.length == 0) {
      return 0;
    }
    if (!tableExists) {
      for (long id : rowIds) {
        missing.accept(id);
      }
      return 0;
    }
    long total = 0;
    try (PreparedStatement statement = connection.prepareStatement(rowsByIdSql)) {
      for (int from = 0; from < rowIds.length; from += IDS_PER_LOOKUP) {
        int to = Math.min(rowIds.length, from + IDS_PER_LOOKUP);
        for (int i = 0; i < IDS_PER_LOOKUP; i++) {
          // pad the last batch with an id already asked for: duplicates in IN are harmless
          statement.setLong(i + 1, rowIds[Math.min(from + i, to - 1)]);
        }
        List<R> rows = new ArrayList<>(to - from);
        Set<Long> seen = new HashSet<>();
        long locked = 0;
        try (ResultSet rs = statement.executeQuery()) {
          while (rs.next()) {
            if (locked == 0) {
              locked = System.nanoTime();
            }
            rows.add(mapper.map(rs));
            seen.add(rs.getLong("row_id"));
          }
        }
        noteLockHeld(locked == 0 ? 0 : System.nanoTime() - locked);
        rows.forEach(found);
        for (int i = from; i < to; i++) {
          if (!seen.contains(rowIds[i])) {
            missing.accept(rowIds[i]);
          }
        }
        total += rows.size();
      }
    }
    return total;
  }

  /**
   * The longest time a statement of this reader held SQLite's shared lock so far, in nanoseconds:
   * from its first row to the end of its result set, the time a writer's commit may have had to
   * wait for us. Time spent waiting for a writer's lock before the first row is not counted: we
   * hold nothing then.
   */
  public long longestLockNanos() {
    return longestLockNanos;
  }

  /** Time a chunk takes in all, waiting included, sets the chunk size. */
  private void adaptChunk(long elapsedNanos, boolean full) {
    if (elapsedNanos > TARGET_CHUNK_NANOS) {
      chunkSize = Math.max(MIN_CHUNK, chunkSize / 2);
    } else if (full && elapsedNanos < TARGET_CHUNK_NANOS / 2) {
      chunkSize = Math.min(MAX_CHUNK, chunkSize * 2);
    }
  }

  private void noteLockHeld(long nanos) {
    longestLockNanos = Math.max(longestLockNanos, nanos);
  }
}
