package dev.agentworkflow.exporter.track;

import java.util.Arrays;

/**
 * A few {@code long} fields per session id, for every session ever seen: the one state that
 * grows with the history, so it is kept small. The id is kept as its 64-bit FNV-1a hash (two of a
 * million random ids collide with odds of about 3 in 10^8), the fields in flat arrays with open
 * addressing, between half and three quarters full (it grows by half): 21 to 32 bytes per session
 * with one field, against some 200 for a {@code HashMap<String, …>} entry: 400,000 sessions (5
 * million invocations) take 9 to 13 MB.
 */
final class SessionIdMap {
  private static final long EMPTY = 0;
  private final int fields;
  private long[] keys;
  private long[] values;
  private int size;

  SessionIdMap(int fields) {
    this.fields = fields;
    this.keys = new long[16];
    this.values = new long[16 * fields];
  }

  /** The key of a session id; never {@link #EMPTY}. */
  static long key(String sessionId) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < sessionId.length(); i++) {
      h ^= sessionId.charAt(i);
      h *= 0x100000001b3L;
    }
    return h == EMPTY ? 1 : h;
  }

  int size() {
    return size;
  }

  boolean contains(long key) {
    return keys[slot(key)] == key;
  }

  /** Field {@code field} of {@code key}; 0 when the key is absent. */
  long get(long key, int field) {
    int slot = slot(key);
    return keys[slot] == key ? values[slot * fields + field] : 0;
  }

  /** Sets a field, adding the key (its other fields 0) if absent. */
  void put(long key, int field, long value) {
    int slot = slot(key);
    if (keys[slot] != key) {
      if ((size + 1) * 4 > keys.length * 3) { // at most three quarters full
        grow();
        slot = slot(key);
      }
      keys[slot] = key;
      size++;
    }
    values[slot * fields + field] = value;
  }

  void remove(long key) {
    int slot = slot(key);
    if (keys[slot] != key) {
      return;
    }
    removeAt(slot);
  }

  /** Removes every key whose first field passes {@code test}. */
  void removeWhere(java.util.function.LongPredicate test) {
    for (int slot = 0; slot < keys.length; slot++) {
      while (keys[slot] != EMPTY && test.test(values[slot * fields])) {
        removeAt(slot); // the next key may have moved into this slot
      }
    }
  }

  /** Linear probing: the key's slot, or the empty slot where it would go. */
  private int slot(long key) {
    int slot = home(key);
    while (keys[slot] != EMPTY && keys[slot] != key) {
      slot = slot + 1 == keys.length ? 0 : slot + 1;
    }
    return slot;
  }

  /** Where a key's search starts. Any table size will do, so the table grows by half, not double. */
  private int home(long key) {
    return (int) Long.remainderUnsigned(key * 0x9E3779B97F4A7C15L, keys.length);
  }

  /** Backward-shift deletion: later keys of the same run move up, so no lookup stops early at a hole. */
  private void removeAt(int slot) {
    int hole = slot;
    int next = hole + 1 == keys.length ? 0 : hole + 1;
    while (keys[next] != EMPTY) {
      int home = home(keys[next]);
      boolean movable = hole <= next ? home <= hole || home > next : home <= hole && home > next;
      if (movable) {
        keys[hole] = keys[next];
        System.arraycopy(values, next * fields, values, hole * fields, fields);
        hole = next;
      }
      next = next + 1 == keys.length ? 0 : next + 1;
    }
    keys[hole] = EMPTY;
    Arrays.fill(values, hole * fields, hole * fields + fields, 0);
    size--;
  }

  private void grow() {
    long[] oldKeys = keys;
    long[] oldValues = values;
    keys = new long[oldKeys.length + oldKeys.length / 2];
    values = new long[keys.length * fields];
    for (int i = 0; i < oldKeys.length; i++) {
      if (oldKeys[i] != EMPTY) {
        int slot = slot(oldKeys[i]);
        keys[slot] = oldKeys[i];
        System.arraycopy(oldValues, i * fields, values, slot * fields, fields);
      }
    }
  }
}
