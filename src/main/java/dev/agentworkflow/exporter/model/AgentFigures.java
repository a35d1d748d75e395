package dev.agentworkflow.exporter.model;

import java.util.Map;

/**
 * What the finished and running invocations ({@code agent_invocations}) say, as {@code
 * InvocationTracker} counted them. Immutable.
 *
 * @param invocations finished invocations per label set ({@code agent_invocation_total})
 * @param errors those whose status is failed, error or timeout ({@code agent_error_total})
 * @param phases finished invocations per phase ({@code phase_distribution_total})
 * @param durations one observation per finished invocation ({@code agent_duration_seconds})
 * @param lastExecution each agent's latest start, in seconds since the epoch
 * @param toolCallsPerInvocation per agent, the tool calls each finished invocation reported
 *     ({@code totalToolUseCount} of its response)
 * @param successRate per agent, the percentage of its finished invocations that succeeded
 * @param contextTokens per agent, the context each finished invocation reported ({@code totalTokens})
 * @param uniqueAgents distinct agent names among all invocations
 * @param avgAgentsPerSession distinct agents per session that has invocations, on average
 * @param parallelExecutions unfinished invocations that started within {@code --stale-after} of
 *     the time the figures are for
 */
public record AgentFigures(
    Map<InvocationLabels, Long> invocations,
    Map<ErrorLabels, Long> errors,
    Map<String, Long> phases,
    Map<DurationLabels, HistogramSnapshot> durations,
    Map<String, Double> lastExecution,
    Map<String, HistogramSnapshot> toolCallsPerInvocation,
    Map<String, Double> successRate,
    Map<String, HistogramSnapshot> contextTokens,
    long uniqueAgents,
    double avgAgentsPerSession,
    long parallelExecutions) {

  public static final AgentFigures NONE =
      new AgentFigures(Map.of(), Map.of(), Map.of(), Map.of(), Map.of(), Map.of(), Map.of(), Map.of(), 0, 0, 0);

  public AgentFigures {
    invocations = Map.copyOf(invocations);
    errors = Map.copyOf(errors);
    phases = Map.copyOf(phases);
    durations = Map.copyOf(durations);
    lastExecution = Map.copyOf(lastExecution);
    toolCallsPerInvocation = Map.copyOf(toolCallsPerInvocation);
    successRate = Map.copyOf(successRate);
    contextTokens = Map.copyOf(contextTokens);
  }

  /** The same counted figures with the running invocations of another moment: only they depend on the clock. */
  public AgentFigures withParallelExecutions(long running) {
    return new AgentFigures(invocations, errors, phases, durations, lastExecution, toolCallsPerInvocation, successRate,
        contextTokens, uniqueAgents, avgAgentsPerSession, running);
  }
}
