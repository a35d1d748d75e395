package dev.agentworkflow.exporter.project;

import dev.agentworkflow.exporter.model.PublishedPolls;
import dev.agentworkflow.exporter.poll.PollScheduler;
import dev.agentworkflow.exporter.poll.StorePoller;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Polls the team's PostgreSQL store on one thread and publishes every project it holds: one read
 * per poll covers them all (the store says what changed, whichever project it belongs to), so
 * there is no thread per project. A project appears when its first rows are shipped; its series
 * carry {@code project} from the start.
 */
public final class StorePolling implements WorkflowPolling {
  private final PollScheduler<PublishedPolls> scheduler;
  private final CountDownLatch firstPoll = new CountDownLatch(1);
  private volatile PublishedPolls latest;

  public StorePolling(StorePoller poller, Duration interval) {
    this.latest = poller.initialResult();
    this.scheduler = new PollScheduler<>(poller, interval, this::publish, "agent-workflow-store-poller");
  }

  private void publish(PublishedPolls polls) {
    latest = polls;
    firstPoll.countDown();
  }

  @Override
  public void open() {
    // the connection is opened by the first poll: a store not reachable at start is a failing poll, not a failed start
  }

  @Override
  public void start() {
    scheduler.start();
  }

  @Override
  public PublishedPolls latest() {
    return latest;
  }

  @Override
  public boolean ready() {
    return firstPoll.getCount() == 0;
  }

  @Override
  public boolean awaitFirstPolls(Duration timeout) throws InterruptedException {
    return firstPoll.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public PublishedPolls pollAll() throws InterruptedException {
    scheduler.pollNow();
    return latest;
  }

  @Override
  public void lookNow() {
    // nothing to look for: the store lists its projects at every poll
  }

  @Override
  public void close() {
    scheduler.close();
  }
}
