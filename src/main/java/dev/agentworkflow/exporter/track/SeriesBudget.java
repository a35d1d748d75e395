package dev.agentworkflow.exporter.track;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToIntFunction;

/**
 * Keeps one metric family's series bounded: its first {@code maxSeries} label combinations are
 * admitted, and every later one is counted under the one overflow combination, whose labels all
 * read {@code other}. The limit on label values alone does not bound the series: 500 agents, 500
 * phases and a few statuses and models make millions of combinations. A combination admitted
 * once stays admitted; the overflow combination is not counted against the budget.
 *
 * <p>The budget is also one of characters: the label values of the admitted combinations add up
 * to at most {@value #CHARACTERS_PER_SERIES} × {@code maxSeries} (256,000 at the default 2000). A
 * real combination has some 70 (agent, phase, status, model); 2000 of them with every label 256
 * characters long would make a 25 MB exposition, which the unit's 64 MB heap cannot render (tried:
 * out of memory at 1000 such combinations, 6.5 MB and fine at 500). With long labels, fewer series.
 *
 * @param <K> the family's label set
 */
final class SeriesBudget<K> {
  private final String family;
  private final int maxSeries;
  static final int CHARACTERS_PER_SERIES = 128;

  private final K overflowKey;
  private final ToIntFunction<K> characters;
  private final long maxCharacters;
  private long admittedCharacters;
  private long overflow;

  /** @param characters how many characters of label values a combination carries */
  SeriesBudget(String family, int maxSeries, K overflowKey, ToIntFunction<K> characters) {
    this.family = family;
    this.maxSeries = maxSeries;
    this.overflowKey = overflowKey;
    this.characters = characters;
    this.maxCharacters = (long) CHARACTERS_PER_SERIES * maxSeries;
  }

  /** The combination to count {@code key} under, given the family's series so far. */
  K admit(Map<K, ?> series, K key) {
    if (key.equals(overflowKey) || series.containsKey(key)) {
      return key;
    }
    int admitted = series.size() - (series.containsKey(overflowKey) ? 1 : 0);
    boolean fits = admitted < maxSeries && admittedCharacters + characters.applyAsInt(key) <= maxCharacters;
    return fits ? key : overflowKey;
  }

  /**
   * Like {@link #admit}, for a combination about to be added to the family: counts the observation
   * in {@link #overflow()} when it is folded, its characters when it is new.
   */
  K counted(Map<K, ?> series, K key) {
    K admitted = admit(series, key);
    if (admitted != key) {
      overflow++;
    } else {
      noteAdded(series, key);
    }
    return admitted;
  }

  /** {@code key}, admitted, is about to be added to {@code series}: its characters count from now on. */
  void noteAdded(Map<K, ?> series, K key) {
    if (!key.equals(overflowKey) && !series.containsKey(key)) {
      admittedCharacters += characters.applyAsInt(key);
    }
  }

  /** One observation of this family was folded into the overflow combination by another route. */
  void overflowed() {
    overflow++;
  }

  void writeTo(DataOutput out) throws IOException {
    out.writeUTF(family);
    out.writeLong(admittedCharacters);
    out.writeLong(overflow);
  }

  void readFrom(DataInput in) throws IOException {
    StateChecks.expect(in.readUTF().equals(family), "another family where " + family + " belongs");
    admittedCharacters = StateChecks.notNegative(in.readLong());
    overflow = StateChecks.notNegative(in.readLong());
  }

  /** Per metric family of {@code budgets}: observations counted under its overflow series. */
  static Map<String, Long> overflowByFamily(List<SeriesBudget<?>> budgets) {
    Map<String, Long> overflow = new TreeMap<>();
    for (SeriesBudget<?> budget : budgets) {
      overflow.put(budget.family(), budget.overflow());
    }
    return Map.copyOf(overflow);
  }

  String family() {
    return family;
  }

  /** Observations counted under the overflow combination because the budget was spent. */
  long overflow() {
    return overflow;
  }
}
