package dev.agentworkflow.exporter.track;

import java.util.Map;

/**
 * Keeps one metric family's series bounded: its first {@code maxSeries} label combinations are
 * admitted, and every later one is counted under the one overflow combination, whose labels all
 * read {@code other}. The limit on label values alone does not bound the series: 500 agents, 500
 * phases and a few statuses and models make millions of combinations. A combination admitted
 * once stays admitted; the overflow combination is not counted against the budget.
 *
 * @param <K> the family's label set
 */
final class SeriesBudget<K> {
  private final String family;
  private final int maxSeries;
  private final K overflowKey;
  private long overflow;

  SeriesBudget(String family, int maxSeries, K overflowKey) {
    this.family = family;
    this.maxSeries = maxSeries;
    this.overflowKey = overflowKey;
  }

  /** The combination to count {@code key} under, given the family's series so far. */
  K admit(Map<K, ?> series, K key) {
    if (key.equals(overflowKey) || series.containsKey(key)) {
      return key;
    }
    int admitted = series.size() - (series.containsKey(overflowKey) ? 1 : 0);
    return admitted < maxSeries ? key : overflowKey;
  }

  /** Like {@link #admit}, and counts the observation in {@link #overflow()} when it is folded. */
  K counted(Map<K, ?> series, K key) {
    K admitted = admit(series, key);
    if (admitted != key) {
      overflow++;
    }
    return admitted;
  }

  /** One observation of this family was folded into the overflow combination by another route. */
  void overflowed() {
    overflow++;
  }

  String family() {
    return family;
  }

  /** Observations counted under the overflow combination because the budget was spent. */
  long overflow() {
    return overflow;
  }
}
