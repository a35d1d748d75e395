package dev.agentworkflow.exporter.track;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;

/**
 * A map from {@code long} keys to a fixed number of {@code long} fields (none: a set), in flat
 * arrays with open addressing: the state that grows with the history or with the rows still
 * running is kept here, so it stays small. Between 53% and 80% full (it grows by half when four
 * fifths full; linear probing still finds a key in a few probes), it takes
 * {@code (8 + 8 × fields) / fill} bytes a key: 20 to 30 bytes with one field, 10 to 15 for a set,
 * against some 80 to 200 for a {@code HashMap<Long, …>} entry. Any key is
 * allowed, 0 included (a row id a writer chose), though session ids hash to a non-zero key.
 * Plain arrays and counts, so that a state file can write and read them back as they are.
 */
final class FlatLongMap {
  /** The marker of a free slot; the key 0 itself lives beside the arrays. */
  private static final long FREE = 0;
  private final int fields;
  private long[] keys;
  private long[] values;
  private int size;
  private boolean hasZeroKey;
  private final long[] zeroKeyValues;

  FlatLongMap(int fields) {
    this.fields = fields;
    this.keys = new long[16];
    this.values = new long[16 * fields];
    this.zeroKeyValues = new long[fields];
  }

  /** The 64-bit FNV-1a hash of a text; never 0. */
  static long hash(String text) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < text.length(); i++) {
      h ^= text.charAt(i);
      h *= 0x100000001b3L;
    }
    return h == FREE ? 1 : h;
  }

  int size() {
    return size;
  }

  boolean contains(long key) {
    return key == FREE ? hasZeroKey : keys[slot(key)] == key;
  }

  /** Field {@code field} of {@code key}; 0 when the key is absent. */
  long get(long key, int field) {
    if (key == FREE) {
      return hasZeroKey ? zeroKeyValues[field] : 0;
    }
    int slot = slot(key);
    return keys[slot] == key ? values[slot * fields + field] : 0;
  }

  /** Adds a key (its fields 0) if absent; returns whether it was added. */
  boolean add(long key) {
    if (key == FREE) {
      if (hasZeroKey) {
        return false;
      }
      hasZeroKey = true;
      size++;
      return true;
    }
    int slot = slot(key);
    if (keys[slot] == key) {
      return false;
    }
    if ((size + 1) * 5L > keys.length * 4L) { // at most four fifths full
      grow();
      slot = slot(key);
    }
    keys[slot] = key;
    size++;
    return true;
  }

  /** Sets a field, adding the key (its other fields 0) if absent. */
  void put(long key, int field, long value) {
    add(key);
    if (key == FREE) {
      zeroKeyValues[field] = value;
    } else {
      values[slot(key) * fields + field] = value;
    }
  }

  void remove(long key) {
    if (key == FREE) {
      if (hasZeroKey) {
        hasZeroKey = false;
        Arrays.fill(zeroKeyValues, 0);
        size--;
      }
      return;
    }
    int slot = slot(key);
    if (keys[slot] == key) {
      removeAt(slot);
    }
  }

  void clear() {
    Arrays.fill(keys, FREE);
    Arrays.fill(values, 0);
    hasZeroKey = false;
    Arrays.fill(zeroKeyValues, 0);
    size = 0;
  }

  /** A test of an entry by its key and first field (0 for a set). */
  @FunctionalInterface
  interface Entry {
    boolean test(long key, long firstField);
  }

  /** What {@link #forEach} hands each entry: its key and first field (0 for a set). */
  @FunctionalInterface
  interface Visitor {
    void visit(long key, long firstField);
  }

  /** Each entry, in no particular order; the visitor must not add or remove keys. */
  void forEach(Visitor visitor) {
    if (hasZeroKey) {
      visitor.visit(FREE, fields == 0 ? 0 : zeroKeyValues[0]);
    }
    for (int slot = 0; slot < keys.length; slot++) {
      if (keys[slot] != FREE) {
        visitor.visit(keys[slot], fields == 0 ? 0 : values[slot * fields]);
      }
    }
  }

  /** Replaces the first field of every entry by {@code f} of it. */
  void updateFirstFields(java.util.function.LongUnaryOperator f) {
    if (hasZeroKey) {
      zeroKeyValues[0] = f.applyAsLong(zeroKeyValues[0]);
    }
    for (int slot = 0; slot < keys.length; slot++) {
      if (keys[slot] != FREE) {
        values[slot * fields] = f.applyAsLong(values[slot * fields]);
      }
    }
  }

  /** The keys whose entry passes {@code test}, in no particular order. */
  long[] keysWhere(Entry test) {
    long[] out = new long[size];
    int[] n = {0};
    forEach((key, first) -> {
      if (test.test(key, first)) {
        out[n[0]++] = key;
      }
    });
    return n[0] == out.length ? out : Arrays.copyOf(out, n[0]);
  }

  /** How many entries pass {@code test}. */
  int count(Entry test) {
    int[] n = {0};
    forEach((key, first) -> n[0] += test.test(key, first) ? 1 : 0);
    return n[0];
  }

  /** Removes every entry that passes {@code test}. */
  void removeIf(Entry test) {
    if (hasZeroKey && test.test(FREE, fields == 0 ? 0 : zeroKeyValues[0])) {
      remove(FREE);
    }
    for (int slot = 0; slot < keys.length; slot++) {
      while (keys[slot] != FREE && test.test(keys[slot], fields == 0 ? 0 : values[slot * fields])) {
        removeAt(slot); // the next key may have moved into this slot
      }
    }
  }

  /** Writes the entries (not the arrays): a key and its fields each. */
  void writeTo(DataOutput out) throws IOException {
    out.writeInt(fields);
    out.writeInt(size);
    if (hasZeroKey) {
      writeEntry(out, FREE, zeroKeyValues, 0);
    }
    for (int slot = 0; slot < keys.length; slot++) {
      if (keys[slot] != FREE) {
        writeEntry(out, keys[slot], values, slot * fields);
      }
    }
  }

  private void writeEntry(DataOutput out, long key, long[] from, int offset) throws IOException {
    out.writeLong(key);
    for (int field = 0; field < fields; field++) {
      out.writeLong(from[offset + field]);
    }
  }

  /** Puts the entries {@link #writeTo} wrote into this map, which must be empty. */
  void readFrom(DataInput in) throws IOException {
    StateChecks.expect(in.readInt() == fields, "a map with another number of fields");
    int entries = StateChecks.count(in.readInt());
    if (size != 0) {
      throw new IllegalStateException("only an empty map is read into");
    }
    int capacity = Math.max(16, (int) Math.min(Integer.MAX_VALUE - 8, entries * 5L / 3 + 1));
    keys = new long[capacity];
    values = new long[capacity * fields];
    for (int i = 0; i < entries; i++) {
      long key = in.readLong();
      StateChecks.expect(!contains(key), "a key twice");
      add(key);
      for (int field = 0; field < fields; field++) {
        long value = in.readLong();
        if (key == FREE) {
          zeroKeyValues[field] = value;
        } else {
          values[slot(key) * fields + field] = value;
        }
      }
    }
  }

  /** Linear probing: the key's slot, or the free slot where it would go. */
  private int slot(long key) {
    int slot = home(key);
    while (keys[slot] != FREE && keys[slot] != key) {
      slot = slot + 1 == keys.length ? 0 : slot + 1;
    }
    return slot;
  }

  /**
   * Where a key's search starts: the key is mixed first, because row ids come in runs that would
   * otherwise fill neighbouring slots. Any table size will do, so the table grows by half, not double.
   */
  private int home(long key) {
    return (int) Long.remainderUnsigned(key * 0x9E3779B97F4A7C15L, keys.length);
  }

  /** Backward-shift deletion: later keys of the same run move up, so no lookup stops early at a hole. */
  private void removeAt(int slot) {
    int hole = slot;
    int next = hole + 1 == keys.length ? 0 : hole + 1;
    while (keys[next] != FREE) {
      int home = home(keys[next]);
      boolean movable = hole <= next ? home <= hole || home > next : home <= hole && home > next;
      if (movable) {
        keys[hole] = keys[next];
        System.arraycopy(values, next * fields, values, hole * fields, fields);
        hole = next;
      }
      next = next + 1 == keys.length ? 0 : next + 1;
    }
    keys[hole] = FREE;
    Arrays.fill(values, hole * fields, hole * fields + fields, 0);
    size--;
  }

  private void grow() {
    long[] oldKeys = keys;
    long[] oldValues = values;
    keys = new long[oldKeys.length + oldKeys.length / 2];
    values = new long[keys.length * fields];
    for (int i = 0; i < oldKeys.length; i++) {
      if (oldKeys[i] != FREE) {
        int slot = slot(oldKeys[i]);
        keys[slot] = oldKeys[i];
        System.arraycopy(oldValues, i * fields, values, slot * fields, fields);
      }
    }
  }
}
