package dev.agentworkflow.exporter.db;

import java.sql.SQLException;
import java.sql.SQLTimeoutException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * Interrupts a statement that runs past its time ({@code sqlite3_interrupt}, which sqlite-jdbc's
 * {@code Statement.cancel} calls without waiting for the running step). While a statement runs it
 * holds SQLite's shared lock, and the hooks' writers wait for it 5 s at most.
 *
 * <pre>{@code
 * try (StatementTimeout timeout = StatementTimeout.arm(statement, Duration.ofSeconds(1))) {
 *   ... run it; an SQLException after timeout.fired() is the interrupt ...
 * }
 * }</pre>
 */
final class StatementTimeout implements AutoCloseable {
  private final Statement statement;
  private final Duration timeout;
  private final CompletableFuture<Void> timer;
  private boolean done;
  private boolean fired;

  private StatementTimeout(Statement statement, Duration timeout) {
    this.statement = statement;
    this.timeout = timeout;
    Executor later = CompletableFuture.delayedExecutor(timeout.toNanos(), TimeUnit.NANOSECONDS);
    this.timer = CompletableFuture.runAsync(this::fire, later);
  }

  static StatementTimeout arm(Statement statement, Duration timeout) {
    return new StatementTimeout(statement, timeout);
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
    timer.cancel(false);
  }
}
