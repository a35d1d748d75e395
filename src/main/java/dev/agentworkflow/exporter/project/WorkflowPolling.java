package dev.agentworkflow.exporter.project;

import dev.agentworkflow.exporter.model.PublishedPolls;
import java.time.Duration;

/**
 * What the exporter polls and serves: SQLite files, each on a thread of its own ({@link
 * ProjectPolling}), or the team's PostgreSQL store, every project in it read at once ({@link
 * StorePolling}). Either way a scrape renders one {@link PublishedPolls}.
 */
public interface WorkflowPolling extends AutoCloseable {
  /** Opens what is read; nothing is polled before {@link #start()}. */
  void open();

  void start();

  /** The latest polls, as one value. */
  PublishedPolls latest();

  /** Whether everything read since start has finished its first poll. */
  boolean ready();

  /** Waits until {@link #ready()}; false on timeout. */
  boolean awaitFirstPolls(Duration timeout) throws InterruptedException;

  /** Polls now and waits for it: for tests and one-shot runs. */
  PublishedPolls pollAll() throws InterruptedException;

  /** Looks for --db-glob databases now, where there are any: for tests. */
  void lookNow() throws InterruptedException;

  /** Stops polling; what was read closes (state files are written). */
  @Override
  void close();
}
