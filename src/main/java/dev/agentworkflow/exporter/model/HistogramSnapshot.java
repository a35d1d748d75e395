package dev.agentworkflow.exporter.model;

import java.util.List;

/**
 * A histogram as Prometheus exposes it: cumulative counts per upper bound (the last bound is
 * implicitly +Inf and equals {@code count}), the number of observations and their sum.
 */
public record HistogramSnapshot(List<Double> upperBounds, List<Long> cumulativeCounts, long count, double sum) {
  public HistogramSnapshot {
    upperBounds = List.copyOf(upperBounds);
    cumulativeCounts = List.copyOf(cumulativeCounts);
    if (upperBounds.size() != cumulativeCounts.size()) {
      throw new IllegalArgumentException("one cumulative count per upper bound");
    }
  }
}
