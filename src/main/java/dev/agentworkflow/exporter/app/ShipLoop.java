package dev.agentworkflow.exporter.app;

import dev.agentworkflow.exporter.db.StoreAddress;
import dev.agentworkflow.exporter.db.StoreWriter;
import dev.agentworkflow.exporter.db.TimestampParser;
import dev.agentworkflow.exporter.db.WorkflowDatabase;
import dev.agentworkflow.exporter.ship.Shipper;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code ship} command's work: a {@link Shipper} of one file to the store, run once (the end of
 * a CI job) or every interval until stopped (a service beside the hooks).
 *
 * @param from the SQLite file
 * @param to the store
 * @param password the password read from --db-password-file, if one was given
 * @param project the project its rows belong to
 * @param host the machine it is on
 * @param payloads ship the payload columns too
 * @param interval how long to wait between two passes when running as a service
 */
public record ShipLoop(Path from, StoreAddress to, Optional<String> password, String project, String host,
    boolean payloads, Duration interval) {
  private static final Logger log = LoggerFactory.getLogger(ShipLoop.class);
  /** How long a read waits for a writer's lock; the writers never wait for us. */
  private static final Duration BUSY_TIMEOUT = Duration.ofSeconds(1);

  private Shipper shipper() {
    // timestamps are shipped as text, never parsed here: the zone plays no part
    WorkflowDatabase file = new WorkflowDatabase(from, BUSY_TIMEOUT, WorkflowDatabase.DEFAULT_CACHE_KIB,
        new TimestampParser(ZoneOffset.UTC));
    return new Shipper(file, new StoreWriter(to, password, "agent-workflow-exporter ship"), project, host, payloads);
  }

  /** Without the password. */
  @Override
  public String toString() {
    return "ShipLoop[" + from + " to " + to.shown() + " as " + project + " from " + host + "]";
  }

  /** Ships what the file holds and the store does not, then returns: whether it all was shipped. */
  public boolean once() {
    try (Shipper shipper = shipper()) {
      Shipper.Shipped shipped = shipper.ship();
      log.info("shipped {} rows of {} to {} in {} rounds{}", shipped.rows(), from, to.shown(), shipped.rounds(),
          shipped.problem().map(p -> "; stopped: " + p).orElse(""));
      return shipped.problem().isEmpty();
    }
  }

  /** Ships every interval until {@code stop} is counted down. */
  public void untilStopped(CountDownLatch stop) throws InterruptedException {
    log.info("shipping {} to {} as project {} from host {} every {}s", from, to.shown(), project, host,
        interval.toSeconds());
    try (Shipper shipper = shipper()) {
      do {
        Shipper.Shipped shipped = shipper.ship(() -> stop.getCount() > 0); // a first load stops between rounds
        if (shipped.rows() > 0) {
          log.debug("shipped {} rows in {} rounds", shipped.rows(), shipped.rounds());
        }
      } while (!stop.await(interval.toMillis(), TimeUnit.MILLISECONDS));
    }
  }
}
