package dev.agentworkflow.exporter.db;

import java.sql.SQLException;

/**
 * A statement against the team's PostgreSQL store failed, or the store could not be reached. Its
 * kind (the SQLSTATE class, or {@code unreachable}) lets a caller log each kind of failure once.
 */
public final class StoreFailure extends Exception {
  private static final long serialVersionUID = 1L;

  private final String kind;

  private StoreFailure(String message, Throwable cause, String kind) {
    super(message, cause);
    this.kind = kind;
  }

  static StoreFailure of(SQLException e) {
    String state = e.getSQLState() == null ? "" : e.getSQLState();
    // class 08: connection exceptions (refused, lost, timed out)
    String kind = state.startsWith("08") ? "unreachable" : state.isEmpty() ? "driver" : "sqlstate " + state;
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().strip().replace('\n', ' ');
    return new StoreFailure(message, e, kind);
  }

  /** {@code unreachable}, {@code sqlstate 42P01}, …: the same kind is logged once. */
  public String kind() {
    return kind;
  }
}
