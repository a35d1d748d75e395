package dev.agentworkflow.exporter.state;

import dev.agentworkflow.exporter.track.WorkflowTracker;
import java.io.DataInput;
import java.io.DataInputStream;
import java.io.DataOutput;
import java.io.IOException;
import java.time.Instant;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * What a state file holds: the tracker, with what it takes to know whether it still describes
 * the database (the file's identity, the schema version it was read at, the counting settings)
 * and the poller's own counters, so that no counter goes down across a restart.
 *
 * @param fileKey the database file's identity (device and inode) when it was last read
 * @param countingSettings everything that decides how a row is counted, as one text; a state
 *     written with other settings is not used
 * @param schemaVersion the database's {@code PRAGMA schema_version} when it was last read
 * @param pollErrors polls that failed, since the state was first written
 * @param rowsRead rows read, by table
 * @param rescans passes over whole tables, by table
 * @param writtenAt when it was written
 * @param tracker everything counted
 */
public record SavedState(
    String fileKey,
    String countingSettings,
    OptionalLong schemaVersion,
    long pollErrors,
    Map<String, Long> rowsRead,
    Map<String, Long> rescans,
    Instant writtenAt,
    WorkflowTracker tracker) {

  public SavedState {
    rowsRead = Map.copyOf(rowsRead);
    rescans = Map.copyOf(rescans);
  }

  /** Writes the state to {@code out}, as it is: from the poller's thread, between two polls. */
  void writeTo(DataOutput out) throws IOException {
    out.writeUTF(fileKey);
    out.writeUTF(countingSettings);
    out.writeBoolean(schemaVersion.isPresent());
    out.writeLong(schemaVersion.orElse(0));
    out.writeLong(pollErrors);
    writeCounts(out, rowsRead);
    writeCounts(out, rescans);
    out.writeLong(writtenAt.toEpochMilli());
    tracker.writeTo(out);
  }

  /**
   * Reads a state back from {@code in}, which ends where the state ends; its tracker is made by
   * {@code newTracker} and filled. Fails with an {@link IOException} when the bytes are not such a
   * state, or not of these settings.
   */
  static SavedState readFrom(DataInputStream in, String expectedSettings, Supplier<WorkflowTracker> newTracker)
      throws IOException {
    String fileKey = in.readUTF();
    String settings = in.readUTF();
    if (!settings.equals(expectedSettings)) {
      throw new OtherSettingsException(settings);
    }
    boolean hasSchema = in.readBoolean();
    long schema = in.readLong();
    long pollErrors = in.readLong();
    Map<String, Long> rowsRead = readCounts(in);
    Map<String, Long> rescans = readCounts(in);
    Instant writtenAt = Instant.ofEpochMilli(in.readLong());
    WorkflowTracker tracker = newTracker.get();
    tracker.readFrom(in);
    if (in.read() != -1) {
      throw new IOException("the state has bytes past its end");
    }
    return new SavedState(fileKey, settings, hasSchema ? OptionalLong.of(schema) : OptionalLong.empty(), pollErrors,
        rowsRead, rescans, writtenAt, tracker);
  }

  /** The state was written with other counting settings: it would count differently. */
  static final class OtherSettingsException extends IOException {
    private static final long serialVersionUID = 1L;
    final String written;

    OtherSettingsException(String written) {
      super("it was written with other counting settings (" + written + ")");
      this.written = written;
    }
  }

  private static void writeCounts(DataOutput out, Map<String, Long> counts) throws IOException {
    out.writeInt(counts.size());
    for (Map.Entry<String, Long> count : new TreeMap<>(counts).entrySet()) {
      out.writeUTF(count.getKey());
      out.writeLong(count.getValue());
    }
  }

  private static Map<String, Long> readCounts(DataInput in) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > 64) {
      throw new IOException("the state holds " + n + " tables");
    }
    Map<String, Long> counts = new TreeMap<>();
    for (int i = 0; i < n; i++) {
      counts.put(in.readUTF(), in.readLong());
    }
    return counts;
  }
}
