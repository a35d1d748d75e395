package dev.agentworkflow.exporter.model;

/** Labels of {@code agent_error_total}. */
public record ErrorLabels(String agentName, String phase) {}
