package dev.agentworkflow.exporter.db;

import java.sql.SQLException;
import java.sql.SQLTimeoutException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One statement's interrupt ({@code sqlite3_interrupt}, which sqlite-jdbc's {@code
 * Statement.cancel} calls without waiting for the running step), armed by a {@link StatementTimer}.
 * While a statement runs it holds SQLite's shared lock, and the hooks' writers wait for it 5 s at
 * most. The interrupt never touches a statement that has ended: both sides synchronize on this.
 *
 * <pre>{@code
 * try (StatementTimeout timeout = timer.arm(statement, Duration.ofMillis(500))) {
 *   ... run it; catch (SQLException e) { throw timeout.explain(e); }
 * }
 * }</pre>
 */
final class StatementTimeout implements AutoCloseable {
  private final Statement statement;
  private final Duration timeout;
  private final ScheduledFuture<?> interrupt;
  private boolean done;
  private boolean fired;

  StatementTimeout(Statement statement, Duration timeout, ScheduledExecutorService executor) {
    this.statement = statement;
    this.timeout = timeout;
    ScheduledFuture<?> scheduled;
    try {
      scheduled = executor.schedule(this::fire, timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      scheduled = null; // the timer is closed: the exporter is stopping, and the poll with it
    }
    this.interrupt = scheduled;
  }

  private synchronized void fire() {
    if (done) {
      return; // the statement ended in time; it may be closed already
    }
    fired = true;
    try {
      statement.cancel();
    } catch (SQLException e) {
      // the statement is ending anyway
    }
  }

  /** The failure to throw for {@code e}: a timeout when the interrupt was ours. */
  synchronized SQLException explain(SQLException e) {
    if (!fired) {
      return e;
    }
    return new SQLTimeoutException("ran past its timeout of " + timeout.toMillis() + " ms and was interrupted", e);
  }

  @Override
  public synchronized void close() {
    done = true;
    if (interrupt != null) {
      interrupt.cancel(false);
    }
  }
}
