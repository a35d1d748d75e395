package dev.agentworkflow.exporter.model;

/** Labels of {@code agent_duration_seconds}. */
public record DurationLabels(String agentName, String phase, String model) {}
