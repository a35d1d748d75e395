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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
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
  private Map<String, RowMetricReader> readers = new LinkedHashMap<>();
  /** Row metrics to read once due: the file changed since each was last read. */
  private final Map<String, Boolean> pending = new HashMap<>();
  private final Map<String, Instant> lastRowRead = new HashMap<>();
  private final Map<String, Double> lastRowSeconds = new HashMap<>();
  /** What kind of failure was logged last per metric: logged again only when it changes. */
  private final Map<String, String> problems = new ConcurrentHashMap<>();
  private final Map<QueryMetric, QueryOutcome> outcomes = new ConcurrentHashMap<>();
  private final Map<String, Instant> lastQueryStart = new HashMap<>();
  private final Map<String, QueryCounts> queryCounts = new ConcurrentHashMap<>();
  private ExecutorService queryThread;
  private boolean queryRunning;

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
      readers.keySet().forEach(name -> pending.put(name, true));
    }
    Instant now = clock.instant();
    for (RowMetricTracker tracker : trackers.all()) {
      String name = tracker.definition().name();
      RowMetricReader reader = readers.get(name);
      Instant last = lastRowRead.get(name);
      boolean due = last == null || reader.metric().interval().map(i -> !now.isBefore(last.plus(i))).orElse(true);
      if (!due || !pending.getOrDefault(name, true)) {
        continue;
      }
      long started = System.nanoTime();
      try {
        long rows = 0;
        if (reader.tableExists(connection)) {
          long[] open = tracker.openRowIds(); // before the new rows: those found open now were just read
          rows += reader.readRowsAfter(connection, tracker.highestRowId(), tracker::accept);
          rows += reader.readRows(connection, open, tracker::accept, tracker::forget);
        }
        tracker.noteRowsRead(rows);
        pending.put(name, false);
        lastRowRead.put(name, now);
        recovered(name);
      } catch (SQLException e) {
        tracker.noteFailure(e instanceof SQLTimeoutException);
        problem(name, e);
      }
      lastRowSeconds.put(name, (System.nanoTime() - started) / 1e9);
    }
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
          if (QueryMetricReader.isMissingTable(e)) {
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
      Map<String, RowMetricReader> next = new LinkedHashMap<>();
      for (RowMetric metric : metrics.rows()) {
        RowMetricReader kept = readers.get(metric.name());
        if (kept != null && kept.metric().equals(metric)) {
          next.put(metric.name(), kept);
        } else {
          next.put(metric.name(), new RowMetricReader(metric));
          pending.put(metric.name(), true); // a metric counted anew reads its table now, changed or not
        }
      }
      readers = next;
      pending.keySet().retainAll(readers.keySet());
      lastRowRead.keySet().retainAll(readers.keySet());
      lastRowSeconds.keySet().retainAll(readers.keySet());
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
