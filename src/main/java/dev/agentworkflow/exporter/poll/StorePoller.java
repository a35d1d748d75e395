package dev.agentworkflow.exporter.poll;

import dev.agentworkflow.exporter.db.StoreFailure;
import dev.agentworkflow.exporter.db.StoreReader;
import dev.agentworkflow.exporter.model.CustomResult;
import dev.agentworkflow.exporter.model.DatabaseStatus;
import dev.agentworkflow.exporter.model.PollHistory;
import dev.agentworkflow.exporter.model.PollResult;
import dev.agentworkflow.exporter.model.ProjectPoll;
import dev.agentworkflow.exporter.model.PublishedPolls;
import dev.agentworkflow.exporter.model.Reads;
import dev.agentworkflow.exporter.model.StateStatus;
import dev.agentworkflow.exporter.model.WorkflowSnapshot;
import dev.agentworkflow.exporter.track.WorkflowTracker;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One poll of the team's PostgreSQL store: every row that changed since the last poll, in one
 * read-only transaction ({@link StoreReader}), taken in by the tracker of its project. Each
 * project counts as an exporter of its own SQLite files would: the same trackers, rules and
 * cuts, the rows of all its hosts together, and its series carry {@code project}.
 *
 * <p>The trackers know rows by an id of their own, given in the order rows first arrive ({@link
 * ArrivalIds}): a row's id in its file says nothing of when the store made it visible, and ids
 * from several files meet here. Nothing is kept across restarts: a new exporter reads the store
 * whole at its first poll, which gives the same counts, since the store keeps every row. Not
 * thread-safe: the scheduler calls it from one thread.
 */
public final class StorePoller implements Pollable<PublishedPolls> {
  private static final Logger log = LoggerFactory.getLogger(StorePoller.class);
  /** New rows taken in between two prunings of the ids of rows no longer followed: bounds their memory during a first load. */
  private static final int PRUNE_EVERY = 10_000;

  private final StoreReader store;
  private final Supplier<WorkflowTracker> newTracker;
  private final Clock clock;
  private final Map<String, ProjectRows> projects = new TreeMap<>();
  private final Map<Long, String> projectOfSource = new HashMap<>();
  private Optional<String> since = Optional.empty();
  private long pollErrors;
  private Optional<Instant> lastSuccess = Optional.empty();
  private String problemKind;

  public StorePoller(StoreReader store, Supplier<WorkflowTracker> newTracker, Clock clock) {
    this.store = store;
    this.newTracker = newTracker;
    this.clock = clock;
  }

  /** One project's trackers and the ids its rows go by. */
  private final class ProjectRows {
    final WorkflowTracker tracker = newTracker.get();
    final ArrivalIds invocations = new ArrivalIds();
    final ArrivalIds toolUses = new ArrivalIds();
    final ArrivalIds sessions = new ArrivalIds();
    final Map<String, Long> rowsRead = new LinkedHashMap<>(Map.of("agent_invocations", 0L, "agent_tool_uses", 0L,
        "sessions", 0L));
    WorkflowSnapshot lastGood;
  }

  /** What is served before the first poll: no project yet, the store not read. */
  public PublishedPolls initialResult() {
    return new PublishedPolls(List.of(), true, 0, Optional.of(false));
  }

  @Override
  public PublishedPolls poll() {
    long started = System.nanoTime();
    String problem = null;
    boolean done = false;
    try (StoreReader.Read read = store.read()) {
      for (StoreReader.Source source : read.sources()) {
        projectOfSource.putIfAbsent(source.id(), source.project());
      }
      long[] taken = {0};
      read.sessions(since, ids(rows -> rows.sessions, "sessions"),
          into((rows, row) -> rows.tracker.sessions().accept(row), taken));
      read.invocations(since, ids(rows -> rows.invocations, "agent_invocations"),
          into((rows, row) -> rows.tracker.invocations().accept(row), taken));
      read.toolUses(since, ids(rows -> rows.toolUses, "agent_tool_uses"),
          into((rows, row) -> rows.tracker.toolUses().accept(row), taken));
      since = Optional.of(read.snapshot());
      prune();
      Instant now = clock.instant();
      projects.values().forEach(rows -> rows.lastGood = rows.tracker.snapshot(now));
      lastSuccess = Optional.of(now);
      done = true;
      if (problemKind != null) {
        log.info("the store {} is readable again", store.shown());
        problemKind = null;
      }
    } catch (StoreFailure | RuntimeException e) {
      pollErrors++;
      problem = "cannot read " + store.shown() + ": " + e.getMessage();
      String kind = e instanceof StoreFailure failure ? failure.kind() : "bug " + e.getClass().getName();
      if (!kind.equals(problemKind)) {
        if (e instanceof RuntimeException) {
          log.error("{}; the next poll tries again", problem, e);
        } else {
          log.warn("{}; the next poll tries again", problem);
        }
        problemKind = kind;
      }
    } finally {
      if (!done) {
        // a read that stopped half way (a failure, or an Error such as running out of heap, which
        // the scheduler logs) took in part of the changes: read them all again, from scratch
        startOver();
      }
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    List<ProjectPoll> polls = new ArrayList<>();
    for (Map.Entry<String, ProjectRows> entry : projects.entrySet()) {
      ProjectRows rows = entry.getValue();
      if (rows.lastGood == null) {
        continue;
      }
      // a store is not a file (no size), holds no SQLite lock and is never rescanned
      polls.add(new ProjectPoll(entry.getKey(), store.shown(), new PollResult(rows.lastGood,
          new DatabaseStatus(problem == null, OptionalLong.empty(), Optional.ofNullable(problem)),
          new PollHistory(seconds, pollErrors, lastSuccess),
          new Reads(rows.rowsRead, 0, Map.of("agent_invocations", 0L, "agent_tool_uses", 0L, "sessions", 0L)),
          StateStatus.OFF, CustomResult.NONE)));
    }
    return new PublishedPolls(polls, true, 0, Optional.of(problem == null));
  }

  private ProjectRows project(long source) {
    String project = projectOfSource.get(source);
    if (project == null) {
      // shipped after this read's list of sources was read: its rows are not visible to this read
      throw new IllegalStateException("a row of source " + source + ", which the store did not list");
    }
    return projects.computeIfAbsent(project, name -> new ProjectRows());
  }

  /** The ids a table's changed rows go by, each row counted as read by its project. */
  private StoreReader.RowIds ids(Function<ProjectRows, ArrivalIds> ofTable, String table) {
    return (source, fileId, isNew) -> {
      ProjectRows rows = project(source);
      rows.rowsRead.merge(table, 1L, Long::sum);
      return ofTable.apply(rows).rowId(source, fileId, isNew);
    };
  }

  /** Hands a changed row to its project's tracker; every {@value #PRUNE_EVERY} rows, forgets the ids no longer followed. */
  private <R> StoreReader.ChangedRows<R> into(BiConsumer<ProjectRows, R> tracker, long[] taken) {
    return (source, row) -> {
      tracker.accept(project(source), row);
      if (++taken[0] % PRUNE_EVERY == 0) {
        prune();
      }
    };
  }

  /** Keeps the ids of the rows the trackers still follow, and forgets the others. */
  private void prune() {
    for (ProjectRows rows : projects.values()) {
      rows.invocations.keepOnly(rows.tracker.invocations().openRowIds());
      rows.toolUses.keepOnly(rows.tracker.toolUses().openRowIds());
      rows.sessions.keepOnly(rows.tracker.sessions().watchedRowIds());
    }
  }

  /**
   * A failed read leaves the trackers part way through a set of changes: they are made afresh, and
   * the next good poll reads the store whole. Counters carry on from the store's rows, which do not
   * go away; the figures served meanwhile are the last good ones.
   */
  private void startOver() {
    since = Optional.empty();
    for (Map.Entry<String, ProjectRows> entry : projects.entrySet()) {
      ProjectRows fresh = new ProjectRows();
      fresh.lastGood = entry.getValue().lastGood;
      fresh.rowsRead.putAll(entry.getValue().rowsRead);
      entry.setValue(fresh);
    }
  }

  @Override
  public void close() {
    store.close();
  }
}
