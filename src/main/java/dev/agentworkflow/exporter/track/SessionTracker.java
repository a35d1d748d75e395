package dev.agentworkflow.exporter.track;

import dev.agentworkflow.exporter.model.HistogramSnapshot;
import dev.agentworkflow.exporter.model.SessionRow;
import java.util.HashMap;
import java.util.Map;

/**
 * Follows the rows of {@code sessions}: one current row per session id (a resumed session
 * replaces its row), and each session run (id + start time) observed once in the duration
 * histogram, the first time it is seen ending after it started.
 *
 * <p>Rows stay watched (read again each poll) while they are active or not yet observed with a
 * known start; a closed, observed row never changes a figure again, so it is not read again.
 */
public final class SessionTracker {
  /**
   * Each session id's current run in one long: its row id in the low 40 bits (SQLite gives row ids
   * in order; a table reaches 2^40 rows never), 23 bits of the hash of its start text (two runs of
   * one session told apart wrongly once in 8 million resumes), and whether its duration was
   * observed in the top bit.
   */
  private static final long ROW_BITS = (1L << 40) - 1;
  private static final long START_BITS = ((1L << 23) - 1) << 40;
  private static final long OBSERVED_BIT = 1L << 63;

  private final HistogramAccumulator durations;
  private long highestRowId;
  /** Every session id's current row and run: the only state here that grows with the history. */
  private final SessionIdMap currentRunBySession = new SessionIdMap(1);
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
      long key = SessionIdMap.key(row.sessionId() != null ? row.sessionId() : "\0row " + row.rowId());
      long startHash = SessionIdMap.key(row.startTimeText() != null ? row.startTimeText() : "\0no start")
          << 40 & START_BITS;
      boolean observedBefore = false;
      if (currentRunBySession.contains(key)) {
        long previous = currentRunBySession.get(key, 0);
        watched.remove(previous & ROW_BITS);
        // the same run (same start) already seen ending: a re-inserted row must not be observed twice
        observedBefore = (previous & START_BITS) == startHash && (previous & OBSERVED_BIT) != 0;
      }
      run = new Run(row.rowId(), key, startHash, observedBefore);
    }
    run.active = CountingRules.isActiveSession(row.endTimeSet(), row.status());
    double start = row.startEpochSeconds();
    double end = row.endEpochSeconds();
    if (!run.observed && end > start) { // false when either is NaN
      durations.observe(end - start);
      run.observed = true;
    }
    if (isNew || (currentRunBySession.get(run.key, 0) & ROW_BITS) == run.rowId) {
      currentRunBySession.put(run.key, 0, run.rowId | run.startHash | (run.observed ? OBSERVED_BIT : 0));
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
    currentRunBySession.removeWhere(run -> (run & ROW_BITS) > rowId);
    watched.keySet().removeIf(id -> id > rowId);
    figures = null;
  }

  /** A watched row that is no longer in the database. */
  public void forget(long rowId) {
    Run run = watched.remove(rowId);
    if (run != null) {
      if ((currentRunBySession.get(run.key, 0) & ROW_BITS) == rowId) {
        currentRunBySession.remove(run.key);
      }
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

  /** A session row being watched; a row no longer watched lives on only in {@link #currentRunBySession}. */
  private static final class Run {
    final long rowId;
    final long key;
    final long startHash;
    boolean observed;
    boolean active;

    Run(long rowId, long key, long startHash, boolean observed) {
      this.rowId = rowId;
      this.key = key;
      this.startHash = startHash;
      this.observed = observed;
    }
  }
}
