package dev.agentworkflow.exporter.track;

import java.util.ArrayList;
import java.util.List;

/**
 * A histogram family's upper bounds, as the accumulators search them and as their snapshots carry
 * them: one list shared by every histogram of the family. 50 databases of a real pipeline keep some
 * 15,000 histograms; a list of boxed bounds each was 5 MB of a 64 MB heap.
 */
final class BucketBounds {
  private final double[] values;
  private final List<Double> boxed;

  BucketBounds(double[] values) {
    this.values = values.clone();
    List<Double> list = new ArrayList<>(values.length);
    for (double value : values) {
      list.add(value);
    }
    this.boxed = List.copyOf(list);
  }

  /** The bounds, ascending; not to be changed. */
  double[] values() {
    return values;
  }

  /** The same bounds, immutable, for snapshots. */
  List<Double> boxed() {
    return boxed;
  }
}
