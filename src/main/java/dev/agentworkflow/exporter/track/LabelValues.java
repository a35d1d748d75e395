package dev.agentworkflow.exporter.track;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Keeps the number of series bounded whatever the writers put in the labelled columns: each label
 * admits its first {@code maxValues} distinct values; after that, and for any value longer than
 * {@link #MAX_LENGTH} characters, a value reads as {@code other}. {@code unknown} and
 * {@code other} are always admitted. Memory is at most {@code maxValues × MAX_LENGTH} characters
 * per label.
 */
final class LabelValues {
  static final String OTHER = "other";
  static final int MAX_LENGTH = 256;

  private final int maxValues;
  private final Map<String, Set<String>> admitted = new HashMap<>();
  private final Map<String, Long> overflow = new HashMap<>();

  LabelValues(int maxValues, String... labels) {
    this.maxValues = maxValues;
    for (String label : labels) {
      admitted.put(label, new HashSet<>());
      overflow.put(label, 0L);
    }
  }

  /** The value to export for {@code value} (already {@code unknown} when NULL or empty). */
  String of(String label, String value) {
    if (value.equals(CountingRules.UNKNOWN) || value.equals(OTHER)) {
      return value;
    }
    Set<String> values = admitted.get(label);
    if (values.contains(value)) {
      return value;
    }
    if (value.length() <= MAX_LENGTH && values.size() < maxValues) {
      values.add(value);
      return value;
    }
    return OTHER;
  }

  /** Like {@link #of}, and counts a replacement in {@link #overflow()}. */
  String counted(String label, String value) {
    String exported = of(label, value);
    if (exported.equals(OTHER) && !value.equals(OTHER)) {
      overflow.merge(label, 1L, Long::sum);
    }
    return exported;
  }

  /** Per label: counted invocations whose value was reported as {@code other}. */
  Map<String, Long> overflow() {
    return Map.copyOf(overflow);
  }
}
