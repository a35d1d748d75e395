package dev.agentworkflow.exporter.track;

import static dev.agentworkflow.exporter.track.Rows.finished;
import static dev.agentworkflow.exporter.track.Rows.session;
import static dev.agentworkflow.exporter.track.Rows.started;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.agentworkflow.exporter.model.InvocationRow;
import dev.agentworkflow.exporter.model.WorkflowSnapshot;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A tracker written and read back goes on exactly as the one that was written: the same figures,
 * and the same figures after the same further rows (the running ones finishing, a counted one
 * updated, new ones past every limit). What the state file rests on. Read back, a tracker is
 * served only after the poller's first read, which reads every running row again: so here too.
 */
class TrackerStateTest {
  private static final double[] AGENT_BUCKETS = {1, 10, 100};
  private static dev.agentworkflow.exporter.model.HistogramBuckets buckets(double[] agentDuration) {
    return Rows.buckets(agentDuration);
  }
  private static final TrackerLimits LIMITS = new TrackerLimits(3, 4, 1000, 1000, 1000);
  private static final Instant NOW = Instant.ofEpochSecond(10_000);
  /** The invocations as the table holds them now: what a re-read of the running rows finds. */
  private final Map<Long, InvocationRow> invocationTable = new HashMap<>();

  private static WorkflowTracker newTracker() {
    return new WorkflowTracker(buckets(AGENT_BUCKETS), Duration.ofHours(6), LIMITS);
  }

  /** A history with something of everything: running rows, errors, overflowing labels and series, resumed sessions. */
  private void history(WorkflowTracker t) {
    InvocationTracker inv = t.invocations();
    write(inv, finished(-5, "s1", "planning", "architect", "completed", "opus", 1000, 1060, 60));
    write(inv, started(0, "s1", "development", "backend", 1100));
    write(inv, finished(1, "s1", "development", "frontend", "failed", "sonnet", 1100, 1105, Double.NaN));
    write(inv, finished(2, null, "review", "reviewer", "Error", "haiku", 1200, 1300, 100));
    for (int i = 3; i < 30; i++) { // past 3 label values and 4 series
      write(inv, finished(i, "s" + (i % 5), "phase-" + i, "agent-" + i, i % 2 == 0 ? "completed" : "timeout",
          "model-" + (i % 7), 2000 + i, 2010 + i, 10));
    }
    for (int i = 0; i < 80; i++) { // more than 64 agents in one session
      write(inv, started(100 + i, "wide", "development", "agent-" + i, 3000 + i));
    }
    write(inv, started(200, "s2", "review", "reviewer", 9_000));
    write(inv, Rows.reporting(finished(201, "s2", "review", "reviewer", "completed", "opus", 9_000, 9_100, 100),
        97, 128_692));
    write(inv, Rows.reporting(finished(202, "s2", "review", "agent-9", "completed", "opus", 9_000, 9_100, 100),
        3, Double.NaN));
    ToolUseTracker tools = t.toolUses();
    tools.accept(Rows.tool(1, "reviewer", "Read", "completed", 9_001, 9_002, 1));
    tools.accept(Rows.tool(2, "direct", "Bash", "error", 9_001, 9_031, Double.NaN));
    tools.accept(Rows.tool(3, "reviewer", "Edit", "started", 9_003, Double.NaN, Double.NaN)); // running
    for (int i = 4; i < 20; i++) { // past 3 label values and 4 series
      tools.accept(Rows.tool(i, "agent-" + i, "mcp__tool_" + i, "completed", 9_100, 9_101, 1));
    }
    SessionTracker ses = t.sessions();
    ses.accept(session(-3, "s1", 1000, 1600, "completed"));
    ses.accept(session(0, "s2", 1200, Double.NaN, "active"));
    ses.accept(session(5, "s3", 1300, 1200, "completed")); // ends before it starts: never observed
    ses.accept(session(6, "s4", 1400, 1500, "active"));
    ses.accept(session(7, "s1", 2000, Double.NaN, "active")); // resumed
  }

  /** What happens next, the same to both trackers. */
  private void more(WorkflowTracker t) {
    InvocationTracker inv = t.invocations();
    write(inv, finished(0, "s1", "development", "backend", "completed", "opus", 1100, 1400, 300));
    write(inv, finished(1, "s1", "development", "frontend", "completed", "opus", 1100, 9999, 1)); // counted already
    write(inv, finished(200, "s2", "review", "reviewer", "failed", "sonnet", 9_000, 9_050, 50));
    inv.forget(101);
    invocationTable.remove(101L);
    write(inv, finished(300, "s9", "planning", "architect", "completed", "opus", 9_500, 9_510, 10));
    write(inv, finished(301, "s9", "new-phase", "new-agent", "completed", "new-model", 9_500, 9_510, 10));
    ToolUseTracker tools = t.toolUses();
    tools.accept(Rows.tool(3, "reviewer", "Edit", "completed", 9_003, 9_004, 1)); // the running one finishes
    tools.accept(Rows.tool(2, "direct", "Bash", "completed", 9_001, 9_031, 30)); // counted already
    tools.accept(Rows.tool(30, "direct", "Read", "completed", 9_500, 9_500.2, 0.2));
    SessionTracker ses = t.sessions();
    long[] watched = ses.watchedRowIds();
    ses.accept(session(0, "s2", 1200, 1900, "completed"));
    ses.accept(session(7, "s1", 2000, 2500, "completed"));
    ses.endReread();
    ses.accept(session(8, "s5", 3000, 3100, "completed"));
    assertNotEquals(0, watched.length);
  }

  @Test
  void aTrackerReadBackGoesOnExactlyAsTheOneWritten() throws Exception {
    WorkflowTracker original = newTracker();
    history(original);
    WorkflowTracker restored = roundTrip(original);

    assertEquals(original.snapshot(NOW), restored.snapshot(NOW));
    assertEquals(original.invocations().highestRowId(), restored.invocations().highestRowId());
    assertEquals(Arrays.toString(original.invocations().openRowIds()),
        Arrays.toString(restored.invocations().openRowIds()));
    assertEquals(original.invocations().anchors(), restored.invocations().anchors());
    assertEquals(original.toolUses().highestRowId(), restored.toolUses().highestRowId());
    assertEquals(Arrays.toString(original.toolUses().openRowIds()), Arrays.toString(restored.toolUses().openRowIds()));
    assertEquals(original.toolUses().anchors(), restored.toolUses().anchors());
    assertEquals(Arrays.toString(original.sessions().watchedRowIds()),
        Arrays.toString(restored.sessions().watchedRowIds()));

    more(original);
    more(restored);
    WorkflowSnapshot after = original.snapshot(NOW);
    assertEquals(after, restored.snapshot(NOW));
    assertNotEquals(roundTrip(newTracker()).snapshot(NOW), after, "the history is not empty");
    assertEquals(after, roundTrip(roundTrip(original)).snapshot(NOW), "and written again");
  }

  @Test
  void anEmptyTrackerReadsBackEmpty() throws Exception {
    WorkflowTracker restored = roundTrip(newTracker());
    assertEquals(newTracker().snapshot(NOW), restored.snapshot(NOW));
    assertEquals(true, restored.isEmpty());
  }

  @Test
  void aStateCutShortOrWrittenWithOtherLimitsIsRefused() throws Exception {
    WorkflowTracker original = newTracker();
    history(original);
    byte[] bytes = bytes(original);
    for (int length : new int[] {0, 1, 17, bytes.length / 2, bytes.length - 1}) {
      byte[] cut = Arrays.copyOf(bytes, length);
      assertThrows(IOException.class, () -> newTracker().readFrom(new DataInputStream(new ByteArrayInputStream(cut))),
          "cut to " + length);
    }
    WorkflowTracker otherBuckets = new WorkflowTracker(buckets(new double[] {1, 10}), Duration.ofHours(6), LIMITS);
    assertThrows(IOException.class, () -> otherBuckets.readFrom(new DataInputStream(new ByteArrayInputStream(bytes))));
    WorkflowTracker fewerLabels = new WorkflowTracker(buckets(AGENT_BUCKETS), Duration.ofHours(6),
        new TrackerLimits(2, 4, 1000, 1000, 1000));
    assertThrows(IOException.class, () -> fewerLabels.readFrom(new DataInputStream(new ByteArrayInputStream(bytes))));
  }

  private void write(InvocationTracker tracker, InvocationRow row) {
    invocationTable.put(row.rowId(), row);
    tracker.accept(row);
  }

  /** Written, read back, and its running rows read again as the poller's first read does. */
  private WorkflowTracker roundTrip(WorkflowTracker tracker) throws IOException {
    WorkflowTracker restored = newTracker();
    restored.readFrom(new DataInputStream(new ByteArrayInputStream(bytes(tracker))));
    InvocationTracker invocations = restored.invocations();
    for (long id : invocations.openRowIds()) {
      InvocationRow row = invocationTable.get(id);
      if (row != null) {
        invocations.accept(row);
      } else {
        invocations.forget(id);
      }
    }
    return restored;
  }

  private static byte[] bytes(WorkflowTracker tracker) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (DataOutputStream data = new DataOutputStream(out)) {
      tracker.writeTo(data);
    }
    return out.toByteArray();
  }
}
