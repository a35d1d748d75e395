package dev.agentworkflow.exporter.demo;

import java.sql.SQLException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a demo database alive: one session after another at its {@link Pace}, each event written
 * when it falls due, through a fresh connection like a hook process, tool uses included. At the
 * busy pace agents run about ten times faster than in the history, so that a new user sees the
 * metrics move within a minute; at the sparse pace as long as real ones.
 */
public final class LiveActivity implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LiveActivity.class);
  /** How the busy pace's live sessions are simulated. */
  static final SessionPlan.Options LIVE = Pace.BUSY.live();

  private final LiveWriter writer;
  private final ScheduledExecutorService executor;

  LiveActivity(LiveWriter writer) {
    this.writer = writer;
    this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "demo-writer");
      t.setDaemon(true);
      return t;
    });
    executor.scheduleWithFixedDelay(this::tick, 0, 1, TimeUnit.SECONDS);
  }

  private void tick() {
    try {
      writer.writeDue();
    } catch (SQLException | RuntimeException e) {
      log.warn("demo writer: {}; trying again in a second", e.getMessage());
    }
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
