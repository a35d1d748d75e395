package dev.agentworkflow.exporter.poll;

import dev.agentworkflow.exporter.db.DatabaseFile;
import dev.agentworkflow.exporter.db.TableReader;
import dev.agentworkflow.exporter.db.WorkflowDatabase;
import dev.agentworkflow.exporter.model.InvocationRow;
import dev.agentworkflow.exporter.model.PollResult;
import dev.agentworkflow.exporter.model.SessionRow;
import dev.agentworkflow.exporter.model.WorkflowSnapshot;
import dev.agentworkflow.exporter.track.InvocationTracker;
import dev.agentworkflow.exporter.track.SessionTracker;
import dev.agentworkflow.exporter.track.WorkflowTracker;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * One poll: check the file, read what changed since the last poll, and return what to publish.
 *
 * <p>A poll reads rows above the highest row id seen, plus the rows seen unfinished; when
 * {@code PRAGMA data_version} says nobody wrote since the last poll it reads no rows at all. A
 * failing poll keeps the last good figures and is logged once per distinct cause.
 *
 * <p>A replaced file is counted from scratch. While the connection is open it pins the file's
 * inode, so a new file at the path has a new inode. Once the connection was closed (the file
 * vanished, or a poll failed other than on a lock) a new file may get the old inode number, so
 * the next read counts from scratch. Within one file, the highest invocation id going backwards
 * means it was emptied and written again. Not thread-safe: the scheduler calls it from one thread.
 */
public final class Poller implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Poller.class);

  private final WorkflowDatabase database;
  private final TableReader<InvocationRow> invocationReader;
  private final TableReader<SessionRow> sessionReader;
  private final Supplier<WorkflowTracker> newTracker;
  private final Clock clock;

  /**
   * How often the open invocations that are past --stale-after are read again. They were
   * abandoned hours ago and seldom finish; reading them on every poll would make a database with
   * many of them cost on every poll. One that does finish is counted at most this much later.
   */
  static final Duration STALE_REREAD = Duration.ofMinutes(1);

  private WorkflowTracker tracker;
  private Instant lastStaleRead;
  private WorkflowSnapshot lastGood;
  private Object fileIdentity;
  /** The connection was closed since the last read: the file at the path may be another one. */
  private boolean lostTrack;
  /** Size and time of last write when the last poll read the file. */
  private DatabaseFile lastRead;
  private Long dataVersion;
  private long pollErrors;
  private double lastSuccessEpochSeconds = Double.NaN;
  private final Map<String, Long> rowsRead = new LinkedHashMap<>();
  private String currentProblem;

  public Poller(
      WorkflowDatabase database,
      TableReader<InvocationRow> invocationReader,
      TableReader<SessionRow> sessionReader,
      Supplier<WorkflowTracker> newTracker,
      Clock clock) {
    this.database = database;
    this.invocationReader = invocationReader;
    this.sessionReader = sessionReader;
    this.newTracker = newTracker;
    this.clock = clock;
    this.tracker = newTracker.get();
    this.lastGood = tracker.snapshot(clock.instant());
    rowsRead.put(invocationReader.table(), 0L);
    rowsRead.put(sessionReader.table(), 0L);
  }

  /** What the exporter serves before its first poll: nothing read yet. */
  public PollResult initialResult() {
    return new PollResult(lastGood, false, Double.NaN, 0, 0, Double.NaN, rowsRead, 0, "no poll yet");
  }

  public PollResult poll() {
    long started = System.nanoTime();
    boolean up = false;
    double sizeBytes = Double.NaN;
    try {
      DatabaseFile file = DatabaseFile.inspect(database.path());
      switch (file.kind()) {
        case MISSING -> {
          closeConnection();
          String missing = "the database file " + database.path() + " does not exist";
          if (!missing.equals(currentProblem)) {
            log.info("{}; waiting for it to appear", missing);
            currentProblem = missing;
          }
        }
        case NOT_A_FILE -> throw new IOException(database.path() + " is not a regular file");
        case REGULAR_FILE -> {
          sizeBytes = file.sizeBytes();
          readChanges(file);
          Instant now = clock.instant();
          lastGood = tracker.snapshot(now);
          lastSuccessEpochSeconds = now.toEpochMilli() / 1000.0;
          up = true;
          if (currentProblem != null) {
            log.info("database {} is readable again", database.path());
            currentProblem = null;
          }
        }
      }
    } catch (SQLException | IOException | RuntimeException e) {
      if (!(e instanceof SQLException sql && WorkflowDatabase.isBusy(sql))) {
        closeConnection();
      }
      if (!Thread.currentThread().isInterrupted()) {
        pollErrors++;
        problem(describe(e), e instanceof RuntimeException ? Level.ERROR : Level.WARN,
            e instanceof RuntimeException ? e : null);
      }
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    double longestRead = Math.max(invocationReader.longestLockNanos(), sessionReader.longestLockNanos()) / 1e9;
    return new PollResult(lastGood, up, sizeBytes, seconds, pollErrors, lastSuccessEpochSeconds, rowsRead, longestRead,
        up ? null : currentProblem);
  }

  private void readChanges(DatabaseFile file) throws SQLException, IOException {
    if (fileIdentity != null && (lostTrack || !fileIdentity.equals(file.identity()))) {
      log.info("{} may be a new file; counting it from scratch", database.path());
      closeConnection(); // an open connection would still read the old file
      tracker = newTracker.get();
      lastStaleRead = null;
    }
    fileIdentity = file.identity();
    lostTrack = false;
    Connection connection = database.connection();
    long version = database.dataVersion();
    // stat after data_version: a commit in between shows as a change, never as none
    DatabaseFile current = DatabaseFile.inspect(database.path());
    if (dataVersion != null && version == dataVersion) {
      if (current.unchangedSince(lastRead)) {
        lastRead = current;
        return; // nobody committed since the last poll
      }
      // Written, yet not by a commit this connection saw: changed outside SQLite (damaged,
      // emptied in place) or checkpointed. A fresh connection drops a page cache that may no
      // longer match the file; what follows then finds out which it was.
      log.debug("{} changed outside SQLite's commits; reopening it", database.path());
      database.close();
      connection = database.connection();
      version = database.dataVersion();
    }
    lastRead = current;
    invocationReader.refreshSchema(connection);
    sessionReader.refreshSchema(connection);

    InvocationTracker invocations = tracker.invocations();
    if (invocationReader.highestRowId(connection) < invocations.highestRowId()) {
      log.info("the highest invocation id of {} went backwards; counting it from scratch", database.path());
      tracker = newTracker.get();
      lastStaleRead = null;
      invocations = tracker.invocations();
    }
    boolean firstLoad = invocations.highestRowId() == 0;
    long rowsBefore = rowsRead.values().stream().mapToLong(Long::longValue).sum();
    long started = System.nanoTime();
    Instant now = clock.instant();
    boolean readStale = lastStaleRead == null || !now.isBefore(lastStaleRead.plus(STALE_REREAD));
    long[] open = readStale ? invocations.openRowIds() : tracker.recentOpenRowIds(now);
    if (readStale) {
      lastStaleRead = now;
    }
    add(invocationReader.table(), invocationReader.readRowsAfter(connection, invocations.highestRowId(), invocations::accept));
    add(invocationReader.table(), invocationReader.readRows(connection, open, invocations::accept, invocations::forget));

    SessionTracker sessions = tracker.sessions();
    sessions.rewindTo(sessionReader.highestRowId(connection));
    long[] watched = sessions.watchedRowIds();
    add(sessionReader.table(), sessionReader.readRowsAfter(connection, sessions.highestRowId(), sessions::accept));
    add(sessionReader.table(), sessionReader.readRows(connection, watched, sessions::accept, sessions::forget));
    dataVersion = version;
    if (firstLoad && invocations.highestRowId() > 0) {
      log.info("read {}: {} rows in {} ms", database.path(),
          rowsRead.values().stream().mapToLong(Long::longValue).sum() - rowsBefore,
          (System.nanoTime() - started) / 1_000_000);
    }
  }

  private void closeConnection() {
    if (database.isOpen() && fileIdentity != null) {
      lostTrack = true;
    }
    database.close();
    dataVersion = null;
    lastRead = null;
  }

  private void add(String table, long rows) {
    rowsRead.merge(table, rows, Long::sum);
  }

  /** Logs a problem once, however many polls in a row it lasts; a bug is logged with its trace. */
  private void problem(String description, Level level, Exception bug) {
    if (!description.equals(currentProblem)) {
      currentProblem = description;
      log.atLevel(level).setCause(bug).log(description);
    }
  }

  private String describe(Exception e) {
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    if (e instanceof SQLException) {
      return "cannot read " + database.path() + ": " + message.strip().replace('\n', ' ');
    }
    return message.contains(database.path().toString()) ? message : database.path() + ": " + message;
  }

  @Override
  public void close() {
    database.close();
  }
}
