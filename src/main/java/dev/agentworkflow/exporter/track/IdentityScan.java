package dev.agentworkflow.exporter.track;

import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * One pass over every row of a followed table ({@link RowFollower}), in id order, after its ids may have
 * changed: where each anchor's identity is now, and the rows to follow again if the table was
 * renumbered: those still running, and those that were followed running and have finished since
 * (so that they are counted, once). Keeps three longs per such row, at most as many rows as may be
 * followed.
 */
public final class IdentityScan<R> implements Consumer<R> {
  static final long NOT_FOUND = Long.MIN_VALUE;

  private final long[] anchorIdentities;
  /** Identities of the rows followed running before the pass. */
  private final FlatLongMap followedIdentities;
  private final long[] foundAt;
  private final boolean[] found;
  private final int maxUnfinished;
  private final RowFollower.Rules<R> rules;
  private long[] unfinishedIds = new long[64];
  private long[] unfinishedStarts = new long[64];
  private long[] unfinishedIdentities = new long[64];
  private int unfinished;
  private long dropped;
  private long lastRowId;
  private long lastCountingId;
  private long lastCountingIdentity;
  private boolean anyCounting;

  IdentityScan(List<Anchors.Anchor> anchors, FlatLongMap followedIdentities, int maxUnfinished,
      RowFollower.Rules<R> rules) {
    this.rules = rules;
    this.followedIdentities = followedIdentities;
    this.anchorIdentities = anchors.stream().mapToLong(Anchors.Anchor::identity).toArray();
    this.foundAt = new long[anchorIdentities.length];
    this.found = new boolean[anchorIdentities.length];
    this.maxUnfinished = maxUnfinished;
  }

  @Override
  public void accept(R row) {
    long rowId = rules.rowId(row);
    long identity = rules.identity(row);
    for (int i = 0; i < anchorIdentities.length; i++) {
      if (anchorIdentities[i] == identity) {
        foundAt[i] = rowId; // the last one wins: rows after it are the ones not read yet
        found[i] = true;
      }
    }
    lastRowId = rowId;
    boolean counts = rules.counts(row);
    if (counts) {
      lastCountingId = rowId;
      lastCountingIdentity = identity;
      anyCounting = true;
    }
    if (counts && (!rules.finished(row) || followedIdentities.contains(identity))) {
      if (unfinished == maxUnfinished) {
        dropped++;
        return;
      }
      if (unfinished == unfinishedIds.length) {
        unfinishedIds = Arrays.copyOf(unfinishedIds, unfinished * 2);
        unfinishedStarts = Arrays.copyOf(unfinishedStarts, unfinished * 2);
        unfinishedIdentities = Arrays.copyOf(unfinishedIdentities, unfinished * 2);
      }
      unfinishedIds[unfinished] = rowId;
      unfinishedStarts[unfinished] = Double.doubleToRawLongBits(rules.start(row));
      unfinishedIdentities[unfinished++] = identity;
    }
  }

  /** Where anchor {@code i} (newest first) is now, or {@link #NOT_FOUND}. */
  long foundAt(int i) {
    return found[i] ? foundAt[i] : NOT_FOUND;
  }

  /** The highest row id in the table when it was scanned. */
  long lastRowId() {
    return lastRowId;
  }

  /** The newest counting row the pass read (the newest row that can anchor), if any. */
  java.util.Optional<Anchors.Anchor> lastCounting() {
    return anyCounting ? java.util.Optional.of(new Anchors.Anchor(lastCountingId, lastCountingIdentity))
        : java.util.Optional.empty();
  }

  /**
   * Puts the rows to follow up to {@code rowId} in {@code open} (start, identity); the next read of
   * the open rows counts those that finished. Returns how many did not fit.
   */
  long adopt(long rowId, FlatLongMap open) {
    for (int i = 0; i < unfinished; i++) {
      if (unfinishedIds[i] <= rowId) {
        open.put(unfinishedIds[i], 0, unfinishedStarts[i]);
        open.put(unfinishedIds[i], 1, unfinishedIdentities[i]);
      }
    }
    return dropped;
  }
}
