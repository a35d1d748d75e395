package dev.agentworkflow.exporter.track;

import dev.agentworkflow.exporter.model.HistogramSnapshot;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** A mutable histogram with fixed, upper-inclusive buckets (Prometheus {@code le}). */
final class HistogramAccumulator {
  private final BucketBounds bounds;
  private final double[] upperBounds;
  private final long[] bucketCounts;
  private long count;
  private double sum;
  /** The last snapshot, until the next observation: most histograms do not change between two polls. */
  private HistogramSnapshot snapshot;

  HistogramAccumulator(BucketBounds bounds) {
    this.bounds = bounds;
    this.upperBounds = bounds.values();
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

  void writeTo(DataOutput out) throws IOException {
    out.writeInt(upperBounds.length);
    for (int i = 0; i < upperBounds.length; i++) {
      out.writeDouble(upperBounds[i]);
      out.writeLong(bucketCounts[i]);
    }
    out.writeLong(count);
    out.writeDouble(sum);
  }

  /** Reads what {@link #writeTo} wrote into this empty histogram; its buckets must be the same. */
  void readFrom(DataInput in) throws IOException {
    StateChecks.expect(in.readInt() == upperBounds.length, "a histogram with other buckets");
    for (int i = 0; i < upperBounds.length; i++) {
      StateChecks.expect(Double.compare(in.readDouble(), upperBounds[i]) == 0, "a histogram with other buckets");
      bucketCounts[i] = StateChecks.notNegative(in.readLong());
    }
    count = StateChecks.notNegative(in.readLong());
    sum = in.readDouble();
    snapshot = null;
  }

  HistogramSnapshot snapshot() {
    if (snapshot == null) {
      snapshot = freshSnapshot();
    }
    return snapshot;
  }

  private HistogramSnapshot freshSnapshot() {
    List<Long> cumulative = new ArrayList<>(upperBounds.length);
    long running = 0;
    for (int i = 0; i < upperBounds.length; i++) {
      running += bucketCounts[i];
      cumulative.add(running);
    }
    return new HistogramSnapshot(bounds.boxed(), cumulative, count, sum);
  }
}
