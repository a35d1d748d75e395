package dev.agentworkflow.exporter.track;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Keeps the number of series bounded whatever the writers put in the labelled columns: each label
 * admits its first {@code maxValues} distinct values; after that, and for any value longer than
 * {@link #MAX_LENGTH} characters, a value reads as {@code other}. {@code unknown} and
 * {@code other} are always admitted. Memory is at most {@code maxValues × MAX_LENGTH} characters
 * per label.
 *
 * <p>A value is answered with the instance first admitted, not the one just read: every series of a
 * label then shares one string, where each row read would otherwise keep its own copy in the series
 * it made (some 140,000 strings over 50 projects of 10,000 invocations).
 */
final class LabelValues {
  static final String OTHER = "other";
  static final int MAX_LENGTH = 256;

  private final int maxValues;
  private final Map<String, Map<String, String>> admitted = new HashMap<>();
  private final Map<String, Long> overflow = new HashMap<>();

  LabelValues(int maxValues, String... labels) {
    this.maxValues = maxValues;
    for (String label : labels) {
      admitted.put(label, new HashMap<>());
      overflow.put(label, 0L);
    }
  }

  /** The value to export for {@code value} (already {@code unknown} when NULL or empty). */
  String of(String label, String value) {
    if (value.equals(CountingRules.UNKNOWN) || value.equals(OTHER)) {
      return value;
    }
    Map<String, String> values = admitted.get(label);
    String first = values.get(value);
    if (first != null) {
      return first;
    }
    if (value.length() <= MAX_LENGTH && values.size() < maxValues) {
      values.put(value, value);
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

  void writeTo(DataOutput out) throws IOException {
    out.writeInt(admitted.size());
    for (Map.Entry<String, Map<String, String>> label : new TreeMap<>(admitted).entrySet()) {
      out.writeUTF(label.getKey());
      out.writeLong(overflow.get(label.getKey()));
      out.writeInt(label.getValue().size());
      for (String value : label.getValue().keySet()) {
        out.writeUTF(value);
      }
    }
  }

  /** Reads what {@link #writeTo} wrote into these empty label sets; the labels must be the same. */
  void readFrom(DataInput in) throws IOException {
    StateChecks.expect(in.readInt() == admitted.size(), "other labels");
    for (int i = 0; i < admitted.size(); i++) {
      String label = in.readUTF();
      Map<String, String> values = admitted.get(label);
      StateChecks.expect(values != null && values.isEmpty(), "an unknown label " + label);
      overflow.put(label, StateChecks.notNegative(in.readLong()));
      int count = StateChecks.count(in.readInt());
      StateChecks.expect(count <= maxValues, "more values of " + label + " than --max-label-values");
      for (int v = 0; v < count; v++) {
        String value = in.readUTF();
        values.put(value, value);
      }
    }
  }

  /** Per label: counted invocations whose value was reported as {@code other}. */
  Map<String, Long> overflow() {
    return Map.copyOf(overflow);
  }
}
