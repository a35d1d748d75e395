package dev.agentworkflow.exporter.db;

import java.sql.SQLException;
import java.sql.SQLTimeoutException;

/**
 * A read of the workflow database failed. What the caller decides on is said here, so that no
 * caller needs to know the driver's error codes: whether the connection is still good (a writer
 * held the lock past our busy timeout), whether the statement ran out of time, whether it named a
 * table the database does not have (yet), and a kind to log each kind of failure once by.
 */
public final class ReadFailure extends Exception {
  private static final long serialVersionUID = 1L;

  private final String kind;
  private final boolean busy;
  private final boolean timedOut;
  private final boolean missingTable;

  private ReadFailure(String message, SQLException cause, String kind, boolean busy, boolean timedOut,
      boolean missingTable) {
    super(message, cause);
    this.kind = kind;
    this.busy = busy;
    this.timedOut = timedOut;
    this.missingTable = missingTable;
  }

  static ReadFailure of(SQLException e) {
    int primary = e.getErrorCode() & 0xff;
    boolean timedOut = e instanceof SQLTimeoutException;
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().strip().replace('\n', ' ');
    return new ReadFailure(message, e, timedOut ? "timeout" : "sqlite " + primary,
        primary == 5 || primary == 6, // SQLITE_BUSY, SQLITE_LOCKED
        timedOut, primary == 1 && message.contains("no such table"));
  }

  /** What kind of failure this is ({@code sqlite 5}, {@code timeout}): the same kind is logged once. */
  public String kind() {
    return kind;
  }

  /**
   * A writer held the lock past our busy timeout: the read failed, but the connection and what it
   * knows of the file are still good.
   */
  public boolean busy() {
    return busy;
  }

  /** The statement ran out of the time it was given. */
  public boolean timedOut() {
    return timedOut;
  }

  /** The statement reads a table the database does not have (yet): for a user-defined metric, no rows and no error. */
  public boolean missingTable() {
    return missingTable;
  }
}
