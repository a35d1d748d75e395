package dev.agentworkflow.exporter.poll;

import dev.agentworkflow.exporter.custom.CustomMetrics;
import dev.agentworkflow.exporter.custom.QueryMetric;
import dev.agentworkflow.exporter.db.QueryMetricReader;
import dev.agentworkflow.exporter.db.StatementTimer;
import dev.agentworkflow.exporter.db.ReadFailure;
import dev.agentworkflow.exporter.model.CustomFamily;
import dev.agentworkflow.exporter.model.CustomRuns;
import dev.agentworkflow.exporter.model.QueryRow;
import dev.agentworkflow.exporter.track.QuerySeries;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The query metrics of one database: run on a thread of their own, each run on a fresh read-only
 * connection, so that a slow query never delays a poll; a poll publishes the latest finished run of
 * each. A run that failed shows no series.
 */
final class QueryMetricRuns implements AutoCloseable {
  private final Path path;
  private final Duration pollInterval;
  private final int maxLabelValues;
  private final Clock clock;
  private final StatementTimer timer;
  private final MetricProblems problems;
  /** The latest finished run of each query metric, by name: written by the query thread. */
  private final Map<String, QueryOutcome> outcomes = new ConcurrentHashMap<>();
  private final Map<String, QueryCounts> queryCounts = new ConcurrentHashMap<>();
  private final Map<String, Instant> lastQueryStart = new HashMap<>();
  private CustomMetrics current;
  private ExecutorService queryThread;
  private boolean queryRunning;

  /** What a query metric's statement reads: a run of the same reading still stands after a reload. */
  private record QueryReading(String query, List<String> keyLabels, String value, boolean counter) {
    static QueryReading of(QueryMetric metric) {
      return new QueryReading(metric.query(), metric.keyLabels(), metric.value(), metric.counter());
    }
  }

  /** The latest finished run of a query metric: its series (without help, which the metric in force gives). */
  private record QueryOutcome(QueryReading reading, List<CustomFamily.ValueSeries> series, double seconds) {}

  private record QueryCounts(long errors, long timeouts, long rowsRead) {
    QueryCounts plus(QueryCounts other) {
      return new QueryCounts(errors + other.errors, timeouts + other.timeouts, rowsRead + other.rowsRead);
    }
  }

  QueryMetricRuns(Path path, Duration pollInterval, int maxLabelValues, Clock clock, StatementTimer timer,
      MetricProblems problems) {
    this.path = path;
    this.pollInterval = pollInterval;
    this.maxLabelValues = maxLabelValues;
    this.clock = clock;
    this.timer = timer;
    this.problems = problems;
  }

  /**
   * Starts the query metrics that are due on the query thread, unless a run is still going. They
   * are asked for by polls, so a query runs at most once a poll, whatever its interval.
   */
  void start(CustomMetrics metrics) {
    takeConfiguration(metrics);
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
    try (QueryMetricReader reader = new QueryMetricReader(path)) {
      for (QueryMetric metric : due) {
        if (Thread.currentThread().isInterrupted()) {
          return;
        }
        long started = System.nanoTime();
        List<CustomFamily.ValueSeries> series = List.of(); // a failed run shows none: a stale gauge would mislead
        try {
          List<QueryRow> rows = reader.run(metric, timer);
          series = QuerySeries.of(metric.name(), metric.help(), metric.counter(), metric.keyLabels(), rows,
              maxLabelValues).values();
          queryCounts.merge(metric.name(), new QueryCounts(0, 0, rows.size()), QueryCounts::plus);
          problems.recovered(metric.name());
        } catch (ReadFailure e) {
          if (!e.missingTable()) { // a table not there (yet): no series, and no error
            queryCounts.merge(metric.name(), new QueryCounts(1, e.timedOut() ? 1 : 0, 0),
                QueryCounts::plus);
            problems.failed(metric.name(), e);
          }
        } catch (RuntimeException e) {
          queryCounts.merge(metric.name(), new QueryCounts(1, 0, 0), QueryCounts::plus);
          problems.bug(metric.name(), e);
        }
        outcomes.put(metric.name(), new QueryOutcome(QueryReading.of(metric), series,
            (System.nanoTime() - started) / 1e9));
      }
    }
  }

  /** Each query metric's family as of its latest run that still stands, in the configuration's order. */
  List<CustomFamily> families(CustomMetrics metrics) {
    List<CustomFamily> families = new ArrayList<>();
    for (QueryMetric metric : metrics.queries()) {
      QueryOutcome outcome = outcomes.get(metric.name());
      boolean stands = outcome != null && outcome.reading().equals(QueryReading.of(metric));
      families.add(new CustomFamily(metric.name(), metric.help(),
          metric.counter() ? CustomFamily.Kind.COUNTER : CustomFamily.Kind.GAUGE, metric.keyLabels(),
          stands ? outcome.series() : List.of(), List.of()));
    }
    return families;
  }

  /** How each query metric's runs went, since start. */
  List<CustomRuns> runs(CustomMetrics metrics) {
    List<CustomRuns> runs = new ArrayList<>();
    for (QueryMetric metric : metrics.queries()) {
      QueryOutcome outcome = outcomes.get(metric.name());
      QueryCounts counts = queryCounts.getOrDefault(metric.name(), new QueryCounts(0, 0, 0));
      runs.add(new CustomRuns(metric.name(), outcome == null ? Double.NaN : outcome.seconds(), counts.errors(),
          counts.timeouts(), counts.rowsRead()));
    }
    return runs;
  }

  /** A new configuration in force: a query whose reading changed (or that is new) runs at once. */
  private void takeConfiguration(CustomMetrics metrics) {
    if (metrics == current) {
      return;
    }
    Map<String, QueryReading> readings = new HashMap<>();
    metrics.queries().forEach(metric -> readings.put(metric.name(), QueryReading.of(metric)));
    lastQueryStart.keySet().removeIf(name -> {
      QueryOutcome outcome = outcomes.get(name);
      return !readings.containsKey(name) || outcome == null || !outcome.reading().equals(readings.get(name));
    });
    outcomes.keySet().retainAll(readings.keySet());
    current = metrics;
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
