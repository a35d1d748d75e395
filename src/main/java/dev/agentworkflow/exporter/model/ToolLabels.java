package dev.agentworkflow.exporter.model;

/** Labels of {@code agent_tool_error_total} and {@code agent_tool_duration_seconds}. */
public record ToolLabels(String agentName, String toolName) {}
