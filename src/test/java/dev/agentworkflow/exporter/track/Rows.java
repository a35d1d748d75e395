package dev.agentworkflow.exporter.track;

import dev.agentworkflow.exporter.model.InvocationRow;
import dev.agentworkflow.exporter.model.SessionRow;

/** Rows for the pure tracker tests: times in epoch seconds, NaN for unknown. */
final class Rows {
  private static final double NONE = Double.NaN;

  private Rows() {}

  static InvocationRow started(long id, String session, String phase, String agent, double start) {
    return new InvocationRow(id, session, phase, agent, null, "started", start, NONE, false, NONE, identity(id, session, agent));
  }

  static InvocationRow finished(long id, String session, String phase, String agent, String status, String model,
      double start, double end, double duration) {
    return new InvocationRow(id, session, phase, agent, model, status, start, end, true, duration,
        identity(id, session, agent));
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
