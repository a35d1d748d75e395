package dev.agentworkflow.exporter.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.Set;
import java.util.StringJoiner;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
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
  /**
   * How a column is selected, so that no value reaches the JVM longer than it may meaningfully be:
   * a 1 MB agent name read again on every poll would otherwise exhaust the heap. The cuts are
   * made by SQLite, before the value is copied to Java. Each first asks {@code octet_length},
   * which SQLite answers from the record's header without loading the value (nor the overflow
   * pages it may lie in), so that the usual short value is passed on as it is, not copied by
   * {@code substr}: calling {@code substr} on every value cost a first load of 3M tool uses about
   * a fifth of its time. A value's characters never outnumber its bytes, so testing the bytes
   * first changes no result.
   */
  public enum Cut {
    /**
     * A label: cut to one character more than the longest value a label keeps, so that a longer
     * one still reads as too long ({@code other}) and the counting rules decide as on the whole.
     */
    LABEL("CASE WHEN octet_length(%1$s) > " + (MAX_LABEL_LENGTH + 1) + " THEN substr(%1$s, 1, " + (MAX_LABEL_LENGTH + 1)
        + ") ELSE %1$s END"),
    /**
     * A value whose distinct values must stay distinct (session ids, agent names for
     * total_unique_agents): past 320 characters it reads as its first 256, its length and its
     * last 64; two values collide only if they agree in all three.
     */
    IDENTITY("CASE WHEN octet_length(%1$s) > 320 AND length(%1$s) > 320 THEN substr(%1$s, 1, 256) || ' [' || length(%1$s) || ' characters] ' "
        + "|| substr(%1$s, -64) ELSE %1$s END"),
    /**
     * A timestamp or a number: no valid one is longer than 64 characters, so text longer than that
     * is cut to 65 here and read as {@link #TOO_LONG} by {@link #shortValue}, which no rule takes
     * for a time or a number; NULL stays NULL (the counting rules tell NULL from any value), and a
     * number stays a number. The value is loaded once: {@code typeof} and {@code octet_length}
     * do not load it, and loading it twice (the row's end lies in overflow pages, past the
     * prompt) cost a first load some 20%.
     */
    SHORT("CASE WHEN typeof(%1$s) = 'text' AND octet_length(%1$s) > " + (MAX_SHORT_LENGTH + 1) + " THEN substr(%1$s, 1, "
        + (MAX_SHORT_LENGTH + 1) + ") ELSE %1$s END"),
    /**
     * One top-level field of a JSON object held as text (an agent's response), when it is a JSON
     * number: that number; else (a string, even of digits, a boolean, an object, a missing field,
     * text that is not JSON or not an object, not text at all) NULL. {@code json_valid} comes
     * first, inside a CASE (which SQLite evaluates lazily), because {@code json_type} and
     * {@code ->>} fail the whole statement on malformed JSON. The payload is parsed in SQLite, once
     * per row (its JSON parse cache serves the later calls), and never copied to Java.
     */
    JSON_NUMBER("CASE WHEN typeof(%1$s) = 'text' THEN CASE WHEN json_valid(%1$s) THEN "
        + "CASE json_type(%1$s, '$.%2$s') WHEN 'integer' THEN %1$s ->> '$.%2$s' WHEN 'real' THEN %1$s ->> '$.%2$s' END "
        + "END END"),
    /**
     * Whole, as SQLite holds it: a column the exporter does not read, on its way to the team's
     * PostgreSQL store (`ship`), where people's own SQL may read it.
     */
    WHOLE("%1$s");

    private final String expression;

    Cut(String expression) {
      this.expression = expression;
    }

    String select(String quotedColumn, String field) {
      return expression.formatted(quotedColumn, field);
    }
  }

  /**
   * A value to read as {@code name}: the column {@code source}, cut; for {@link Cut#JSON_NUMBER},
   * one {@code field} of it. A missing source column reads as NULL.
   */
  public record Column(String name, Cut cut, String source, String field) {
    public Column(String name, Cut cut) {
      this(name, cut, name, null);
    }

    /** The top-level {@code field} of the JSON object in column {@code source}, when it is a JSON number. */
    public static Column jsonNumber(String name, String source, String field) {
      if (!field.matches("[A-Za-z_][A-Za-z0-9_]*")) {
        throw new IllegalArgumentException("a JSON field name that needs no quoting: " + field);
      }
      return new Column(name, Cut.JSON_NUMBER, source, field);
    }
  }

  /** Mapping from the current row of a result set, whose row id was read already, to a record. */
  @FunctionalInterface
  public interface RowMapper<R> {
    R map(ResultSet row, long rowId) throws SQLException;
  }

  private static final String COLUMN_NAMES = """
      SELECT name FROM pragma_table_info(?)
      """;
  private static final String HIGHEST_ROW_ID = """
      SELECT max(rowid) FROM "%s"
      """;
  private static final String LOWEST_ROW_ID = """
      SELECT min(rowid) FROM "%s"
      """;
  private static final String HAS_SEQUENCE_TABLE = """
      SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_sequence'
      """;
  private static final String HIGHEST_ID_GIVEN = """
      SELECT seq FROM sqlite_sequence WHERE name = ?
      """;
  private static final String ROWS_FROM = """
      SELECT rowid AS row_id, %2$s
        FROM "%1$s"
       WHERE rowid >= ?
       ORDER BY rowid
       LIMIT ?
      """;
  private static final String ROWS_BETWEEN = """
      SELECT rowid AS row_id, %2$s
        FROM "%1$s"
       WHERE rowid BETWEEN ? AND ?
       ORDER BY rowid
       LIMIT ?
      """;
  private static final String ROWS_BY_ID = """
      SELECT rowid AS row_id, %2$s
        FROM "%1$s"
       WHERE rowid IN (%3$s)
      """;

  /** The row id is the first column of every SELECT here. */
  private static final int ROW_ID = 1;
  /** The longest timestamp or number text read as one; a longer one is {@link #TOO_LONG}. */
  static final int MAX_SHORT_LENGTH = 64;
  /** What a {@link Cut#SHORT} column longer than {@link #MAX_SHORT_LENGTH} reads as: neither a time nor a number. */
  static final String TOO_LONG = "too long";

  /** The value of a {@link Cut#SHORT} column of the current row: as it is, or {@link #TOO_LONG}. */
  static Object shortValue(ResultSet row, String column) throws SQLException {
    Object value = row.getObject(column);
    return value instanceof String text && text.length() > MAX_SHORT_LENGTH ? TOO_LONG : value;
  }

  /** The longest label value kept; a longer one reads as {@code other} (the tracker's limit too). */
  public static final int MAX_LABEL_LENGTH = 256;
  static final long TARGET_CHUNK_NANOS = 10_000_000;
  static final int MIN_CHUNK = 64;
  /**
   * An upper bound: a chunk's rows are held until its statement ends, 4,096 rows of at most about
   * 1,800 characters each (the cuts); at some 500 rows/ms, the 10 ms timing target binds first.
   */
  private static final int MAX_CHUNK = 4096;
  static final int IDS_PER_LOOKUP = 128;

  private final String table;
  private final List<Column> columns;
  private final RowMapper<R> mapper;

  private Set<String> presentColumns = Set.of();
  private boolean tableExists;
  private boolean hasSequenceTable;
  private String rowsFromSql;
  private String rowsBetweenSql;
  private String rowsByIdSql;
  /** Small at first: the first chunks run before the JIT has compiled the row path. */
  private int chunkSize = 100;
  private final String highestRowIdSql;
  private final String lowestRowIdSql;
  private final StatementCache statements = new StatementCache();
  private long longestLockNanos;

  public TableReader(String table, List<Column> columns, RowMapper<R> mapper) {
    this.table = table;
    this.columns = List.copyOf(columns);
    this.mapper = mapper;
    this.highestRowIdSql = HIGHEST_ROW_ID.formatted(table);
    this.lowestRowIdSql = LOWEST_ROW_ID.formatted(table);
  }

  public String table() {
    return table;
  }

  /** The table was there when its columns were last read ({@link #refreshSchema}). */
  public boolean exists() {
    return tableExists;
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
    if (!present.equals(presentColumns) || rowsFromSql == null) {
      presentColumns = Set.copyOf(present);
      StringJoiner select = new StringJoiner(", ");
      for (Column column : columns) {
        select.add(present.contains(column.source())
            ? column.cut().select('"' + column.source() + '"', column.field()) + " AS " + column.name()
            : "NULL AS " + column.name());
      }
      StringJoiner placeholders = new StringJoiner(", ");
      for (int i = 0; i < IDS_PER_LOOKUP; i++) {
        placeholders.add("?");
      }
      statements.clear(); // of the columns before
      rowsFromSql = ROWS_FROM.formatted(table, select);
      rowsBetweenSql = ROWS_BETWEEN.formatted(table, select);
      rowsByIdSql = ROWS_BY_ID.formatted(table, select, placeholders);
    }
  }

  /**
   * The highest row id the table has given: for an AUTOINCREMENT table the one SQLite remembers
   * in {@code sqlite_sequence} even after its row was deleted, else the highest id present; empty
   * when the table is empty or missing. It goes down when the file was replaced or emptied, when
   * the newest rows of a table without AUTOINCREMENT were deleted, or when a rebuild renumbered it.
   */
  public OptionalLong highestRowId(Connection connection) throws SQLException {
    if (!tableExists) {
      return OptionalLong.empty();
    }
    OptionalLong highest = OptionalLong.empty();
    try (ResultSet rs = statements.of(connection, highestRowIdSql).executeQuery()) {
      if (rs.next()) {
        long max = rs.getLong(1);
        highest = rs.wasNull() ? OptionalLong.empty() : OptionalLong.of(max);
      }
    }
    if (hasSequenceTable) {
      PreparedStatement statement = statements.of(connection, HIGHEST_ID_GIVEN);
      statement.setString(1, table);
      try (ResultSet rs = statement.executeQuery()) {
        if (rs.next()) {
          long given = rs.getLong(1);
          highest = OptionalLong.of(highest.isPresent() ? Math.max(highest.getAsLong(), given) : given);
        }
      }
    }
    return highest;
  }

  /** The lowest row id in the table; empty when the table is empty or missing. */
  public OptionalLong lowestRowId(Connection connection) throws SQLException {
    if (!tableExists) {
      return OptionalLong.empty();
    }
    try (ResultSet rs = statements.of(connection, lowestRowIdSql).executeQuery()) {
      if (rs.next()) {
        long min = rs.getLong(1);
        return rs.wasNull() ? OptionalLong.empty() : OptionalLong.of(min);
      }
      return OptionalLong.empty();
    }
  }

  /**
   * Reads every row after {@code rowId} (every row when it is empty: ids may be 0 or negative), in
   * row id order, a chunk per statement, and hands each chunk to {@code chunks} once its statement
   * has ended: nothing done with the rows prolongs a read transaction. Returns how many.
   */
  public long readRowsAfter(Connection connection, OptionalLong rowId, Consumer<List<R>> chunks) throws SQLException {
    return readRowsAfter(connection, rowId, Long.MAX_VALUE, chunks);
  }

  /**
   * {@link #readRowsAfter}, stopping after the chunk that reaches {@code atLeast} rows: a round of
   * the shipper ships a bounded number of rows in one transaction of the store.
   */
  long readRowsAfter(Connection connection, OptionalLong rowId, long atLeast, Consumer<List<R>> chunks)
      throws SQLException {
    return readRowsAfter(connection, rowId, atLeast, chunks, () -> {});
  }

  /**
   * {@link #readRowsAfter}, running {@code betweenChunks} between two chunks: once the first was
   * handed on and no frame here refers to its rows any more, before the next statement. It may
   * wait (a database handing its turn at large reads on to another) without keeping a chunk of up
   * to {@value #MAX_CHUNK} rows in the heap meanwhile; it stops the read by interrupting the thread.
   */
  long readRowsAfter(Connection connection, OptionalLong rowId, long atLeast, Consumer<List<R>> chunks,
      Runnable betweenChunks) throws SQLException {
    if (!tableExists || (rowId.isPresent() && rowId.getAsLong() == Long.MAX_VALUE)) {
      return 0;
    }
    long total = 0;
    long from = rowId.isPresent() ? rowId.getAsLong() + 1 : Long.MIN_VALUE;
    PreparedStatement statement = statements.of(connection, rowsFromSql);
    while (true) {
      if (Thread.currentThread().isInterrupted()) {
        throw new SQLException("poll interrupted"); // shutting down: stop between two chunks
      }
      int limit = chunkSize;
      HandedOn chunk = readAndHandOn(statement, from, limit, chunks);
      total += chunk.rows();
      boolean last = chunk.rows() > 0 && chunk.lastId() == Long.MAX_VALUE; // nothing can follow the largest id
      if (chunk.rows() < limit || last || total >= atLeast) {
        return total;
      }
      from = chunk.lastId() + 1;
      betweenChunks.run();
    }
  }

  /** A chunk once handed on: how many rows it had and the id of its last. */
  private record HandedOn(int rows, long lastId) {}

  /**
   * Reads a chunk of at most {@code limit} rows from {@code from} on and hands it to {@code chunks}.
   * Its own method so that its rows are unreachable once it returns: an interpreted frame keeps
   * every local variable alive until the method ends, used or not.
   */
  private HandedOn readAndHandOn(PreparedStatement statement, long from, int limit, Consumer<List<R>> chunks)
      throws SQLException {
    statement.setLong(1, from);
    statement.setInt(2, limit);
    Chunk<R> chunk = readChunk(statement, limit);
    int read = chunk.rows().size();
    chunkSize = adapted(chunkSize, chunk.nanos(), read == limit);
    if (read > 0) {
      chunks.accept(chunk.rows());
    }
    return new HandedOn(read, chunk.lastId());
  }

  /**
   * What a split read handed on: how many rows, and the id of the last one (empty when none). The
   * next read goes on after that id, not after the end of the split: rows a writer put below it
   * meanwhile (ids reused after the newest rows were deleted) are read then, as one reader would.
   */
  public record SplitRead(long rows, OptionalLong lastId) {}

  /**
   * Reads the rows after {@code rowId} up to {@code through} as {@link #readRowsAfter} does, split
   * between {@code connection} (on this thread) and {@code other} (on {@code otherThread}): each
   * takes the next range of ids ({@link IdRanges}), so on two cores the calls into SQLite that
   * fetch each value, most of a large read's time, run on both. The chunks still reach
   * {@code chunks} in id order, one at a time, each once its statement has ended; each statement is
   * its own short read transaction, as in {@link #readRowsAfter}. Rows after {@code through} are
   * left for {@link #readRowsAfter}. A failure on either connection, or an interrupt, stops both
   * readers after a prefix of the rows was handed on; this returns or throws only once the other
   * reader has stopped, and throws the failure.
   */
  public SplitRead readRowsAfterSplit(Connection connection, Connection other, ExecutorService otherThread,
      OptionalLong rowId, long through, Consumer<List<R>> chunks) throws SQLException {
    if (!tableExists || (rowId.isPresent() && rowId.getAsLong() >= through)) {
      return new SplitRead(0, OptionalLong.empty());
    }
    OptionalLong first = rowId.isPresent() ? OptionalLong.of(rowId.getAsLong() + 1) : lowestRowId(connection);
    if (first.isEmpty() || first.getAsLong() > through) {
      return new SplitRead(0, OptionalLong.empty());
    }
    IdRanges ranges = new IdRanges(first.getAsLong(), through);
    int limit = chunkSize;
    // four ranges at least, so that a read of a few thousand ids (a busy poll) is shared too
    long ids = through - first.getAsLong(); // negative when it overflows: more than any limit
    long span = ids < 0 ? limit : Math.max(MIN_CHUNK, Math.min(limit, ids / 4 + 1));
    Future<Long> theirs = otherThread.submit(() -> readRanges(other, ranges, limit, span, chunks));
    long mine;
    boolean read = false;
    try {
      mine = readRanges(connection, ranges, limit, span, chunks);
      read = true;
    } finally {
      if (!read) {
        ranges.stop();
        // Waited for without interruption: once this returns, nothing more is handed on. It is
        // short: the other reader's statement, and the chunk it may be handing on.
        try {
          awaitUninterruptibly(theirs);
        } catch (ExecutionException ignored) {
          // the first failure is the one thrown; the other reader only stopped after it
        }
      }
    }
    try {
      mine += awaitUninterruptibly(theirs);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof SQLException sql) {
        throw sql;
      } else if (cause instanceof RuntimeException runtime) {
        throw runtime;
      } else if (cause instanceof Error error) {
        throw error;
      }
      throw new IllegalStateException(cause);
    }
    return new SplitRead(mine, ranges.lastHandedOn());
  }

  /**
   * One reader of a split read: takes ranges until none is left, reads each in statements of at
   * most {@code limit} rows (adapted to the time target as {@link #readRowsAfter} adapts its chunks)
   * and hands them on in the range's turn. A range's chunks are held until its turn, up to
   * {@link #HELD_ROWS} rows and one statement's more, so that the two readers seldom wait for each
   * other; a range without rows waits for no turn. A range's span adapts to hold about a
   * statement's rows, growing fast where the ids are sparse. Whatever ends it early (a failure, an
   * interrupt, an {@link Error}) stops the other reader too.
   */
  private long readRanges(Connection connection, IdRanges ranges, int limit, long span, Consumer<List<R>> chunks)
      throws SQLException {
    long total = 0;
    boolean read = false;
    try {
      PreparedStatement statement = statements.of(connection, rowsBetweenSql);
      for (IdRanges.Range range = ranges.take(span); range != null; range = ranges.take(span)) {
        long from = range.first();
        long inRange = 0;
        List<Chunk<R>> held = new ArrayList<>();
        int heldRows = 0;
        while (true) {
          if (Thread.currentThread().isInterrupted()) {
            throw new SQLException("poll interrupted"); // shutting down: stop between two chunks
          }
          if (ranges.stopped()) {
            return total; // the other reader failed: its failure is the one thrown
          }
          statement.setLong(1, from);
          statement.setLong(2, range.last());
          statement.setInt(3, limit);
          Chunk<R> chunk = readChunk(statement, limit);
          int rows = chunk.rows().size();
          boolean full = rows == limit;
          limit = adapted(limit, chunk.nanos(), full);
          if (rows > 0) {
            held.add(chunk);
            heldRows += rows;
          }
          total += rows;
          inRange += rows;
          if (heldRows >= HELD_ROWS) {
            if (!handOn(ranges, range, held, chunks)) {
              return total;
            }
            heldRows = 0;
          }
          if (!full || chunk.lastId() == range.last()) {
            break;
          }
          from = chunk.lastId() + 1;
        }
        if (!held.isEmpty() && !handOn(ranges, range, held, chunks)) {
          return total;
        }
        ranges.done(range); // on its turn once it handed rows on; a range without rows at any time
        // about a statement's rows next time: twice the span at most, where the ids are sparse
        span = Math.max(MIN_CHUNK, inRange == 0 ? saturatedTwice(span)
            : Math.min(saturatedTwice(span), (long) (span * ((double) limit / inRange))));
      }
      read = true;
    } finally {
      if (!read) {
        ranges.stop();
      }
    }
    return total;
  }

  /**
   * Rows a reader of a split read holds before its range's turn, at most, plus one statement's:
   * with the other reader's and the intake's two chunks waiting and one being taken in, some
   * 24,000 rows in all, about 43 MB if every column were as long as its cut lets it be (a
   * realistic tool use row is some 300 bytes: 7 MB).
   */
  private static final int HELD_ROWS = MAX_CHUNK / 2;

  private static long saturatedTwice(long value) {
    return value > Long.MAX_VALUE / 2 ? Long.MAX_VALUE : value * 2;
  }

  /** The rows one statement read, the id of its last row, and how long the statement took in all. */
  private record Chunk<R>(List<R> rows, long lastId, long nanos) {}

  /**
   * Runs a statement bound to read at most {@code limit} rows, and notes how long it held the
   * shared lock: from its first row on to its end.
   */
  private Chunk<R> readChunk(PreparedStatement statement, int limit) throws SQLException {
    long started = System.nanoTime();
    long locked = 0;
    List<R> rows = new ArrayList<>(limit);
    long lastId = 0;
    try (ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        if (rows.isEmpty()) {
          locked = System.nanoTime(); // the shared lock is held from the first row on
        }
        lastId = rs.getLong(ROW_ID); // once per row: each value fetched is a call into SQLite
        rows.add(mapper.map(rs, lastId));
      }
    }
    long finished = System.nanoTime();
    noteLockHeld(rows.isEmpty() ? 0 : finished - locked);
    return new Chunk<>(rows, lastId, finished - started);
  }

  /** Waits for the range's turn and hands on the chunks held; false when the read was stopped meanwhile. */
  private static <R> boolean handOn(IdRanges ranges, IdRanges.Range range, List<Chunk<R>> held,
      Consumer<List<R>> chunks) throws SQLException {
    try {
      if (!ranges.awaitTurn(range)) {
        return false;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SQLException("poll interrupted");
    }
    for (Chunk<R> chunk : held) {
      chunks.accept(chunk.rows());
      ranges.handedOn(chunk.lastId());
    }
    held.clear();
    return true;
  }

  /** The other reader's rows, once it has stopped, waited for through interrupts (kept for the caller to see). */
  private static long awaitUninterruptibly(Future<Long> reader) throws ExecutionException {
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return reader.get();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** {@link #readRowsAfter} for a sink of single rows, taken in on this thread. */
  public long readRowsAfterEach(Connection connection, OptionalLong rowId, Consumer<R> sink) throws SQLException {
    return readRowsAfter(connection, rowId, chunk -> chunk.forEach(sink));
  }

  /**
   * Reads the given rows again: each one found goes to {@code found}, each id no longer in the
   * table to {@code missing}. Returns how many were found. The rows of one statement are held
   * before they are handed on; with the cuts a row is at most about 1,800 characters (two
   * identity columns of 340, three labels of 257, four short columns of 64), so a batch of 128 is
   * at most about 460 KB of strings, whatever the database holds.
   */
  public long readRows(Connection connection, long[] rowIds, Consumer<R> found, LongConsumer missing)
      throws SQLException {
    if (rowIds.length == 0) {
      return 0;
    }
    if (!tableExists) {
      // a table missing for a moment (renamed while a migration runs) says nothing of its rows:
      // they are looked for again once it is back
      return 0;
    }
    long total = 0;
    PreparedStatement statement = statements.of(connection, rowsByIdSql);
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
          long id = rs.getLong(ROW_ID);
          rows.add(mapper.map(rs, id));
          seen.add(id);
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
    return total;
  }

  /**
   * The longest time a statement of this reader held SQLite's shared lock so far, in nanoseconds:
   * from its first row to the end of its result set, the time a writer's commit may have had to
   * wait for us. Time spent waiting for a writer's lock before the first row is not counted: we
   * hold nothing then.
   */
  public synchronized long longestLockNanos() {
    return longestLockNanos;
  }

  /** Time a chunk takes in all, waiting included, sets the chunk size. */
  static int adapted(int size, long elapsedNanos, boolean full) {
    if (elapsedNanos > TARGET_CHUNK_NANOS) {
      return Math.max(MIN_CHUNK, size / 2);
    } else if (full && elapsedNanos < TARGET_CHUNK_NANOS / 2) {
      return Math.min(MAX_CHUNK, size * 2);
    }
    return size;
  }

  private synchronized void noteLockHeld(long nanos) {
    longestLockNanos = Math.max(longestLockNanos, nanos);
  }
}
