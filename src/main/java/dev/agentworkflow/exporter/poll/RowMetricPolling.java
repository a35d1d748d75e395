package dev.agentworkflow.exporter.poll;

import dev.agentworkflow.exporter.custom.CustomMetrics;
import dev.agentworkflow.exporter.custom.RowMetric;
import dev.agentworkflow.exporter.db.ReadFailure;
import dev.agentworkflow.exporter.db.RowMetricReader;
import dev.agentworkflow.exporter.db.StatementTimer;
import dev.agentworkflow.exporter.db.WorkflowDatabase;
import dev.agentworkflow.exporter.model.CustomRuns;
import dev.agentworkflow.exporter.track.RowMetricTracker;
import dev.agentworkflow.exporter.track.RowMetricTrackers;
import java.nio.file.Path;
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
import java.util.stream.LongStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The row metrics of one database, read by the polling thread on the poll's connection after the
 * built-in tables, when the poll found the file changed (or they were not due then): rows after the
 * highest id read, then the rows read unfinished. The metrics of one table (and one interval) are
 * read by one statement.
 */
final class RowMetricPolling implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RowMetricPolling.class);

  private final Path path;
  private final Clock clock;
  private final StatementTimer timer;
  private final MetricProblems problems;
  private CustomMetrics current;
  /** One reader per table and interval: a row is read once for all the metrics on its table. */
  private Map<Group, RowMetricReader> readers = new LinkedHashMap<>();
  /** Readers of one metric, for when the read of its group fails with an error that may be one metric's. */
  private final Map<String, RowMetricReader> alone = new HashMap<>();
  /** Groups to read once due: the file changed since each was last read, or its metrics are new. */
  private final Set<Group> pending = new HashSet<>();
  private final Map<Group, Instant> lastRowRead = new HashMap<>();
  private final Map<String, Double> lastRowSeconds = new HashMap<>();

  /** The row metrics read together: those of one table, read as often. */
  private record Group(String table, Optional<Duration> interval) {
    static Group of(RowMetric metric) {
      return new Group(metric.table(), metric.interval());
    }
  }

  RowMetricPolling(Path path, Clock clock, StatementTimer timer, MetricProblems problems) {
    this.path = path;
    this.clock = clock;
    this.timer = timer;
    this.problems = problems;
  }

  /**
   * Reads the row metrics of {@code metrics} that are due, on {@code database}. {@code
   * fileChanged}: the poll found the file changed since the last poll. Never throws for a metric's
   * failure: it is counted. Returns how many rows were read, so that the poller knows the state changed.
   */
  long read(WorkflowDatabase database, CustomMetrics metrics, RowMetricTrackers trackers, boolean fileChanged) {
    takeConfiguration(metrics, trackers);
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
        rowsRead += read(database, reader, members);
        pending.remove(group);
        members.forEach(tracker -> problems.recovered(tracker.definition().name()));
      } catch (ReadFailure e) {
        if (members.size() > 1 && !e.timedOut() && !e.busy()) {
          // perhaps one metric's expression: read each alone, so that it stops only its own metric
          boolean allRead = true;
          for (int i = 0; i < members.size(); i++) {
            RowMetric metric = reader.metrics().get(i);
            try {
              rowsRead += read(database, alone.computeIfAbsent(metric.name(),
                  name -> new RowMetricReader(metric.table(), List.of(metric), timer)), List.of(members.get(i)));
              problems.recovered(metric.name());
            } catch (ReadFailure one) {
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
  private long read(WorkflowDatabase database, RowMetricReader reader, List<RowMetricTracker> members)
      throws ReadFailure {
    RowMetricReader.TableEnd end = reader.tableEnd(database);
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
    long rows = reader.readRowsAfter(database, fromStart ? OptionalLong.empty() : after, sink);
    rows += reader.readRows(database, reread, sink, id -> members.forEach(tracker -> tracker.forget(id)));
    long read = rows;
    for (RowMetricTracker tracker : members) {
      tracker.noteRowsRead(read);
      if (tracker.untracked() > 0) {
        problems.warnOnce(tracker.definition().name(), "more rows are unfinished at once than the "
            + RowMetricTrackers.MAX_OPEN_ROWS + " it follows; those past it are never counted");
      }
    }
    return read;
  }

  private void failed(RowMetricTracker tracker, ReadFailure e) {
    tracker.noteFailure(e.timedOut());
    problems.failed(tracker.definition().name(), e);
  }

  /** How each row metric's reads went: its last read's time, and its counts kept with its state. */
  List<CustomRuns> runs(RowMetricTrackers trackers) {
    List<CustomRuns> runs = new ArrayList<>();
    for (RowMetricTracker tracker : trackers.all()) {
      String name = tracker.definition().name();
      runs.add(new CustomRuns(name, lastRowSeconds.getOrDefault(name, Double.NaN), tracker.errors(),
          tracker.timeouts(), tracker.rowsRead()));
    }
    return runs;
  }

  /** A new configuration in force: the trackers follow it, and readers are made for what reads otherwise. */
  private void takeConfiguration(CustomMetrics metrics, RowMetricTrackers trackers) {
    if (metrics == current) {
      return;
    }
    trackers.use(CustomPolling.definitions(metrics));
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

  @Override
  public void close() {
    readers.values().forEach(RowMetricReader::close);
    alone.values().forEach(RowMetricReader::close);
  }
}
