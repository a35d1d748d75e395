package dev.agentworkflow.exporter.poll;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the poller on one named daemon thread, a fixed delay apart, and publishes each result.
 * Every throwable is caught: one escaping exception would silently cancel all later polls.
 */
public final class PollScheduler<R> implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PollScheduler.class);

  private final Pollable<R> poller;
  private final Duration interval;
  private final Consumer<R> publish;
  private final ScheduledExecutorService executor;
  private final String threadName;

  /** @param threadName the poller thread's name, which says whose polls it runs in a thread dump */
  public PollScheduler(Pollable<R> poller, Duration interval, Consumer<R> publish, String threadName) {
    this.poller = poller;
    this.interval = interval;
    this.publish = publish;
    this.threadName = threadName;
    this.executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, threadName);
      thread.setDaemon(true);
      return thread;
    });
  }

  public void start() {
    executor.scheduleWithFixedDelay(this::pollOnce, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Polls now, on the poller thread, and waits for it: for tests and one-shot runs. */
  public void pollNow() throws InterruptedException {
    try {
      executor.submit(this::pollOnce).get();
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException(e.getCause()); // pollOnce catches everything
    }
  }

  private void pollOnce() {
    try {
      publish.accept(poller.poll());
      poller.afterPublish(); // after publishing: a state write delays neither the figures nor a scrape
    } catch (Throwable t) { // NOPMD: see class comment
      log.error("poll failed unexpectedly; the next poll will try again", t);
    }
  }

  /**
   * Asks polling to stop without waiting: a running poll is interrupted and stops between two
   * chunks. For stopping many at once; {@link #close()} then waits for each.
   */
  public void stop() {
    executor.shutdownNow();
  }

  /**
   * Stops polling and waits up to 1.5 s for a running poll to stop; then closes the poller, which
   * writes its state and lets go of its connection and state file lock. A poll that does not stop
   * in time (a statement SQLite is still inside), or a wait that is interrupted, leaves the closing
   * to a thread that waits for the poll's end: a database read again later must find its state
   * file unlocked.
   */
  @Override
  public void close() {
    executor.shutdownNow();
    try {
      if (executor.awaitTermination(1500, TimeUnit.MILLISECONDS)) {
        poller.close();
        return;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    Thread closing = new Thread(() -> {
      try {
        executor.awaitTermination(Long.MAX_VALUE, TimeUnit.DAYS);
        poller.close();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, threadName + "-closing");
    closing.setDaemon(true);
    closing.start();
  }
}
