package dev.agentworkflow.exporter.poll;

import dev.agentworkflow.exporter.custom.CustomMetrics;
import dev.agentworkflow.exporter.db.WorkflowDatabase;
import dev.agentworkflow.exporter.custom.RowMetric;
import dev.agentworkflow.exporter.db.StatementTimer;
import dev.agentworkflow.exporter.model.CustomFamily;
import dev.agentworkflow.exporter.model.CustomResult;
import dev.agentworkflow.exporter.model.CustomRuns;
import dev.agentworkflow.exporter.track.RowMetricTracker;
import dev.agentworkflow.exporter.track.RowMetricTrackers;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The user-defined metrics of one database ({@code --metrics-config}), read beside its poll: the
 * row metrics by the polling thread ({@link RowMetricPolling}), the query metrics on a thread of
 * their own ({@link QueryMetricRuns}). A statement past its metric's timeout is interrupted. A metric
 * that fails is counted and logged once, and stops neither the poll nor the other metrics.
 */
public final class CustomPolling implements AutoCloseable {
  private final Supplier<CustomMetrics> inForce;
  private final StatementTimer timer = new StatementTimer("agent-workflow-statement-timer");
  private final RowMetricPolling rows;
  private final QueryMetricRuns queries;

  CustomPolling(Supplier<CustomMetrics> inForce, Path path, Duration pollInterval, int maxLabelValues, Clock clock) {
    this.inForce = inForce;
    MetricProblems problems = new MetricProblems(path);
    this.rows = new RowMetricPolling(path, clock, timer, problems);
    this.queries = new QueryMetricRuns(path, pollInterval, maxLabelValues, clock, timer, problems);
  }

  /** The definitions the trackers of a new (or started over) tracker count. */
  public static List<RowMetricTracker.Definition> definitions(CustomMetrics metrics) {
    return metrics.rows().stream().map(CustomPolling::definition).toList();
  }

  private static RowMetricTracker.Definition definition(RowMetric metric) {
    return new RowMetricTracker.Definition(metric.name(), metric.help(), metric.histogram(), metric.labelNames(),
        metric.buckets(), metric.countingKey());
  }

  /** {@link RowMetricPolling#read}, for the definitions in force. */
  long readRowMetrics(WorkflowDatabase database, RowMetricTrackers trackers, boolean fileChanged) {
    return rows.read(database, inForce.get(), trackers, fileChanged);
  }

  /** {@link QueryMetricRuns#start}, for the definitions in force. */
  void startQueries() {
    queries.start(inForce.get());
  }

  /** The families and runs of the metrics in force, as of now: row metrics first, each in the file's order. */
  CustomResult result(RowMetricTrackers trackers) {
    CustomMetrics metrics = inForce.get();
    if (metrics.isEmpty() && trackers.all().isEmpty()) {
      return CustomResult.NONE;
    }
    List<CustomFamily> families = new ArrayList<>(trackers.snapshot());
    families.addAll(queries.families(metrics));
    List<CustomRuns> runs = new ArrayList<>(rows.runs(trackers));
    runs.addAll(queries.runs(metrics));
    return new CustomResult(families, runs);
  }

  @Override
  public void close() {
    rows.close();
    queries.close();
    timer.close();
  }
}
