package dev.agentworkflow.exporter.track;

import dev.agentworkflow.exporter.model.Bounds;
import dev.agentworkflow.exporter.model.HistogramBuckets;
import dev.agentworkflow.exporter.model.SessionFigures;
import dev.agentworkflow.exporter.model.Untracked;
import dev.agentworkflow.exporter.model.WorkflowSnapshot;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The whole incremental state of one database file: invocations, tool uses and sessions. A replaced
 * database gets a new tracker, so nothing of the old file leaks into the new one.
 */
public final class WorkflowTracker {
  private final InvocationTracker invocations;
  private final ToolUseTracker toolUses;
  private final SessionTracker sessions;
  private final double staleAfterSeconds;
  private final TrackerLimits limits;
  private final RowMetricTrackers rowMetrics;

  public WorkflowTracker(HistogramBuckets buckets, Duration staleAfter, TrackerLimits limits) {
    this(buckets, staleAfter, limits, List.of());
  }

  /** @param rowMetrics the user-defined row metrics in force */
  public WorkflowTracker(HistogramBuckets buckets, Duration staleAfter, TrackerLimits limits,
      List<RowMetricTracker.Definition> rowMetrics) {
    this.invocations = new InvocationTracker(buckets, limits.maxLabelValues(), limits.maxSeries(),
        limits.maxRunningInvocations());
    this.toolUses = new ToolUseTracker(buckets.toolDuration(), limits.maxLabelValues(), limits.maxSeries(),
        limits.maxRunningToolUses());
    this.sessions = new SessionTracker(buckets.sessionDuration(), limits.maxWatchedSessions());
    this.staleAfterSeconds = staleAfter.toNanos() / 1e9;
    this.limits = limits;
    this.rowMetrics = new RowMetricTrackers(rowMetrics, limits.maxLabelValues(), limits.maxSeries());
  }

  /** The user-defined row metrics ({@code --metrics-config}). */
  public RowMetricTrackers rowMetrics() {
    return rowMetrics;
  }

  public TrackerLimits limits() {
    return limits;
  }

  public InvocationTracker invocations() {
    return invocations;
  }

  public ToolUseTracker toolUses() {
    return toolUses;
  }

  public SessionTracker sessions() {
    return sessions;
  }

  /** Nothing read yet from any table: starting over would drop nothing. */
  public boolean isEmpty() {
    return invocations.isEmpty() && toolUses.isEmpty() && sessions.isEmpty();
  }

  /**
   * Writes everything the tracker knows, so that {@link #readFrom} in another process goes on
   * counting exactly where this one stopped (the state file). Plain counts and arrays, in a fixed
   * order; what reads it back checks each part against what it expects.
   */
  public void writeTo(DataOutput out) throws IOException {
    invocations.writeTo(out);
    toolUses.writeTo(out);
    sessions.writeTo(out);
    rowMetrics.writeTo(out); // last: a state of a version before row metrics ends before it
  }

  /** Reads what {@link #writeTo} wrote into this new tracker, made with the same buckets and limits. */
  public void readFrom(DataInput in) throws IOException {
    invocations.readFrom(in);
    toolUses.readFrom(in);
    sessions.readFrom(in);
    rowMetrics.readFrom(in);
  }

  /**
   * The open rows of {@code table} still running as of now, which every poll reads again; the
   * others (past --stale-after) are read again less often.
   */
  public long[] recentOpenRowIds(FollowedTable<?> table, Instant now) {
    return table.recentOpenRowIds(seconds(now), staleAfterSeconds);
  }

  /**
   * The figures as of now, each tracker's own; when nothing changed, only the time-dependent gauges
   * (running invocations, active sessions) and the bounds' few counts are computed afresh.
   */
  public WorkflowSnapshot snapshot(Instant now) {
    double nowSeconds = seconds(now);
    SessionFigures byTheirRows = sessions.figures();
    return new WorkflowSnapshot(
        invocations.figures(nowSeconds, staleAfterSeconds),
        toolUses.figures(),
        byTheirRows.withActive(byTheirRows.active() + sessionsActiveByAnAgentAlone(nowSeconds)),
        new Bounds(
            merged(invocations.labelOverflow(), toolUses.labelOverflow()),
            new Untracked(invocations.untracked(), toolUses.untracked(), sessions.untracked()),
            merged(invocations.seriesOverflow(), toolUses.seriesOverflow())));
  }

  /**
   * The sessions with an agent running (within --stale-after) whose row does not say they are
   * active, or that have no row. The hooks' Stop sets a session's end time and status completed
   * after every reply of the main session, while the session goes on and its agents may still run:
   * a session with a running agent is active, whatever its row says.
   */
  private long sessionsActiveByAnAgentAlone(double nowSeconds) {
    FlatLongMap found = new FlatLongMap(0);
    invocations.forEachRunningSession(nowSeconds, staleAfterSeconds, session -> {
      if (!sessions.isActiveByItsRow(session)) {
        found.add(session);
      }
    });
    return found.size();
  }

  /** Counts per key of both maps, added where both have the key (a label both tables carry). */
  private static Map<String, Long> merged(Map<String, Long> a, Map<String, Long> b) {
    Map<String, Long> sum = new HashMap<>(a);
    b.forEach((key, n) -> sum.merge(key, n, Long::sum));
    return sum;
  }

  private static double seconds(Instant instant) {
    return instant.getEpochSecond() + instant.getNano() / 1e9;
  }
}
