package dev.agentworkflow.exporter.model;

import java.util.Map;

/**
 * Everything the database says, as of one poll. Immutable: a scrape renders one of these whole,
 * so it can never show half a poll.
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
    Map<String, Long> labelOverflow) {

  public WorkflowSnapshot {
    invocations = Map.copyOf(invocations);
    errors = Map.copyOf(errors);
    phases = Map.copyOf(phases);
    agentDurations = Map.copyOf(agentDurations);
    agentLastExecution = Map.copyOf(agentLastExecution);
    agentSuccessRate = Map.copyOf(agentSuccessRate);
    labelOverflow = Map.copyOf(labelOverflow);
  }

  /** The state before anything was read: no series, zero gauges. */
  public static WorkflowSnapshot empty(HistogramSnapshot emptySessionDurations) {
    return new WorkflowSnapshot(
        Map.of(), Map.of(), Map.of(), Map.of(), emptySessionDurations, Map.of(), Map.of(), 0, 0, 0, 0, 0, Map.of());
  }
}
