package dev.agentworkflow.exporter.model;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/**
 * The exporter's polls of one database since it started.
 *
 * @param lastDurationSeconds how long the last poll took
 * @param errors polls that failed
 * @param lastSuccess when a poll last read the database, to the millisecond (the metric and the
 *     status page show it so); empty before the first
 */
public record PollHistory(double lastDurationSeconds, long errors, Optional<Instant> lastSuccess) {
  public PollHistory {
    lastSuccess = lastSuccess.map(at -> at.truncatedTo(ChronoUnit.MILLIS));
  }
}
