package dev.agentworkflow.exporter.poll;

/**
 * What a {@link PollScheduler} runs: a poll that returns what to publish. A {@link Poller} reads one
 * SQLite file; a {@link StorePoller} reads the team's PostgreSQL store, every project in it at once.
 *
 * @param <R> what one poll publishes
 */
public interface Pollable<R> extends AutoCloseable {
  /** One poll; never throws for a database's failure, which the result tells. */
  R poll();

  /** Runs after each poll's result was published, off a scrape's path (a state file's write). */
  default void afterPublish() {}

  /** Stops; called once, after the last poll. */
  @Override
  void close();
}
