package dev.agentworkflow.exporter.track;

import dev.agentworkflow.exporter.model.CustomFamily;
import dev.agentworkflow.exporter.model.CustomRow;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * What one user-defined row metric counted: the highest row id read, the rows read unfinished, and
 * the series. A row is counted once, the first time it is read finished, with the labels and value
 * it has then, as the built-in trackers count; a row read again after that changes nothing. Pure
 * Java: {@code db} reads the rows, this takes them in.
 */
public final class RowMetricTracker {
  private final Definition definition;
  private final BucketBounds bounds;
  private final int maxOpenRows;
  private final LabelValues labelValues;
  private final SeriesBudget<List<String>> budget;
  private final Map<List<String>, double[]> counters = new HashMap<>();
  private final Map<List<String>, HistogramAccumulator> histograms = new HashMap<>();
  private final FlatLongMap open = new FlatLongMap(0);
  private long highestId;
  private boolean anyRead;
  private long untracked;
  private long rowsRead;
  private long errors;
  private long timeouts;
  private CustomFamily snapshot;

  /**
   * What the tracker counts, as the configuration says.
   *
   * @param countingKey everything that decides what is counted; a state written under another key is not read back
   * @param buckets a histogram's upper bounds; empty for a counter
   */
  public record Definition(String name, String help, boolean histogram, List<String> labelNames, List<Double> buckets,
      String countingKey) {
    public Definition {
      labelNames = List.copyOf(labelNames);
      buckets = List.copyOf(buckets);
    }
  }

  /**
   * @param maxLabelValues distinct values admitted per label ({@code --max-label-values}); later ones read {@code other}
   * @param maxSeries label combinations admitted ({@code --max-series}); later ones are counted under all-{@code other}
   * @param maxOpenRows rows followed while unfinished; those past it are never counted ({@link #untracked()})
   */
  public RowMetricTracker(Definition definition, int maxLabelValues, int maxSeries, int maxOpenRows) {
    this.definition = definition;
    this.bounds = new BucketBounds(definition.buckets().stream().mapToDouble(Double::doubleValue).toArray());
    this.maxOpenRows = maxOpenRows;
    this.labelValues = new LabelValues(maxLabelValues, definition.labelNames().toArray(new String[0]));
    List<String> overflowKey = definition.labelNames().stream().map(l -> LabelValues.OTHER).toList();
    this.budget = new SeriesBudget<>(definition.name(), maxSeries, overflowKey,
        key -> key.stream().mapToInt(String::length).sum());
  }

  public Definition definition() {
    return definition;
  }

  public OptionalLong highestRowId() {
    return anyRead ? OptionalLong.of(highestId) : OptionalLong.empty();
  }

  /** The rows read unfinished, to be read again. */
  public long[] openRowIds() {
    return open.keysWhere((key, first) -> true);
  }

  /** Rows never counted because too many were unfinished at once. */
  public long untracked() {
    return untracked;
  }

  /** Rows its statements returned, since its state began. */
  public long rowsRead() {
    return rowsRead;
  }

  /** Reads that failed, timeouts included, since its state began. */
  public long errors() {
    return errors;
  }

  /** Statements interrupted past the metric's timeout, since its state began. */
  public long timeouts() {
    return timeouts;
  }

  public void noteRowsRead(long rows) {
    rowsRead += rows;
  }

  public void noteFailure(boolean timeout) {
    errors++;
    timeouts += timeout ? 1 : 0;
  }

  /** Takes in a row read after the highest id, or one read again because it was open; others are ignored. */
  public void accept(CustomRow row) {
    long id = row.rowId();
    boolean isNew = !anyRead || id > highestId;
    if (isNew) {
      highestId = id;
      anyRead = true;
    } else if (!open.contains(id)) {
      return; // counted already, or never followed
    }
    if (!row.finished()) {
      if (isNew) {
        if (open.size() < maxOpenRows) {
          open.add(id);
        } else {
          untracked++;
        }
      }
      return;
    }
    open.remove(id);
    if (row.countsNow()) {
      count(row);
    }
  }

  /**
   * The table's ids went below the highest this metric read (rows deleted, or the table made
   * again): what was counted stays counted, the rows there now are taken as read (their ids were
   * read before, or they are of a table that is not the one counted), and the ids after
   * {@code highest} are read as new. An empty table: every row from now on is new.
   */
  public void rewindTo(OptionalLong highest) {
    if (highest.isEmpty()) {
      anyRead = false;
      highestId = 0;
      open.clear();
    } else {
      highestId = highest.getAsLong();
      long last = highestId;
      open.removeIf((key, first) -> key > last);
    }
  }

  /** An open row was not found again: deleted before it finished. */
  public void forget(long rowId) {
    open.remove(rowId);
  }

  private void count(CustomRow row) {
    double value = row.value();
    boolean observable = definition.histogram() ? Double.isFinite(value) : Double.isFinite(value) && value >= 0;
    if (!observable) {
      return; // no number: no observation, as a built-in duration that is unknown
    }
    List<String> key = new ArrayList<>(row.labels().size());
    for (int i = 0; i < row.labels().size(); i++) {
      String label = definition.labelNames().get(i);
      key.add(labelValues.counted(label, CountingRules.label(row.labels().get(i))));
    }
    List<String> labels = List.copyOf(key);
    if (definition.histogram()) {
      labels = budget.counted(histograms, labels);
      histograms.computeIfAbsent(labels, k -> new HistogramAccumulator(bounds)).observe(value);
    } else {
      labels = budget.counted(counters, labels);
      counters.computeIfAbsent(labels, k -> new double[1])[0] += value;
    }
    snapshot = null;
  }

  /** The family as counted so far, sorted by label values. */
  public CustomFamily snapshot() {
    if (snapshot == null) {
      List<CustomFamily.ValueSeries> values = new ArrayList<>();
      List<CustomFamily.HistogramSeries> series = new ArrayList<>();
      counters.entrySet().stream().sorted(Map.Entry.comparingByKey(LabelOrder.BY_VALUES))
          .forEach(e -> values.add(new CustomFamily.ValueSeries(e.getKey(), e.getValue()[0])));
      histograms.entrySet().stream().sorted(Map.Entry.comparingByKey(LabelOrder.BY_VALUES))
          .forEach(e -> series.add(new CustomFamily.HistogramSeries(e.getKey(), e.getValue().snapshot())));
      snapshot = new CustomFamily(definition.name(), definition.help(),
          definition.histogram() ? CustomFamily.Kind.HISTOGRAM : CustomFamily.Kind.COUNTER, definition.labelNames(),
          values, series);
    }
    return snapshot;
  }

  public void writeTo(DataOutput out) throws IOException {
    out.writeUTF(keyDigest(definition.countingKey()));
    out.writeBoolean(anyRead);
    out.writeLong(highestId);
    out.writeLong(untracked);
    out.writeLong(rowsRead);
    out.writeLong(errors);
    out.writeLong(timeouts);
    open.writeTo(out);
    labelValues.writeTo(out);
    budget.writeTo(out);
    out.writeInt(counters.size());
    for (Map.Entry<List<String>, double[]> counter : counters.entrySet()) {
      writeKey(out, counter.getKey());
      out.writeDouble(counter.getValue()[0]);
    }
    out.writeInt(histograms.size());
    for (Map.Entry<List<String>, HistogramAccumulator> histogram : histograms.entrySet()) {
      writeKey(out, histogram.getKey());
      histogram.getValue().writeTo(out);
    }
  }

  /** Reads what {@link #writeTo} wrote into this new tracker of the same definition. */
  public void readFrom(DataInput in) throws IOException {
    StateChecks.expect(in.readUTF().equals(keyDigest(definition.countingKey())), "another definition of " + definition.name());
    anyRead = in.readBoolean();
    highestId = in.readLong();
    untracked = StateChecks.notNegative(in.readLong());
    rowsRead = StateChecks.notNegative(in.readLong());
    errors = StateChecks.notNegative(in.readLong());
    timeouts = StateChecks.notNegative(in.readLong());
    open.readFrom(in);
    labelValues.readFrom(in);
    budget.readFrom(in);
    int n = StateChecks.count(in.readInt());
    for (int i = 0; i < n; i++) {
      List<String> key = readKey(in);
      double value = in.readDouble();
      StateChecks.expect(value >= 0, "a negative counter");
      counters.put(key, new double[] {value});
    }
    n = StateChecks.count(in.readInt());
    for (int i = 0; i < n; i++) {
      HistogramAccumulator histogram = new HistogramAccumulator(bounds);
      List<String> key = readKey(in);
      histogram.readFrom(in);
      histograms.put(key, histogram);
    }
    snapshot = null;
  }

  /** The counting key as written: its SHA-256, since expressions may be longer than writeUTF takes. */
  static String keyDigest(String countingKey) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(countingKey.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  private void writeKey(DataOutput out, List<String> key) throws IOException {
    for (String value : key) {
      out.writeUTF(value);
    }
  }

  private List<String> readKey(DataInput in) throws IOException {
    List<String> key = new ArrayList<>(definition.labelNames().size());
    for (int i = 0; i < definition.labelNames().size(); i++) {
      key.add(in.readUTF());
    }
    return List.copyOf(key);
  }
}
