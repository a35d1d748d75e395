package dev.agentworkflow.exporter.track;

import dev.agentworkflow.exporter.model.WorkflowSnapshot;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
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
  private final TrackerLimits limits;

  public WorkflowTracker(double[] agentDurationBuckets, double[] sessionDurationBuckets, Duration staleAfter,
      TrackerLimits limits) {
    this.invocations = new InvocationTracker(agentDurationBuckets, limits.maxLabelValues(), limits.maxSeries(),
        limits.maxRunningInvocations());
    this.sessions = new SessionTracker(sessionDurationBuckets, limits.maxWatchedSessions());
    this.staleAfterSeconds = staleAfter.toNanos() / 1e9;
    this.limits = limits;
  }

  public TrackerLimits limits() {
    return limits;
  }

  public InvocationTracker invocations() {
    return invocations;
  }

  public SessionTracker sessions() {
    return sessions;
  }

  /** Nothing read yet from either table: starting over would drop nothing. */
  public boolean isEmpty() {
    return invocations.isEmpty() && sessions.isEmpty();
  }

  /**
   * Writes everything the tracker knows, so that {@link #readFrom} in another process goes on
   * counting exactly where this one stopped (the state file). Plain counts and arrays, in a fixed
   * order; what reads it back checks each part against what it expects.
   */
  public void writeTo(DataOutput out) throws IOException {
    invocations.writeTo(out);
    sessions.writeTo(out);
  }

  /** Reads what {@link #writeTo} wrote into this new tracker, made with the same buckets and limits. */
  public void readFrom(DataInput in) throws IOException {
    invocations.readFrom(in);
    sessions.readFrom(in);
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
        ses.activeSessions(), ses.totalSessions(), inv.labelOverflow(), inv.seriesOverflow(), inv.untracked(),
        ses.untracked());
  }

  private static double seconds(Instant instant) {
    return instant.getEpochSecond() + instant.getNano() / 1e9;
  }
}
