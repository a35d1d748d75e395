package dev.agentworkflow.exporter.model;

/**
 * One row of {@code agent_tool_uses}, as far as the metrics need it: read and cut as an
 * {@link InvocationRow} is. {@code identity} is a hash of the columns the hook never changes after
 * the insert ({@code session_id}, {@code agent_name}, {@code tool_name}, {@code start_time},
 * {@code sequence_number}).
 */
public record ToolUseRow(
    long rowId,
    String agentName,
    String toolName,
    String status,
    double startEpochSeconds,
    double endEpochSeconds,
    boolean endTimeSet,
    double durationSeconds,
    long identity) {}
