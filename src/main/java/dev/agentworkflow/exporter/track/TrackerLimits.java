package dev.agentworkflow.exporter.track;

/**
 * What bounds the tracker's memory whatever the database holds.
 *
 * @param maxLabelValues distinct values admitted per label before new ones read as {@code other}
 * @param maxSeries label combinations admitted per metric family before new ones are counted
 *     under the family's one overflow series
 * @param maxRunningInvocations running invocations followed at once
 * @param maxWatchedSessions session rows followed at once (active, or not yet observed ending)
 * @param maxRunningToolUses running tool uses followed at once
 */
public record TrackerLimits(int maxLabelValues, int maxSeries, int maxRunningInvocations, int maxWatchedSessions,
    int maxRunningToolUses) {}
