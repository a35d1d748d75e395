package dev.agentworkflow.exporter.model;

import java.util.Map;

/**
 * What the finished tool uses ({@code agent_tool_uses}) say, as {@code ToolUseTracker} counted
 * them. Immutable.
 *
 * @param uses finished tool uses per label set ({@code agent_tool_usage_total})
 * @param errors those whose status is failed, error or timeout ({@code agent_tool_error_total})
 * @param durations one observation per finished tool use ({@code agent_tool_duration_seconds})
 */
public record ToolFigures(
    Map<ToolUseLabels, Long> uses,
    Map<ToolLabels, Long> errors,
    Map<ToolLabels, HistogramSnapshot> durations) {

  public static final ToolFigures NONE = new ToolFigures(Map.of(), Map.of(), Map.of());

  public ToolFigures {
    uses = Map.copyOf(uses);
    errors = Map.copyOf(errors);
    durations = Map.copyOf(durations);
  }
}
