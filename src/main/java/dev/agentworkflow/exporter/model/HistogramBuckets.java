package dev.agentworkflow.exporter.model;

import java.util.Arrays;

/**
 * The upper bounds of every histogram the exporter counts, each sorted ascending; +Inf is implied.
 * Arrays handed over are copied, never changed.
 *
 * @param agentDuration {@code agent_duration_seconds}
 * @param toolCalls {@code agent_tool_calls_per_invocation}
 * @param contextTokens {@code agent_context_tokens}
 * @param toolDuration {@code agent_tool_duration_seconds}
 * @param sessionDuration {@code session_duration_seconds}
 */
public record HistogramBuckets(double[] agentDuration, double[] toolCalls, double[] contextTokens,
    double[] toolDuration, double[] sessionDuration) {
  public HistogramBuckets {
    agentDuration = agentDuration.clone();
    toolCalls = toolCalls.clone();
    contextTokens = contextTokens.clone();
    toolDuration = toolDuration.clone();
    sessionDuration = sessionDuration.clone();
  }

  /** All the bounds as one text: what a state file was counted with. */
  public String describe() {
    return "agent-duration=" + Arrays.toString(agentDuration) + " tool-calls=" + Arrays.toString(toolCalls)
        + " context-tokens=" + Arrays.toString(contextTokens) + " tool-duration=" + Arrays.toString(toolDuration)
        + " session-duration=" + Arrays.toString(sessionDuration);
  }
}
