package dev.agentworkflow.exporter.poll;

import dev.agentworkflow.exporter.custom.CustomMetrics;
import dev.agentworkflow.exporter.db.DatabaseFile;
import dev.agentworkflow.exporter.db.DatabaseTable;
import dev.agentworkflow.exporter.db.ReadFailure;
import dev.agentworkflow.exporter.db.TableReader;
import dev.agentworkflow.exporter.db.WorkflowDatabase;
import dev.agentworkflow.exporter.model.CustomResult;
import dev.agentworkflow.exporter.model.DatabaseStatus;
import dev.agentworkflow.exporter.model.InvocationRow;
import dev.agentworkflow.exporter.model.PollHistory;
import dev.agentworkflow.exporter.model.PollResult;
import dev.agentworkflow.exporter.model.Reads;
import dev.agentworkflow.exporter.model.SessionRow;
import dev.agentworkflow.exporter.model.StateStatus;
import dev.agentworkflow.exporter.model.ToolUseRow;
import dev.agentworkflow.exporter.model.Untracked;
import dev.agentworkflow.exporter.model.WorkflowSnapshot;
import dev.agentworkflow.exporter.state.SavedState;
import dev.agentworkflow.exporter.state.StateKeeper;
import dev.agentworkflow.exporter.track.Anchors;
import dev.agentworkflow.exporter.track.FollowedTable;
import dev.agentworkflow.exporter.track.IdentityScan;
import dev.agentworkflow.exporter.track.InvocationTracker;
import dev.agentworkflow.exporter.track.Reidentified;
import dev.agentworkflow.exporter.track.SessionTracker;
import dev.agentworkflow.exporter.track.ToolUseTracker;
import dev.agentworkflow.exporter.track.WorkflowTracker;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * One poll: check the file, read what changed since the last poll, and return what to publish.
 *
 * <p>A poll reads rows above the highest row id seen, plus the rows seen unfinished; when
 * {@code PRAGMA data_version} says nobody wrote since the last poll it reads no rows at all. A
 * failing poll keeps the last good figures and is logged once when it starts (per kind of
 * failure) and once when it ends.
 *
 * <p>A replaced file is counted from scratch. While the connection is open it pins the file's
 * inode, so a new file at the path has a new inode. Once the connection was closed (the file
 * vanished, or a poll failed other than on a lock) a new file may get the old inode number and
 * the old file may come back with another: what was read is then checked against the file (the
 * newest invocation read, by id and identity), as it is after a schema change or when the ids go
 * backwards; only a file that no longer holds what was counted is counted from scratch. Not
 * thread-safe: the scheduler calls it from one thread.
 */
public final class Poller implements Pollable<PollResult> {
  private static final Logger log = LoggerFactory.getLogger(Poller.class);

  private final WorkflowDatabase database;
  private final DatabaseTable<InvocationRow> invocationReader;
  private final DatabaseTable<ToolUseRow> toolUseReader;
  private final DatabaseTable<SessionRow> sessionReader;
  private final Supplier<WorkflowTracker> newTracker;
  private final StateKeeper state;
  private final Clock clock;
  /**
   * Takes in the rows of large reads while the next chunk is read ({@link ChunkIntake}), or null:
   * each chunk is taken in on the polling thread. Its thread ends after a minute without work:
   * large reads are first loads and catch-ups.
   */
  private final ExecutorService intakeThread;
  private final LoadTurns turns;
  /**
   * Reads ranges of ids of a read of at least {@link #SPLIT_FROM_IDS} ids, on a second connection,
   * while the polling thread reads others ({@link TableReader#readRowsAfterSplit}); or null: one
   * connection reads it all.
   */
  private final ExecutorService secondReader;
  /** The user-defined metrics of this database. */
  private final CustomPolling custom;

  static ExecutorService idleEndingThread(String name) {
    ThreadPoolExecutor executor = new ThreadPoolExecutor(1, 1, 1, TimeUnit.MINUTES, new LinkedBlockingQueue<>(),
        runnable -> {
          Thread thread = new Thread(runnable, name);
          thread.setDaemon(true);
          return thread;
        });
    executor.allowCoreThreadTimeOut(true);
    return executor;
  }

  /** Where the rows of a large read are read and taken in. */
  public enum Intake {
    /**
     * Read on two connections at once and taken in on a third thread, all of the poller's own:
     * for one database, or few next to the cores.
     */
    ALONGSIDE,
    /** Read and taken in on the polling thread: for many databases, whose polling threads already keep the cores busy. */
    HERE
  }

  /**
   * A read of at least this many ids is split between two connections: a first load, a catch-up,
   * and the polls of a busy pipeline (3,000 tool uses a poll). Below it, handing half the ranges to
   * another thread would cost about what it saves.
   */
  static final long SPLIT_FROM_IDS = 1_000;

  /**
   * How often the open invocations that are past --stale-after are read again. They were
   * abandoned hours ago and seldom finish; reading them on every poll would make a database with
   * many of them cost on every poll. One that does finish is counted at most this much later.
   */
  static final Duration STALE_REREAD = Duration.ofMinutes(1);

  private static final DatabaseStatus NO_POLL_YET =
      new DatabaseStatus(false, OptionalLong.empty(), Optional.of("no poll yet"));

  private WorkflowTracker tracker;
  private Instant lastStaleRead;
  private WorkflowSnapshot lastGood;
  private Object fileIdentity;
  /** The connection was closed since the last read: the file at the path may be another one. */
  private boolean lostTrack;
  private Long schemaVersion;
  private final Map<String, Long> rescans = new LinkedHashMap<>();
  /** The tables whose capacity was reached, said once per tracker. */
  private final java.util.Set<String> warnedUntracked = new java.util.HashSet<>();
  private long pollErrors;
  /** When a poll last read the database; null before the first. */
  private Instant lastSuccess;
  private final Map<String, Long> rowsRead = new LinkedHashMap<>();
  private String currentProblem;
  /** A state read back at start, until the first read checks that it describes this very file. */
  private SavedState unchecked;
  /** The tracker was read back from the state file and found to describe the file: the first read reads what changed. */
  private boolean resumed;
  /** Something was read or counted since the state was last offered for writing. */
  private boolean changedSinceOffer;
  /** What kind of problem was logged last (an SQLite result code, a message): logged again only when it changes. */
  private String problemKind;
  /** The last poll found the file changed and read its tables. */
  private boolean fileChangedThisPoll;

  public Poller(WorkflowDatabase database, Supplier<WorkflowTracker> newTracker, StateKeeper state, Intake intake,
      Clock clock) {
    this(database, newTracker, state, intake, LoadTurns.NONE, clock, () -> CustomMetrics.NONE, Duration.ofSeconds(15),
        0);
  }

  /**
   * @param turns turns at large reads that this poller shares with the other databases' ({@link LoadTurns#NONE}: none)
   * @param customMetrics the user-defined metrics in force ({@code --metrics-config}), asked at each poll
   * @param pollInterval how often a query metric without an interval of its own runs
   * @param maxLabelValues the label limit a query metric's labels follow
   */
  public Poller(
      WorkflowDatabase database,
      Supplier<WorkflowTracker> newTracker,
      StateKeeper state,
      Intake intake,
      LoadTurns turns,
      Clock clock,
      Supplier<CustomMetrics> customMetrics,
      Duration pollInterval,
      int maxLabelValues) {
    this.database = database;
    this.custom = new CustomPolling(customMetrics, database.path(), pollInterval, maxLabelValues, clock);
    this.turns = turns;
    this.intakeThread = intake == Intake.ALONGSIDE ? idleEndingThread("agent-workflow-intake") : null;
    this.secondReader = intake == Intake.ALONGSIDE ? idleEndingThread("agent-workflow-second-reader") : null;
    this.invocationReader = database.invocations();
    this.toolUseReader = database.toolUses();
    this.sessionReader = database.sessions();
    this.newTracker = newTracker;
    this.state = state;
    this.clock = clock;
    for (DatabaseTable<?> reader : List.of(invocationReader, toolUseReader, sessionReader)) {
      rowsRead.put(reader.name(), 0L);
      rescans.put(reader.name(), 0L);
    }
    Optional<SavedState> saved = state.restore(newTracker);
    if (saved.isPresent()) {
      unchecked = saved.get();
      tracker = unchecked.tracker();
      pollErrors = unchecked.pollErrors();
      unchecked.rowsRead().forEach((table, rows) -> rowsRead.merge(table, rows, Long::sum));
      unchecked.rescans().forEach((table, n) -> rescans.merge(table, n, Long::sum));
    } else {
      tracker = newTracker.get();
    }
    this.lastGood = tracker.snapshot(clock.instant());
  }

  /**
   * What the exporter serves before its first poll: nothing read yet. A state read back is not
   * served before the first read has checked that it describes the file: figures that might
   * vanish a moment later would be worse than none.
   */
  public PollResult initialResult() {
    if (unchecked != null) {
      return new PollResult(newTracker.get().snapshot(clock.instant()), NO_POLL_YET,
          new PollHistory(0, 0, Optional.empty()), new Reads(Map.of(), 0, Map.of()), StateStatus.OFF,
          CustomResult.NONE);
    }
    return new PollResult(lastGood, NO_POLL_YET, new PollHistory(0, pollErrors, Optional.empty()),
        new Reads(rowsRead, 0, rescans), state.status(), custom.result(tracker.rowMetrics()));
  }

  /**
   * Writes the state if a poll changed something and the last write is old enough
   * ({@link StateKeeper}); the scheduler calls it after publishing a poll, so that the write
   * delays neither the poll's figures nor a scrape. Returns the state's status after it.
   */
  public StateStatus keepState() {
    offerState(false);
    return state.status();
  }

  @Override
  public void afterPublish() {
    keepState();
  }

  @Override
  public PollResult poll() {
    long started = System.nanoTime();
    boolean up = false;
    OptionalLong sizeBytes = OptionalLong.empty();
    try {
      DatabaseFile file = database.inspect();
      switch (file.kind()) {
        case MISSING -> {
          closeConnection();
          currentProblem = "the database file " + database.path() + " does not exist";
          if (!"missing".equals(problemKind)) {
            log.info("{}; waiting for it to appear", currentProblem);
            problemKind = "missing";
          }
        }
        case NOT_A_FILE -> throw new IOException(database.path() + " is not a regular file");
        case REGULAR_FILE -> {
          sizeBytes = OptionalLong.of(file.sizeBytes());
          readChanges(file);
          changedSinceOffer |= custom.readRowMetrics(database, tracker.rowMetrics(), fileChangedThisPoll) > 0;
          custom.startQueries();
          Instant now = clock.instant();
          lastGood = tracker.snapshot(now);
          lastSuccess = now;
          up = true;
          warnOnceIfUntracked(lastGood.bounds().untracked());
          if (problemKind != null) {
            log.info("database {} is readable again", database.path());
          }
          problemKind = null;
          currentProblem = null;
        }
      }
    } catch (ReadFailure | IOException | RuntimeException e) {
      if (!(e instanceof ReadFailure failure && failure.busy())) {
        closeConnection();
      }
      if (!Thread.currentThread().isInterrupted()) {
        pollErrors++;
        changedSinceOffer = true;
        problem(describe(e), kind(e), e instanceof RuntimeException ? Level.ERROR : Level.WARN,
            e instanceof RuntimeException ? e : null);
      }
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    double longestRead = Math.max(invocationReader.longestLockNanos(),
        Math.max(toolUseReader.longestLockNanos(), sessionReader.longestLockNanos())) / 1e9;
    return new PollResult(lastGood,
        new DatabaseStatus(up, sizeBytes, up ? Optional.empty() : Optional.ofNullable(currentProblem)),
        new PollHistory(seconds, pollErrors, Optional.ofNullable(lastSuccess)),
        new Reads(rowsRead, longestRead, rescans), state.status(), custom.result(tracker.rowMetrics()));
  }

  private void readChanges(DatabaseFile file) throws ReadFailure, IOException {
    // While the connection is open it pins the file's inode: another inode is another file. Once
    // it was closed, a new file may have the old inode number and the old file may come back with
    // a new one: what was read is then checked against the file, below.
    fileChangedThisPoll = false;
    boolean verify = lostTrack;
    if (fileIdentity != null && !lostTrack && !fileIdentity.equals(file.identity())) {
      closeConnection(); // an open connection would still read the old file
      startOver("is a new file");
      verify = false;
    }
    fileIdentity = file.identity();
    WorkflowDatabase.Look look = database.look();
    if (!look.changed()) {
      return; // nobody committed since the last poll
    }
    fileChangedThisPoll = true;
    long schema = look.schemaVersion();
    if (!look.sameConnection() || schemaVersion == null || schema != schemaVersion || unchecked != null) {
      // the tables' columns change only with the schema (tables gain columns as hooks are
      // upgraded): read on every poll that read rows, they cost a busy pipeline's poll 0.35 ms
      database.refreshSchema();
    }
    // tool uses read back from the state file are checked as after a schema change: the
    // invocations decide whether the state describes the file, the tool table may differ anyway
    boolean checkToolUses = unchecked != null;
    if (unchecked != null) {
      verify = false;
      checkRestored(unchecked, file);
      unchecked = null;
    }
    boolean schemaChanged = schemaVersion != null && schema != schemaVersion;

    // once a poll per table: the ids' check and the split of a large read both ask for it
    OptionalLong invocationsHighest = invocationReader.highestRowId();
    OptionalLong toolUsesHighest = toolUseReader.highestRowId();
    checkInvocationIds(invocationsHighest, verify || schemaChanged);
    checkToolUseIds(toolUsesHighest, verify || schemaChanged || checkToolUses);
    InvocationTracker invocations = tracker.invocations();
    boolean firstLoad = invocations.isEmpty() && tracker.toolUses().isEmpty();
    long rowsBefore = rowsRead.values().stream().mapToLong(Long::longValue).sum();
    long started = System.nanoTime();
    Instant now = clock.instant();
    boolean readStale = lastStaleRead == null || !now.isBefore(lastStaleRead.plus(STALE_REREAD));
    if (readStale) {
      lastStaleRead = now;
    }
    readFollowed(invocationReader, invocations, invocationsHighest, readStale, now);
    readFollowed(toolUseReader, tracker.toolUses(), toolUsesHighest, readStale, now);

    SessionTracker sessions = tracker.sessions();
    OptionalLong sessionsHighest = sessionReader.highestRowId();
    OptionalLong seen = sessions.highestRowId();
    boolean wentBackwards = seen.isPresent()
        && (sessionsHighest.isEmpty() || sessionsHighest.getAsLong() < seen.getAsLong());
    if (sessions.isRescanning() || wentBackwards || ((verify || schemaChanged) && !sessions.isEmpty())) {
      // Rows of a table whose key is not an integer may be renumbered (VACUUM, a rebuild): know
      // them again by session id and start, so that total and active follow the table and no run
      // is observed twice.
      sessions.beginRescan();
      add(sessionReader.name(), sessionReader.readRowsAfterEach(OptionalLong.empty(), sessions::accept));
      sessions.endRescan();
      rescans.merge(sessionReader.name(), 1L, Long::sum);
    }
    long[] watched = sessions.watchedRowIds();
    add(sessionReader.name(), sessionReader.readRowsAfterEach(sessions.highestRowId(), sessions::accept));
    add(sessionReader.name(), sessionReader.readRows(watched, sessions::accept, gone -> { }));
    sessions.endReread();
    database.readThrough(look);
    schemaVersion = schema;
    lostTrack = false;
    long readNow = rowsRead.values().stream().mapToLong(Long::longValue).sum() - rowsBefore;
    changedSinceOffer |= readNow > 0;
    if ((firstLoad && !tracker.isEmpty()) || resumed) {
      log.info("read {}: {} rows{} in {} ms", database.path(), readNow, resumed ? " written since the state file" : "",
          (System.nanoTime() - started) / 1_000_000);
      resumed = false;
    }
  }

  /**
   * A tracker read back from the state file goes on only if it describes this very file: the same
   * device and inode, invocation ids no lower than it counted, and the newest invocation it
   * counted still at its id as it was, or else (rows deleted meanwhile) older ones it counted still
   * in the table. A file renamed over the old one, copied over it in place, emptied, or restored
   * from an older copy while the exporter was down is counted from scratch, with one line that
   * says why. A schema changed meanwhile is then handled as it is while running.
   */
  private void checkRestored(SavedState saved, DatabaseFile file) throws ReadFailure {
    String why = null;
    InvocationTracker invocations = tracker.invocations();
    if (!saved.fileKey().equals(String.valueOf(file.identity()))) {
      why = "is another file than the one the state file was written for (another device or inode: renamed over, "
          + "or deleted and created again)";
    } else if (!invocations.isEmpty()) {
      OptionalLong tableHighest = invocationReader.highestRowId();
      long seen = invocations.highestRowId().getAsLong();
      if (tableHighest.isEmpty() || tableHighest.getAsLong() < seen) {
        why = "gives lower invocation ids than the state file counted (emptied, or restored from an older copy)";
      } else {
        // checked as after a schema change while running; the newest rows deleted meanwhile, or
        // the table renumbered, the file goes on
        Optional<Reidentified> found = checkIds(invocationReader, invocations, tableHighest, true);
        if (found.isPresent() && found.get() == Reidentified.NOT_FOUND) {
          why = "no longer holds the invocations the state file counted (copied over in place, or rewritten)";
        } else {
          found.ifPresent(this::invocationIdsKnownAgain);
        }
      }
    }
    if (why != null) {
      state.discard();
      startOver(why + ", so the state file does not describe it");
      schemaVersion = null;
      return;
    }
    fileIdentity = file.identity();
    schemaVersion = saved.schemaVersion().isPresent() ? saved.schemaVersion().getAsLong() : null;
    resumed = true;
    log.info("resuming from the state file written {}: {} counted invocations", saved.writtenAt(),
        tracker.snapshot(clock.instant()).agents().invocations().values().stream().mapToLong(Long::longValue).sum());
  }

  /** The newest row counted from {@code table} is still at its id, as it was (or nothing was counted). */
  private <R> boolean newestAnchorInPlace(DatabaseTable<R> reader, FollowedTable<R> table)
      throws ReadFailure {
    List<Anchors.Anchor> anchors = table.anchors();
    if (anchors.isEmpty()) {
      return true; // nothing counted: nothing to check the file against
    }
    Anchors.Anchor newest = anchors.get(0);
    long[] identityThere = {0};
    boolean[] there = {false};
    reader.readRows(new long[] {newest.rowId()}, row -> {
      identityThere[0] = table.identityOf(row);
      there[0] = true;
    }, gone -> { });
    return there[0] && identityThere[0] == newest.identity();
  }

  /** One pass over the whole table, to find where the rows counted from it went ({@link FollowedTable#reidentify}). */
  private <R> Reidentified scanForCountedRows(DatabaseTable<R> reader, FollowedTable<R> table,
      OptionalLong tableHighest) throws ReadFailure {
    IdentityScan<R> scan = table.identityScan();
    add(reader.name(), reader.readRowsAfterEach(OptionalLong.empty(), scan));
    rescans.merge(reader.name(), 1L, Long::sum);
    return table.reidentify(scan, tableHighest);
  }

  /**
   * Reads what changed of a followed table: the rows above the highest id seen (taken in on the
   * intake thread while the next chunk is read), then the open rows again: all of them when
   * {@code readStale}, else those still within --stale-after.
   */
  private <R> void readFollowed(DatabaseTable<R> reader, FollowedTable<R> table,
      OptionalLong tableHighest, boolean readStale, Instant now) throws ReadFailure {
    long[] open = readStale ? table.openRowIds() : tracker.recentOpenRowIds(table, now);
    ChunkIntake<R> intake = intakeThread == null ? ChunkIntake.here(table::accept)
        : new ChunkIntake<>(intakeThread, table::accept);
    OptionalLong after = table.highestRowId();
    LoadTurns.Turn turn = null;
    try {
      // a large read is split between two connections, or takes a turn (LoadTurns): never both
      OptionalLong largeReadEnd = secondReader == null && turns == LoadTurns.NONE ? OptionalLong.empty()
          : splitReadEnd(reader, after, tableHighest);
      if (turns != LoadTurns.NONE && largeReadEnd.isPresent()) {
        turn = turns.take(); // one database per core at a time
      }
      readAfter(reader, intake, after, secondReader == null ? OptionalLong.empty() : largeReadEnd, turn);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // stopping: the next poll, if any, reads from where this one left off
    } finally {
      if (turn != null) {
        turn.close();
      }
    }
    add(reader.name(), reader.readRows(open, table::accept, table::forget));
  }

  /**
   * The rows above {@code after}, handed on in chunks: through {@code splitThrough} on two
   * connections when it is present; past a slice of a turn, the turn is passed on between two.
   */
  private <R> void readAfter(DatabaseTable<R> reader, ChunkIntake<R> intake, OptionalLong after,
      OptionalLong splitThrough, LoadTurns.Turn turn) throws ReadFailure {
    // a turn is passed on holding no chunk: fifty databases waiting for one kept a chunk each
    Runnable betweenChunks = turn == null ? () -> {} : () -> {
      try {
        turn.passIfDue();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt(); // the reader stops before its next chunk
      }
    };
    try {
      if (splitThrough.isPresent()) {
        Optional<TableReader.SplitRead> split = reader.readRowsAfterSplit(this::pathStillShowsTheFile, secondReader,
            after, splitThrough.getAsLong(), intake);
        if (split.isPresent()) {
          add(reader.name(), split.get().rows());
          if (split.get().lastId().isPresent()) {
            after = split.get().lastId(); // what was written meanwhile is read below
          }
        }
      }
      add(reader.name(), reader.readRowsAfter(after, intake, betweenChunks));
    } finally {
      intake.finish(); // also when the read failed half way: the rows read before it are counted
    }
  }

  /**
   * {@code highest}, the table's highest id, when a read from after {@code after} to it is worth
   * splitting; else empty.
   */
  private static <R> OptionalLong splitReadEnd(DatabaseTable<R> reader, OptionalLong after,
      OptionalLong highest) throws ReadFailure {
    if (highest.isEmpty()) {
      return OptionalLong.empty();
    }
    OptionalLong lowest = after.isPresent() ? after : reader.lowestRowId();
    boolean worthIt = lowest.isPresent() && highest.getAsLong() - lowest.getAsLong() >= SPLIT_FROM_IDS;
    return worthIt ? highest : OptionalLong.empty();
  }

  /**
   * The path still names the file this poll reads: asked right after the second connection is
   * opened. The first connection pins the file's inode, so no other file can have it: a second
   * connection opened while the path shows it opened that very file. When not, the read goes on
   * with one connection and the next poll finds out what became of the file.
   */
  private boolean pathStillShowsTheFile() {
    try {
      return fileIdentity != null && fileIdentity.equals(database.inspect().identity());
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Offers the state for writing: after a poll that changed something (at most every few seconds:
   * {@link StateKeeper}), and at once when the poller closes.
   */
  private void offerState(boolean now) {
    if (fileIdentity == null || unchecked != null) {
      return; // nothing read yet, or a state read back and not yet checked: nothing new to write
    }
    boolean changed = changedSinceOffer;
    changedSinceOffer = false;
    state.offer(() -> new SavedState(String.valueOf(fileIdentity), state.countingSettings(),
        schemaVersion == null ? OptionalLong.empty() : OptionalLong.of(schemaVersion), pollErrors, rowsRead, rescans,
        clock.instant(), tracker), changed, now);
  }

  /**
   * After a schema change or a lost connection, or when the highest id went backwards: do the
   * invocation ids still mean the rows that were counted? The newest row read, still in place,
   * says yes at the cost of one lookup. Otherwise one pass over the table finds where the rows
   * the tracker remembers went ({@link InvocationTracker#reidentify}): deleted newest rows,
   * renumbered ids (counted rows stay counted, nothing is counted twice), or another table
   * altogether (counted from scratch).
   */
  private void checkInvocationIds(OptionalLong tableHighest, boolean suspicious)
      throws ReadFailure {
    Optional<Reidentified> found = checkIds(invocationReader, tracker.invocations(), tableHighest,
        suspicious);
    if (found.isEmpty()) {
      return;
    }
    if (found.get() == Reidentified.NOT_FOUND) {
      startOver("no longer holds the invocations that were counted");
      lastStaleRead = null;
    } else {
      invocationIdsKnownAgain(found.get());
    }
  }

  /** The invocations counted were found again by one pass over the table: says how. */
  private void invocationIdsKnownAgain(Reidentified found) {
    if (found == Reidentified.RENUMBERED) {
      log.info("the invocation ids of {} were renumbered (a rebuilt table): what was counted stays counted, the "
          + "rows there now are taken as read, and the running ones followed again", database.path());
      lastStaleRead = null; // read every row followed again now, stale or not
    } else {
      log.debug("the newest invocations of {} were deleted; the ids are unchanged", database.path());
    }
  }

  /**
   * The same check for the tool uses, on its own, while the invocations are those counted: a tool
   * table emptied or made again (lower ids, none of the rows counted) keeps what was counted and
   * counts its rows as new; one rewritten in place (the same ids, none known) keeps what was counted
   * and takes its rows as read. No counter goes down, no tool use is counted twice.
   */
  private void checkToolUseIds(OptionalLong tableHighest, boolean suspicious)
      throws ReadFailure {
    ToolUseTracker toolUses = tracker.toolUses();
    Optional<Reidentified> found = checkIds(toolUseReader, toolUses, tableHighest, suspicious);
    if (found.isEmpty()) {
      return;
    }
    switch (found.get()) {
      case STABLE -> log.debug("the newest tool uses of {} were deleted; the ids are unchanged", database.path());
      case RENUMBERED -> {
        log.info("the tool use ids of {} were renumbered (a rebuilt table): what was counted stays counted, the rows "
            + "there now are taken as read, and the running ones followed again", database.path());
        lastStaleRead = null;
      }
      case NOT_FOUND -> {
        log.info("{} no longer holds the tool uses that were counted, and gives lower ids (the table was emptied or "
            + "made again): they stay counted, and its rows are counted as new", database.path());
        toolUses.forgetIds();
        lastStaleRead = null;
      }
      case REWRITTEN -> {
        log.info("{}: the tool uses counted are no longer known by their columns at the same ids (the table was "
            + "rewritten in place): they stay counted, and the rows there now are taken as read", database.path());
        lastStaleRead = null;
      }
    }
  }

  /**
   * After a schema change, a lost connection or a restart, or when the highest id went backwards:
   * do the ids of {@code table} still mean the rows that were counted? The newest row counted,
   * still in place, says yes at the cost of one lookup (empty). Otherwise one pass over the table
   * finds where the rows the tracker remembers went ({@link FollowedTable#reidentify}): deleted
   * newest rows, renumbered ids (counted rows stay counted, nothing is counted twice), or another
   * table altogether.
   */
  private <R> Optional<Reidentified> checkIds(DatabaseTable<R> reader, FollowedTable<R> table,
      OptionalLong tableHighest, boolean suspicious) throws ReadFailure {
    if (table.isEmpty() || !reader.exists()) {
      // a table missing right now (renamed during a migration, say) is not one that holds other
      // rows: what was read of it stays as it is until it is back, and is checked then
      return Optional.empty();
    }
    long seen = table.highestRowId().getAsLong();
    boolean wentBackwards = tableHighest.isEmpty() || tableHighest.getAsLong() < seen;
    if (!suspicious && !wentBackwards) {
      return Optional.empty();
    }
    if (table.anchors().isEmpty()) {
      // every row the anchors named was deleted: nothing left to check the ids against
      table.rewindTo(tableHighest);
      return Optional.empty();
    }
    if (newestAnchorInPlace(reader, table)) {
      table.rewindTo(tableHighest); // rows after the newest counted one may have gone (a subagent_stop row, say)
      return Optional.empty();
    }
    return Optional.of(scanForCountedRows(reader, table, tableHighest));
  }

  /** Drops what was counted of the file; says so only when something was counted. */
  private void startOver(String why) {
    if (!tracker.isEmpty()) {
      log.info("{} {}; counting it from scratch", database.path(), why);
    }
    tracker = newTracker.get();
    lastStaleRead = null;
    warnedUntracked.clear();
  }

  private void closeConnection() {
    if (fileIdentity != null) {
      lostTrack = true; // until what was read is checked against the file found next
    }
    database.close();
  }

  private void add(String table, long rows) {
    rowsRead.merge(table, rows, Long::sum);
  }

  /**
   * Logs a problem once, however many polls in a row it lasts and whatever details its message
   * varies in; a problem of another kind is logged when it starts. A bug is logged with its trace.
   */
  private void problem(String description, String kind, Level level, Exception bug) {
    currentProblem = description;
    if (!kind.equals(problemKind)) {
      problemKind = kind;
      log.atLevel(level).setCause(bug).log(description);
    }
  }

  /** The kind of a failure: SQLite's primary result code, the message of a file problem, a bug's class. */
  private static String kind(Exception e) {
    if (e instanceof ReadFailure failure) {
      return failure.kind();
    }
    return e instanceof IOException ? "file " + e.getMessage() : "bug " + e.getClass().getName();
  }

  /** Says once per table, when its capacity is first reached, that rows go unfollowed. */
  private void warnOnceIfUntracked(Untracked untracked) {
    if (untracked.invocations() > 0 && warnedUntracked.add(invocationReader.name())) {
      log.warn("{}: more invocations are running at once than the {} this heap follows; the ones past it are not "
          + "counted when they finish (agent_workflow_exporter_untracked_rows_total); give the JVM a larger -Xmx",
          database.path(), tracker.limits().maxRunningInvocations());
    }
    if (untracked.toolUses() > 0 && warnedUntracked.add(toolUseReader.name())) {
      log.warn("{}: more tool uses are running at once than the {} this heap follows; the ones past it are not "
          + "counted when they finish (agent_workflow_exporter_untracked_rows_total); give the JVM a larger -Xmx",
          database.path(), tracker.limits().maxRunningToolUses());
    }
    if (untracked.sessions() > 0 && warnedUntracked.add(sessionReader.name())) {
      log.warn("{}: more sessions are active (or not yet seen ending) at once than the {} this heap follows; the ones "
          + "past it are neither active nor observed (agent_workflow_exporter_untracked_rows_total); give the JVM a "
          + "larger -Xmx", database.path(), tracker.limits().maxWatchedSessions());
    }
  }

  private String describe(Exception e) {
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    if (e instanceof ReadFailure) {
      return "cannot read " + database.path() + ": " + message;
    }
    return message.contains(database.path().toString()) ? message : database.path() + ": " + message;
  }

  /** Stops, writing the state if it changed since it was last written. Call once polls have stopped. */
  @Override
  public void close() {
    custom.close();
    for (ExecutorService thread : Arrays.asList(secondReader, intakeThread)) {
      if (thread != null) {
        thread.shutdownNow();
        try {
          thread.awaitTermination(5, TimeUnit.SECONDS); // a chunk being read or taken in finishes
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
    offerState(true);
    state.close();
    database.close();
  }
}
