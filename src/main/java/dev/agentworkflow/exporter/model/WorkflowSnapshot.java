package dev.agentworkflow.exporter.model;

import java.util.Map;

/**
 * Everything the database says, as of one poll, and what the tracker's bounds left out of it:
 * {@code labelOverflow} per label, {@code seriesOverflow} per metric family, and the running
 * invocations and session rows not followed because as many were followed already. Immutable: a
 * scrape renders one of these whole, so it can never show half a poll.
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
    Map<String, Long> labelOverflow,
    Map<String, Long> seriesOverflow,
    long untrackedInvocations,
    long untrackedSessions) {

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
        Map.of(), Map.of(), Map.of(), Map.of(), emptySessionDurations, Map.of(), Map.of(), 0, 0, 0, 0, 0, Map.of(), Map.of(), 0, 0);
  }
}
