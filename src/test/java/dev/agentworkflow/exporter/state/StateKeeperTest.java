package dev.agentworkflow.exporter.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentworkflow.exporter.model.InvocationRow;
import dev.agentworkflow.exporter.model.SessionRow;
import dev.agentworkflow.exporter.track.TrackerLimits;
import dev.agentworkflow.exporter.track.WorkflowTracker;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The state of a tracker at the followed capacity of the service's heap (300,373 running
 * invocations and as many active sessions under -Xmx64m) is some 20 MB: it is written and read
 * as a stream, never whole in memory. Before, it was built in memory and copied twice to be
 * written, and read whole and copied once to be read back: the exporter of HeapBoundsIT ran out
 * of memory at its first write (-XX:+ExitOnOutOfMemoryError: it died).
 */
class StateKeeperTest {
  private static final int ROWS = 200_000;
  private static final String SETTINGS = "test";
  private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

  @TempDir
  Path dir;

  private static WorkflowTracker newTracker() {
    return new WorkflowTracker(new dev.agentworkflow.exporter.model.HistogramBuckets(new double[] {1, 10, 100},
        new double[] {0, 10}, new double[] {1000}, new double[] {1}, new double[] {60, 600}), Duration.ofHours(6),
        new TrackerLimits(500, 2000, ROWS, ROWS, ROWS));
  }

  @Test
  void aLargeStateIsWrittenAndReadWithoutACopyOfItInMemory() {
    WorkflowTracker tracker = newTracker();
    double start = NOW.getEpochSecond() - 60;
    for (int i = 0; i < ROWS; i++) { // each running invocation in an active session of its own
      String session = "session-" + i;
      tracker.sessions().accept(new SessionRow(i, session, "t" + i, start, Double.NaN, false, "active"));
      tracker.invocations().accept(new InvocationRow(i, session, "development", "developer-" + i % 20, null,
          "started", start, Double.NaN, false, Double.NaN, 31L * i + 7, Double.NaN, Double.NaN));
    }
    SavedState saved = new SavedState("(dev=1,ino=2)", SETTINGS, OptionalLong.of(3), 0, Map.of("agent_invocations",
        (long) ROWS), Map.of(), NOW, tracker);
    Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    Path file = dir.resolve("db.state");

    double size;
    long writing;
    try (StateKeeper keeper = StateKeeper.open(file, SETTINGS, clock)) {
      long before = allocatedBytes();
      keeper.offer(() -> saved, true, true);
      writing = allocatedBytes() - before;
      assertEquals(1, keeper.status().writes());
      size = keeper.status().sizeBytes();
    }
    assertTrue(size > 10e6, "a state of " + size + " bytes");
    assertTrue(writing < size / 10, "writing a state of " + size + " bytes allocated " + writing
        + " (before: six times its size)");

    long reading;
    Optional<SavedState> back;
    try (StateKeeper keeper = StateKeeper.open(file, SETTINGS, clock)) {
      long before = allocatedBytes();
      back = keeper.restore(StateKeeperTest::newTracker);
      reading = allocatedBytes() - before;
      assertTrue(keeper.status().restored());
    }
    assertTrue(back.isPresent());
    assertEquals(tracker.snapshot(NOW), back.get().tracker().snapshot(NOW));
    assertEquals(saved.rowsRead(), back.get().rowsRead());
    // the tracker read back has arrays of its own, some 5/3 of the state (its maps are at most 60% full)
    assertTrue(reading < 2.5 * size, "reading a state of " + size + " bytes allocated " + reading
        + " (before: the file whole and a copy of it besides the tracker, some 3.7 times its size)");
    System.out.printf("REPORT a state of %,.0f bytes (%,d running invocations in as many active sessions): "
        + "writing allocated %,d bytes, reading %,d%n", size, ROWS, writing, reading);
  }

  private static long allocatedBytes() {
    return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
  }
}
