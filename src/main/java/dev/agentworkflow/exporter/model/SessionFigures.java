package dev.agentworkflow.exporter.model;

/**
 * What the rows of {@code sessions} say, as {@code SessionTracker} counted them, with the sessions
 * that only a running agent shows active added by the snapshot. Immutable.
 *
 * @param active sessions with no end time, with status active, or with an agent running
 * @param durations one observation per ended session run ({@code session_duration_seconds})
 * @param total rows of the table, one per session id
 */
public record SessionFigures(long active, HistogramSnapshot durations, long total) {

  /** No session read yet; {@code durations} is the empty histogram with the configured buckets. */
  public static SessionFigures none(HistogramSnapshot durations) {
    return new SessionFigures(0, durations, 0);
  }

  /** The same figures with another count of active sessions. */
  public SessionFigures withActive(long sessions) {
    return new SessionFigures(sessions, durations, total);
  }
}
