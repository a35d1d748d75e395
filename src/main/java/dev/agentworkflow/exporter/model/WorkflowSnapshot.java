package dev.agentworkflow.exporter.model;

/**
 * Everything the database says, as of one poll, and what the tracker's bounds left out of it.
 * Immutable: a scrape renders one of these whole, so it can never show half a poll.
 *
 * @param agents the invocations' figures
 * @param tools the tool uses' figures
 * @param sessions the sessions' figures
 * @param bounds what the label, series and row limits left out
 */
public record WorkflowSnapshot(AgentFigures agents, ToolFigures tools, SessionFigures sessions, Bounds bounds) {

  /** The state before anything was read: no series, zero gauges. */
  public static WorkflowSnapshot empty(HistogramSnapshot emptySessionDurations) {
    return new WorkflowSnapshot(AgentFigures.NONE, ToolFigures.NONE, SessionFigures.none(emptySessionDurations),
        Bounds.NONE);
  }
}
