package dev.agentworkflow.exporter.track;

import static dev.agentworkflow.exporter.track.CountingRules.label;

import dev.agentworkflow.exporter.model.DurationLabels;
import dev.agentworkflow.exporter.model.ErrorLabels;
import dev.agentworkflow.exporter.model.HistogramSnapshot;
import dev.agentworkflow.exporter.model.InvocationLabels;
import dev.agentworkflow.exporter.model.InvocationRow;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Counts each finished invocation exactly once and remembers the ones still running.
 *
 * <p>A row is taken into account only when it is new (a row id above every id seen) or was seen
 * unfinished before; a row already counted is ignored whatever it says now, so re-reading a row
 * can never count it twice and a late update changes nothing already counted.
 */
public final class InvocationTracker {
  private final double[] durationBuckets;
  private final LabelValues labels;
  /** 64-bit hashes of every agent name seen: total_unique_agents stays exact without keeping names. */
  private final Set<Long> agentNameHashes = new HashSet<>();

  private long highestRowId;
  /** Row id of each invocation seen unfinished, with its start time (NaN when unknown). */
  private final Map<Long, Double> open = new HashMap<>();

  private final Map<InvocationLabels, Long> invocations = new HashMap<>();
  private final Map<ErrorLabels, Long> errors = new HashMap<>();
  private final Map<String, Long> phases = new HashMap<>();
  private final Map<DurationLabels, HistogramAccumulator> durations = new HashMap<>();
  private final Map<String, AgentTally> agents = new HashMap<>();
  /**
   * Distinct agents per session id, as bits over {@link AgentTally#index}: the first 64 agents in
   * one long per session (the only state here that grows with the history), any further ones in
   * {@link #moreSessionAgents}.
   */
  private final SessionIdMap sessionAgents = new SessionIdMap(1);
  private final Map<Long, BitSet> moreSessionAgents = new HashMap<>();
  private long sessionAgentPairs;

  private Figures figures;

  /** @param maxLabelValues distinct values admitted per label before new ones read as {@code other} */
  public InvocationTracker(double[] durationBuckets, int maxLabelValues) {
    this.durationBuckets = durationBuckets.clone();
    this.labels = new LabelValues(maxLabelValues, "agent_name", "phase", "status", "model");
  }

  /** The highest row id seen: the next poll reads rows above it. */
  public long highestRowId() {
    return highestRowId;
  }

  /** Row ids seen unfinished, to be read again until they finish or vanish. */
  public long[] openRowIds() {
    return open.keySet().stream().mapToLong(Long::longValue).sorted().toArray();
  }

  /**
   * The open rows that are still running: started no longer than {@code staleAfterSeconds} ago.
   * The others (abandoned long ago, or with no readable start) rarely finish, and need not be
   * read on every poll.
   */
  public long[] recentOpenRowIds(double nowEpochSeconds, double staleAfterSeconds) {
    return open.entrySet().stream()
        .filter(e -> isRecent(e.getValue(), nowEpochSeconds, staleAfterSeconds))
        .mapToLong(e -> e.getKey()).sorted().toArray();
  }

  /** Takes in a row that is new or was open; any other row is ignored. */
  public void accept(InvocationRow row) {
    boolean isNew = row.rowId() > highestRowId;
    if (!isNew && !open.containsKey(row.rowId())) {
      return;
    }
    if (isNew) {
      highestRowId = row.rowId();
    }
    if (!CountingRules.isInvocation(row.agentName())) {
      open.remove(row.rowId());
      return;
    }
    figures = null;
    String agentLabel = labels.of("agent_name", row.agentName());
    AgentTally agent = agents.computeIfAbsent(agentLabel, name -> new AgentTally(agents.size()));
    if (isNew) {
      agentNameHashes.add(SessionIdMap.key(row.agentName()));
      noteState(row, agent);
    }
    if (CountingRules.isFinished(row.endTimeSet(), row.status())) {
      open.remove(row.rowId());
      count(row, agent);
    } else {
      open.put(row.rowId(), row.startEpochSeconds());
    }
  }

  /** An open row that is no longer in the database: it will never finish. */
  public void forget(long rowId) {
    if (open.remove(rowId) != null) {
      figures = null;
    }
  }

  /** Unfinished invocations that started no longer than {@code staleAfterSeconds} before now. */
  public long parallelExecutions(double nowEpochSeconds, double staleAfterSeconds) {
    return open.values().stream().filter(start -> isRecent(start, nowEpochSeconds, staleAfterSeconds)).count();
  }

  private static boolean isRecent(Double start, double nowEpochSeconds, double staleAfterSeconds) {
    return !start.isNaN() && nowEpochSeconds - start <= staleAfterSeconds;
  }

  /** The counted figures; rebuilt only after something changed. */
  public Figures figures() {
    if (figures == null) {
      figures = buildFigures();
    }
    return figures;
  }

  private void noteState(InvocationRow row, AgentTally agent) {
    if (!Double.isNaN(row.startEpochSeconds())) {
      agent.lastStart = Math.max(agent.lastStart, row.startEpochSeconds());
    }
    String session = row.sessionId();
    if (session != null && !session.isEmpty()) {
      long key = SessionIdMap.key(session);
      long first64 = sessionAgents.get(key, 0);
      boolean added;
      if (agent.index < Long.SIZE) {
        added = (first64 & (1L << agent.index)) == 0;
        first64 |= 1L << agent.index;
      } else {
        BitSet more = moreSessionAgents.computeIfAbsent(key, k -> new BitSet());
        added = !more.get(agent.index - Long.SIZE);
        more.set(agent.index - Long.SIZE);
      }
      sessionAgents.put(key, 0, first64); // also makes the session known
      if (added) {
        sessionAgentPairs++;
      }
    }
  }

  private void count(InvocationRow row, AgentTally agent) {
    String agentName = labels.counted("agent_name", row.agentName());
    String phase = labels.counted("phase", label(row.phase()));
    String status = labels.counted("status", label(row.status()));
    String model = labels.counted("model", label(row.model()));
    invocations.merge(new InvocationLabels(agentName, phase, status, model), 1L, Long::sum);
    phases.merge(phase, 1L, Long::sum);
    if (CountingRules.isError(row.status())) {
      errors.merge(new ErrorLabels(agentName, phase), 1L, Long::sum);
    }
    agent.finished++;
    if (CountingRules.isSuccess(row.status())) {
      agent.succeeded++;
    }
    double duration =
        CountingRules.duration(row.durationSeconds(), row.startEpochSeconds(), row.endEpochSeconds());
    if (!Double.isNaN(duration)) {
      durations
          .computeIfAbsent(new DurationLabels(agentName, phase, model),
              l -> new HistogramAccumulator(durationBuckets))
          .observe(duration);
    }
  }

  private Figures buildFigures() {
    Map<DurationLabels, HistogramSnapshot> histograms = new HashMap<>();
    durations.forEach((labels, h) -> histograms.put(labels, h.snapshot()));
    Map<String, Double> lastExecution = new HashMap<>();
    Map<String, Double> successRate = new HashMap<>();
    agents.forEach((name, tally) -> {
      if (tally.lastStart > Double.NEGATIVE_INFINITY) {
        lastExecution.put(name, tally.lastStart);
      }
      if (tally.finished > 0) {
        successRate.put(name, 100.0 * tally.succeeded / tally.finished);
      }
    });
    double avgAgents = sessionAgents.size() == 0 ? 0 : (double) sessionAgentPairs / sessionAgents.size();
    return new Figures(
        Map.copyOf(invocations), Map.copyOf(errors), Map.copyOf(phases), Map.copyOf(histograms),
        Map.copyOf(lastExecution), Map.copyOf(successRate), agentNameHashes.size(), avgAgents, labels.overflow());
  }

  /** The invocation part of a {@code WorkflowSnapshot}, immutable. */
  public record Figures(
      Map<InvocationLabels, Long> invocations,
      Map<ErrorLabels, Long> errors,
      Map<String, Long> phases,
      Map<DurationLabels, HistogramSnapshot> durations,
      Map<String, Double> lastExecution,
      Map<String, Double> successRate,
      long uniqueAgents,
      double avgAgentsPerSession,
      Map<String, Long> labelOverflow) {}

  private static final class AgentTally {
    final int index;
    double lastStart = Double.NEGATIVE_INFINITY;
    long finished;
    long succeeded;

    AgentTally(int index) {
      this.index = index;
    }
  }
}
