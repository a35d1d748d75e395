package dev.agentworkflow.exporter.track;

import static dev.agentworkflow.exporter.track.CountingRules.label;

import dev.agentworkflow.exporter.model.AgentFigures;
import dev.agentworkflow.exporter.model.DurationLabels;
import dev.agentworkflow.exporter.model.ErrorLabels;
import dev.agentworkflow.exporter.model.HistogramBuckets;
import dev.agentworkflow.exporter.model.HistogramSnapshot;
import dev.agentworkflow.exporter.model.InvocationLabels;
import dev.agentworkflow.exporter.model.InvocationRow;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.LongConsumer;

/**
 * Counts each finished invocation exactly once and remembers the ones still running.
 *
 * <p>A row is taken into account only when it is new (a row id above every id seen) or was seen
 * unfinished before; a row already counted is ignored whatever it says now, so re-reading a row
 * can never count it twice and a late update changes nothing already counted.
 *
 * <p>What grows with the rows is flat ({@link FlatLongMap}): the running invocations ({@link
 * RowFollower}), the hashes of the agent names, and the agents of each session id. The label sets
 * are bounded by --max-label-values and --max-series.
 *
 * <p>What the agent reported of its run ({@code totalToolUseCount}, {@code totalTokens} of its
 * response) is observed once, when the invocation is counted, like its duration.
 */
public final class InvocationTracker implements FollowedTable<InvocationRow> {
  static final String AGENT_NAME = "agent_name";
  static final String PHASE = "phase";
  static final String STATUS = "status";
  static final String MODEL = "model";

  private final BucketBounds durationBuckets;
  private final BucketBounds toolCallBuckets;
  private final BucketBounds contextTokenBuckets;
  private final LabelValues labels;
  /** 64-bit hashes of every agent name seen: total_unique_agents stays exact without keeping names. */
  private final FlatLongMap agentNameHashes = new FlatLongMap(0);

  private final RowFollower<InvocationRow> rows;

  private final Map<InvocationLabels, Long> invocations = new HashMap<>();
  private final Map<ErrorLabels, Long> errors = new HashMap<>();
  private final Map<String, Long> phases = new HashMap<>();
  private final Map<DurationLabels, HistogramAccumulator> durations = new HashMap<>();
  private final Map<String, HistogramAccumulator> toolCalls = new HashMap<>();
  private final Map<String, HistogramAccumulator> contextTokens = new HashMap<>();
  private final Map<String, AgentTally> agents = new HashMap<>();
  private final SeriesBudget<InvocationLabels> invocationSeries;
  private final SeriesBudget<ErrorLabels> errorSeries;
  private final SeriesBudget<String> phaseSeries;
  private final SeriesBudget<DurationLabels> durationSeries;
  private final SeriesBudget<String> lastExecutionSeries;
  private final SeriesBudget<String> successRateSeries;
  private final SeriesBudget<String> toolCallSeries;
  private final SeriesBudget<String> contextTokenSeries;
  /**
   * Distinct agents per session id, as bits over {@link AgentTally#index}: the first 64 agents in
   * one long per session (the only state here that grows with the history), any further ones in
   * {@link #moreSessionAgents}.
   */
  private final FlatLongMap sessionAgents = new FlatLongMap(1);
  private final Map<Long, BitSet> moreSessionAgents = new HashMap<>();
  private long sessionAgentPairs;
  /**
   * The session of each running invocation followed: row id to the hash of its session id, for
   * active_sessions_count. Not in the state file: the first poll after a restart reads every
   * running row again, which fills it before anything read back is served.
   */
  private final FlatLongMap runningSessions = new FlatLongMap(1);

  /** The figures last handed out; rebuilt after a row changed something, else only their running count is. */
  private AgentFigures figures;

  /**
   * @param buckets of which this tracker uses those of the invocation histograms
   * @param maxLabelValues distinct values admitted per label before new ones read as {@code other}
   * @param maxSeries label combinations admitted per metric family before new ones are counted
   *     under the one whose labels all read {@code other}
   * @param maxOpen running invocations followed at once
   */
  public InvocationTracker(HistogramBuckets buckets, int maxLabelValues, int maxSeries, int maxOpen) {
    this.durationBuckets = new BucketBounds(buckets.agentDuration());
    this.toolCallBuckets = new BucketBounds(buckets.toolCalls());
    this.contextTokenBuckets = new BucketBounds(buckets.contextTokens());
    this.labels = new LabelValues(maxLabelValues, AGENT_NAME, PHASE, STATUS, MODEL);
    this.rows = new RowFollower<>(RULES, maxOpen);
    String other = LabelValues.OTHER;
    this.invocationSeries = new SeriesBudget<>("agent_invocation_total", maxSeries,
        new InvocationLabels(other, other, other, other),
        l -> l.agentName().length() + l.phase().length() + l.status().length() + l.model().length());
    this.errorSeries = new SeriesBudget<>("agent_error_total", maxSeries, new ErrorLabels(other, other),
        l -> l.agentName().length() + l.phase().length());
    this.phaseSeries = new SeriesBudget<>("phase_distribution_total", maxSeries, other, String::length);
    this.durationSeries = new SeriesBudget<>("agent_duration_seconds", maxSeries,
        new DurationLabels(other, other, other), l -> l.agentName().length() + l.phase().length() + l.model().length());
    this.lastExecutionSeries = new SeriesBudget<>("agent_last_execution_timestamp", maxSeries, other, String::length);
    this.successRateSeries = new SeriesBudget<>("agent_success_rate", maxSeries, other, String::length);
    this.toolCallSeries = new SeriesBudget<>("agent_tool_calls_per_invocation", maxSeries, other, String::length);
    this.contextTokenSeries = new SeriesBudget<>("agent_context_tokens", maxSeries, other, String::length);
  }

  private static final RowFollower.Rules<InvocationRow> RULES = new RowFollower.Rules<>() {
    @Override
    public long rowId(InvocationRow row) {
      return row.rowId();
    }

    @Override
    public long identity(InvocationRow row) {
      return row.identity();
    }

    @Override
    public boolean counts(InvocationRow row) {
      return CountingRules.isInvocation(row.agentName());
    }

    @Override
    public boolean finished(InvocationRow row) {
      return CountingRules.isFinished(row.endTimeSet(), row.status());
    }

    @Override
    public double start(InvocationRow row) {
      return row.startEpochSeconds();
    }
  };

  @Override
  public OptionalLong highestRowId() {
    return rows.highestRowId();
  }

  @Override
  public boolean isEmpty() {
    return rows.isEmpty();
  }

  @Override
  public long[] openRowIds() {
    return rows.openRowIds();
  }

  @Override
  public long[] recentOpenRowIds(double nowEpochSeconds, double staleAfterSeconds) {
    return rows.recentOpenRowIds(nowEpochSeconds, staleAfterSeconds);
  }

  @Override
  public void accept(InvocationRow row) {
    RowFollower.Seen seen = rows.take(row);
    noteRunningSession(row);
    if (seen == RowFollower.Seen.DONE) {
      return; // counted already, or not an invocation
    }
    boolean isNew = seen == RowFollower.Seen.NEW;
    figures = null;
    String agentLabel = labels.of(AGENT_NAME, row.agentName());
    String agentSeries = lastExecutionSeries.admit(agents, agentLabel);
    lastExecutionSeries.noteAdded(agents, agentSeries);
    AgentTally agent = agents.computeIfAbsent(agentSeries, name -> new AgentTally(agents.size()));
    boolean agentFolded = !agentSeries.equals(agentLabel);
    if (isNew) {
      agentNameHashes.add(FlatLongMap.hash(row.agentName()));
      noteState(row, agent);
      if (agentFolded) {
        lastExecutionSeries.overflowed();
      }
    }
    if (RULES.finished(row)) {
      count(row, agent);
      if (agentFolded) {
        successRateSeries.overflowed();
      }
    }
  }

  @Override
  public void forget(long rowId) {
    runningSessions.remove(rowId);
    if (rows.forget(rowId)) {
      figures = null;
    }
  }

  private void noteRunningSession(InvocationRow row) {
    String session = row.sessionId();
    if (session != null && !session.isEmpty() && rows.isOpen(row.rowId())) {
      runningSessions.put(row.rowId(), 0, FlatLongMap.hash(session));
    } else if (runningSessions.size() > 0) {
      runningSessions.remove(row.rowId());
    }
  }

  /**
   * Hands each running invocation that started no longer than {@code staleAfterSeconds} before now
   * (those of {@link #parallelExecutions}) with a session id to {@code visitor}, as the hash of
   * that id, once per invocation (a session with two agents running comes twice).
   */
  void forEachRunningSession(double nowEpochSeconds, double staleAfterSeconds, LongConsumer visitor) {
    runningSessions.removeIf((rowId, session) -> !rows.isOpen(rowId)); // finished, gone, or no longer followed
    runningSessions.forEach((rowId, session) -> {
      if (rows.isRecentOpen(rowId, nowEpochSeconds, staleAfterSeconds)) {
        visitor.accept(session);
      }
    });
  }

  /** Unfinished invocations that started no longer than {@code staleAfterSeconds} before now. */
  public long parallelExecutions(double nowEpochSeconds, double staleAfterSeconds) {
    return rows.recentOpen(nowEpochSeconds, staleAfterSeconds);
  }

  /** New running invocations not followed because {@code maxOpen} were followed already. */
  public long untracked() {
    return rows.untracked();
  }

  @Override
  public long identityOf(InvocationRow row) {
    return RULES.identity(row);
  }

  @Override
  public List<Anchors.Anchor> anchors() {
    return rows.anchors();
  }

  @Override
  public IdentityScan<InvocationRow> identityScan() {
    return rows.identityScan();
  }

  @Override
  public Reidentified reidentify(IdentityScan<InvocationRow> scan, OptionalLong tableHighest) {
    figures = null;
    return rows.reidentify(scan, tableHighest);
  }

  @Override
  public void rewindTo(OptionalLong tableHighest) {
    if (rows.rewindTo(tableHighest)) {
      figures = null;
    }
  }

  /**
   * The counted figures, rebuilt only after something changed, with the invocations running at
   * {@code nowEpochSeconds} (as {@link #parallelExecutions} counts them).
   */
  public AgentFigures figures(double nowEpochSeconds, double staleAfterSeconds) {
    long running = parallelExecutions(nowEpochSeconds, staleAfterSeconds);
    if (figures == null) {
      figures = buildFigures(running);
    } else if (figures.parallelExecutions() != running) {
      figures = figures.withParallelExecutions(running);
    }
    return figures;
  }

  /** Per label: counted invocations whose value of it was reported as {@code other}. */
  public Map<String, Long> labelOverflow() {
    return labels.overflow();
  }

  /** Per metric family: observations counted under its overflow series. */
  public Map<String, Long> seriesOverflow() {
    return SeriesBudget.overflowByFamily(budgets());
  }

  private void noteState(InvocationRow row, AgentTally agent) {
    if (!Double.isNaN(row.startEpochSeconds())) {
      agent.lastStart = Math.max(agent.lastStart, row.startEpochSeconds());
    }
    String session = row.sessionId();
    if (session != null && !session.isEmpty()) {
      long key = FlatLongMap.hash(session);
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
    String agentName = labels.counted(AGENT_NAME, row.agentName());
    String phase = labels.counted(PHASE, label(row.phase()));
    String status = labels.counted(STATUS, label(row.status()));
    String model = labels.counted(MODEL, label(row.model()));
    invocations.merge(invocationSeries.counted(invocations, new InvocationLabels(agentName, phase, status, model)),
        1L, Long::sum);
    phases.merge(phaseSeries.counted(phases, phase), 1L, Long::sum);
    if (CountingRules.isError(row.status())) {
      errors.merge(errorSeries.counted(errors, new ErrorLabels(agentName, phase)), 1L, Long::sum);
    }
    agent.finished++;
    if (CountingRules.isSuccess(row.status())) {
      agent.succeeded++;
    }
    double duration =
        CountingRules.duration(row.durationSeconds(), row.startEpochSeconds(), row.endEpochSeconds());
    if (!Double.isNaN(duration)) {
      durations
          .computeIfAbsent(durationSeries.counted(durations, new DurationLabels(agentName, phase, model)),
              l -> new HistogramAccumulator(durationBuckets))
          .observe(duration);
    }
    double toolUses = CountingRules.reported(row.reportedToolUses());
    if (!Double.isNaN(toolUses)) {
      toolCalls.computeIfAbsent(toolCallSeries.counted(toolCalls, agentName),
          l -> new HistogramAccumulator(toolCallBuckets)).observe(toolUses);
    }
    double tokens = CountingRules.reported(row.reportedContextTokens());
    if (!Double.isNaN(tokens)) {
      contextTokens.computeIfAbsent(contextTokenSeries.counted(contextTokens, agentName),
          l -> new HistogramAccumulator(contextTokenBuckets)).observe(tokens);
    }
  }

  private AgentFigures buildFigures(long running) {
    Map<DurationLabels, HistogramSnapshot> histograms = new HashMap<>();
    durations.forEach((labels, h) -> histograms.put(labels, h.snapshot()));
    Map<String, HistogramSnapshot> toolCallHistograms = new HashMap<>();
    toolCalls.forEach((agent, h) -> toolCallHistograms.put(agent, h.snapshot()));
    Map<String, HistogramSnapshot> contextTokenHistograms = new HashMap<>();
    contextTokens.forEach((agent, h) -> contextTokenHistograms.put(agent, h.snapshot()));
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
    return new AgentFigures(invocations, errors, phases, histograms, lastExecution, toolCallHistograms, successRate,
        contextTokenHistograms, agentNameHashes.size(), avgAgents, running);
  }

  /** Writes everything this tracker knows, for a state file; {@link #readFrom} reads it back. */
  void writeTo(DataOutput out) throws IOException {
    rows.writeTo(out);
    agentNameHashes.writeTo(out);
    sessionAgents.writeTo(out);
    out.writeInt(moreSessionAgents.size());
    for (Map.Entry<Long, BitSet> more : moreSessionAgents.entrySet()) {
      out.writeLong(more.getKey());
      long[] bits = more.getValue().toLongArray();
      out.writeInt(bits.length);
      for (long word : bits) {
        out.writeLong(word);
      }
    }
    out.writeLong(sessionAgentPairs);
    labels.writeTo(out);
    out.writeInt(invocations.size());
    for (Map.Entry<InvocationLabels, Long> e : invocations.entrySet()) {
      writeAll(out, e.getKey().agentName(), e.getKey().phase(), e.getKey().status(), e.getKey().model());
      out.writeLong(e.getValue());
    }
    out.writeInt(errors.size());
    for (Map.Entry<ErrorLabels, Long> e : errors.entrySet()) {
      writeAll(out, e.getKey().agentName(), e.getKey().phase());
      out.writeLong(e.getValue());
    }
    out.writeInt(phases.size());
    for (Map.Entry<String, Long> e : phases.entrySet()) {
      writeAll(out, e.getKey());
      out.writeLong(e.getValue());
    }
    out.writeInt(durations.size());
    for (Map.Entry<DurationLabels, HistogramAccumulator> e : durations.entrySet()) {
      writeAll(out, e.getKey().agentName(), e.getKey().phase(), e.getKey().model());
      e.getValue().writeTo(out);
    }
    out.writeInt(agents.size());
    for (Map.Entry<String, AgentTally> e : agents.entrySet()) {
      writeAll(out, e.getKey());
      out.writeInt(e.getValue().index);
      out.writeDouble(e.getValue().lastStart);
      out.writeLong(e.getValue().finished);
      out.writeLong(e.getValue().succeeded);
    }
    writeHistograms(out, toolCalls);
    writeHistograms(out, contextTokens);
    for (SeriesBudget<?> budget : budgets()) {
      budget.writeTo(out);
    }
  }

  /** Reads what {@link #writeTo} wrote into this tracker, which must not have read anything yet. */
  void readFrom(DataInput in) throws IOException {
    if (!invocations.isEmpty()) {
      throw new IllegalStateException("only a new tracker is read into");
    }
    rows.readFrom(in);
    agentNameHashes.readFrom(in);
    sessionAgents.readFrom(in);
    int more = StateChecks.count(in.readInt());
    for (int i = 0; i < more; i++) {
      long key = in.readLong();
      long[] bits = new long[StateChecks.count(in.readInt())];
      for (int w = 0; w < bits.length; w++) {
        bits[w] = in.readLong();
      }
      moreSessionAgents.put(key, BitSet.valueOf(bits));
    }
    sessionAgentPairs = StateChecks.notNegative(in.readLong());
    labels.readFrom(in);
    int n = StateChecks.count(in.readInt());
    for (int i = 0; i < n; i++) {
      invocations.put(new InvocationLabels(in.readUTF(), in.readUTF(), in.readUTF(), in.readUTF()),
          StateChecks.notNegative(in.readLong()));
    }
    n = StateChecks.count(in.readInt());
    for (int i = 0; i < n; i++) {
      errors.put(new ErrorLabels(in.readUTF(), in.readUTF()), StateChecks.notNegative(in.readLong()));
    }
    n = StateChecks.count(in.readInt());
    for (int i = 0; i < n; i++) {
      phases.put(in.readUTF(), StateChecks.notNegative(in.readLong()));
    }
    n = StateChecks.count(in.readInt());
    for (int i = 0; i < n; i++) {
      HistogramAccumulator histogram = new HistogramAccumulator(durationBuckets);
      DurationLabels key = new DurationLabels(in.readUTF(), in.readUTF(), in.readUTF());
      histogram.readFrom(in);
      durations.put(key, histogram);
    }
    n = StateChecks.count(in.readInt());
    for (int i = 0; i < n; i++) {
      String name = in.readUTF();
      AgentTally tally = new AgentTally(in.readInt());
      tally.lastStart = in.readDouble();
      tally.finished = StateChecks.notNegative(in.readLong());
      tally.succeeded = StateChecks.notNegative(in.readLong());
      agents.put(name, tally);
    }
    readHistograms(in, toolCalls, toolCallBuckets);
    readHistograms(in, contextTokens, contextTokenBuckets);
    for (SeriesBudget<?> budget : budgets()) {
      budget.readFrom(in);
    }
    figures = null;
  }

  private List<SeriesBudget<?>> budgets() {
    return List.of(invocationSeries, errorSeries, phaseSeries, durationSeries, lastExecutionSeries,
        successRateSeries, toolCallSeries, contextTokenSeries);
  }

  private static void writeHistograms(DataOutput out, Map<String, HistogramAccumulator> histograms)
      throws IOException {
    out.writeInt(histograms.size());
    for (Map.Entry<String, HistogramAccumulator> e : histograms.entrySet()) {
      out.writeUTF(e.getKey());
      e.getValue().writeTo(out);
    }
  }

  private static void readHistograms(DataInput in, Map<String, HistogramAccumulator> histograms, BucketBounds buckets)
      throws IOException {
    int n = StateChecks.count(in.readInt());
    for (int i = 0; i < n; i++) {
      String agent = in.readUTF();
      HistogramAccumulator histogram = new HistogramAccumulator(buckets);
      histogram.readFrom(in);
      histograms.put(agent, histogram);
    }
  }

  private static void writeAll(DataOutput out, String... texts) throws IOException {
    for (String text : texts) {
      out.writeUTF(text);
    }
  }

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
