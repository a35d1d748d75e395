package dev.agentworkflow.exporter.model;

/**
 * One row of {@code sessions}. {@code startTimeText} is the raw start time, which with the session
 * id names a session run; the epoch values are {@code NaN} when NULL or unparseable.
 */
public record SessionRow(
    long rowId,
    String sessionId,
    String startTimeText,
    double startEpochSeconds,
    double endEpochSeconds,
    boolean endTimeSet,
    String status) {}
