package dev.agentworkflow.exporter.state;

import dev.agentworkflow.exporter.model.StateStatus;
import dev.agentworkflow.exporter.track.WorkflowTracker;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one database's state file for a poller: reads it back at start, and writes it after a
 * poll that changed something, at most every {@link #WRITE_EVERY}, and when the poller closes.
 * Every way it can fail (no file yet, another exporter's lock, a damaged file, other settings, a
 * folder that cannot be written) is said in one log line, once, and the exporter goes on: without
 * the state, or without writing it (counted in {@link StateStatus#writeErrors()}).
 *
 * <pre>{@code
 * StateKeeper keeper = StateKeeper.open(Path.of("db.state"), settings, clock);
 * Optional<SavedState> saved = keeper.restore(newTracker);
 * }</pre>
 */
public final class StateKeeper implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(StateKeeper.class);
  /**
   * Writes at most this often: a poll every second on a busy database would otherwise write
   * every second. A crash loses at most this much, and the next start reads it again.
   */
  static final Duration WRITE_EVERY = Duration.ofSeconds(5);

  private final StateFile file;
  private final String countingSettings;
  private final Clock clock;
  /** Why the state file could not be created or locked when it was opened (said then, once), or null. */
  private final String openProblem;
  private boolean restored;
  private long writes;
  private long writeErrors;
  private double sizeBytes = Double.NaN;
  private long lastWriteMillis = Long.MIN_VALUE;
  private boolean pending;
  /** The kind of the last write failure ({@link #kind}), until a write succeeds. */
  private String lastWriteProblem;
  private StateStatus status;

  private StateKeeper(StateFile file, String countingSettings, Clock clock, String openProblem) {
    this.file = file;
    this.openProblem = openProblem;
    this.countingSettings = countingSettings;
    this.clock = clock;
    this.status = file == null ? StateStatus.OFF : new StateStatus(true, false, 0, 0, Double.NaN);
  }

  /** No state file: nothing is read or written. */
  public static StateKeeper none() {
    return new StateKeeper(null, "", Clock.systemUTC(), null);
  }

  /**
   * Opens the state file of a database and takes its lock.
   *
   * @param countingSettings everything that decides how a row is counted, as one text
   */
  public static StateKeeper open(Path path, String countingSettings, Clock clock) {
    StateFile.Opened opened = StateFile.open(path);
    if (opened instanceof StateFile.InUse inUse) {
      log.warn("state file {} is in use by another exporter ({} is locked); this one goes on without a state file: "
          + "after a restart it counts from scratch", path, inUse.lockFile());
      return none();
    }
    StateFile.Usable usable = (StateFile.Usable) opened;
    if (usable.problem() != null) {
      log.warn("state file {} cannot be created or locked ({}); the exporter goes on: it reads the file if it is "
          + "there, tries to write it every {} s (failures in agent_workflow_exporter_state_write_errors_total), and "
          + "until it can, a restart counts from scratch", path, usable.problem(), WRITE_EVERY.toSeconds());
    }
    return new StateKeeper(usable.file(), countingSettings, clock, usable.problem());
  }

  /** The state written last, if there is one that these settings may use; else why not, in the log. */
  public Optional<SavedState> restore(Supplier<WorkflowTracker> newTracker) {
    if (file == null) {
      return Optional.empty();
    }
    try {
      StateFile.Read<SavedState> read = file.read(in -> SavedState.readFrom(in, countingSettings, newTracker));
      if (read instanceof StateFile.Absent) {
        log.info("no state file {} yet: counting from the start of the database", file.path());
        return Optional.empty();
      }
      if (read instanceof StateFile.Unusable<SavedState> unusable) {
        if (unusable.cannotRead() && openProblem != null) {
          // the folder was said to be unusable when it was opened: the same cause, said once
          log.debug("state file {} not used, counting from scratch: {}", file.path(), unusable.why());
        } else {
          log.warn("state file {} not used, counting from scratch: {}", file.path(), unusable.why());
        }
        return Optional.empty();
      }
      StateFile.Found<SavedState> found = (StateFile.Found<SavedState>) read;
      sizeBytes = found.sizeBytes();
      restored = true;
      refresh();
      return Optional.of(found.value());
    } catch (SavedState.OtherSettingsException e) {
      log.warn("state file {} not used, counting from scratch: it was written with other counting settings ({}; "
          + "now {})", file.path(), e.written, countingSettings);
    } catch (IOException | RuntimeException e) {
      log.warn("state file {} not used, counting from scratch: {}", file.path(), e.getMessage());
    }
    return Optional.empty();
  }

  /** The state read back does not describe the database as it is now: counted from scratch. */
  public void discard() {
    restored = false;
    refresh();
  }

  /**
   * Writes the state if something changed since the last write and the last write is
   * {@link #WRITE_EVERY} old, or at once when {@code now}.
   *
   * @param changed something changed since the state was last offered
   */
  public void offer(Supplier<SavedState> state, boolean changed, boolean now) {
    if (file == null) {
      return;
    }
    pending |= changed;
    long millis = clock.millis();
    if (!pending || (!now && lastWriteMillis != Long.MIN_VALUE && millis - lastWriteMillis < WRITE_EVERY.toMillis())) {
      return;
    }
    try {
      SavedState saved = state.get();
      sizeBytes = file.write(saved::writeTo);
      writes++;
      pending = false;
      lastWriteMillis = millis;
      if (lastWriteProblem != null) {
        log.info("state file {} written again", file.path());
        lastWriteProblem = null;
      }
    } catch (IOException | RuntimeException e) {
      writeErrors++;
      lastWriteMillis = millis; // try again after the same pause, not on every poll
      String kind = kind(e);
      if (!kind.equals(lastWriteProblem)) {
        String problem = e instanceof IOException io ? StateFile.describe(io) : e.toString();
        if (openProblem != null && writes == 0) {
          // the folder was said to be unusable when it was opened: the same cause, said once
          log.debug("cannot write state file {}: {}", file.path(), problem);
        } else {
          log.warn("cannot write state file {}: {}; the exporter goes on, and tries again every {} s", file.path(),
              problem, WRITE_EVERY.toSeconds());
        }
        lastWriteProblem = kind;
      }
    }
    refresh();
  }

  /**
   * What kind of failure a write met, without the names of files in it: each try writes a new
   * temporary file of a random name, and the same failure must not read as a new one each time.
   */
  private static String kind(Exception e) {
    if (e instanceof java.nio.file.FileSystemException f) {
      return f.getClass().getName() + ": " + f.getReason();
    }
    return e.getClass().getName() + ": " + e.getMessage();
  }

  /** The counting settings a state is written with, and must have been written with to be read back. */
  public String countingSettings() {
    return countingSettings;
  }

  public StateStatus status() {
    return status;
  }

  private void refresh() {
    status = new StateStatus(true, restored, writes, writeErrors, sizeBytes);
  }

  @Override
  public void close() {
    if (file != null) {
      file.close();
    }
  }
}
