package dev.agentworkflow.exporter.model;

/** Labels of {@code agent_invocation_total}. */
public record InvocationLabels(String agentName, String phase, String status, String model) {}
