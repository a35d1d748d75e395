package dev.agentworkflow.exporter.db;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.function.BooleanSupplier;
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
 */
public final class WorkflowDatabase implements AutoCloseable {
  private static final String DATA_VERSION = "PRAGMA data_version";
  private static final String SCHEMA_VERSION = "PRAGMA schema_version";

  /** SQLite's own default: 2,000 KiB of page cache per connection. */
  public static final int DEFAULT_CACHE_KIB = 2000;

  private final Path path;
  private final Duration busyTimeout;
  private final int cacheKib;
  private Connection connection;
  private Connection second;

  /**
   * @param busyTimeout how long a query waits for a writer's lock before the poll fails; only
   *     the exporter waits, the writers never wait for it
   * @param cacheKib the most page cache this connection keeps, in KiB. A writer's commit empties it
   *     (the hooks commit between two polls), so it serves one poll's reads; its native memory adds
   *     up over many connections
   */
  public WorkflowDatabase(Path path, Duration busyTimeout, int cacheKib) {
    this.path = path;
    this.busyTimeout = busyTimeout;
    this.cacheKib = cacheKib;
  }

  public Path path() {
    return path;
  }

  public boolean isOpen() {
    return connection != null;
  }

  public Connection connection() throws SQLException {
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
  public Connection secondConnection(BooleanSupplier stillTheFile) throws SQLException {
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
  public long dataVersion() throws SQLException {
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
  public long schemaVersion() throws SQLException {
    try (Statement statement = connection().createStatement();
        ResultSet rs = statement.executeQuery(SCHEMA_VERSION)) {
      return rs.next() ? rs.getLong(1) : -1;
    }
  }

  /**
   * A writer held the lock past our busy timeout: the poll failed, but the connection and what it
   * knows of the file are still good.
   */
  public static boolean isBusy(SQLException e) {
    int primary = e.getErrorCode() & 0xff;
    return primary == 5 || primary == 6; // SQLITE_BUSY, SQLITE_LOCKED
  }

  /** The statement reads a table the database does not have (yet): for a user-defined metric, no rows and no error. */
  public static boolean isMissingTable(SQLException e) {
    return (e.getErrorCode() & 0xff) == 1 && String.valueOf(e.getMessage()).contains("no such table");
  }

  @Override
  public void close() {
    closeQuietly(connection);
    closeQuietly(second);
    connection = null;
    second = null;
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
