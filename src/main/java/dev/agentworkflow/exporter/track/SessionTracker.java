package dev.agentworkflow.exporter.track;

import dev.agentworkflow.exporter.model.SessionFigures;
import dev.agentworkflow.exporter.model.SessionRow;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;
import java.util.OptionalLong;

/**
 * Follows the rows of {@code sessions}: one current row per session id (a resumed session
 * replaces its row), and each session run (id + start time) observed once in the duration
 * histogram, the first time it is seen ending after it started.
 *
 * <p>Rows stay watched (read again each poll) while they are active or not yet observed with a
 * known start; a closed, observed row never changes a figure again, so it is not read again. At
 * most {@code maxWatched} rows are watched at once; past that a new row that would need watching
 * is counted in {@link #untracked()} and, though it counts in total_sessions, it counts neither as
 * active nor in the histogram.
 *
 * <p>Runs are known by session id and start, not by row id: SQLite may renumber the rows of a
 * table whose key is not an integer (VACUUM, a rebuild). {@link #beginRescan()} and
 * {@link #endRescan()} around a read of the whole table take it as it is now, without observing
 * a run twice.
 */
public final class SessionTracker {
  /**
   * Each session id's current run in one long: the hash of its start text in the low 32 bits (two
   * runs of one session told apart wrongly once in 4 billion resumes), and flags above it.
   */
  private static final long START_BITS = 0xffff_ffffL;
  private static final long OBSERVED = 1L << 32;
  private static final long ACTIVE = 1L << 33;
  private static final long WATCHED = 1L << 34;
  /** Seen in the current re-read of watched rows, or in the current rescan. */
  private static final long SEEN = 1L << 35;

  private final HistogramAccumulator durations;
  private final int maxWatched;
  private long highestRowId;
  private boolean readAny;
  private boolean rescanning;
  /** Every session id's current run: the only state here that grows with the history. */
  private final FlatLongMap currentRunBySession = new FlatLongMap(1);
  /** The session ids whose current row is watched, with that row's id. */
  private final FlatLongMap watchedRowBySession = new FlatLongMap(1);
  private long untracked;
  private SessionFigures figures;

  public SessionTracker(double[] durationBuckets, int maxWatched) {
    this.durations = new HistogramAccumulator(new BucketBounds(durationBuckets));
    this.maxWatched = maxWatched;
  }

  /** The highest row id seen: the next poll reads rows above it; empty before the first row. */
  public OptionalLong highestRowId() {
    return readAny ? OptionalLong.of(highestRowId) : OptionalLong.empty();
  }

  public boolean isEmpty() {
    return !readAny && currentRunBySession.size() == 0;
  }

  /** The rows to read again, in order; starts a re-read: each one found goes to {@link #accept}. */
  public long[] watchedRowIds() {
    long[] ids = new long[watchedRowBySession.size()];
    int[] n = {0};
    watchedRowBySession.forEach((session, rowId) -> {
      ids[n[0]++] = rowId;
      currentRunBySession.put(session, 0, currentRunBySession.get(session, 0) & ~SEEN);
    });
    Arrays.sort(ids);
    return ids;
  }

  /** Ends a re-read: a watched row that was not found is no longer in the table. */
  public void endReread() {
    long[] gone = watchedRowBySession.keysWhere((session, rowId) -> (currentRunBySession.get(session, 0) & SEEN) == 0);
    for (long session : gone) {
      watchedRowBySession.remove(session);
      currentRunBySession.remove(session);
    }
    if (gone.length > 0) {
      figures = null;
    }
  }

  /** Takes in a row that is new or watched (or any row during a rescan); any other row is ignored. */
  public void accept(SessionRow row) {
    boolean isNew = rescanning || !readAny || row.rowId() > highestRowId;
    long key = key(row);
    boolean watched = watchedRowBySession.contains(key) && watchedRowBySession.get(key, 0) == row.rowId();
    if (!isNew && !watched) {
      return;
    }
    figures = null;
    long run = currentRunBySession.get(key, 0);
    long startHash = FlatLongMap.hash(row.startTimeText() != null ? row.startTimeText() : "\0no start") & START_BITS;
    if (isNew) {
      if (!readAny || row.rowId() > highestRowId) {
        highestRowId = row.rowId();
        readAny = true;
      }
      boolean known = currentRunBySession.contains(key);
      // the same run (same start) already seen ending: a re-inserted or renumbered row is not observed twice
      boolean observedBefore = known && (run & START_BITS) == startHash && (run & OBSERVED) != 0;
      if (rescanning && !known && row.sessionId() == null) {
        observedBefore = true; // a NULL id is known by its row id, which a rebuild changes: never observe it twice
      }
      if (!rescanning && (run & WATCHED) != 0) {
        watchedRowBySession.remove(key); // replaced by this row
      }
      run = startHash | (observedBefore ? OBSERVED : 0);
    }
    boolean active = CountingRules.isActiveSession(row.endTimeSet(), row.status());
    double start = row.startEpochSeconds();
    double end = row.endEpochSeconds();
    if ((run & OBSERVED) == 0 && end > start) { // false when either is NaN
      durations.observe(end - start);
      run |= OBSERVED;
    }
    run = run & (START_BITS | OBSERVED) | SEEN;
    if (active || ((run & OBSERVED) == 0 && !Double.isNaN(start))) {
      if (watchedRowBySession.contains(key) || watchedRowBySession.size() < maxWatched) {
        watchedRowBySession.put(key, 0, row.rowId());
        run |= WATCHED | (active ? ACTIVE : 0);
      } else if (isNew) {
        untracked++;
      }
    } else {
      watchedRowBySession.remove(key);
    }
    currentRunBySession.put(key, 0, run);
  }

  /**
   * Starts reading the whole table again to know its rows by session id and start rather than by
   * row id: after a schema change (VACUUM and rebuilds renumber the rows of this table), when the
   * highest row id went backwards, or after the connection was lost. Every row read until
   * {@link #endRescan()} is taken in; the sessions not read again are gone.
   */
  public void beginRescan() {
    rescanning = true;
    readAny = false;
    watchedRowBySession.clear();
    currentRunBySession.updateFirstFields(run -> run & ~(SEEN | WATCHED | ACTIVE));
    figures = null;
  }

  /** Ends a rescan: the sessions it did not read are no longer in the table. */
  public void endRescan() {
    currentRunBySession.removeIf((session, run) -> (run & SEEN) == 0);
    rescanning = false;
    figures = null;
  }

  public boolean isRescanning() {
    return rescanning;
  }

  /** New rows that needed watching but were not, because {@code maxWatched} rows were watched already. */
  public long untracked() {
    return untracked;
  }

  /**
   * The counted figures, rebuilt only after something changed; active are the sessions whose row
   * says so ({@link WorkflowTracker} adds those that only a running agent shows active).
   */
  public SessionFigures figures() {
    if (figures == null) {
      long active = watchedRowBySession.count((session, rowId) -> (currentRunBySession.get(session, 0) & ACTIVE) != 0);
      figures = new SessionFigures(active, durations.snapshot(), currentRunBySession.size());
    }
    return figures;
  }

  /** The session (hash of its id) has a watched row that says it is active. */
  boolean isActiveByItsRow(long session) {
    return watchedRowBySession.contains(session) && (currentRunBySession.get(session, 0) & ACTIVE) != 0;
  }

  /** Writes everything this tracker knows, for a state file; not in the middle of a rescan. */
  void writeTo(DataOutput out) throws IOException {
    if (rescanning) {
      throw new IllegalStateException("a rescan is not written half done");
    }
    out.writeBoolean(readAny);
    out.writeLong(highestRowId);
    out.writeLong(untracked);
    durations.writeTo(out);
    currentRunBySession.writeTo(out);
    watchedRowBySession.writeTo(out);
  }

  /** Reads what {@link #writeTo} wrote into this tracker, which must not have read anything yet. */
  void readFrom(DataInput in) throws IOException {
    if (!isEmpty()) {
      throw new IllegalStateException("only a new tracker is read into");
    }
    readAny = in.readBoolean();
    highestRowId = in.readLong();
    untracked = StateChecks.notNegative(in.readLong());
    durations.readFrom(in);
    currentRunBySession.readFrom(in);
    watchedRowBySession.readFrom(in);
    figures = null;
  }

  /** Row ids are never reused, so a NULL session id can only be told apart by its row. */
  private static long key(SessionRow row) {
    return FlatLongMap.hash(row.sessionId() != null ? row.sessionId() : "\0row " + row.rowId());
  }
}
