package dev.agentworkflow.exporter.model;

import java.util.Map;

/**
 * Everything the database says, as of one poll, and what the tracker's bounds left out of it:
 * {@code labelOverflow} per label, {@code seriesOverflow} per metric family, and the running
 * invocations, tool uses and session rows not followed because as many were followed already.
 * Immutable: a scrape renders one of these whole, so it can never show half a poll.
 */
public record WorkflowSnapshot(
    Map<InvocationLabels, Long> invocations,
    Map<ErrorLabels, Long> errors,
    Map<String, Long> phases,
    Map<DurationLabels, HistogramSnapshot> agentDurations,
    HistogramSnapshot sessionDurations,
    Map<String, Double> agentLastExecution,
    Map<String, Double> agentSuccessRate,
    long uniqueAgents,
    double avgAgentsPerSession,
    long parallelExecutions,
    long activeSessions,
    long totalSessions,
    ToolFigures tools,
    Map<String, Long> labelOverflow,
    Map<String, Long> seriesOverflow,
    long untrackedInvocations,
    long untrackedToolUses,
    long untrackedSessions) {

  /**
   * Tool usage: the tool uses of {@code agent_tool_uses}, and what each counted invocation reported
   * of its run (by agent name).
   */
  public record ToolFigures(
      Map<ToolUseLabels, Long> uses,
      Map<ToolLabels, Long> errors,
      Map<ToolLabels, HistogramSnapshot> durations,
      Map<String, HistogramSnapshot> callsPerInvocation,
      Map<String, HistogramSnapshot> contextTokens) {
    public ToolFigures {
      uses = Map.copyOf(uses);
      errors = Map.copyOf(errors);
      durations = Map.copyOf(durations);
      callsPerInvocation = Map.copyOf(callsPerInvocation);
      contextTokens = Map.copyOf(contextTokens);
    }

    static final ToolFigures NONE = new ToolFigures(Map.of(), Map.of(), Map.of(), Map.of(), Map.of());
  }

  public WorkflowSnapshot {
    invocations = Map.copyOf(invocations);
    errors = Map.copyOf(errors);
    phases = Map.copyOf(phases);
    agentDurations = Map.copyOf(agentDurations);
    agentLastExecution = Map.copyOf(agentLastExecution);
    agentSuccessRate = Map.copyOf(agentSuccessRate);
    labelOverflow = Map.copyOf(labelOverflow);
    seriesOverflow = Map.copyOf(seriesOverflow);
  }

  /** The state before anything was read: no series, zero gauges. */
  public static WorkflowSnapshot empty(HistogramSnapshot emptySessionDurations) {
    return new WorkflowSnapshot(
        Map.of(), Map.of(), Map.of(), Map.of(), emptySessionDurations, Map.of(), Map.of(), 0, 0, 0, 0, 0,
        ToolFigures.NONE, Map.of(), Map.of(), 0, 0, 0);
  }
}
