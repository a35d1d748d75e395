package dev.agentworkflow.exporter.track;

import static dev.agentworkflow.exporter.track.Rows.tool;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.agentworkflow.exporter.model.ToolLabels;
import dev.agentworkflow.exporter.model.ToolUseLabels;
import dev.agentworkflow.exporter.model.ToolUseRow;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class ToolUseTrackerTest {
  private static final double[] BUCKETS = {0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600};
  private static final double NONE = Double.NaN;

  @Test
  void toolNamesPastTheLabelLimitReadOtherAndAreCountedAsOverflow() {
    ToolUseTracker tracker = new ToolUseTracker(BUCKETS, 2, 2000, 1000);
    tracker.accept(tool(1, "a", "Read", "completed", 0, 1, 1));
    tracker.accept(tool(2, "a", "Edit", "completed", 0, 1, 1));
    tracker.accept(tool(3, "a", "mcp__x", "error", 0, 1, 1));
    tracker.accept(tool(4, "a", "mcp__y", "completed", 0, 1, 1));
    tracker.accept(tool(5, "a", null, "completed", 0, 1, 1)); // unknown is always admitted

    assertEquals(Map.of(
            new ToolUseLabels("a", "Read", "completed"), 1L,
            new ToolUseLabels("a", "Edit", "completed"), 1L,
            new ToolUseLabels("a", "other", "error"), 1L,
            new ToolUseLabels("a", "other", "completed"), 1L,
            new ToolUseLabels("a", "unknown", "completed"), 1L),
        tracker.figures().uses());
    assertEquals(Map.of(new ToolLabels("a", "other"), 1L), tracker.figures().errors());
    assertEquals(2L, tracker.labelOverflow().get("tool_name"));
    assertEquals(0L, tracker.labelOverflow().get("agent_name"));
  }

  @Test
  void combinationsPastTheSeriesLimitAreCountedUnderTheOverflowSeries() {
    ToolUseTracker tracker = new ToolUseTracker(BUCKETS, 500, 2, 1000);
    tracker.accept(tool(1, "a", "Read", "completed", 0, 1, 1));
    tracker.accept(tool(2, "b", "Read", "completed", 0, 1, 1));
    tracker.accept(tool(3, "c", "Read", "completed", 0, 1, 1));
    tracker.accept(tool(4, "a", "Read", "completed", 0, 1, 1)); // admitted already

    assertEquals(Map.of(
            new ToolUseLabels("a", "Read", "completed"), 2L,
            new ToolUseLabels("b", "Read", "completed"), 1L,
            new ToolUseLabels("other", "other", "other"), 1L),
        tracker.figures().uses());
    assertEquals(1L, tracker.seriesOverflow().get("agent_tool_usage_total"));
    assertEquals(1L, tracker.seriesOverflow().get("agent_tool_duration_seconds"));
    assertEquals(3, tracker.figures().durations().size());
  }

  @Test
  void runningToolUsesPastTheCapacityAreNotFollowedAndSaySo() {
    ToolUseTracker tracker = new ToolUseTracker(BUCKETS, 500, 2000, 1);
    tracker.accept(tool(1, "a", "Bash", "started", 0, NONE, NONE));
    tracker.accept(tool(2, "a", "Bash", "started", 0, NONE, NONE));
    assertArrayEquals(new long[] {1}, tracker.openRowIds());
    assertEquals(1, tracker.untracked());

    tracker.accept(tool(2, "a", "Bash", "completed", 0, 3, 3)); // not followed: never counted
    tracker.accept(tool(1, "a", "Bash", "completed", 0, 3, 3));
    assertEquals(Map.of(new ToolUseLabels("a", "Bash", "completed"), 1L), tracker.figures().uses());
  }

  @Test
  void aRenumberedToolTableKeepsWhatWasCountedAndFollowsItsRunningRowsAgain() {
    ToolUseTracker tracker = new ToolUseTracker(BUCKETS, 500, 2000, 1000);
    tracker.accept(tool(10, "a", "Read", "completed", 0, 1, 1));
    tracker.accept(tool(11, "a", "Bash", "started", 0, NONE, NONE));
    IdentityScan<ToolUseRow> scan = tracker.identityScan();
    scan.accept(withIdentityOf(10, tool(1, "a", "Read", "completed", 0, 1, 1)));
    scan.accept(withIdentityOf(11, tool(2, "a", "Bash", "started", 0, NONE, NONE)));
    scan.accept(tool(3, "b", "Grep", "completed", 0, 1, 1));
    assertEquals(Reidentified.RENUMBERED, tracker.reidentify(scan, OptionalLong.of(3)));
    assertEquals(2, tracker.highestRowId().getAsLong(), "rows after the newest counted one are new");
    assertArrayEquals(new long[] {2}, tracker.openRowIds());

    tracker.accept(tool(2, "a", "Bash", "completed", 0, 4, 4));
    tracker.accept(tool(3, "b", "Grep", "completed", 0, 1, 1));
    tracker.accept(tool(1, "a", "Read", "completed", 0, 1, 1)); // counted before the rebuild
    assertEquals(Map.of(
            new ToolUseLabels("a", "Read", "completed"), 1L,
            new ToolUseLabels("a", "Bash", "completed"), 1L,
            new ToolUseLabels("b", "Grep", "completed"), 1L),
        tracker.figures().uses());
  }

  /** {@code row} as it is after a rebuild gave it a new id: its identity is that of the row it was. */
  private static ToolUseRow withIdentityOf(long oldId, ToolUseRow row) {
    return new ToolUseRow(row.rowId(), row.agentName(), row.toolName(), row.status(), row.startEpochSeconds(),
        row.endEpochSeconds(), row.endTimeSet(), row.durationSeconds(),
        Rows.identity(oldId, row.agentName(), row.toolName()));
  }
}
