package dev.agentworkflow.exporter.track;

import dev.agentworkflow.exporter.model.CustomFamily;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInput;
import java.io.DataInputStream;
import java.io.DataOutput;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The trackers of the user-defined row metrics in force, by name, in the configuration's order. A
 * reloaded configuration keeps the tracker of every metric that counts as before (its help,
 * interval or timeout may change), and starts every metric whose counting changed from nothing:
 * it is counted again from its table.
 */
public final class RowMetricTrackers {
  /** Rows followed while unfinished, per metric: some 15 bytes each. */
  public static final int MAX_OPEN_ROWS = 200_000;

  private final int maxLabelValues;
  private final int maxSeries;
  private Map<String, RowMetricTracker> trackers = new LinkedHashMap<>();

  public RowMetricTrackers(List<RowMetricTracker.Definition> definitions, int maxLabelValues, int maxSeries) {
    this.maxLabelValues = maxLabelValues;
    this.maxSeries = maxSeries;
    use(definitions);
  }

  /** Makes {@code definitions} the ones in force. */
  public void use(List<RowMetricTracker.Definition> definitions) {
    Map<String, RowMetricTracker> next = new LinkedHashMap<>();
    for (RowMetricTracker.Definition definition : definitions) {
      RowMetricTracker kept = trackers.get(definition.name());
      if (kept != null && kept.definition().equals(definition)) {
        next.put(definition.name(), kept);
      } else if (kept != null && kept.definition().countingKey().equals(definition.countingKey())) {
        next.put(definition.name(), carriedOver(kept, definition)); // only the help text changed
      } else {
        next.put(definition.name(), newTracker(definition));
      }
    }
    trackers = next;
  }

  public List<RowMetricTracker> all() {
    return List.copyOf(trackers.values());
  }

  public List<CustomFamily> snapshot() {
    List<CustomFamily> families = new ArrayList<>(trackers.size());
    for (RowMetricTracker tracker : trackers.values()) {
      families.add(tracker.snapshot());
    }
    return families;
  }

  /**
   * Each tracker's state, framed by its name and length, so that a reader whose configuration no
   * longer has a metric, or counts it otherwise, skips it.
   */
  public void writeTo(DataOutput out) throws IOException {
    out.writeInt(trackers.size());
    for (RowMetricTracker tracker : trackers.values()) {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      tracker.writeTo(new DataOutputStream(bytes));
      out.writeUTF(tracker.definition().name());
      out.writeUTF(RowMetricTracker.keyDigest(tracker.definition().countingKey()));
      out.writeInt(bytes.size());
      out.write(bytes.toByteArray());
    }
  }

  /**
   * Reads what {@link #writeTo} wrote into the trackers in force of the same name and counting; the
   * others start from nothing. A state written before row metrics existed ends before this part.
   */
  public void readFrom(DataInput in) throws IOException {
    int first;
    try {
      first = in.readUnsignedByte();
    } catch (EOFException e) {
      return; // written by a version without row metrics: the state ends right here
    }
    byte[] rest = new byte[3];
    in.readFully(rest); // a state cut short within the count is refused, as anywhere else
    int n = StateChecks.count(first << 24 | (rest[0] & 0xff) << 16 | (rest[1] & 0xff) << 8 | (rest[2] & 0xff));
    for (int i = 0; i < n; i++) {
      String name = in.readUTF();
      String key = in.readUTF();
      byte[] bytes = new byte[StateChecks.count(in.readInt())];
      in.readFully(bytes);
      RowMetricTracker tracker = trackers.get(name);
      if (tracker != null && RowMetricTracker.keyDigest(tracker.definition().countingKey()).equals(key)) {
        RowMetricTracker filled = newTracker(tracker.definition());
        filled.readFrom(new DataInputStream(new ByteArrayInputStream(bytes)));
        trackers.put(name, filled);
      }
    }
  }

  private RowMetricTracker newTracker(RowMetricTracker.Definition definition) {
    return new RowMetricTracker(definition, maxLabelValues, maxSeries, MAX_OPEN_ROWS);
  }

  private RowMetricTracker carriedOver(RowMetricTracker kept, RowMetricTracker.Definition definition) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      kept.writeTo(new DataOutputStream(bytes));
      RowMetricTracker carried = newTracker(definition);
      carried.readFrom(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
      return carried;
    } catch (IOException e) {
      throw new IllegalStateException("a tracker's own state did not read back", e);
    }
  }
}
