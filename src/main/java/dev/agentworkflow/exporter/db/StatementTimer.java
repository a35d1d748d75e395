package dev.agentworkflow.exporter.db;

import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Interrupts statements that run past their time, on one daemon thread of its own that ends after a
 * minute without statements. A statement that ends in time takes its interrupt off the queue, so a
 * poll's few statements cost no thread and leave nothing behind.
 *
 * <pre>{@code
 * try (StatementTimer timer = new StatementTimer("agent-workflow-statement-timer")) {
 *   RowMetricReader reader = new RowMetricReader(table, metrics, timer);
 * }
 * }</pre>
 */
public final class StatementTimer implements AutoCloseable {
  private final ScheduledThreadPoolExecutor executor;

  public StatementTimer(String threadName) {
    executor = new ScheduledThreadPoolExecutor(1, runnable -> {
      Thread thread = new Thread(runnable, threadName);
      thread.setDaemon(true);
      return thread;
    });
    executor.setRemoveOnCancelPolicy(true);
    executor.setKeepAliveTime(1, TimeUnit.MINUTES);
    executor.allowCoreThreadTimeOut(true);
  }

  /** Arms an interrupt of {@code statement} {@code timeout} from now; close the result when the statement has ended. */
  StatementTimeout arm(Statement statement, Duration timeout) {
    return new StatementTimeout(statement, timeout, executor);
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
