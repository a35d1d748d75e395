package dev.agentworkflow.exporter.metrics;

import dev.agentworkflow.exporter.model.BuildInfo;
import dev.agentworkflow.exporter.model.HistogramBuckets;
import dev.agentworkflow.exporter.model.HistogramSnapshot;
import dev.agentworkflow.exporter.model.PollResult;
import dev.agentworkflow.exporter.model.ProjectPoll;
import dev.agentworkflow.exporter.model.PublishedPolls;
import dev.agentworkflow.exporter.model.WorkflowSnapshot;
import io.prometheus.client.Collector;
import io.prometheus.client.CounterMetricFamily;
import io.prometheus.client.GaugeMetricFamily;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Renders the latest poll. It reads the published result once per scrape, so every family in
 * a scrape comes from the same poll, and series whose label values vanished are not exported.
 * Series are sorted by label values so that the output is stable from scrape to scrape.
 *
 * <pre>{@code
 * registry.register(new WorkflowCollector(polling::latest, build));
 * }</pre>
 */
public final class WorkflowCollector extends Collector {
  private static final String AS_OF = " (as of the last poll)";

  private final Supplier<PublishedPolls> latest;
  private final BuildInfo build;

  /**
   * @param latest the polls to render; each database's path as given or found, never resolved:
   *     labels carry no home paths that were not given
   * @param build the version and build that {@code agent_workflow_exporter_build_info} shows
   */
  public WorkflowCollector(Supplier<PublishedPolls> latest, BuildInfo build) {
    this.latest = latest;
    this.build = build;
  }

  /** The upper bounds of every histogram exported. */
  public static HistogramBuckets histogramBuckets() {
    return new HistogramBuckets(
        new double[] {1, 5, 10, 30, 60, 120, 300, 600, 1200, 3600},
        new double[] {0, 1, 2, 5, 10, 20, 50, 100, 200, 500},
        new double[] {1000, 5000, 10000, 25000, 50000, 100000, 150000, 200000, 500000, 1000000},
        new double[] {0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600},
        new double[] {60, 300, 600, 1800, 3600, 7200, 14400});
  }

  /**
   * Every database's families, one after the other within each family; with several databases
   * each series starts with its {@code project} label. Then the process's own.
   */
  @Override
  public List<MetricFamilySamples> collect() {
    PublishedPolls polls = latest.get();
    Map<String, MetricFamilySamples> families = new LinkedHashMap<>();
    for (ProjectPoll project : polls.projects()) {
      Scope scope = polls.labelled() ? new Scope(List.of("project"), List.of(project.project())) : Scope.NONE;
      for (MetricFamilySamples family : projectFamilies(project, scope)) {
        families.merge(family.name, family, WorkflowCollector::joined);
      }
    }
    List<MetricFamilySamples> out = new ArrayList<>(families.values());
    if (polls.labelled()) {
      out.add(gauge("agent_workflow_exporter_databases", "Databases read: named by --db, or found by --db-glob",
          polls.projects().size(), Scope.NONE));
      out.add(gauge("agent_workflow_exporter_database_name_clashes", "Databases --db-glob found that are not read "
          + "because another database has their project name (the log names them)", polls.nameClashes(), Scope.NONE));
    }
    // The labels of official exporters' build_info, in their order, with the Java runtime for goversion.
    GaugeMetricFamily buildInfo = new GaugeMetricFamily("agent_workflow_exporter_build_info",
        "A metric with a constant '1' value labeled by version, revision and branch from which "
            + "agent-workflow-exporter was built, and the Java version it runs on",
        List.of("branch", "javaversion", "revision", "version"));
    buildInfo.addMetric(List.of(build.branch(), build.javaVersion(), build.revision(), build.version()), 1);
    out.add(buildInfo);
    return out;
  }

  /** The label that tells databases apart, or none. */
  private record Scope(List<String> names, List<String> values) {
    static final Scope NONE = new Scope(List.of(), List.of());

    List<String> names(String... more) {
      return joinedLists(names, List.of(more));
    }

    List<String> names(List<String> more) {
      return joinedLists(names, more);
    }

    List<String> values(List<String> more) {
      return joinedLists(values, more);
    }

    private static List<String> joinedLists(List<String> first, List<String> second) {
      if (first.isEmpty()) {
        return second;
      }
      List<String> all = new ArrayList<>(first.size() + second.size());
      all.addAll(first);
      all.addAll(second);
      return all;
    }
  }

  private static MetricFamilySamples joined(MetricFamilySamples a, MetricFamilySamples b) {
    List<MetricFamilySamples.Sample> samples = new ArrayList<>(a.samples.size() + b.samples.size());
    samples.addAll(a.samples);
    samples.addAll(b.samples);
    return new MetricFamilySamples(a.name, a.unit, a.type, a.help, samples);
  }

  private static List<MetricFamilySamples> projectFamilies(ProjectPoll project, Scope scope) {
    PollResult poll = project.poll();
    WorkflowSnapshot w = poll.workflow();
    List<MetricFamilySamples> out = new ArrayList<>();

    CounterMetricFamily invocations = new CounterMetricFamily("agent_invocation_total",
        "Finished agent invocations" + AS_OF, scope.names("agent_name", "phase", "status", "model"));
    sorted(w.invocations(), l -> List.of(l.agentName(), l.phase(), l.status(), l.model()))
        .forEach(e -> invocations.addMetric(scope.values(e.labels()), e.value()));
    out.add(invocations);

    CounterMetricFamily errors = new CounterMetricFamily("agent_error_total",
        "Finished agent invocations whose status is failed, error or timeout" + AS_OF,
        scope.names("agent_name", "phase"));
    sorted(w.errors(), l -> List.of(l.agentName(), l.phase())).forEach(e -> errors.addMetric(scope.values(e.labels()), e.value()));
    out.add(errors);

    CounterMetricFamily phases = new CounterMetricFamily("phase_distribution_total",
        "Finished agent invocations per workflow phase" + AS_OF, scope.names("phase"));
    sorted(w.phases(), List::of).forEach(e -> phases.addMetric(scope.values(e.labels()), e.value()));
    out.add(phases);

    List<MetricFamilySamples.Sample> durations = new ArrayList<>();
    List<String> durationLabels = scope.names("agent_name", "phase", "model");
    sorted(w.agentDurations(), l -> List.of(l.agentName(), l.phase(), l.model()))
        .forEach(e -> histogramSamples("agent_duration_seconds", durationLabels, scope.values(e.labels()), e.value(), durations));
    out.add(new MetricFamilySamples("agent_duration_seconds", Type.HISTOGRAM,
        "Duration of finished agent invocations, one observation each" + AS_OF, durations));

    WorkflowSnapshot.ToolFigures tools = w.tools();
    CounterMetricFamily toolUses = new CounterMetricFamily("agent_tool_usage_total",
        "Finished tool uses (agent_tool_uses), by the agent that called the tool ('direct': the main session)" + AS_OF,
        scope.names("agent_name", "tool_name", "status"));
    sorted(tools.uses(), l -> List.of(l.agentName(), l.toolName(), l.status()))
        .forEach(e -> toolUses.addMetric(scope.values(e.labels()), e.value()));
    out.add(toolUses);

    CounterMetricFamily toolErrors = new CounterMetricFamily("agent_tool_error_total",
        "Finished tool uses whose status is failed, error or timeout" + AS_OF, scope.names("agent_name", "tool_name"));
    sorted(tools.errors(), l -> List.of(l.agentName(), l.toolName()))
        .forEach(e -> toolErrors.addMetric(scope.values(e.labels()), e.value()));
    out.add(toolErrors);

    List<MetricFamilySamples.Sample> toolDurations = new ArrayList<>();
    List<String> toolLabels = scope.names("agent_name", "tool_name");
    sorted(tools.durations(), l -> List.of(l.agentName(), l.toolName()))
        .forEach(e -> histogramSamples("agent_tool_duration_seconds", toolLabels, scope.values(e.labels()), e.value(), toolDurations));
    out.add(new MetricFamilySamples("agent_tool_duration_seconds", Type.HISTOGRAM,
        "Duration of finished tool uses, one observation each" + AS_OF, toolDurations));

    out.add(perAgentHistogram("agent_tool_calls_per_invocation",
        "Tool calls each finished invocation made, as the agent reported it (totalToolUseCount)",
        tools.callsPerInvocation(), scope));
    out.add(perAgentHistogram("agent_context_tokens",
        "The agent's context at its last API call, in tokens, as it reported it (totalTokens): not tokens billed, "
            + "not cost", tools.contextTokens(), scope));

    List<MetricFamilySamples.Sample> sessions = new ArrayList<>();
    histogramSamples("session_duration_seconds", scope.names(), scope.values(List.of()), w.sessionDurations(), sessions);
    out.add(new MetricFamilySamples("session_duration_seconds", Type.HISTOGRAM,
        "Duration of ended session runs, one observation each" + AS_OF, sessions));

    GaugeMetricFamily lastExecution = new GaugeMetricFamily("agent_last_execution_timestamp",
        "Latest start time of the agent, in seconds since the epoch" + AS_OF, scope.names("agent_name"));
    sorted(w.agentLastExecution(), List::of).forEach(e -> lastExecution.addMetric(scope.values(e.labels()), e.value()));
    out.add(lastExecution);

    GaugeMetricFamily successRate = new GaugeMetricFamily("agent_success_rate",
        "Percentage of the agent's finished invocations that succeeded" + AS_OF, scope.names("agent_name"));
    sorted(w.agentSuccessRate(), List::of).forEach(e -> successRate.addMetric(scope.values(e.labels()), e.value()));
    out.add(successRate);

    out.add(gauge("active_sessions_count", "Sessions with no end time, with status active, or with an agent running", w.activeSessions(), scope));
    out.add(gauge("parallel_executions_current",
        "Unfinished invocations that started within --stale-after", w.parallelExecutions(), scope));
    out.add(gauge("total_unique_agents", "Distinct agent names among all invocations", w.uniqueAgents(), scope));
    out.add(gauge("total_sessions", "Rows of the sessions table", w.totalSessions(), scope));
    out.add(gauge("avg_agents_per_session",
        "Mean number of distinct agents per session that has invocations", w.avgAgentsPerSession(), scope));

    GaugeMetricFamily info = new GaugeMetricFamily("agent_workflow_database_info",
        "The database the exporter reads; always 1", scope.names("path"));
    info.addMetric(scope.values(List.of(project.path())), 1);
    out.add(info);
    if (!Double.isNaN(poll.databaseSizeBytes())) {
      out.add(gauge("agent_workflow_database_size_bytes", "Size of the database file", poll.databaseSizeBytes(), scope));
    }
    out.add(gauge("agent_workflow_database_up", "1 if the last poll read the database, else 0",
        poll.databaseUp() ? 1 : 0, scope));
    out.add(gauge("agent_workflow_exporter_poll_duration_seconds", "How long the last poll took",
        poll.pollDurationSeconds(), scope));
    out.add(counter("agent_workflow_exporter_poll_errors_total",
        "Polls that failed to read the database", poll.pollErrors(), scope));
    out.add(gauge("agent_workflow_exporter_last_poll_success_timestamp_seconds",
        "When a poll last read the database, in seconds since the epoch; 0 before the first",
        Double.isNaN(poll.lastSuccessEpochSeconds()) ? 0 : poll.lastSuccessEpochSeconds(), scope));
    CounterMetricFamily rowsRead = new CounterMetricFamily("agent_workflow_exporter_rows_read_total",
        "Rows read from the database, by table: grows with changes, not with the size of the database" + AS_OF,
        scope.names("table"));
    sorted(poll.rowsRead(), List::of).forEach(e -> rowsRead.addMetric(scope.values(e.labels()), e.value()));
    out.add(rowsRead);
    out.add(gauge("agent_workflow_exporter_longest_read_seconds",
        "The longest time one read statement held SQLite's shared lock since the exporter started: "
            + "how long a writer's commit may have waited for the exporter", poll.longestReadSeconds(), scope));
    CounterMetricFamily overflow = new CounterMetricFamily("agent_workflow_exporter_label_overflow_total",
        "Finished invocations and tool uses counted with a label value reported as 'other': past "
            + "--max-label-values distinct values of the label, or longer than 256 characters" + AS_OF,
        scope.names("label"));
    sorted(w.labelOverflow(), List::of).forEach(e -> overflow.addMetric(scope.values(e.labels()), e.value()));
    out.add(overflow);
    CounterMetricFamily seriesOverflow = new CounterMetricFamily("agent_workflow_exporter_series_overflow_total",
        "Observations counted under the metric's one overflow series (labels all 'other') because --max-series "
            + "label combinations of it were taken" + AS_OF, scope.names("metric"));
    sorted(w.seriesOverflow(), List::of).forEach(e -> seriesOverflow.addMetric(scope.values(e.labels()), e.value()));
    out.add(seriesOverflow);
    CounterMetricFamily untracked = new CounterMetricFamily("agent_workflow_exporter_untracked_rows_total",
        "Rows that needed following (running invocations and tool uses; active or not yet ended sessions) but were "
            + "not, because as many as the heap holds were followed already" + AS_OF, scope.names("table"));
    untracked.addMetric(scope.values(List.of("agent_invocations")), w.untrackedInvocations());
    untracked.addMetric(scope.values(List.of("agent_tool_uses")), w.untrackedToolUses());
    untracked.addMetric(scope.values(List.of("sessions")), w.untrackedSessions());
    out.add(untracked);
    CounterMetricFamily rescans = new CounterMetricFamily("agent_workflow_exporter_table_rescans_total",
        "Passes over a whole table to know its rows again by content rather than by row id: after a schema "
            + "change (VACUUM, a rebuilt table), a lost connection, or row ids going backwards" + AS_OF,
        scope.names("table"));
    sorted(poll.tableRescans(), List::of).forEach(e -> rescans.addMetric(scope.values(e.labels()), e.value()));
    out.add(rescans);
    out.add(gauge("agent_workflow_exporter_state_restored",
        "1 if this run went on from the state file (it described this very database, counted the same way); 0 if "
            + "it counted from scratch (the log says why)", poll.state().restored() ? 1 : 0, scope));
    out.add(counter("agent_workflow_exporter_state_writes_total",
        "State files written since the exporter started", poll.state().writes(), scope));
    out.add(counter("agent_workflow_exporter_state_write_errors_total",
        "Attempts to write the state file that failed since the exporter started (the log says why)",
        poll.state().writeErrors(), scope));
    if (!Double.isNaN(poll.state().sizeBytes())) {
      out.add(gauge("agent_workflow_exporter_state_size_bytes", "Size of the state file last written or read",
          poll.state().sizeBytes(), scope));
    }
    return out;
  }

  private static MetricFamilySamples perAgentHistogram(String name, String help,
      Map<String, HistogramSnapshot> byAgent, Scope scope) {
    List<MetricFamilySamples.Sample> samples = new ArrayList<>();
    List<String> labels = scope.names("agent_name");
    sorted(byAgent, List::of).forEach(e -> histogramSamples(name, labels, scope.values(e.labels()), e.value(), samples));
    return new MetricFamilySamples(name, Type.HISTOGRAM, help + AS_OF, samples);
  }

  private static GaugeMetricFamily gauge(String name, String help, double value, Scope scope) {
    GaugeMetricFamily gauge = new GaugeMetricFamily(name, help + AS_OF, scope.names());
    gauge.addMetric(scope.values(List.of()), value);
    return gauge;
  }

  private static CounterMetricFamily counter(String name, String help, double value, Scope scope) {
    CounterMetricFamily counter = new CounterMetricFamily(name, help + AS_OF, scope.names());
    counter.addMetric(scope.values(List.of()), value);
    return counter;
  }

  private static void histogramSamples(String name, List<String> labelNames, List<String> labelValues,
      HistogramSnapshot h, List<MetricFamilySamples.Sample> out) {
    List<String> bucketNames = new ArrayList<>(labelNames);
    bucketNames.add("le");
    for (int i = 0; i < h.upperBounds().size(); i++) {
      out.add(new MetricFamilySamples.Sample(name + "_bucket", bucketNames,
          with(labelValues, doubleToGoString(h.upperBounds().get(i))), h.cumulativeCounts().get(i)));
    }
    out.add(new MetricFamilySamples.Sample(name + "_bucket", bucketNames, with(labelValues, "+Inf"), h.count()));
    out.add(new MetricFamilySamples.Sample(name + "_count", labelNames, labelValues, h.count()));
    out.add(new MetricFamilySamples.Sample(name + "_sum", labelNames, labelValues, h.sum()));
  }

  private static List<String> with(List<String> values, String last) {
    List<String> all = new ArrayList<>(values);
    all.add(last);
    return all;
  }

  private static <K, V> List<Series<V>> sorted(Map<K, V> map, Function<K, List<String>> labels) {
    List<Series<V>> series = new ArrayList<>(map.size());
    map.forEach((k, v) -> series.add(new Series<>(labels.apply(k), v)));
    series.sort(Comparator.comparing(s -> String.join("\u0000", s.labels())));
    return series;
  }

  private record Series<V>(List<String> labels, V value) {}
}
