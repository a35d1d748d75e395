package dev.agentworkflow.exporter.track;

import dev.agentworkflow.exporter.model.HistogramSnapshot;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** A mutable histogram with fixed, upper-inclusive buckets (Prometheus {@code le}). */
final class HistogramAccumulator {
  private final double[] upperBounds;
  private final long[] bucketCounts;
  private long count;
  private double sum;
  /** The last snapshot, until the next observation: most histograms do not change between two polls. */
  private HistogramSnapshot snapshot;

  HistogramAccumulator(double[] upperBounds) {
    this.upperBounds = upperBounds.clone();
    this.bucketCounts = new long[upperBounds.length];
  }

  void observe(double value) {
    int i = Arrays.binarySearch(upperBounds, value);
    int bucket = i >= 0 ? i : -i - 1; // first bound >= value; past the end means only +Inf
    if (bucket < bucketCounts.length) {
      bucketCounts[bucket]++;
    }
    count++;
    sum += value;
    snapshot = null;
  }

  HistogramSnapshot snapshot() {
    if (snapshot == null) {
      snapshot = freshSnapshot();
    }
    return snapshot;
  }

  private HistogramSnapshot freshSnapshot() {
    List<Double> bounds = new ArrayList<>(upperBounds.length);
    List<Long> cumulative = new ArrayList<>(upperBounds.length);
    long running = 0;
    for (int i = 0; i < upperBounds.length; i++) {
      running += bucketCounts[i];
      bounds.add(upperBounds[i]);
      cumulative.add(running);
    }
    return new HistogramSnapshot(bounds, cumulative, count, sum);
  }
}
