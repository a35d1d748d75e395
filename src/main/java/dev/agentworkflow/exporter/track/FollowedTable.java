package dev.agentworkflow.exporter.track;

import java.util.List;
import java.util.OptionalLong;

/**
 * A tracker of a table whose rows are inserted and then updated in place until they finish
 * (invocations, tool uses), as the poller reads it: the rows above the highest id, the open rows
 * again, and after a schema change or ids going backwards a check that the ids still mean the
 * rows counted. Each row is counted once, when it is first seen finished.
 *
 * @param <R> the row the table reads as
 */
public interface FollowedTable<R> {
  /** The highest row id seen: the next poll reads rows above it; empty before the first row. */
  OptionalLong highestRowId();

  /** Nothing read yet. */
  boolean isEmpty();

  /** The hash of the columns a writer never changes after the insert, which knows a row again under another id. */
  long identityOf(R row);

  /** Takes in a row that is new or was open; any other row is ignored. */
  void accept(R row);

  /** An open row that is no longer in the table: it will never finish. */
  void forget(long rowId);

  /** Row ids seen unfinished, in order, to be read again until they finish or vanish. */
  long[] openRowIds();

  /** The open rows started no longer than {@code staleAfterSeconds} ago, in order. */
  long[] recentOpenRowIds(double nowEpochSeconds, double staleAfterSeconds);

  /** The rows that tell whether the ids still mean what was counted, newest first. */
  List<Anchors.Anchor> anchors();

  /** A pass over the whole table, to find where the anchors went; hand it to {@link #reidentify}. */
  IdentityScan<R> identityScan();

  /** Applies what a pass over the whole table found ({@link RowFollower#reidentify}). */
  Reidentified reidentify(IdentityScan<R> scan, OptionalLong tableHighest);

  /** The table's newest rows were deleted: rows above {@code tableHighest} are forgotten, their ids may come again. */
  void rewindTo(OptionalLong tableHighest);
}
