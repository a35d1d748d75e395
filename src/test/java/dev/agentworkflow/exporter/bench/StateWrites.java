package dev.agentworkflow.exporter.bench;

import dev.agentworkflow.exporter.app.Exporter;
import dev.agentworkflow.exporter.app.ExporterSettings;
import dev.agentworkflow.exporter.state.SavedState;
import dev.agentworkflow.exporter.state.StateKeeper;
import dev.agentworkflow.exporter.support.TestSettings;
import dev.agentworkflow.exporter.webconfig.WebConfig;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Locale;
import java.util.Optional;

/**
 * Times the state file's writes, run by the benchmark in a JVM of its own with the service's JVM
 * options (its heap and collector), on a copy of a state file the service wrote: reads it back as
 * the service does at start, then writes it again and again through {@link StateKeeper#offer},
 * at once, as the poller does after a changed poll: the tracker encoded, framed, written beside the
 * file, fsynced, renamed over it, the folder fsynced. Each write is timed around that one call.
 *
 * <pre>
 * java [service JVM options] -cp exporter.jar:test-classes dev.agentworkflow.exporter.bench.StateWrites \
 *     DB STATE WARMUP WRITES
 * </pre>
 *
 * Prints {@code warmup MS} or {@code write MS} per write, then {@code size BYTES}; fails (exit
 * code 1) if the state is not read back or a write fails.
 */
public final class StateWrites {
  private StateWrites() {}

  public static void main(String[] args) throws Exception {
    Path database = Path.of(args[0]);
    Path state = Path.of(args[1]);
    int warmup = Integer.parseInt(args[2]);
    int writes = Integer.parseInt(args[3]);
    // As the service runs with the benchmark's command line: the defaults, and the system's zone.
    ExporterSettings settings = new ExporterSettings(database, new InetSocketAddress("127.0.0.1", 0),
        ExporterSettings.DEFAULT_TELEMETRY_PATH, Duration.ofSeconds(15), Duration.ofHours(6), ZoneId.systemDefault(), 500,
        2000, TestSettings.build("bench"), WebConfig.NONE, Optional.of(state));
    try (StateKeeper keeper = StateKeeper.open(state, Exporter.countingSettings(settings), Clock.systemUTC())) {
      SavedState saved = keeper.restore(() -> Exporter.newTracker(settings))
          .orElseThrow(() -> new IllegalStateException("the state file " + state + " was not read back (see the log)"));
      for (int i = 0; i < warmup + writes; i++) {
        long before = keeper.status().writes();
        long started = System.nanoTime();
        keeper.offer(() -> saved, true, true);
        double millis = (System.nanoTime() - started) / 1e6;
        if (keeper.status().writes() != before + 1) {
          throw new IllegalStateException("a write of " + state + " failed (see the log)");
        }
        System.out.printf(Locale.ROOT, "%s %.3f%n", i < warmup ? "warmup" : "write", millis);
      }
      long size = (long) keeper.status().sizeBytes();
      if (size != Files.size(state)) {
        throw new IllegalStateException("the state file's size is " + Files.size(state) + ", not " + size);
      }
      System.out.println("size " + size);
    }
  }
}
