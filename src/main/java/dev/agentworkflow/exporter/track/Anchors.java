package dev.agentworkflow.exporter.track;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A few invocations of a table, by id and identity (a hash of the columns a writer never changes after
 * the insert), spread over what was read: the newest row, and rows about 1, 3, 7, … 2^23 rows
 * before it. After a schema change, ids going backwards, a lost connection or a restart from the
 * state file, they tell whether the ids still mean the rows that were counted: the newest still in
 * place means yes; the newest at another id means the table was renumbered; gone with an older one
 * in place means its newest rows were deleted. 24 levels, 384 bytes, whatever the size of the table.
 */
public final class Anchors {
  private static final int LEVELS = 24;
  private final long[] rowIds = new long[LEVELS];
  private final long[] identities = new long[LEVELS];
  private final boolean[] set = new boolean[LEVELS];
  private long rowsNoted;

  /** A row and its identity, as last read. */
  public record Anchor(long rowId, long identity) {}

  /**
   * A new row was read: it is the newest. Every 2^i rows, level i takes what level i − 1 held
   * (from the top down), so that level i lags 2^(i−1) to 2^i rows behind: after 1024 rows the
   * anchors are rows 1024, 1023, 1021, 1017, 1009, … 513 and 1. (Each level once took the newest
   * row itself: after 2^k rows every level held the same row, and with it deleted nothing was left
   * to know the table by.)
   */
  void note(long rowId, long identity) {
    rowsNoted++;
    int cascade = Math.min(LEVELS - 1, Long.numberOfTrailingZeros(rowsNoted));
    for (int i = cascade; i > 0; i--) {
      rowIds[i] = rowIds[i - 1];
      identities[i] = identities[i - 1];
      set[i] = set[i - 1];
    }
    rowIds[0] = rowId;
    identities[0] = identity;
    set[0] = true;
  }

  /** The distinct anchors, newest first. */
  List<Anchor> newestFirst() {
    List<Anchor> out = new ArrayList<>();
    for (int i = 0; i < LEVELS; i++) {
      if (set[i] && (out.isEmpty() || out.get(out.size() - 1).rowId() != rowIds[i])) {
        out.add(new Anchor(rowIds[i], identities[i]));
      }
    }
    return out;
  }

  /** Rows above {@code rowId} were deleted: they can no longer anchor anything. */
  void dropAbove(long rowId) {
    for (int i = 0; i < LEVELS; i++) {
      set[i] &= rowIds[i] <= rowId;
    }
  }

  void writeTo(DataOutput out) throws IOException {
    out.writeLong(rowsNoted);
    for (int i = 0; i < LEVELS; i++) {
      out.writeBoolean(set[i]);
      out.writeLong(rowIds[i]);
      out.writeLong(identities[i]);
    }
  }

  void readFrom(DataInput in) throws IOException {
    rowsNoted = StateChecks.notNegative(in.readLong());
    for (int i = 0; i < LEVELS; i++) {
      set[i] = in.readBoolean();
      rowIds[i] = in.readLong();
      identities[i] = in.readLong();
    }
  }

  void clear() {
    java.util.Arrays.fill(set, false);
    rowsNoted = 0;
  }
}
