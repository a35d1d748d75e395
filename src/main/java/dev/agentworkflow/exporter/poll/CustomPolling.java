package dev.agentworkflow.exporter.poll;

import dev.agentworkflow.exporter.custom.CustomMetrics;
import dev.agentworkflow.exporter.custom.QueryMetric;
import dev.agentworkflow.exporter.custom.RowMetric;
import dev.agentworkflow.exporter.db.QueryMetricReader;
import dev.agentworkflow.exporter.db.RowMetricReader;
import dev.agentworkflow.exporter.db.WorkflowDatabase;
import dev.agentworkflow.exporter.model.CustomFamily;
import dev.agentworkflow.exporter.model.CustomResult;
import dev.agentworkflow.exporter.model.CustomRuns;
import dev.agentworkflow.exporter.model.QueryRow;
import dev.agentworkflow.exporter.track.QuerySeries;
import dev.agentworkflow.exporter.track.RowMetricTracker;
import dev.agentworkflow.exporter.track.RowMetricTrackers;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.LongStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The user-defined metrics of one database ({@code --metrics-config}), read beside its poll.
 *
 * <p>Row metrics are read by the polling thread on the poll's connection, after the built-in
 * tables, and only when the poll found the file changed (or they were not due then): rows after the
 * highest id read, then the rows read unfinished. Query metrics run on a thread of their own, each
 * on a fresh read-only connection, so that a slow query never delays a poll; a poll publishes the
 * latest finished run of each. A statement past its metric's timeout is interrupted. A metric that
 * fails is counted and logged once, and neither stops the poll nor the other metrics.
 */
public final class CustomPolling implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CustomPolling.class);

  private final Supplier<CustomMetrics> inForce;
  private final Path path;
  private final Duration pollInterval;
  private final int maxLabelValues;
  private final Clock clock;
  private CustomMetrics current;
  /** One reader per table and interval: a row is read once for all the metrics on its table. */
  private Map<Group, RowMetricReader> readers = new LinkedHashMap<>();
  /** Readers of one metric, for when the read of its group fails with an error that may be one metric's. */
  private final Map<RowMetric, RowMetricReader> alone = new HashMap<>();
  /** Groups to read once due: the file changed since each was last read. */
  private final Map<Group, Boolean> pending = new HashMap<>();
  private final Map<Group, Instant> lastRowRead = new HashMap<>();
  private final Map<String, Double> lastRowSeconds = new HashMap<>();
  /** What kind of failure was logged last per metric: logged again only when it changes. */
  private final Map<String, String> problems = new ConcurrentHashMap<>();
  private final Map<QueryMetric, QueryOutcome> outcomes = new ConcurrentHashMap<>();
  private final Map<String, Instant> lastQueryStart = new HashMap<>();
  private final Map<String, QueryCounts> queryCounts = new ConcurrentHashMap<>();
  private ExecutorService queryThread;
  private boolean queryRunning;

  /** The row metrics read together: those of one table, read as often. */
  private record Group(String table, Optional<Duration> interval) {
    static Group of(RowMetric metric) {
      return new Group(metric.table(), metric.interval());
    }
  }

  /** The latest finished run of a query metric. */
  private record QueryOutcome(CustomFamily family, double seconds) {}

  private record QueryCounts(long errors, long timeouts, long rowsRead) {
    QueryCounts plus(QueryCounts other) {
      return new QueryCounts(errors + other.errors, timeouts + other.timeouts, rowsRead + other.rowsRead);
    }
  }

  CustomPolling(Supplier<CustomMetrics> inForce, Path path, Duration pollInterval, int maxLabelValues, Clock clock) {
    this.inForce = inForce;
    this.path = path;
    this.pollInterval = pollInterval;
    this.maxLabelValues = maxLabelValues;
    this.clock = clock;
  }

  /** The definitions the trackers of a new (or started over) tracker count. */
  public static List<RowMetricTracker.Definition> definitions(CustomMetrics metrics) {
    return metrics.rows().stream().map(CustomPolling::definition).toList();
  }

  private static RowMetricTracker.Definition definition(RowMetric metric) {
    return new RowMetricTracker.Definition(metric.name(), metric.help(), metric.histogram(), metric.labelNames(),
        metric.buckets(), metric.countingKey());
  }

  /**
   * Reads the row metrics that are due, on {@code connection}. {@code changed}: the poll found the
   * file changed since the last poll. Never throws for a metric's failure: it is counted.
   */
  void readRows(Connection connection, RowMetricTrackers trackers, boolean changed) {
    takeConfiguration(trackers);
    if (changed) {
      readers.keySet().forEach(group -> pending.put(group, true));
    }
    Map<String, RowMetricTracker> byName = new HashMap<>();
    trackers.all().forEach(tracker -> byName.put(tracker.definition().name(), tracker));
    Instant now = clock.instant();
    for (Map.Entry<Group, RowMetricReader> entry : readers.entrySet()) {
      Group group = entry.getKey();
      Instant last = lastRowRead.get(group);
      boolean due = last == null || group.interval().map(i -> !now.isBefore(last.plus(i))).orElse(true);
      if (!due || !pending.getOrDefault(group, true)) {
        continue;
      }
      RowMetricReader reader = entry.getValue();
      List<RowMetricTracker> members = reader.metrics().stream().map(m -> byName.get(m.name())).toList();
      long started = System.nanoTime();
      try {
        read(connection, reader, members);
        pending.put(group, false);
        lastRowRead.put(group, now);
        members.forEach(tracker -> recovered(tracker.definition().name()));
      } catch (SQLException e) {
        if (members.size() > 1 && !(e instanceof SQLTimeoutException) && !WorkflowDatabase.isBusy(e)) {
          readOneByOne(connection, reader.metrics(), members); // an expression of one metric fails: not the others
        } else {
          members.forEach(tracker -> failed(tracker, e));
        }
      }
      double seconds = (System.nanoTime() - started) / 1e9;
      members.forEach(tracker -> lastRowSeconds.put(tracker.definition().name(), seconds));
    }
  }

  /**
   * Reads what changed for {@code members}, the trackers of the reader's metrics in its order: the
   * rows after the lowest of their highest ids, then the rows any of them has open. A tracker takes
   * in only the rows it follows (new to it, or open), so each counts as if read alone.
   */
  private static void read(Connection connection, RowMetricReader reader, List<RowMetricTracker> members)
      throws SQLException {
    OptionalLong after = OptionalLong.empty();
    boolean fromStart = false;
    LongStream open = LongStream.empty();
    for (RowMetricTracker tracker : members) {
      OptionalLong highest = tracker.highestRowId();
      fromStart |= highest.isEmpty();
      if (highest.isPresent() && (after.isEmpty() || highest.getAsLong() < after.getAsLong())) {
        after = highest;
      }
      open = LongStream.concat(open, LongStream.of(tracker.openRowIds())); // before the new rows are read
    }
    long[] reread = open.distinct().toArray();
    RowMetricReader.RowSink sink = (metric, row) -> members.get(metric).accept(row);
    long rows = reader.readRowsAfter(connection, fromStart ? OptionalLong.empty() : after, sink);
    rows += reader.readRows(connection, reread, sink, id -> members.forEach(tracker -> tracker.forget(id)));
    long read = rows;
    members.forEach(tracker -> tracker.noteRowsRead(read));
  }

  private void readOneByOne(Connection connection, List<RowMetric> metrics, List<RowMetricTracker> members) {
    for (int i = 0; i < metrics.size(); i++) {
      RowMetric metric = metrics.get(i);
      RowMetricTracker tracker = members.get(i);
      try {
        read(connection, alone.computeIfAbsent(metric, m -> new RowMetricReader(m.table(), List.of(m))),
            List.of(tracker));
        recovered(metric.name());
      } catch (SQLException e) {
        failed(tracker, e);
      }
    }
  }

  private void failed(RowMetricTracker tracker, SQLException e) {
    tracker.noteFailure(e instanceof SQLTimeoutException);
    problem(tracker.definition().name(), e);
  }

  /** Starts the query metrics that are due on the query thread, unless a run is still going. */
  void startQueries() {
    CustomMetrics metrics = inForce.get();
    if (metrics.queries().isEmpty()) {
      return;
    }
    Instant now = clock.instant();
    List<QueryMetric> due = new ArrayList<>();
    for (QueryMetric metric : metrics.queries()) {
      Instant last = lastQueryStart.get(metric.name());
      Duration interval = metric.interval().orElse(pollInterval);
      // a little early still counts: polls come every interval, give or take a few ms
      if (last == null || !now.isBefore(last.plus(interval).minusMillis(Math.min(500, interval.toMillis() / 10)))) {
        due.add(metric);
      }
    }
    synchronized (this) {
      if (due.isEmpty() || queryRunning) {
        return;
      }
      queryRunning = true;
    }
    due.forEach(metric -> lastQueryStart.put(metric.name(), now));
    if (queryThread == null) {
      queryThread = Poller.idleEndingThread("agent-workflow-queries");
    }
    boolean first = outcomes.isEmpty();
    Future<?> run = queryThread.submit(() -> {
      try {
        runQueries(due);
      } finally {
        synchronized (this) {
          queryRunning = false;
        }
      }
    });
    if (first) {
      // the first poll waits for the first run, so that the first scrape (and --once) has its series;
      // each statement is interrupted past its timeout, so this wait is bounded
      long waitMillis = 2_000 + due.stream().mapToLong(metric -> metric.timeout().toMillis()).sum();
      try {
        run.get(waitMillis, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (ExecutionException | TimeoutException e) {
        // published by a later poll
      }
    }
  }

  private void runQueries(List<QueryMetric> due) {
    // a fresh connection per run: it pins no file between runs and caches no page of an old one
    try (WorkflowDatabase database = new WorkflowDatabase(path, Duration.ofMillis(500), 512)) {
      for (QueryMetric metric : due) {
        if (Thread.currentThread().isInterrupted()) {
          return;
        }
        long started = System.nanoTime();
        try {
          Connection connection = database.connection();
          List<QueryRow> rows = QueryMetricReader.run(connection, metric);
          outcomes.put(metric, new QueryOutcome(QuerySeries.of(metric.name(), metric.help(), metric.counter(),
              metric.keyLabels(), rows, maxLabelValues), (System.nanoTime() - started) / 1e9));
          queryCounts.merge(metric.name(), new QueryCounts(0, 0, rows.size()), QueryCounts::plus);
          recovered(metric.name());
        } catch (SQLException e) {
          if (WorkflowDatabase.isMissingTable(e)) {
            outcomes.put(metric, new QueryOutcome(empty(metric), (System.nanoTime() - started) / 1e9));
            continue;
          }
          // a failed run shows no series: a gauge left at its last value would say what no longer holds
          outcomes.put(metric, new QueryOutcome(empty(metric), (System.nanoTime() - started) / 1e9));
          queryCounts.merge(metric.name(), new QueryCounts(1, e instanceof SQLTimeoutException ? 1 : 0, 0),
              QueryCounts::plus);
          problem(metric.name(), e);
        }
      }
    }
  }

  private static CustomFamily empty(QueryMetric metric) {
    return new CustomFamily(metric.name(), metric.help(),
        metric.counter() ? CustomFamily.Kind.COUNTER : CustomFamily.Kind.GAUGE, metric.keyLabels(), List.of(),
        List.of());
  }

  /** The families and runs of the metrics in force, as of now. */
  CustomResult result(RowMetricTrackers trackers) {
    CustomMetrics metrics = inForce.get();
    if (metrics.isEmpty() && trackers.all().isEmpty()) {
      return CustomResult.NONE;
    }
    List<CustomFamily> families = new ArrayList<>(trackers.snapshot());
    List<CustomRuns> runs = new ArrayList<>();
    for (RowMetricTracker tracker : trackers.all()) {
      String name = tracker.definition().name();
      runs.add(new CustomRuns(name, lastRowSeconds.getOrDefault(name, Double.NaN), tracker.errors(),
          tracker.timeouts(), tracker.rowsRead()));
    }
    for (QueryMetric metric : metrics.queries()) {
      QueryOutcome outcome = outcomes.get(metric);
      families.add(outcome == null ? empty(metric) : outcome.family());
      QueryCounts counts = queryCounts.getOrDefault(metric.name(), new QueryCounts(0, 0, 0));
      runs.add(new CustomRuns(metric.name(), outcome == null ? Double.NaN : outcome.seconds(), counts.errors(),
          counts.timeouts(), counts.rowsRead()));
    }
    return new CustomResult(families, runs);
  }

  /** A new configuration in force: the trackers follow it, and readers are made for it. */
  private void takeConfiguration(RowMetricTrackers trackers) {
    CustomMetrics metrics = inForce.get();
    if (metrics != current) {
      trackers.use(definitions(metrics));
      Map<Group, List<RowMetric>> groups = new LinkedHashMap<>();
      for (RowMetric metric : metrics.rows()) {
        groups.computeIfAbsent(Group.of(metric), g -> new ArrayList<>()).add(metric);
      }
      Map<Group, RowMetricReader> next = new LinkedHashMap<>();
      groups.forEach((group, members) -> {
        RowMetricReader kept = readers.get(group);
        if (kept != null && kept.metrics().equals(members)) {
          next.put(group, kept);
        } else {
          next.put(group, new RowMetricReader(group.table(), members));
          pending.put(group, true); // a metric counted anew reads its table now, changed or not
        }
      });
      readers.forEach((group, reader) -> {
        if (next.get(group) != reader) {
          reader.close();
        }
      });
      readers = next;
      alone.values().forEach(RowMetricReader::close);
      alone.clear();
      pending.keySet().retainAll(readers.keySet());
      lastRowRead.keySet().retainAll(readers.keySet());
      lastRowSeconds.keySet().retainAll(metrics.rows().stream().map(RowMetric::name).toList());
      outcomes.keySet().retainAll(metrics.queries());
      current = metrics;
    }
  }

  private void problem(String metric, SQLException e) {
    String kind = e instanceof SQLTimeoutException ? "timeout" : "sqlite " + (e.getErrorCode() & 0xff);
    if (!kind.equals(problems.put(metric, kind))) {
      log.warn("metric {} of {}: {}", metric, path, String.valueOf(e.getMessage()).strip().replace('\n', ' '));
    }
  }

  private void recovered(String metric) {
    if (problems.remove(metric) != null) {
      log.info("metric {} of {} reads again", metric, path);
    }
  }

  @Override
  public void close() {
    readers.values().forEach(RowMetricReader::close);
    alone.values().forEach(RowMetricReader::close);
    if (queryThread != null) {
      queryThread.shutdownNow();
      try {
        queryThread.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
