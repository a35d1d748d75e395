package dev.agentworkflow.exporter.track;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A few invocations of a table, by id and identity (a hash of the columns a writer never changes after
 * the insert), spread over what was read: the newest row, and the row read last among every 2,
 * 4, 8, … 2^23 rows. After a schema change, ids going backwards or a lost connection, they tell
 * whether the ids still mean the rows that were counted: the newest still in place means yes; the
 * newest at another id means the table was renumbered; gone with an older one in place means its
 * newest rows were deleted. 24 levels, 384 bytes, whatever the size of the table.
 */
public final class Anchors {
  private static final int LEVELS = 24;
  private final long[] rowIds = new long[LEVELS];
  private final long[] identities = new long[LEVELS];
  private final boolean[] set = new boolean[LEVELS];
  private long rowsNoted;

  /** A row and its identity, as last read. */
  public record Anchor(long rowId, long identity) {}

  /** A new row was read: it is the newest, and replaces the levels whose turn it is. */
  void note(long rowId, long identity) {
    rowsNoted++;
    int levels = Math.min(LEVELS, Long.numberOfTrailingZeros(rowsNoted) + 1);
    for (int i = 0; i < levels; i++) {
      rowIds[i] = rowId;
      identities[i] = identity;
      set[i] = true;
    }
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
