package dev.agentworkflow.exporter.track;

import dev.agentworkflow.exporter.model.WorkflowSnapshot;
import java.time.Duration;
import java.time.Instant;

/**
 * The whole incremental state of one database file: invocations and sessions. A replaced
 * database gets a new tracker, so nothing of the old file leaks into the new one.
 */
public final class WorkflowTracker {
  private final InvocationTracker invocations;
  private final SessionTracker sessions;
  private final double staleAfterSeconds;

  public WorkflowTracker(double[] agentDurationBuckets, double[] sessionDurationBuckets, Duration staleAfter,
      int maxLabelValues) {
    this.invocations = new InvocationTracker(agentDurationBuckets, maxLabelValues);
    this.sessions = new SessionTracker(sessionDurationBuckets);
    this.staleAfterSeconds = staleAfter.toNanos() / 1e9;
  }

  public InvocationTracker invocations() {
    return invocations;
  }

  public SessionTracker sessions() {
    return sessions;
  }

  /** The open invocations still running as of now, which every poll reads again. */
  public long[] recentOpenRowIds(Instant now) {
    return invocations.recentOpenRowIds(seconds(now), staleAfterSeconds);
  }

  /** The figures as of now; only the time-dependent gauge is computed afresh when nothing changed. */
  public WorkflowSnapshot snapshot(Instant now) {
    double nowSeconds = seconds(now);
    InvocationTracker.Figures inv = invocations.figures();
    SessionTracker.Figures ses = sessions.figures();
    return new WorkflowSnapshot(
        inv.invocations(), inv.errors(), inv.phases(), inv.durations(), ses.durations(),
        inv.lastExecution(), inv.successRate(), inv.uniqueAgents(), inv.avgAgentsPerSession(),
        invocations.parallelExecutions(nowSeconds, staleAfterSeconds),
        ses.activeSessions(), ses.totalSessions(), inv.labelOverflow());
  }

  private static double seconds(Instant instant) {
    return instant.getEpochSecond() + instant.getNano() / 1e9;
  }
}
