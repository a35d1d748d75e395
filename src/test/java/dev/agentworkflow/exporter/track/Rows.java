package dev.agentworkflow.exporter.track;

import dev.agentworkflow.exporter.model.HistogramBuckets;
import dev.agentworkflow.exporter.model.InvocationRow;
import dev.agentworkflow.exporter.model.SessionRow;
import dev.agentworkflow.exporter.model.ToolUseRow;

/** Rows for the pure tracker tests: times in epoch seconds, NaN for unknown. */
final class Rows {
  private static final double NONE = Double.NaN;

  private Rows() {}

  static InvocationRow started(long id, String session, String phase, String agent, double start) {
    return new InvocationRow(id, session, phase, agent, null, "started", start, NONE, false, NONE, identity(id, session, agent),
        NONE, NONE);
  }

  static InvocationRow finished(long id, String session, String phase, String agent, String status, String model,
      double start, double end, double duration) {
    return new InvocationRow(id, session, phase, agent, model, status, start, end, true, duration,
        identity(id, session, agent), NONE, NONE);
  }

  /** {@code row} with what its agent reported: tool calls and context tokens (NaN: not reported). */
  static InvocationRow reporting(InvocationRow row, double toolCalls, double tokens) {
    return new InvocationRow(row.rowId(), row.sessionId(), row.phase(), row.agentName(), row.model(), row.status(),
        row.startEpochSeconds(), row.endEpochSeconds(), row.endTimeSet(), row.durationSeconds(), row.identity(),
        toolCalls, tokens);
  }

  /** A tool use: finished when {@code status} is not a running one or {@code end} is known. */
  static ToolUseRow tool(long id, String agent, String tool, String status, double start, double end, double duration) {
    return new ToolUseRow(id, agent, tool, status, start, end, !Double.isNaN(end), duration,
        identity(id, agent, tool));
  }

  /** Histogram bounds with these of agent_duration_seconds and small ones for the rest. */
  static HistogramBuckets buckets(double[] agentDuration) {
    return new HistogramBuckets(agentDuration, new double[] {0, 10, 100}, new double[] {1000, 100000},
        new double[] {0.5, 5}, new double[] {60, 600});
  }

  /** A row's identity for these tests: its first id, session and agent. */
  static long identity(long id, String session, String agent) {
    return (id + "/" + session + "/" + agent).hashCode();
  }

  static SessionRow session(long rowId, String id, double start, double end, String status) {
    return new SessionRow(rowId, id, Double.isNaN(start) ? null : Double.toString(start), start, end,
        !Double.isNaN(end), status);
  }
}
