package dev.agentworkflow.exporter.monitoring;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * What an exporter that reads several databases serves, as OpenMetrics, for steady made-up
 * pipelines: one scrape at any time, written by hand as issue 16 fixes the interface. Every
 * workflow series and every per-database self metric carries {@code project="NAME"} as its first
 * label; build info and the number of databases read are the process's and carry none.
 *
 * <p>Each agent runs at a constant rate from {@code start} (until it {@code stops}, if it does),
 * every run the same: counters grow linearly, so {@code increase()} over a range in which the agent
 * ran throughout is its rate × the range, exactly.
 */
final class ProjectScrapes {
  /**
   * One agent of one project.
   *
   * @param seconds each run's duration
   * @param tool the one tool it calls, {@code toolCalls} times a run, {@code toolErrors} of them failing
   * @param contextTokens each run's context size at its last API call
   * @param stops when it stopped running, or null
   */
  record Agent(String project, String name, String phase, double runsPerHour, double failedPerHour, double seconds,
      String tool, double toolCalls, double toolErrors, double contextTokens, Instant stops) {}

  static final double TOOL_SECONDS = 0.2;
  static final double SESSIONS_PER_HOUR = 2;
  static final double SESSION_SECONDS = 1200;
  private static final double[] DURATION_BUCKETS = {60, 300, 600};
  private static final double[] TOOL_BUCKETS = {0.5, 5};
  private static final double[] CALL_BUCKETS = {5, 20};
  private static final double[] TOKEN_BUCKETS = {100_000, 150_000, 200_000};
  private static final double[] SESSION_BUCKETS = {600, 1800, 3600};

  private final Instant start;
  private final List<Agent> agents;
  private final List<String> projects;

  ProjectScrapes(Instant start, List<Agent> agents) {
    this.start = start;
    this.agents = List.copyOf(agents);
    this.projects = agents.stream().map(Agent::project).distinct().toList();
  }

  /** One scrape at {@code t}, as the exporter serves it (without the closing {@code # EOF}). */
  String at(Instant t) {
    Families out = new Families();
    for (Agent a : agents) {
      double runs = runs(a, t);
      double failed = a.failedPerHour() * hours(a, t);
      String agent = "project=\"" + a.project() + "\",agent_name=\"" + a.name() + "\"";
      out.add("agent_invocation", "counter", "agent_invocation_total{" + agent + ",phase=\"" + a.phase()
          + "\",status=\"completed\",model=\"m\"}", runs - failed);
      if (a.failedPerHour() > 0) {
        out.add("agent_invocation", "counter", "agent_invocation_total{" + agent + ",phase=\"" + a.phase()
            + "\",status=\"failed\",model=\"m\"}", failed);
        out.add("agent_error", "counter", "agent_error_total{" + agent + ",phase=\"" + a.phase() + "\"}", failed);
      }
      histogram(out, "agent_duration_seconds", agent + ",phase=\"" + a.phase() + "\",model=\"m\"", DURATION_BUCKETS,
          runs, a.seconds());
      String tool = agent + ",tool_name=\"" + a.tool() + "\"";
      double calls = runs * a.toolCalls();
      double errors = runs * a.toolErrors();
      out.add("agent_tool_usage", "counter", "agent_tool_usage_total{" + tool + ",status=\"completed\"}",
          calls - errors);
      if (a.toolErrors() > 0) {
        out.add("agent_tool_usage", "counter", "agent_tool_usage_total{" + tool + ",status=\"error\"}", errors);
        out.add("agent_tool_error", "counter", "agent_tool_error_total{" + tool + "}", errors);
      }
      histogram(out, "agent_tool_duration_seconds", tool, TOOL_BUCKETS, calls, TOOL_SECONDS);
      histogram(out, "agent_tool_calls_per_invocation", agent, CALL_BUCKETS, runs, a.toolCalls());
      histogram(out, "agent_context_tokens", agent, TOKEN_BUCKETS, runs, a.contextTokens());
      out.add("agent_last_execution_timestamp", "gauge", "agent_last_execution_timestamp{" + agent + "}",
          ranUntil(a, t).getEpochSecond());
    }
    for (String project : projects) {
      String p = "project=\"" + project + "\"";
      List<Agent> own = agents.stream().filter(a -> a.project().equals(project)).toList();
      for (String phase : own.stream().map(Agent::phase).distinct().toList()) {
        double runs = own.stream().filter(a -> a.phase().equals(phase)).mapToDouble(a -> runs(a, t)).sum();
        out.add("phase_distribution", "counter", "phase_distribution_total{" + p + ",phase=\"" + phase + "\"}", runs);
      }
      double sessions = SESSIONS_PER_HOUR * Duration.between(start, t).toSeconds() / 3600.0;
      histogram(out, "session_duration_seconds", p, SESSION_BUCKETS, sessions, SESSION_SECONDS);
      out.add("active_sessions_count", "gauge", "active_sessions_count{" + p + "}", 1);
      out.add("parallel_executions_current", "gauge", "parallel_executions_current{" + p + "}", 1);
      out.add("total_unique_agents", "gauge", "total_unique_agents{" + p + "}", own.size());
      out.add("total_sessions", "gauge", "total_sessions{" + p + "}", Math.floor(sessions));
      out.add("avg_agents_per_session", "gauge", "avg_agents_per_session{" + p + "}", own.size());
      out.add("agent_workflow_database_size_bytes", "gauge", "agent_workflow_database_size_bytes{" + p + "}",
          1_048_576.0 * (projects.indexOf(project) + 1));
      out.add("agent_workflow_database_up", "gauge", "agent_workflow_database_up{" + p + "}", 1);
      out.add("agent_workflow_exporter_poll_duration_seconds", "gauge",
          "agent_workflow_exporter_poll_duration_seconds{" + p + "}", 0.002);
      out.add("agent_workflow_exporter_poll_errors", "counter", "agent_workflow_exporter_poll_errors_total{" + p + "}",
          0);
      out.add("agent_workflow_exporter_last_poll_success_timestamp_seconds", "gauge",
          "agent_workflow_exporter_last_poll_success_timestamp_seconds{" + p + "}", t.getEpochSecond());
    }
    out.add("agent_workflow_exporter_databases", "gauge", "agent_workflow_exporter_databases", projects.size());
    out.add("agent_workflow_exporter_database_name_clashes", "gauge", "agent_workflow_exporter_database_name_clashes",
        0);
    out.add("agent_workflow_exporter_build_info", "gauge", "agent_workflow_exporter_build_info{branch=\"main\","
        + "javaversion=\"17\",revision=\"unknown\",version=\"test\"}", 1);
    return out.text();
  }

  private double runs(Agent a, Instant t) {
    return a.runsPerHour() * hours(a, t);
  }

  private double hours(Agent a, Instant t) {
    return Duration.between(start, ranUntil(a, t)).toMillis() / 3_600_000.0;
  }

  private static Instant ranUntil(Agent a, Instant t) {
    return a.stops() != null && a.stops().isBefore(t) ? a.stops() : t;
  }

  /** {@code count} observations, each of {@code value}. */
  private static void histogram(Families out, String name, String labels, double[] bounds, double count,
      double value) {
    Function<String, String> bucket = le -> name + "_bucket{" + labels + ",le=\"" + le + "\"}";
    for (double bound : bounds) {
      out.add(name, "histogram", bucket.apply(Double.toString(bound)), value <= bound ? count : 0);
    }
    out.add(name, "histogram", bucket.apply("+Inf"), count);
    out.add(name, "histogram", name + "_count{" + labels + "}", count);
    out.add(name, "histogram", name + "_sum{" + labels + "}", count * value);
  }

  /** Samples kept per family, each family in one piece as OpenMetrics wants. */
  private static final class Families {
    private final Map<String, StringBuilder> families = new LinkedHashMap<>();

    void add(String family, String type, String sample, double value) {
      families.computeIfAbsent(family, f -> new StringBuilder("# TYPE " + f + " " + type + "\n"))
          .append(sample).append(' ').append(value).append('\n');
    }

    String text() {
      StringBuilder text = new StringBuilder();
      families.values().forEach(text::append);
      return text.toString();
    }
  }
}
