package dev.agentworkflow.exporter.model;

/** Labels of {@code agent_tool_usage_total}. */
public record ToolUseLabels(String agentName, String toolName, String status) {}
