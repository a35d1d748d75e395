package dev.agentworkflow.exporter.poll;

import dev.agentworkflow.exporter.custom.CustomMetrics;
import dev.agentworkflow.exporter.custom.QueryMetric;
import dev.agentworkflow.exporter.custom.RowMetric;
import dev.agentworkflow.exporter.db.QueryMetricReader;
import dev.agentworkflow.exporter.db.RowMetricReader;
import dev.agentworkflow.exporter.db.StatementTimer;
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
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.stream.LongStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The user-defined metrics of one database ({@code --metrics-config}), read beside its poll.
 *
 * <p>Row metrics are read by the polling thread on the poll's connection, after the built-in
 * tables, and only when the poll found the file changed (or they were not due then): rows after the
 * highest id read, then the rows read unfinished. The metrics of one table are read by one
 * statement. Query metrics run on a thread of their own, each run on a fresh read-only connection,
 * so that a slow query never delays a poll; a poll publishes the latest finished run of each. A
 * statement past its metric's timeout is interrupted. A metric that fails is counted and logged
 * once, and stops neither the poll nor the other metrics.
 */
public final class CustomPolling implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CustomPolling.class);

  private final Supplier<CustomMetrics> inForce;
  private final Path path;
  private final Duration pollInterval;
  private final int maxLabelValues;
  private final Clock clock;
  private final StatementTimer timer = new StatementTimer("agent-workflow-statement-timer");
  private CustomMetrics current;
  /** One reader per table and interval: a row is read once for all the metrics on its table. */
  private Map<Group, RowMetricReader> readers = new LinkedHashMap<>();
  /** Readers of one metric, for when the read of its group fails with an error that may be one metric's. */
  private final Map<String, RowMetricReader> alone = new HashMap<>();
  /** Groups to read once due: the file changed since each was last read, or its metrics are new. */
  private final Set<Group> pending = new HashSet<>();
  private final Map<Group, Instant> lastRowRead = new HashMap<>();
  private final Map<String, Double> lastRowSeconds = new HashMap<>();
  /** What kind of failure was logged last per metric: logged again only when it changes. */
  private final Map<String, String> problems = new ConcurrentHashMap<>();
  /** The latest finished run of each query metric, by name: written by the query thread. */
  private final Map<String, QueryOutcome> outcomes = new ConcurrentHashMap<>();
  private final Map<String, QueryCounts> queryCounts = new ConcurrentHashMap<>();
  private final Map<String, Instant> lastQueryStart = new HashMap<>();
  /** The row metrics whose limit of unfinished rows was reached, said once each. */
  private final Set<String> untrackedSaid = new HashSet<>();
  private ExecutorService queryThread;
  private boolean queryRunning;

  /** The row metrics read together: those of one table, read as often. */
  private record Group(String table, Optional<Duration> interval) {
    static Group of(RowMetric metric) {
      return new Group(metric.table(), metric.interval());
    }
  }

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
   * Reads the row metrics that are due, on {@code connection}. {@code fileChanged}: the poll found
   * the file changed since the last poll. Never throws for a metric's failure: it is counted.
   * Returns how many rows were read, so that the poller knows the state changed.
   */
  long readRowMetrics(Connection connection, RowMetricTrackers trackers, boolean fileChanged) {
    takeConfiguration(trackers);
    if (fileChanged) {
      pending.addAll(readers.keySet());
    }
    Map<String, RowMetricTracker> byName = new HashMap<>();
    trackers.all().forEach(tracker -> byName.put(tracker.definition().name(), tracker));
    Instant now = clock.instant();
    long rowsRead = 0;
    for (Map.Entry<Group, RowMetricReader> entry : readers.entrySet()) {
      Group group = entry.getKey();
      Instant last = lastRowRead.get(group);
      boolean due = last == null || group.interval().map(i -> !now.isBefore(last.plus(i))).orElse(true);
      if (!due || !pending.contains(group)) {
        continue;
      }
      RowMetricReader reader = entry.getValue();
      List<RowMetricTracker> members = reader.metrics().stream().map(m -> byName.get(m.name())).toList();
      long started = System.nanoTime();
      lastRowRead.put(group, now); // tried now, whatever comes of it: the interval holds for failures too
      try {
        rowsRead += read(connection, reader, members);
        pending.remove(group);
        members.forEach(tracker -> recovered(tracker.definition().name()));
      } catch (SQLException e) {
        if (members.size() > 1 && !(e instanceof SQLTimeoutException) && !WorkflowDatabase.isBusy(e)) {
          // perhaps one metric's expression: read each alone, so that it stops only its own metric
          boolean allRead = true;
          for (int i = 0; i < members.size(); i++) {
            RowMetric metric = reader.metrics().get(i);
            try {
              rowsRead += read(connection, alone.computeIfAbsent(metric.name(),
                  name -> new RowMetricReader(metric.table(), List.of(metric), timer)), List.of(members.get(i)));
              recovered(metric.name());
            } catch (SQLException one) {
              failed(members.get(i), one);
              allRead = false;
            }
          }
          if (allRead) {
            pending.remove(group);
          }
        } else {
          members.forEach(tracker -> failed(tracker, e));
        }
      }
      double seconds = (System.nanoTime() - started) / 1e9;
      members.forEach(tracker -> lastRowSeconds.put(tracker.definition().name(), seconds));
    }
    return rowsRead;
  }

  /**
   * Reads what changed for {@code members}, the trackers of the reader's metrics in its order: the
   * rows after the lowest of their highest ids, then the rows any of them has open. A tracker takes
   * in only the rows it follows (new to it, or open), so each counts as if read alone. Ids that went
   * below what a tracker read are taken as read from there ({@link RowMetricTracker#rewindTo}).
   */
  private long read(Connection connection, RowMetricReader reader, List<RowMetricTracker> members)
      throws SQLException {
    RowMetricReader.TableEnd end = reader.tableEnd(connection);
    if (!end.exists()) {
      return 0; // missing for now (a migration, say): what was read of it stays as it is until it is back
    }
    OptionalLong tableHighest = end.highestRowId();
    OptionalLong after = OptionalLong.empty();
    boolean fromStart = false;
    LongStream open = LongStream.empty();
    for (RowMetricTracker tracker : members) {
      OptionalLong highest = tracker.highestRowId();
      if (highest.isPresent() && (tableHighest.isEmpty() || tableHighest.getAsLong() < highest.getAsLong())) {
        log.info("metric {} of {}: the ids of table {} went below those it read (rows deleted, or the table made "
            + "again); what it counted stays, the rows there now are taken as read", tracker.definition().name(),
            path, reader.metrics().get(0).table());
        tracker.rewindTo(tableHighest);
        highest = tracker.highestRowId();
      }
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
    for (RowMetricTracker tracker : members) {
      tracker.noteRowsRead(read);
      if (tracker.untracked() > 0 && untrackedSaid.add(tracker.definition().name())) {
        log.warn("metric {} of {}: more rows are unfinished at once than the {} it follows; those past it are never "
            + "counted", tracker.definition().name(), path, RowMetricTrackers.MAX_OPEN_ROWS);
      }
    }
    return read;
  }

  private void failed(RowMetricTracker tracker, SQLException e) {
    tracker.noteFailure(e instanceof SQLTimeoutException);
    problem(tracker.definition().name(), e);
  }

  /**
   * Starts the query metrics that are due on the query thread, unless a run is still going. They
   * are asked for by polls, so a query runs at most once a poll, whatever its interval.
   */
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
        List<CustomFamily.ValueSeries> series = List.of(); // a failed run shows none: a stale gauge would mislead
        try {
          List<QueryRow> rows = QueryMetricReader.run(database.connection(), metric, timer);
          series = QuerySeries.of(metric.name(), metric.help(), metric.counter(), metric.keyLabels(), rows,
              maxLabelValues).values();
          queryCounts.merge(metric.name(), new QueryCounts(0, 0, rows.size()), QueryCounts::plus);
          recovered(metric.name());
        } catch (SQLException e) {
          if (!WorkflowDatabase.isMissingTable(e)) { // a table not there (yet): no series, and no error
            queryCounts.merge(metric.name(), new QueryCounts(1, e instanceof SQLTimeoutException ? 1 : 0, 0),
                QueryCounts::plus);
            problem(metric.name(), e);
          }
        } catch (RuntimeException e) {
          queryCounts.merge(metric.name(), new QueryCounts(1, 0, 0), QueryCounts::plus);
          if (!"bug".equals(problems.put(metric.name(), "bug"))) {
            log.error("metric {} of {}: the run failed", metric.name(), path, e);
          }
        }
        outcomes.put(metric.name(), new QueryOutcome(QueryReading.of(metric), series,
            (System.nanoTime() - started) / 1e9));
      }
    }
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
      QueryOutcome outcome = outcomes.get(metric.name());
      boolean stands = outcome != null && outcome.reading().equals(QueryReading.of(metric));
      families.add(new CustomFamily(metric.name(), metric.help(),
          metric.counter() ? CustomFamily.Kind.COUNTER : CustomFamily.Kind.GAUGE, metric.keyLabels(),
          stands ? outcome.series() : List.of(), List.of()));
      QueryCounts counts = queryCounts.getOrDefault(metric.name(), new QueryCounts(0, 0, 0));
      runs.add(new CustomRuns(metric.name(), outcome == null ? Double.NaN : outcome.seconds(), counts.errors(),
          counts.timeouts(), counts.rowsRead()));
    }
    return new CustomResult(families, runs);
  }

  /**
   * A new configuration in force: the trackers follow it, readers are made for what reads
   * otherwise, and a query whose reading changed runs at the next poll.
   */
  private void takeConfiguration(RowMetricTrackers trackers) {
    CustomMetrics metrics = inForce.get();
    if (metrics == current) {
      return;
    }
    trackers.use(definitions(metrics));
    Map<Group, List<RowMetric>> groups = new LinkedHashMap<>();
    for (RowMetric metric : metrics.rows()) {
      groups.computeIfAbsent(Group.of(metric), g -> new ArrayList<>()).add(metric);
    }
    Map<Group, RowMetricReader> next = new LinkedHashMap<>();
    groups.forEach((group, members) -> {
      RowMetricReader kept = readers.get(group);
      if (kept != null && readsAlike(kept.metrics(), members)) {
        next.put(group, kept);
      } else {
        next.put(group, new RowMetricReader(group.table(), members, timer));
        pending.add(group); // a metric counted anew reads its table now, changed or not, due or not
        lastRowRead.remove(group);
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
    pending.retainAll(readers.keySet());
    lastRowRead.keySet().retainAll(readers.keySet());
    lastRowSeconds.keySet().retainAll(metrics.rows().stream().map(RowMetric::name).toList());
    Map<String, QueryReading> readings = new HashMap<>();
    metrics.queries().forEach(metric -> readings.put(metric.name(), QueryReading.of(metric)));
    lastQueryStart.keySet().removeIf(name -> {
      QueryOutcome outcome = outcomes.get(name);
      return !readings.containsKey(name) || outcome == null || !outcome.reading().equals(readings.get(name));
    });
    outcomes.keySet().retainAll(readings.keySet());
    current = metrics;
  }

  /** Two lists of metrics read by the same statement: the same counting, in the same order, with the same timeouts. */
  private static boolean readsAlike(List<RowMetric> a, List<RowMetric> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      if (!a.get(i).countingKey().equals(b.get(i).countingKey()) || !Objects.equals(a.get(i).timeout(),
          b.get(i).timeout())) {
        return false;
      }
    }
    return true;
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
    timer.close();
  }
}
