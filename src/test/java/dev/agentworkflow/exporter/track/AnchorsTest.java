package dev.agentworkflow.exporter.track;

import dev.agentworkflow.exporter.model.InvocationRow;

import static dev.agentworkflow.exporter.track.Rows.finished;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * The anchors are spread over what was read, whatever the number of rows: the newest, and older
 * ones back to at least half way. Before, after 2^k rows every level held the newest row, so
 * deleting it left nothing to know the table by: the file was taken for another one.
 */
class AnchorsTest {
  @Test
  void afterAnyNumberOfRowsTheAnchorsReachBackHalfWay() {
    Anchors anchors = new Anchors();
    for (long n = 1; n <= 300_000; n++) {
      anchors.note(n, -n);
      List<Anchors.Anchor> known = anchors.newestFirst();
      assertEquals(new Anchors.Anchor(n, -n), known.get(0));
      long oldest = known.get(known.size() - 1).rowId();
      assertTrue(n == 1 || oldest <= (n + 1) / 2, n + " rows: the oldest anchor is row " + oldest);
      for (int i = 1; i < known.size(); i++) {
        assertTrue(known.get(i).rowId() < known.get(i - 1).rowId(), "newest first, each once");
      }
    }
    assertEquals(List.of(1024L, 1023L, 1021L, 1017L, 1009L, 993L, 961L, 897L, 769L, 513L, 1L),
        spreadAfter(1024));
  }

  @Test
  void theNewestOfFourRowsDeletedLeavesTheIdsKnown() {
    InvocationTracker tracker = new InvocationTracker(Rows.buckets(new double[] {1, 10}), 500, 2000, 1000);
    for (int id = 1; id <= 4; id++) {
      tracker.accept(finished(id, "s", "p", "agent-" + id, "completed", "m", 100, 101, 1));
    }
    IdentityScan<InvocationRow> scan = tracker.identityScan();
    for (int id = 1; id <= 3; id++) { // row 4 deleted
      scan.accept(finished(id, "s", "p", "agent-" + id, "completed", "m", 100, 101, 1));
    }
    assertEquals(Reidentified.STABLE, tracker.reidentify(scan, OptionalLong.of(4)),
        "before: NOT_FOUND, another table");
  }

  private static List<Long> spreadAfter(int rows) {
    Anchors anchors = new Anchors();
    for (long n = 1; n <= rows; n++) {
      anchors.note(n, n);
    }
    return anchors.newestFirst().stream().map(Anchors.Anchor::rowId).toList();
  }
}
