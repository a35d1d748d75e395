package dev.agentworkflow.exporter.track;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The compact per-session map against a HashMap doing the same, over many random operations. */
class SessionIdMapTest {
  @Test
  void behavesLikeAHashMapThroughGrowthAndRemovals() {
    SessionIdMap map = new SessionIdMap(2);
    Map<Long, long[]> reference = new HashMap<>();
    Random random = new Random(7);
    for (int step = 0; step < 200_000; step++) {
      // 5,000 keys spread unevenly over the slots, so runs of neighbours form and removals shift them.
      long key = (random.nextInt(5_000) + 1) * 7919L;
      switch (random.nextInt(10)) {
        case 0, 1 -> {
          map.remove(key);
          reference.remove(key);
        }
        case 2 -> {
          if (step % 1000 == 0) {
            long limit = random.nextInt(1_000_000);
            map.removeWhere(first -> first > limit);
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
        for (long probe = 7919; probe <= 5_000 * 7919L; probe += 7919) {
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
    assertNotEquals(0, SessionIdMap.key(""));
    assertNotEquals(SessionIdMap.key("0f9e6d1c-0000-4000-8000-000000000001"),
        SessionIdMap.key("0f9e6d1c-0000-4000-8000-000000000002"));
  }
}
