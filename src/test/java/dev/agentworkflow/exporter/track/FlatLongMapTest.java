package dev.agentworkflow.exporter.track;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The flat map against a HashMap doing the same, over many random operations. */
class FlatLongMapTest {
  @Test
  void behavesLikeAHashMapThroughGrowthAndRemovals() {
    FlatLongMap map = new FlatLongMap(2);
    Map<Long, long[]> reference = new HashMap<>();
    Random random = new Random(7);
    for (int step = 0; step < 200_000; step++) {
      // 5,000 keys spread unevenly over the slots, so runs of neighbours form and removals shift them.
      // 0 and negative keys too: row ids a writer chose
      long key = (random.nextInt(5_000) - 100) * 7919L;
      switch (random.nextInt(10)) {
        case 0, 1 -> {
          map.remove(key);
          reference.remove(key);
        }
        case 2 -> {
          if (step % 1000 == 0) {
            long limit = random.nextInt(1_000_000);
            map.removeIf((k, first) -> first > limit);
            reference.values().removeIf(fields -> fields[0] > limit);
          }
        }
        default -> {
          int field = random.nextInt(2);
          long value = random.nextInt(1_000_000);
          map.put(key, field, value);
          reference.computeIfAbsent(key, k -> new long[2])[field] = value;
        }
      }
      if (step % 997 == 0) {
        assertEquals(reference.size(), map.size());
        for (long probe = -100 * 7919L; probe < 4_900 * 7919L; probe += 7919) {
          long[] expected = reference.get(probe);
          assertEquals(expected != null, map.contains(probe), "key " + probe);
          assertEquals(expected == null ? 0 : expected[0], map.get(probe, 0));
          assertEquals(expected == null ? 0 : expected[1], map.get(probe, 1));
        }
      }
    }
  }

  @Test
  void keysOfIdsNeverTakeTheEmptyMarker() {
    assertNotEquals(0, FlatLongMap.hash(""));
    assertNotEquals(FlatLongMap.hash("0f9e6d1c-0000-4000-8000-000000000001"),
        FlatLongMap.hash("0f9e6d1c-0000-4000-8000-000000000002"));
  }
}
