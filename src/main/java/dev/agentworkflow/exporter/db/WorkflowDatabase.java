package dev.agentworkflow.exporter.db;

import dev.agentworkflow.exporter.model.InvocationRow;
import dev.agentworkflow.exporter.model.SessionRow;
import dev.agentworkflow.exporter.model.ShippedRow;
import dev.agentworkflow.exporter.model.ToolUseRow;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteOpenMode;

/**
 * A read-only connection to the workflow database, opened on first use and kept between polls
 * (so {@code PRAGMA data_version} can tell whether anyone wrote since the last poll). The
 * connection never writes the database: SQLite opens it read-only. Beside a rollback-journal
 * database it creates nothing. Beside a WAL database that no writer has open it creates the
 * {@code -wal} (empty) and {@code -shm} (32 KB) files, as for any reader, owned by the exporter's
 * user, and leaves them when it closes; the last writer to close removes them. Files of another
 * user than the writers' stop the writers ("attempt to write a readonly database"): see
 * docs/reliability.md, "We never write".
 *
 * <p>It owns what a poll asks of the file: whether it is there and which file it is ({@link
 * #inspect}), whether anyone wrote since the last read ({@link #look}), and its three tables
 * ({@link DatabaseTable}); no caller sees its connection. Not thread-safe, but for {@link
 * DatabaseTable#readRowsAfterSplit}, which hands its second connection to one other thread.
 */
public final class WorkflowDatabase implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(WorkflowDatabase.class);
  private static final String DATA_VERSION = "PRAGMA data_version";
  private static final String SCHEMA_VERSION = "PRAGMA schema_version";

  /** SQLite's own default: 2,000 KiB of page cache per connection. */
  public static final int DEFAULT_CACHE_KIB = 2000;

  private final Path path;
  private final Duration busyTimeout;
  private final int cacheKib;
  private final DatabaseTable<InvocationRow> invocations;
  private final DatabaseTable<ToolUseRow> toolUses;
  private final DatabaseTable<SessionRow> sessions;
  private Connection connection;
  private Connection second;
  /** {@code PRAGMA data_version} when the file was last read through, or null: not read on this connection. */
  private Long dataVersionRead;
  /** Size and time of last write when the file was last looked at. */
  private DatabaseFile lastLook;

  /**
   * @param busyTimeout how long a query waits for a writer's lock before the poll fails; only
   *     the exporter waits, the writers never wait for it
   * @param cacheKib the most page cache this connection keeps, in KiB. A writer's commit empties it
   *     (the hooks commit between two polls), so it serves one poll's reads; its native memory adds
   *     up over many connections
   * @param timestamps how the tables' timestamps are read
   */
  public WorkflowDatabase(Path path, Duration busyTimeout, int cacheKib, TimestampParser timestamps) {
    this.path = path;
    this.busyTimeout = busyTimeout;
    this.cacheKib = cacheKib;
    this.invocations = new DatabaseTable<>(this, InvocationRows.reader(timestamps));
    this.toolUses = new DatabaseTable<>(this, ToolUseRows.reader(timestamps));
    this.sessions = new DatabaseTable<>(this, SessionRows.reader(timestamps));
  }

  /** A connection for statements of the user's own ({@code --metrics-config}), which read no table of ours. */
  WorkflowDatabase(Path path, Duration busyTimeout, int cacheKib) {
    this(path, busyTimeout, cacheKib, new TimestampParser(ZoneOffset.UTC));
  }

  /** A table as the shipper reads it, on this database's connection; its columns are read by {@link DatabaseTable#refreshSchema}. */
  public DatabaseTable<ShippedRow> shipped(ShippedTable table) {
    return new DatabaseTable<>(this, table.reader());
  }

  public DatabaseTable<InvocationRow> invocations() {
    return invocations;
  }

  public DatabaseTable<ToolUseRow> toolUses() {
    return toolUses;
  }

  public DatabaseTable<SessionRow> sessions() {
    return sessions;
  }

  /** What the file system says of the path right now. */
  public DatabaseFile inspect() throws IOException {
    return DatabaseFile.inspect(path);
  }

  /**
   * What a look at the file found. {@code changed}: someone committed since it was last read
   * through (always so on a connection that has not read it yet); {@code sameConnection}: the
   * connection is the one that read it last; {@code schemaVersion} ({@link #schemaVersion}) when
   * changed.
   */
  public record Look(boolean changed, boolean sameConnection, long dataVersion, long schemaVersion) {}

  /**
   * Did anyone write since the file was last read through ({@link #readThrough})? {@code PRAGMA
   * data_version} says so for commits; a file written otherwise (damaged, emptied in place,
   * checkpointed) shows a new size or time of last write with the same version, and is then read
   * on a fresh connection, whose page cache cannot be older than the file.
   */
  public Look look() throws ReadFailure, IOException {
    try {
      boolean sameConnection = dataVersionRead != null && connection != null;
      long version = dataVersion();
      // stat after data_version: a commit in between shows as a change, never as none
      DatabaseFile current = inspect();
      if (dataVersionRead != null && version == dataVersionRead) {
        if (current.unchangedSince(lastLook)) {
          lastLook = current;
          return new Look(false, true, version, -1); // nobody committed since the last read
        }
        log.debug("{} changed outside SQLite's commits; reopening it", path);
        close();
        version = dataVersion();
        sameConnection = false;
      }
      lastLook = current;
      // read before the columns: a change between the two shows as a change at the next look
      return new Look(true, sameConnection, version, schemaVersion());
    } catch (SQLException e) {
      throw ReadFailure.of(e);
    }
  }

  /** What {@code look} found changed was read through: the next look compares with it. */
  public void readThrough(Look look) {
    dataVersionRead = look.dataVersion();
  }

  /** Reads the tables' columns again (tables gain columns as hooks are upgraded). */
  public void refreshSchema() throws ReadFailure {
    invocations.refreshSchema();
    toolUses.refreshSchema();
    sessions.refreshSchema();
  }

  public Path path() {
    return path;
  }

  Connection connection() throws SQLException {
    if (connection == null) {
      connection = open();
    }
    return connection;
  }

  /**
   * A second connection to the file, opened as the first one is, for reads split in two; opened
   * on first use and closed with the first. Null when {@code stillTheFile}, asked right before and
   * right after the open, says the path names another file than the one the first connection has
   * open. It plays no part in {@link #dataVersion}.
   */
  Connection secondConnection(BooleanSupplier stillTheFile) throws SQLException {
    if (second == null) {
      if (!stillTheFile.getAsBoolean()) {
        return null;
      }
      Connection opened = open();
      if (!stillTheFile.getAsBoolean()) {
        closeQuietly(opened);
        return null;
      }
      second = opened;
    }
    return second;
  }

  private Connection open() throws SQLException {
    SQLiteConfig config = new SQLiteConfig();
    config.setOpenMode(SQLiteOpenMode.READONLY);
    // sqlite-jdbc already serialises every call into a connection (its native methods are
    // synchronized on it), so SQLite's own lock around each call is a second one: without it a
    // first load of 3M tool uses, some 30M calls, took about 8% less time.
    config.setOpenMode(SQLiteOpenMode.NOMUTEX);
    config.setReadOnly(true);
    config.setBusyTimeout((int) busyTimeout.toMillis());
    config.setCacheSize(-cacheKib); // negative: KiB, whatever the page size
    return config.createConnection("jdbc:sqlite:" + path);
  }

  /** Changes whenever another connection commits to the file; the same value means nothing changed. */
  long dataVersion() throws SQLException {
    try (Statement statement = connection().createStatement();
        ResultSet rs = statement.executeQuery(DATA_VERSION)) {
      return rs.next() ? rs.getLong(1) : -1;
    }
  }

  /**
   * Changes with every change of the schema, VACUUM included (which may renumber the rows of a
   * table without an INTEGER PRIMARY KEY), and a table rebuilt the 12-step way: kept in the
   * file's header, the same for every connection.
   */
  long schemaVersion() throws SQLException {
    try (Statement statement = connection().createStatement();
        ResultSet rs = statement.executeQuery(SCHEMA_VERSION)) {
      return rs.next() ? rs.getLong(1) : -1;
    }
  }

  /**
   * A writer held the lock past our busy timeout: the poll failed, but the connection and what it
   * knows of the file are still good.
   */
  static boolean isBusy(SQLException e) {
    int primary = e.getErrorCode() & 0xff;
    return primary == 5 || primary == 6; // SQLITE_BUSY, SQLITE_LOCKED
  }

  /** The statement reads a table the database does not have (yet): for a user-defined metric, no rows and no error. */
  static boolean isMissingTable(SQLException e) {
    return (e.getErrorCode() & 0xff) == 1 && String.valueOf(e.getMessage()).contains("no such table");
  }

  @Override
  public void close() {
    closeQuietly(connection);
    closeQuietly(second);
    connection = null;
    second = null;
    dataVersionRead = null;
    lastLook = null;
  }

  private static void closeQuietly(Connection connection) {
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException ignored) {
        // closing a broken connection cannot fail in a way that matters: it is dropped either way
      }
    }
  }
}
