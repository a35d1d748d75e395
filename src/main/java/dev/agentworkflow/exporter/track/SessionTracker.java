package dev.agentworkflow.exporter.track;

import dev.agentworkflow.exporter.model.HistogramSnapshot;
import dev.agentworkflow.exporter.model.SessionRow;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Follows the rows of {@code sessions}: one current row per session id (a resumed session
 * replaces its row), and each session run (id + start time) observed once in the duration
 * histogram, the first time it is seen ending after it started.
 *
 * <p>Rows stay watched (read again each poll) while they are active or not yet observed with a
 * known start; a closed, observed row never changes a figure again, so it is not read again.
 */
public final class SessionTracker {
  private final HistogramAccumulator durations;
  private long highestRowId;
  private final Map<String, Run> currentRunBySession = new HashMap<>();
  private final Map<Long, Run> watched = new HashMap<>();
  private Figures figures;

  public SessionTracker(double[] durationBuckets) {
    this.durations = new HistogramAccumulator(durationBuckets);
  }

  public long highestRowId() {
    return highestRowId;
  }

  public long[] watchedRowIds() {
    return watched.keySet().stream().mapToLong(Long::longValue).sorted().toArray();
  }

  /** Takes in a row that is new or watched; any other row is ignored. */
  public void accept(SessionRow row) {
    boolean isNew = row.rowId() > highestRowId;
    Run run = watched.get(row.rowId());
    if (!isNew && run == null) {
      return;
    }
    figures = null;
    if (isNew) {
      highestRowId = row.rowId();
      // Row ids are never reused, so a NULL session id can only be told apart by its row.
      String key = row.sessionId() != null ? row.sessionId() : "\0row " + row.rowId();
      Run previous = currentRunBySession.get(key);
      boolean sameRun = previous != null && Objects.equals(previous.startText, row.startTimeText());
      if (previous != null) {
        watched.remove(previous.rowId);
      }
      run = new Run(row.rowId(), key, row.startTimeText(), sameRun && previous.observed);
      currentRunBySession.put(key, run);
    }
    run.active = CountingRules.isActiveSession(row.endTimeSet(), row.status());
    double start = row.startEpochSeconds();
    double end = row.endEpochSeconds();
    if (!run.observed && end > start) { // false when either is NaN
      durations.observe(end - start);
      run.observed = true;
    }
    if (run.active || (!run.observed && !Double.isNaN(start))) {
      watched.put(run.rowId, run);
    } else {
      watched.remove(run.rowId);
    }
  }

  /**
   * The table's highest row id is below what was seen: its newest rows were deleted, and their
   * ids may be given again to new rows. Forget those rows so the new ones are read.
   */
  public void rewindTo(long rowId) {
    if (rowId >= highestRowId) {
      return;
    }
    highestRowId = rowId;
    currentRunBySession.values().removeIf(run -> run.rowId > rowId);
    watched.keySet().removeIf(id -> id > rowId);
    figures = null;
  }

  /** A watched row that is no longer in the database. */
  public void forget(long rowId) {
    Run run = watched.remove(rowId);
    if (run != null) {
      currentRunBySession.remove(run.key, run);
      figures = null;
    }
  }

  public Figures figures() {
    if (figures == null) {
      long active = watched.values().stream().filter(r -> r.active).count();
      figures = new Figures(durations.snapshot(), active, currentRunBySession.size());
    }
    return figures;
  }

  /** The session part of a {@code WorkflowSnapshot}. */
  public record Figures(HistogramSnapshot durations, long activeSessions, long totalSessions) {}

  private static final class Run {
    final long rowId;
    final String key;
    final String startText;
    boolean observed;
    boolean active;

    Run(long rowId, String key, String startText, boolean observed) {
      this.rowId = rowId;
      this.key = key;
      this.startText = startText;
      this.observed = observed;
    }
  }
}
