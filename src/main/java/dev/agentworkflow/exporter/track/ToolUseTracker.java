package dev.agentworkflow.exporter.track;

import static dev.agentworkflow.exporter.track.CountingRules.label;

import dev.agentworkflow.exporter.model.HistogramSnapshot;
import dev.agentworkflow.exporter.model.ToolFigures;
import dev.agentworkflow.exporter.model.ToolLabels;
import dev.agentworkflow.exporter.model.ToolUseLabels;
import dev.agentworkflow.exporter.model.ToolUseRow;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Counts each finished tool use ({@code agent_tool_uses}) exactly once, by the rules an
 * invocation is counted by ({@link InvocationTracker}): taken in when new or seen unfinished
 * before, counted when first seen finished, its labels fixed then. Every row is a tool use, whoever
 * called it: {@code direct} (the main session) and {@code unknown} agents count like any other.
 * Only the running tool uses take memory per row ({@link RowFollower}); tool uses last seconds, so
 * they are few at any time.
 */
public final class ToolUseTracker implements FollowedTable<ToolUseRow> {
  static final String AGENT_NAME = "agent_name";
  static final String TOOL_NAME = "tool_name";
  static final String STATUS = "status";

  private static final RowFollower.Rules<ToolUseRow> RULES = new RowFollower.Rules<>() {
    @Override
    public long rowId(ToolUseRow row) {
      return row.rowId();
    }

    @Override
    public long identity(ToolUseRow row) {
      return row.identity();
    }

    @Override
    public boolean counts(ToolUseRow row) {
      return true;
    }

    @Override
    public boolean finished(ToolUseRow row) {
      return CountingRules.isFinished(row.endTimeSet(), row.status());
    }

    @Override
    public double start(ToolUseRow row) {
      return row.startEpochSeconds();
    }
  };

  private final BucketBounds durationBuckets;
  private final LabelValues labels;
  private final RowFollower<ToolUseRow> rows;
  private final Map<ToolUseLabels, Long> uses = new HashMap<>();
  private final Map<ToolLabels, Long> errors = new HashMap<>();
  private final Map<ToolLabels, HistogramAccumulator> durations = new HashMap<>();
  private final SeriesBudget<ToolUseLabels> useSeries;
  private final SeriesBudget<ToolLabels> errorSeries;
  private final SeriesBudget<ToolLabels> durationSeries;
  private ToolFigures figures;

  /**
   * @param maxLabelValues distinct values admitted per label before new ones read as {@code other}
   * @param maxSeries label combinations admitted per metric family
   * @param maxOpen running tool uses followed at once
   */
  public ToolUseTracker(double[] durationBuckets, int maxLabelValues, int maxSeries, int maxOpen) {
    this.durationBuckets = new BucketBounds(durationBuckets);
    this.labels = new LabelValues(maxLabelValues, AGENT_NAME, TOOL_NAME, STATUS);
    this.rows = new RowFollower<>(RULES, maxOpen);
    String other = LabelValues.OTHER;
    this.useSeries = new SeriesBudget<>("agent_tool_usage_total", maxSeries, new ToolUseLabels(other, other, other),
        l -> l.agentName().length() + l.toolName().length() + l.status().length());
    this.errorSeries = new SeriesBudget<>("agent_tool_error_total", maxSeries, new ToolLabels(other, other),
        l -> l.agentName().length() + l.toolName().length());
    this.durationSeries = new SeriesBudget<>("agent_tool_duration_seconds", maxSeries, new ToolLabels(other, other),
        l -> l.agentName().length() + l.toolName().length());
  }

  @Override
  public void accept(ToolUseRow row) {
    if (rows.take(row) == RowFollower.Seen.DONE || !RULES.finished(row)) {
      return;
    }
    figures = null;
    String agent = labels.counted(AGENT_NAME, label(row.agentName()));
    String tool = labels.counted(TOOL_NAME, label(row.toolName()));
    String status = labels.counted(STATUS, label(row.status()));
    uses.merge(useSeries.counted(uses, new ToolUseLabels(agent, tool, status)), 1L, Long::sum);
    if (CountingRules.isError(row.status())) {
      errors.merge(errorSeries.counted(errors, new ToolLabels(agent, tool)), 1L, Long::sum);
    }
    double duration = CountingRules.duration(row.durationSeconds(), row.startEpochSeconds(), row.endEpochSeconds());
    if (!Double.isNaN(duration)) {
      durations.computeIfAbsent(durationSeries.counted(durations, new ToolLabels(agent, tool)),
          l -> new HistogramAccumulator(durationBuckets)).observe(duration);
    }
  }

  @Override
  public void forget(long rowId) {
    rows.forget(rowId);
  }

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
  public long identityOf(ToolUseRow row) {
    return RULES.identity(row);
  }

  @Override
  public List<Anchors.Anchor> anchors() {
    return rows.anchors();
  }

  @Override
  public IdentityScan<ToolUseRow> identityScan() {
    return rows.identityScan();
  }

  /**
   * As {@link RowFollower#reidentify}; but a tool table that no longer holds the rows counted while
   * its ids did not go back was rewritten in place ({@link Reidentified#REWRITTEN}): taken as read.
   * Counting its rows as new would count a tool use twice.
   */
  @Override
  public Reidentified reidentify(IdentityScan<ToolUseRow> scan, OptionalLong tableHighest) {
    figures = null;
    OptionalLong seen = rows.highestRowId();
    Reidentified found = rows.reidentify(scan, tableHighest);
    boolean wentBackwards = seen.isPresent()
        && (tableHighest.isEmpty() || tableHighest.getAsLong() < seen.getAsLong());
    if (found == Reidentified.NOT_FOUND && !wentBackwards) {
      rows.takeAsRead(scan);
      return Reidentified.REWRITTEN;
    }
    return found;
  }

  @Override
  public void rewindTo(OptionalLong tableHighest) {
    if (rows.rewindTo(tableHighest)) {
      figures = null;
    }
  }

  /**
   * The table no longer holds the tool uses counted (dropped and created again, say) while the
   * invocations of the file are still those counted: what was counted stays counted, and every
   * row there now is new.
   */
  public void forgetIds() {
    rows.forgetIds();
    figures = null;
  }

  /** The counted figures; rebuilt only after something changed. */
  public ToolFigures figures() {
    if (figures == null) {
      Map<ToolLabels, HistogramSnapshot> histograms = new HashMap<>();
      durations.forEach((l, h) -> histograms.put(l, h.snapshot()));
      figures = new ToolFigures(uses, errors, histograms);
    }
    return figures;
  }

  /** Per label: counted tool uses whose value of it was reported as {@code other}. */
  public Map<String, Long> labelOverflow() {
    return labels.overflow();
  }

  /** Per metric family: observations counted under its overflow series. */
  public Map<String, Long> seriesOverflow() {
    return SeriesBudget.overflowByFamily(budgets());
  }

  /** New running tool uses not followed because as many as the heap holds were followed already. */
  public long untracked() {
    return rows.untracked();
  }

  void writeTo(DataOutput out) throws IOException {
    rows.writeTo(out);
    labels.writeTo(out);
    out.writeInt(uses.size());
    for (Map.Entry<ToolUseLabels, Long> e : uses.entrySet()) {
      out.writeUTF(e.getKey().agentName());
      out.writeUTF(e.getKey().toolName());
      out.writeUTF(e.getKey().status());
      out.writeLong(e.getValue());
    }
    out.writeInt(errors.size());
    for (Map.Entry<ToolLabels, Long> e : errors.entrySet()) {
      out.writeUTF(e.getKey().agentName());
      out.writeUTF(e.getKey().toolName());
      out.writeLong(e.getValue());
    }
    out.writeInt(durations.size());
    for (Map.Entry<ToolLabels, HistogramAccumulator> e : durations.entrySet()) {
      out.writeUTF(e.getKey().agentName());
      out.writeUTF(e.getKey().toolName());
      e.getValue().writeTo(out);
    }
    for (SeriesBudget<?> budget : budgets()) {
      budget.writeTo(out);
    }
  }

  /** Reads what {@link #writeTo} wrote into this tracker, which must not have read anything yet. */
  void readFrom(DataInput in) throws IOException {
    if (!uses.isEmpty()) {
      throw new IllegalStateException("only a new tracker is read into");
    }
    rows.readFrom(in);
    labels.readFrom(in);
    int n = StateChecks.count(in.readInt());
    for (int i = 0; i < n; i++) {
      uses.put(new ToolUseLabels(in.readUTF(), in.readUTF(), in.readUTF()), StateChecks.notNegative(in.readLong()));
    }
    n = StateChecks.count(in.readInt());
    for (int i = 0; i < n; i++) {
      errors.put(new ToolLabels(in.readUTF(), in.readUTF()), StateChecks.notNegative(in.readLong()));
    }
    n = StateChecks.count(in.readInt());
    for (int i = 0; i < n; i++) {
      ToolLabels key = new ToolLabels(in.readUTF(), in.readUTF());
      HistogramAccumulator histogram = new HistogramAccumulator(durationBuckets);
      histogram.readFrom(in);
      durations.put(key, histogram);
    }
    for (SeriesBudget<?> budget : budgets()) {
      budget.readFrom(in);
    }
    figures = null;
  }

  private List<SeriesBudget<?>> budgets() {
    return List.of(useSeries, errorSeries, durationSeries);
  }
}
