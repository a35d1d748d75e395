package dev.agentworkflow.exporter.custom;

import dev.agentworkflow.exporter.webconfig.FileStamp;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The user-defined metrics in force, reloaded when the file changes, as the web configuration is:
 * looked at most once a second when a poll asks, read once it has stopped changing (the same size,
 * time and inode a second apart), and at once on SIGHUP ({@link #checkNow()}). A changed file that
 * cannot be used is logged once and leaves the previous definitions in force; {@link #status()}
 * says so until the file can be used again.
 */
public final class LiveCustomMetrics {
  private static final Logger log = LoggerFactory.getLogger(LiveCustomMetrics.class);
  private static final Duration CHECK_EVERY = Duration.ofSeconds(1);

  /** Reads and checks the file: its keys, names and SQL, and its statements against the databases. */
  @FunctionalInterface
  public interface Reader {
    CustomMetrics read(Path file) throws CustomMetricsException;
  }

  /**
   * Whether the file's last change could be used.
   *
   * @param lastReloadSuccessful the definitions in force are the file as it is now
   * @param lastSuccess when the definitions in force were read
   */
  public record Status(boolean lastReloadSuccessful, Instant lastSuccess) {}

  private final Path file;
  private final Reader reader;
  private final Clock clock;
  private volatile CustomMetrics current;
  private volatile Status status;
  private volatile long nextCheckMillis;
  private Optional<FileStamp> stamp;
  private Optional<FileStamp> settling;
  private String lastProblem = "";

  /** Definitions read from {@code file} at start (where a problem stops the exporter), then kept up to date. */
  public LiveCustomMetrics(Path file, CustomMetrics initial, Reader reader, Clock clock) {
    this.file = file;
    this.reader = reader;
    this.clock = clock;
    this.current = initial;
    this.status = new Status(true, clock.instant());
    this.stamp = FileStamp.of(file);
    this.nextCheckMillis = clock.millis() + CHECK_EVERY.toMillis();
  }

  /** The definitions in force, after looking for a change if a second has passed. */
  public CustomMetrics current() {
    if (clock.millis() >= nextCheckMillis) {
      checkForChanges(false);
    }
    return current;
  }

  /** Looks at the file now, whatever the time since the last look (SIGHUP). */
  public void checkNow() {
    checkForChanges(true);
  }

  public Status status() {
    return status;
  }

  private synchronized void checkForChanges(boolean now) {
    if (!now && clock.millis() < nextCheckMillis) {
      return;
    }
    nextCheckMillis = clock.millis() + CHECK_EVERY.toMillis();
    Optional<FileStamp> seen = FileStamp.of(file);
    if (seen.equals(stamp)) {
      settling = null;
      return;
    }
    if (!now && !seen.equals(settling)) {
      settling = seen; // perhaps still being written: read it once it has stayed the same for a second
      return;
    }
    settling = null;
    try {
      CustomMetrics next = reader.read(file);
      current = next;
      stamp = seen;
      status = new Status(true, clock.instant());
      lastProblem = "";
      log.info("metrics config reloaded: {} row metrics, {} query metrics", next.rows().size(),
          next.queries().size());
    } catch (CustomMetricsException e) {
      // the stamp stays as it was: the file is read again at the next look, the problem logged once
      status = new Status(false, status.lastSuccess());
      if (!e.getMessage().equals(lastProblem)) {
        log.warn("metrics config not reloaded, the previous one stays in force: {}", e.getMessage());
        lastProblem = e.getMessage();
      }
    }
  }
}
