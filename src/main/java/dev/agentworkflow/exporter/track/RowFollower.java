package dev.agentworkflow.exporter.track;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;

/**
 * Which rows of one table were read, for a table whose rows are written once and then updated in
 * place until they finish (invocations, tool uses): the highest row id seen, the rows seen
 * unfinished (to be read again until they finish or vanish) and a few anchors (to know whether
 * the ids still mean the rows that were counted). What is counted of a row is the tracker's
 * business; this says only whether a row is to be taken in at all, so that none is counted twice.
 *
 * <p>An unfinished row takes 30 to 45 bytes ({@link FlatLongMap}: id, start, identity), at most
 * {@code maxOpen} of them; past that a new unfinished row is not followed and is counted in
 * {@link #untracked()}.
 *
 * @param <R> the row a table reads as
 */
final class RowFollower<R> {
  /** How this table's rows are read by the follower. */
  interface Rules<R> {
    long rowId(R row);

    /** A hash of the columns a writer never changes after the insert. */
    long identity(R row);

    /** The row counts at all (a tool use always; an invocation only when it names a real agent). */
    boolean counts(R row);

    boolean finished(R row);

    /** Epoch seconds, NaN when unknown. */
    double start(R row);
  }

  /** What a row read means for the tracker. */
  enum Seen {
    /** Counted already, or seen to count nowhere: nothing to do, whatever the row says now. */
    DONE,
    /** A new row (its id above every id seen). */
    NEW,
    /** A row seen unfinished before. */
    OPEN
  }

  private final Rules<R> rules;
  private final int maxOpen;
  private long highestRowId;
  private boolean readAny;
  /** Row id of each row seen unfinished, with the bits of its start time (NaN when unknown) and its identity. */
  private final FlatLongMap open = new FlatLongMap(2);
  private long untracked;
  private final Anchors anchors = new Anchors();

  RowFollower(Rules<R> rules, int maxOpen) {
    this.rules = rules;
    this.maxOpen = maxOpen;
  }

  /**
   * Takes in a row read: says whether it is new, was open, or is done with. After this, the
   * tracker counts it (if it counts and is finished); this follower has already noted it as
   * finished, open, not followed (past {@code maxOpen}), or not counting.
   */
  Seen take(R row) {
    long rowId = rules.rowId(row);
    boolean isNew = !readAny || rowId > highestRowId;
    if (!isNew && !open.contains(rowId)) {
      return Seen.DONE;
    }
    if (isNew) {
      highestRowId = rowId;
      readAny = true;
    }
    if (!rules.counts(row)) {
      open.remove(rowId);
      return Seen.DONE;
    }
    if (isNew) {
      // only counting rows anchor: their identity tells rows apart; a subagent_stop row's would
      // be its session alone
      anchors.note(rowId, rules.identity(row));
    }
    if (rules.finished(row)) {
      open.remove(rowId);
    } else if (open.contains(rowId) || open.size() < maxOpen) {
      open.put(rowId, 0, Double.doubleToRawLongBits(rules.start(row)));
      open.put(rowId, 1, rules.identity(row));
    } else if (isNew) {
      untracked++;
    }
    return isNew ? Seen.NEW : Seen.OPEN;
  }

  /** The highest row id seen: the next poll reads rows above it; empty before the first row. */
  OptionalLong highestRowId() {
    return readAny ? OptionalLong.of(highestRowId) : OptionalLong.empty();
  }

  boolean isEmpty() {
    return !readAny;
  }

  /** Row ids seen unfinished, in order. */
  long[] openRowIds() {
    long[] ids = open.keysWhere((id, start) -> true);
    Arrays.sort(ids);
    return ids;
  }

  /**
   * The open rows started no longer than {@code staleAfterSeconds} ago, in order. The others
   * (abandoned long ago, or with no readable start) rarely finish, and need not be read on every poll.
   */
  long[] recentOpenRowIds(double nowEpochSeconds, double staleAfterSeconds) {
    long[] ids = open.keysWhere((id, start) -> isRecent(start, nowEpochSeconds, staleAfterSeconds));
    Arrays.sort(ids);
    return ids;
  }

  /** Open rows started no longer than {@code staleAfterSeconds} before now. */
  long recentOpen(double nowEpochSeconds, double staleAfterSeconds) {
    return open.count((id, start) -> isRecent(start, nowEpochSeconds, staleAfterSeconds));
  }

  /** The row is followed as unfinished. */
  boolean isOpen(long rowId) {
    return open.contains(rowId);
  }

  /** The row is followed as unfinished and started no longer than {@code staleAfterSeconds} before now. */
  boolean isRecentOpen(long rowId, double nowEpochSeconds, double staleAfterSeconds) {
    return open.contains(rowId) && isRecent(open.get(rowId, 0), nowEpochSeconds, staleAfterSeconds);
  }

  /** An open row that is no longer in the table: it will never finish. Returns whether it was open. */
  boolean forget(long rowId) {
    if (open.contains(rowId)) {
      open.remove(rowId);
      return true;
    }
    return false;
  }

  long untracked() {
    return untracked;
  }

  /** The rows that tell whether the ids still mean what was counted, newest first. */
  List<Anchors.Anchor> anchors() {
    return anchors.newestFirst();
  }

  /** A pass over the whole table, to find where the anchors went; hand it to {@link #reidentify}. */
  IdentityScan<R> identityScan() {
    FlatLongMap followed = new FlatLongMap(0);
    for (long rowId : open.keysWhere((id, start) -> true)) {
      followed.add(open.get(rowId, 1));
    }
    return new IdentityScan<>(anchors.newestFirst(), followed, maxOpen, rules);
  }

  /**
   * Applies what a pass over the whole table found after the newest anchor was not in place:
   *
   * <ul>
   *   <li>an anchor in place, the ones above it gone: the ids are stable and the newest rows were
   *       deleted; rows above the table's highest id are forgotten, as their ids may come again;
   *   <li>the newest anchor at another id: the table was renumbered; what was counted stays
   *       counted, the rows up to that anchor are taken as read, the rows after it are new, and
   *       the unfinished ones up to it are followed again, with those followed before that have
   *       finished since (the next read of the open rows counts them);
   *   <li>an older anchor, but not the newest, at another id: renumbered after its newest rows
   *       were deleted; the whole table is taken as read, its unfinished rows followed again;
   *   <li>no anchor at all: this is not the table that was counted ({@link Reidentified#NOT_FOUND}).
   * </ul>
   */
  Reidentified reidentify(IdentityScan<R> scan, OptionalLong tableHighest) {
    List<Anchors.Anchor> known = anchors.newestFirst();
    if (known.isEmpty()) {
      return Reidentified.STABLE;
    }
    // Rows keep their order through any rebuild: an anchor found below an older anchor that is
    // still at its own id is another row with the same columns (two calls of one tool in one
    // second, written without a sequence number), not the anchor moved.
    long[] olderInPlace = new long[known.size()];
    long highestInPlace = Long.MIN_VALUE;
    for (int i = known.size() - 1; i >= 0; i--) {
      olderInPlace[i] = highestInPlace;
      if (scan.foundAt(i) == known.get(i).rowId()) {
        highestInPlace = Math.max(highestInPlace, known.get(i).rowId());
      }
    }
    for (int i = 0; i < known.size(); i++) {
      long foundAt = scan.foundAt(i);
      if (foundAt == IdentityScan.NOT_FOUND
          || (foundAt != known.get(i).rowId() && foundAt < olderInPlace[i])) {
        continue;
      }
      if (foundAt == known.get(i).rowId()) {
        rewindTo(tableHighest);
        return Reidentified.STABLE;
      }
      if (i == 0) {
        // the newest anchor found: the rows up to it are read, the rows after it are new
        open.clear();
        anchors.clear();
        highestRowId = foundAt;
        anchors.note(foundAt, known.get(0).identity());
        untracked += scan.adopt(foundAt, open);
      } else {
        takeAsRead(scan);
      }
      return Reidentified.RENUMBERED;
    }
    return Reidentified.NOT_FOUND;
  }

  /**
   * Every row the pass found is taken as read (nothing there is counted now), and its unfinished
   * ones, with those followed before that have finished since, are followed again.
   */
  void takeAsRead(IdentityScan<R> scan) {
    open.clear();
    anchors.clear();
    readAny = true;
    highestRowId = scan.lastRowId();
    scan.lastCounting().ifPresent(last -> anchors.note(last.rowId(), last.identity()));
    untracked += scan.adopt(highestRowId, open);
  }

  /**
   * The table's highest id is below what was seen, with the ids otherwise stable: its newest
   * rows were deleted, and a table without AUTOINCREMENT may give their ids again. Rows above it
   * are forgotten, so that new rows with those ids are read. Returns whether anything changed.
   */
  boolean rewindTo(OptionalLong tableHighest) {
    if (!readAny || (tableHighest.isPresent() && tableHighest.getAsLong() >= highestRowId)) {
      return false;
    }
    if (tableHighest.isEmpty()) {
      forgetIds();
      return true;
    }
    long highest = tableHighest.getAsLong();
    highestRowId = highest;
    open.removeIf((id, start) -> id > highest);
    anchors.dropAbove(highest);
    return true;
  }

  /**
   * The table holds none of the rows read (emptied, or dropped and created again): every row in
   * it now is new. What was counted stays counted.
   */
  void forgetIds() {
    readAny = false;
    open.clear();
    anchors.clear();
  }

  private static boolean isRecent(long startBits, double nowEpochSeconds, double staleAfterSeconds) {
    double start = Double.longBitsToDouble(startBits);
    return !Double.isNaN(start) && nowEpochSeconds - start <= staleAfterSeconds;
  }

  void writeTo(DataOutput out) throws IOException {
    out.writeBoolean(readAny);
    out.writeLong(highestRowId);
    out.writeLong(untracked);
    open.writeTo(out);
    anchors.writeTo(out);
  }

  /** Reads what {@link #writeTo} wrote into this follower, which must not have read anything yet. */
  void readFrom(DataInput in) throws IOException {
    if (readAny) {
      throw new IllegalStateException("only a new follower is read into");
    }
    readAny = in.readBoolean();
    highestRowId = in.readLong();
    untracked = StateChecks.notNegative(in.readLong());
    open.readFrom(in);
    anchors.readFrom(in);
  }
}
