package dev.agentworkflow.exporter.metrics;

import dev.agentworkflow.exporter.model.AgentFigures;
import dev.agentworkflow.exporter.model.Bounds;
import dev.agentworkflow.exporter.model.BuildInfo;
import dev.agentworkflow.exporter.model.HistogramBuckets;
import dev.agentworkflow.exporter.model.HistogramSnapshot;
import dev.agentworkflow.exporter.model.PollResult;
import dev.agentworkflow.exporter.model.ProjectPoll;
import dev.agentworkflow.exporter.model.PublishedPolls;
import dev.agentworkflow.exporter.model.Reads;
import dev.agentworkflow.exporter.model.SessionFigures;
import dev.agentworkflow.exporter.model.ToolFigures;
import io.prometheus.client.Collector.Type;
import io.prometheus.client.CounterMetricFamily;
import io.prometheus.client.GaugeMetricFamily;
import io.prometheus.client.Predicate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.AbstractList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Renders the latest poll. It reads the published result once per scrape, so every family in
 * a scrape comes from the same poll, and series whose label values vanished are not exported.
 * Series are sorted by label values so that the output is stable from scrape to scrape.
 *
 * <pre>{@code
 * List<SnapshotCollector<?>> collectors = List.of(new WorkflowCollector(polling::latest, build));
 * }</pre>
 */
public final class WorkflowCollector extends SnapshotCollector<PublishedPolls> {
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
   *
   * <p>A family's samples are made when they are read, one database's at a time, and not kept:
   * 50 databases of a real pipeline are some 240,000 samples, tens of MB of objects that a 64 MB
   * heap cannot hold beside their rendering (docs/performance.md, the many-databases rows).
   */

  /**
   * Only the families with a sample {@code sampleNameFilter} takes ({@code ?name[]=}): whether it
   * takes one is asked of the first database's samples, so that a question for one family does not
   * make every database's samples of the others. Null: every family.
   */
  @Override
  public PublishedPolls snapshot() {
    return latest.get();
  }

  @Override
  public List<MetricFamilySamples> families(PublishedPolls polls, Predicate<String> sampleNameFilter) {
    List<ProjectPoll> projects = polls.projects();
    List<Scope> scopes = new ArrayList<>(projects.size());
    for (ProjectPoll project : projects) {
      scopes.add(polls.labelled() ? new Scope(List.of("project"), List.of(project.project())) : Scope.NONE);
    }
    List<MetricFamilySamples> out = new ArrayList<>();
    List<Slice> slices = new ArrayList<>(SLICES);
    slices.addAll(CustomFamilies.slices(projects));
    for (Slice slice : slices) {
      for (int i = 0; i < projects.size(); i++) {
        MetricFamilySamples first = slice.of(projects.get(i), scopes.get(i));
        if (first != null) { // its name, type and help; absent from every database: not exported
          if (sampleNameFilter != null && first.samples.stream().noneMatch(s -> sampleNameFilter.test(s.name))
              && !first.samples.isEmpty()) {
            break;
          }
          ProjectSamples samples = new ProjectSamples(slice, projects, scopes);
          // simpleclient copies a counter's samples at once, asking their number first: made once
          // here, not twice (the number, then the copy); the others are made as they are written
          out.add(new MetricFamilySamples(first.name, first.unit, first.type, first.help,
              first.type == Type.COUNTER ? samples.made() : samples));
          break;
        }
      }
    }
    if (polls.labelled()) {
      out.add(gauge("agent_workflow_exporter_databases", "Databases read: named by --db, or found by --db-glob",
          projects.size(), Scope.NONE));
      out.add(gauge("agent_workflow_exporter_database_name_clashes", "Databases --db-glob found that are not read "
          + "because another database has their project name (the log names them)", polls.nameClashes(), Scope.NONE));
    }
    polls.storeUp().ifPresent(up -> out.add(gauge("agent_workflow_store_up",
        "Whether the last poll read the team's PostgreSQL store (--db postgresql://...); 0 before the first",
        up ? 1 : 0, Scope.NONE)));
    // The labels of official exporters' build_info, in their order, with the Java runtime for goversion.
    GaugeMetricFamily buildInfo = new GaugeMetricFamily("agent_workflow_exporter_build_info",
        "A metric with a constant '1' value labeled by version, revision and branch from which "
            + "agent-workflow-exporter was built, and the Java version it runs on",
        List.of("branch", "javaversion", "revision", "version"));
    buildInfo.addMetric(List.of(build.branch(), build.javaVersion(), build.revision(), build.version()), 1);
    out.add(buildInfo);
    return out;
  }

  /** One family of one database, with the database's label; null when it has none of it. */
  @FunctionalInterface
  interface Slice {
    MetricFamilySamples of(ProjectPoll project, Scope scope);
  }

  /**
   * The samples of one family over every database, made database by database as they are read. A
   * list, as simpleclient's writers take one; they only iterate it, so {@link #get} and {@link
   * #size} walk it too.
   */
  private static final class ProjectSamples extends AbstractList<MetricFamilySamples.Sample> {
    private final Slice slice;
    private final List<ProjectPoll> projects;
    private final List<Scope> scopes;

    ProjectSamples(Slice slice, List<ProjectPoll> projects, List<Scope> scopes) {
      this.slice = slice;
      this.projects = projects;
      this.scopes = scopes;
    }

    /** Every sample, made once (an {@link ArrayList}'s copy would ask {@link #size} first). */
    List<MetricFamilySamples.Sample> made() {
      List<MetricFamilySamples.Sample> made = new ArrayList<>();
      forEach(made::add);
      return made;
    }

    @Override
    public Iterator<MetricFamilySamples.Sample> iterator() {
      return new Iterator<>() {
        private int next;
        private Iterator<MetricFamilySamples.Sample> current = Collections.emptyIterator();

        @Override
        public boolean hasNext() {
          while (!current.hasNext() && next < projects.size()) {
            MetricFamilySamples family = slice.of(projects.get(next), scopes.get(next));
            next++;
            current = family == null ? Collections.emptyIterator() : family.samples.iterator();
          }
          return current.hasNext();
        }

        @Override
        public MetricFamilySamples.Sample next() {
          if (!hasNext()) {
            throw new NoSuchElementException();
          }
          return current.next();
        }
      };
    }

    @Override
    public MetricFamilySamples.Sample get(int index) {
      int i = 0;
      for (MetricFamilySamples.Sample sample : this) {
        if (i++ == index) {
          return sample;
        }
      }
      throw new IndexOutOfBoundsException(index);
    }

    @Override
    public int size() {
      int n = 0;
      for (Iterator<MetricFamilySamples.Sample> it = iterator(); it.hasNext(); it.next()) {
        n++;
      }
      return n;
    }
  }

  /** The label that tells databases apart, or none. */
  record Scope(List<String> names, List<String> values) {
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

  /** Each family of one database, in the order they are exported; null when the database has none of it. */
  private static final List<Slice> SLICES = List.of(
      WorkflowCollector::agentInvocationTotal,
      WorkflowCollector::agentErrorTotal,
      WorkflowCollector::phaseDistributionTotal,
      WorkflowCollector::agentDurationSeconds,
      WorkflowCollector::agentToolUsageTotal,
      WorkflowCollector::agentToolErrorTotal,
      WorkflowCollector::agentToolDurationSeconds,
      WorkflowCollector::agentToolCallsPerInvocation,
      WorkflowCollector::agentContextTokens,
      WorkflowCollector::sessionDurationSeconds,
      WorkflowCollector::agentLastExecutionTimestamp,
      WorkflowCollector::agentSuccessRate,
      WorkflowCollector::activeSessionsCount,
      WorkflowCollector::parallelExecutionsCurrent,
      WorkflowCollector::totalUniqueAgents,
      WorkflowCollector::totalSessions,
      WorkflowCollector::avgAgentsPerSession,
      WorkflowCollector::agentWorkflowDatabaseInfo,
      WorkflowCollector::agentWorkflowDatabaseSizeBytes,
      WorkflowCollector::agentWorkflowDatabaseUp,
      WorkflowCollector::agentWorkflowExporterPollDurationSeconds,
      WorkflowCollector::agentWorkflowExporterPollErrorsTotal,
      WorkflowCollector::agentWorkflowExporterLastPollSuccessTimestampSeconds,
      WorkflowCollector::agentWorkflowExporterRowsReadTotal,
      WorkflowCollector::agentWorkflowExporterLongestReadSeconds,
      WorkflowCollector::agentWorkflowExporterLabelOverflowTotal,
      WorkflowCollector::agentWorkflowExporterSeriesOverflowTotal,
      WorkflowCollector::agentWorkflowExporterUntrackedRowsTotal,
      WorkflowCollector::agentWorkflowExporterTableRescansTotal,
      WorkflowCollector::agentWorkflowExporterStateRestored,
      WorkflowCollector::agentWorkflowExporterStateWritesTotal,
      WorkflowCollector::agentWorkflowExporterStateWriteErrorsTotal,
      WorkflowCollector::agentWorkflowExporterStateSizeBytes);

  private static MetricFamilySamples agentInvocationTotal(ProjectPoll project, Scope scope) {
    AgentFigures agents = project.poll().workflow().agents();
    CounterMetricFamily invocations = new CounterMetricFamily("agent_invocation_total",
        "Finished agent invocations" + AS_OF, scope.names("agent_name", "phase", "status", "model"));
    sorted(agents.invocations(), l -> List.of(l.agentName(), l.phase(), l.status(), l.model()))
        .forEach(e -> invocations.addMetric(scope.values(e.labels()), e.value()));
    return invocations;
  }

  private static MetricFamilySamples agentErrorTotal(ProjectPoll project, Scope scope) {
    AgentFigures agents = project.poll().workflow().agents();
    CounterMetricFamily errors = new CounterMetricFamily("agent_error_total",
        "Finished agent invocations whose status is failed, error or timeout" + AS_OF,
        scope.names("agent_name", "phase"));
    sorted(agents.errors(), l -> List.of(l.agentName(), l.phase()))
        .forEach(e -> errors.addMetric(scope.values(e.labels()), e.value()));
    return errors;
  }

  private static MetricFamilySamples phaseDistributionTotal(ProjectPoll project, Scope scope) {
    AgentFigures agents = project.poll().workflow().agents();
    CounterMetricFamily phases = new CounterMetricFamily("phase_distribution_total",
        "Finished agent invocations per workflow phase" + AS_OF, scope.names("phase"));
    sorted(agents.phases(), List::of).forEach(e -> phases.addMetric(scope.values(e.labels()), e.value()));
    return phases;
  }

  private static MetricFamilySamples agentDurationSeconds(ProjectPoll project, Scope scope) {
    AgentFigures agents = project.poll().workflow().agents();
    List<MetricFamilySamples.Sample> durations = new ArrayList<>();
    List<String> durationLabels = scope.names("agent_name", "phase", "model");
    sorted(agents.durations(), l -> List.of(l.agentName(), l.phase(), l.model()))
        .forEach(e -> histogramSamples("agent_duration_seconds", durationLabels, scope.values(e.labels()), e.value(), durations));
    return new MetricFamilySamples("agent_duration_seconds", Type.HISTOGRAM,
        "Duration of finished agent invocations, one observation each" + AS_OF, durations);
  }

  private static MetricFamilySamples agentToolUsageTotal(ProjectPoll project, Scope scope) {
    ToolFigures tools = project.poll().workflow().tools();
    CounterMetricFamily toolUses = new CounterMetricFamily("agent_tool_usage_total",
        "Finished tool uses (agent_tool_uses), by the agent that called the tool ('direct': the main session)" + AS_OF,
        scope.names("agent_name", "tool_name", "status"));
    sorted(tools.uses(), l -> List.of(l.agentName(), l.toolName(), l.status()))
        .forEach(e -> toolUses.addMetric(scope.values(e.labels()), e.value()));
    return toolUses;
  }

  private static MetricFamilySamples agentToolErrorTotal(ProjectPoll project, Scope scope) {
    ToolFigures tools = project.poll().workflow().tools();
    CounterMetricFamily toolErrors = new CounterMetricFamily("agent_tool_error_total",
        "Finished tool uses whose status is failed, error or timeout" + AS_OF, scope.names("agent_name", "tool_name"));
    sorted(tools.errors(), l -> List.of(l.agentName(), l.toolName()))
        .forEach(e -> toolErrors.addMetric(scope.values(e.labels()), e.value()));
    return toolErrors;
  }

  private static MetricFamilySamples agentToolDurationSeconds(ProjectPoll project, Scope scope) {
    ToolFigures tools = project.poll().workflow().tools();
    List<MetricFamilySamples.Sample> toolDurations = new ArrayList<>();
    List<String> toolLabels = scope.names("agent_name", "tool_name");
    sorted(tools.durations(), l -> List.of(l.agentName(), l.toolName()))
        .forEach(e -> histogramSamples("agent_tool_duration_seconds", toolLabels, scope.values(e.labels()), e.value(), toolDurations));
    return new MetricFamilySamples("agent_tool_duration_seconds", Type.HISTOGRAM,
        "Duration of finished tool uses, one observation each" + AS_OF, toolDurations);
  }

  private static MetricFamilySamples agentToolCallsPerInvocation(ProjectPoll project, Scope scope) {
    AgentFigures agents = project.poll().workflow().agents();
    return perAgentHistogram("agent_tool_calls_per_invocation",
        "Tool calls each finished invocation made, as the agent reported it (totalToolUseCount)",
        agents.toolCallsPerInvocation(), scope);
  }

  private static MetricFamilySamples agentContextTokens(ProjectPoll project, Scope scope) {
    AgentFigures agents = project.poll().workflow().agents();
    return perAgentHistogram("agent_context_tokens",
        "The agent's context at its last API call, in tokens, as it reported it (totalTokens): not tokens billed, "
            + "not cost", agents.contextTokens(), scope);
  }

  private static MetricFamilySamples sessionDurationSeconds(ProjectPoll project, Scope scope) {
    SessionFigures sessions = project.poll().workflow().sessions();
    List<MetricFamilySamples.Sample> samples = new ArrayList<>();
    histogramSamples("session_duration_seconds", scope.names(), scope.values(List.of()), sessions.durations(), samples);
    return new MetricFamilySamples("session_duration_seconds", Type.HISTOGRAM,
        "Duration of ended session runs, one observation each" + AS_OF, samples);
  }

  private static MetricFamilySamples agentLastExecutionTimestamp(ProjectPoll project, Scope scope) {
    AgentFigures agents = project.poll().workflow().agents();
    GaugeMetricFamily lastExecution = new GaugeMetricFamily("agent_last_execution_timestamp",
        "Latest start time of the agent, in seconds since the epoch" + AS_OF, scope.names("agent_name"));
    sorted(agents.lastExecution(), List::of).forEach(e -> lastExecution.addMetric(scope.values(e.labels()), e.value()));
    return lastExecution;
  }

  private static MetricFamilySamples agentSuccessRate(ProjectPoll project, Scope scope) {
    AgentFigures agents = project.poll().workflow().agents();
    GaugeMetricFamily successRate = new GaugeMetricFamily("agent_success_rate",
        "Percentage of the agent's finished invocations that succeeded" + AS_OF, scope.names("agent_name"));
    sorted(agents.successRate(), List::of).forEach(e -> successRate.addMetric(scope.values(e.labels()), e.value()));
    return successRate;
  }

  private static MetricFamilySamples activeSessionsCount(ProjectPoll project, Scope scope) {
    SessionFigures sessions = project.poll().workflow().sessions();
    return gauge("active_sessions_count", "Sessions with no end time, with status active, or with an agent running",
        sessions.active(), scope);
  }

  private static MetricFamilySamples parallelExecutionsCurrent(ProjectPoll project, Scope scope) {
    AgentFigures agents = project.poll().workflow().agents();
    return gauge("parallel_executions_current",
        "Unfinished invocations that started within --stale-after", agents.parallelExecutions(), scope);
  }

  private static MetricFamilySamples totalUniqueAgents(ProjectPoll project, Scope scope) {
    AgentFigures agents = project.poll().workflow().agents();
    return gauge("total_unique_agents", "Distinct agent names among all invocations", agents.uniqueAgents(), scope);
  }

  private static MetricFamilySamples totalSessions(ProjectPoll project, Scope scope) {
    SessionFigures sessions = project.poll().workflow().sessions();
    return gauge("total_sessions", "Rows of the sessions table", sessions.total(), scope);
  }

  private static MetricFamilySamples avgAgentsPerSession(ProjectPoll project, Scope scope) {
    AgentFigures agents = project.poll().workflow().agents();
    return gauge("avg_agents_per_session",
        "Mean number of distinct agents per session that has invocations", agents.avgAgentsPerSession(), scope);
  }

  private static MetricFamilySamples agentWorkflowDatabaseInfo(ProjectPoll project, Scope scope) {
    GaugeMetricFamily info = new GaugeMetricFamily("agent_workflow_database_info",
        "The database the exporter reads; always 1", scope.names("path"));
    info.addMetric(scope.values(List.of(project.path())), 1);
    return info;
  }

  private static MetricFamilySamples agentWorkflowDatabaseSizeBytes(ProjectPoll project, Scope scope) {
    OptionalLong size = project.poll().database().sizeBytes();
    if (size.isEmpty()) {
      return null;
    }
    return gauge("agent_workflow_database_size_bytes", "Size of the database file", size.getAsLong(), scope);
  }

  private static MetricFamilySamples agentWorkflowDatabaseUp(ProjectPoll project, Scope scope) {
    return gauge("agent_workflow_database_up", "1 if the last poll read the database, else 0",
        project.poll().database().up() ? 1 : 0, scope);
  }

  private static MetricFamilySamples agentWorkflowExporterPollDurationSeconds(ProjectPoll project, Scope scope) {
    return gauge("agent_workflow_exporter_poll_duration_seconds", "How long the last poll took",
        project.poll().history().lastDurationSeconds(), scope);
  }

  private static MetricFamilySamples agentWorkflowExporterPollErrorsTotal(ProjectPoll project, Scope scope) {
    return counter("agent_workflow_exporter_poll_errors_total",
        "Polls that failed to read the database", project.poll().history().errors(), scope);
  }

  private static MetricFamilySamples agentWorkflowExporterLastPollSuccessTimestampSeconds(ProjectPoll project, Scope scope) {
    Optional<Instant> lastSuccess = project.poll().history().lastSuccess();
    return gauge("agent_workflow_exporter_last_poll_success_timestamp_seconds",
        "When a poll last read the database, in seconds since the epoch; 0 before the first",
        lastSuccess.isEmpty() ? 0 : lastSuccess.get().toEpochMilli() / 1000.0, scope);
  }

  private static MetricFamilySamples agentWorkflowExporterRowsReadTotal(ProjectPoll project, Scope scope) {
    Reads reads = project.poll().reads();
    CounterMetricFamily rowsRead = new CounterMetricFamily("agent_workflow_exporter_rows_read_total",
        "Rows read from the database, by table: grows with changes, not with the size of the database" + AS_OF,
        scope.names("table"));
    sorted(reads.rows(), List::of).forEach(e -> rowsRead.addMetric(scope.values(e.labels()), e.value()));
    return rowsRead;
  }

  private static MetricFamilySamples agentWorkflowExporterLongestReadSeconds(ProjectPoll project, Scope scope) {
    return gauge("agent_workflow_exporter_longest_read_seconds",
        "The longest time one read statement held SQLite's shared lock since the exporter started: "
            + "how long a writer's commit may have waited for the exporter", project.poll().reads().longestSeconds(),
        scope);
  }

  private static MetricFamilySamples agentWorkflowExporterLabelOverflowTotal(ProjectPoll project, Scope scope) {
    Bounds bounds = project.poll().workflow().bounds();
    CounterMetricFamily overflow = new CounterMetricFamily("agent_workflow_exporter_label_overflow_total",
        "Finished invocations and tool uses counted with a label value reported as 'other': past "
            + "--max-label-values distinct values of the label, or longer than 256 characters" + AS_OF,
        scope.names("label"));
    sorted(bounds.labelOverflow(), List::of).forEach(e -> overflow.addMetric(scope.values(e.labels()), e.value()));
    return overflow;
  }

  private static MetricFamilySamples agentWorkflowExporterSeriesOverflowTotal(ProjectPoll project, Scope scope) {
    Bounds bounds = project.poll().workflow().bounds();
    CounterMetricFamily seriesOverflow = new CounterMetricFamily("agent_workflow_exporter_series_overflow_total",
        "Observations counted under the metric's one overflow series (labels all 'other') because --max-series "
            + "label combinations of it were taken" + AS_OF, scope.names("metric"));
    sorted(bounds.seriesOverflow(), List::of)
        .forEach(e -> seriesOverflow.addMetric(scope.values(e.labels()), e.value()));
    return seriesOverflow;
  }

  private static MetricFamilySamples agentWorkflowExporterUntrackedRowsTotal(ProjectPoll project, Scope scope) {
    Bounds bounds = project.poll().workflow().bounds();
    CounterMetricFamily untracked = new CounterMetricFamily("agent_workflow_exporter_untracked_rows_total",
        "Rows that needed following (running invocations and tool uses; active or not yet ended sessions) but were "
            + "not, because as many as the heap holds were followed already" + AS_OF, scope.names("table"));
    untracked.addMetric(scope.values(List.of("agent_invocations")), bounds.untracked().invocations());
    untracked.addMetric(scope.values(List.of("agent_tool_uses")), bounds.untracked().toolUses());
    untracked.addMetric(scope.values(List.of("sessions")), bounds.untracked().sessions());
    return untracked;
  }

  private static MetricFamilySamples agentWorkflowExporterTableRescansTotal(ProjectPoll project, Scope scope) {
    Reads reads = project.poll().reads();
    CounterMetricFamily rescans = new CounterMetricFamily("agent_workflow_exporter_table_rescans_total",
        "Passes over a whole table to know its rows again by content rather than by row id: after a schema "
            + "change (VACUUM, a rebuilt table), a lost connection, or row ids going backwards" + AS_OF,
        scope.names("table"));
    sorted(reads.rescans(), List::of).forEach(e -> rescans.addMetric(scope.values(e.labels()), e.value()));
    return rescans;
  }

  private static MetricFamilySamples agentWorkflowExporterStateRestored(ProjectPoll project, Scope scope) {
    PollResult poll = project.poll();
    return gauge("agent_workflow_exporter_state_restored",
        "1 if this run went on from the state file (it described this very database, counted the same way); 0 if "
            + "it counted from scratch (the log says why)", poll.state().restored() ? 1 : 0, scope);
  }

  private static MetricFamilySamples agentWorkflowExporterStateWritesTotal(ProjectPoll project, Scope scope) {
    PollResult poll = project.poll();
    return counter("agent_workflow_exporter_state_writes_total",
        "State files written since the exporter started", poll.state().writes(), scope);
  }

  private static MetricFamilySamples agentWorkflowExporterStateWriteErrorsTotal(ProjectPoll project, Scope scope) {
    PollResult poll = project.poll();
    return counter("agent_workflow_exporter_state_write_errors_total",
        "Attempts to write the state file that failed since the exporter started (the log says why)",
        poll.state().writeErrors(), scope);
  }

  private static MetricFamilySamples agentWorkflowExporterStateSizeBytes(ProjectPoll project, Scope scope) {
    PollResult poll = project.poll();
    if (Double.isNaN(poll.state().sizeBytes())) {
      return null;
    }
    return gauge("agent_workflow_exporter_state_size_bytes", "Size of the state file last written or read",
        poll.state().sizeBytes(), scope);
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

  static void histogramSamples(String name, List<String> labelNames, List<String> labelValues,
      HistogramSnapshot h, List<MetricFamilySamples.Sample> out) {
    List<String> bucketNames = new ArrayList<>(labelNames);
    bucketNames.add("le");
    String bucket = name + "_bucket";
    for (int i = 0; i < h.upperBounds().size(); i++) {
      out.add(new MetricFamilySamples.Sample(bucket, bucketNames,
          with(labelValues, doubleToGoString(h.upperBounds().get(i))), h.cumulativeCounts().get(i)));
    }
    out.add(new MetricFamilySamples.Sample(bucket, bucketNames, with(labelValues, "+Inf"), h.count()));
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
    map.forEach((k, v) -> {
      List<String> values = labels.apply(k);
      series.add(new Series<>(values, v, String.join("\u0000", values)));
    });
    // the key made once per series, not per comparison: 50 databases sort some 240,000 series a scrape
    series.sort(Comparator.comparing(Series::key));
    return series;
  }

  private record Series<V>(List<String> labels, V value, String key) {}
}
