package dev.agentworkflow.exporter.bench;

import java.util.Arrays;

/** Measured durations, in milliseconds, and their percentiles (nearest rank). */
record Distribution(double[] sortedMillis) {
  static Distribution of(double[] millis) {
    double[] sorted = millis.clone();
    Arrays.sort(sorted);
    return new Distribution(sorted);
  }

  double percentile(double p) {
    if (sortedMillis.length == 0) {
      return Double.NaN;
    }
    int rank = (int) Math.ceil(p / 100 * sortedMillis.length);
    return sortedMillis[Math.max(0, rank - 1)];
  }

  double median() {
    return percentile(50);
  }

  double p99() {
    return percentile(99);
  }

  int count() {
    return sortedMillis.length;
  }
}
