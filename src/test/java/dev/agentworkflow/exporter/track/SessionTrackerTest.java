package dev.agentworkflow.exporter.track;

import static dev.agentworkflow.exporter.track.Rows.session;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.agentworkflow.exporter.model.SessionFigures;
import dev.agentworkflow.exporter.model.SessionRow;
import java.util.List;
import org.junit.jupiter.api.Test;

class SessionTrackerTest {
  private static final double[] BUCKETS = {60, 300, 600, 1800, 3600, 7200, 14400};
  private static final double NONE = Double.NaN;
  private final SessionTracker tracker = new SessionTracker(BUCKETS, 1000);

  @Test
  void aRunIsObservedOnceTheFirstTimeItEndsAfterItStarted() {
    tracker.accept(session(1, "a", 1000, NONE, "active"));
    assertEquals(1, tracker.figures().active());
    assertEquals(0, tracker.figures().durations().count());

    tracker.accept(session(1, "a", 1000, 1100, "completed")); // Stop after the first reply
    tracker.accept(session(1, "a", 1000, 1900, "completed")); // Stop again: same run, not observed again

    SessionFigures f = tracker.figures();
    assertEquals(0, f.active());
    assertEquals(1, f.total());
    assertEquals(1, f.durations().count());
    assertEquals(100, f.durations().sum(), 0);
    assertEquals(List.of(0L, 1L, 1L, 1L, 1L, 1L, 1L), f.durations().cumulativeCounts());
    // closed and observed: never read again
    assertArrayEquals(new long[0], tracker.watchedRowIds());
  }

  @Test
  void aResumedSessionReplacesItsRowAndIsANewRun() {
    tracker.accept(session(1, "a", 1000, 1100, "completed"));
    tracker.accept(session(2, "b", 1050, NONE, "active"));
    // INSERT OR REPLACE: the old row of "a" is gone, a new one (new start) takes its place
    tracker.accept(session(3, "a", 5000, NONE, "active"));

    SessionFigures f = tracker.figures();
    assertEquals(2, f.total());
    assertEquals(2, f.active());
    assertArrayEquals(new long[] {2, 3}, tracker.watchedRowIds());

    tracker.accept(session(3, "a", 5000, 5400, "completed"));
    assertEquals(2, tracker.figures().durations().count());
    assertEquals(500, tracker.figures().durations().sum(), 0);
  }

  @Test
  void theSameRunWrittenAgainIsNotObservedAgain() {
    SessionRow first = new SessionRow(1, "a", "2025-08-15T10:00:00", 1000, 1500, true, "completed");
    tracker.accept(first);
    tracker.accept(new SessionRow(2, "a", "2025-08-15T10:00:00", 1000, 1600, true, "completed"));
    assertEquals(1, tracker.figures().durations().count());
    assertEquals(1, tracker.figures().total());
  }

  @Test
  void anEndNotAfterTheStartIsNotObservedUntilALaterStopFixesIt() {
    tracker.accept(session(1, "a", 1000, 1000, "completed"));
    assertEquals(0, tracker.figures().durations().count());
    assertEquals(0, tracker.figures().active());
    assertArrayEquals(new long[] {1}, tracker.watchedRowIds());

    tracker.accept(session(1, "a", 1000, 1030, "completed"));
    assertEquals(1, tracker.figures().durations().count());
    assertArrayEquals(new long[0], tracker.watchedRowIds());
  }

  @Test
  void statusActiveKeepsASessionActiveEvenWithAnEndTime() {
    tracker.accept(session(1, "a", 1000, 1100, "Active"));
    assertEquals(1, tracker.figures().active());
  }

  @Test
  void malformedStartIsNeverObservedAndStopsBeingWatchedOnceClosed() {
    tracker.accept(session(1, "a", NONE, 1100, "completed"));
    assertEquals(0, tracker.figures().durations().count());
    assertEquals(1, tracker.figures().total());
    assertArrayEquals(new long[0], tracker.watchedRowIds());
  }

  @Test
  void aWatchedRowNotFoundWhenReadAgainLeavesTheTotals() {
    tracker.accept(session(1, "a", 1000, NONE, "active"));
    tracker.accept(session(2, "b", 1000, NONE, "active"));
    tracker.accept(session(3, "c", 1000, NONE, "active"));
    assertArrayEquals(new long[] {1, 2, 3}, tracker.watchedRowIds());
    tracker.accept(session(2, "b", 1000, NONE, "active"));
    tracker.accept(session(3, "c", 1000, NONE, "active"));
    tracker.endReread(); // row 1 was not found
    assertEquals(2, tracker.figures().total());
    assertEquals(2, tracker.figures().active());
    assertArrayEquals(new long[] {2, 3}, tracker.watchedRowIds());
  }

  @Test
  void aRescanKnowsRunsBySessionAndStartNotByRowId() {
    tracker.accept(session(1, "a", 1000, 1100, "completed"));
    tracker.accept(session(2, "b", 1000, NONE, "active"));
    tracker.accept(session(3, "c", 1000, NONE, "active"));
    assertEquals(1, tracker.figures().durations().count());

    // the table rebuilt: its rows renumbered, in another order, and c deleted meanwhile
    tracker.beginRescan();
    tracker.accept(session(1, "b", 1000, NONE, "active"));
    tracker.accept(session(2, "a", 1000, 1100, "completed"));
    tracker.endRescan();
    SessionFigures f = tracker.figures();
    assertEquals(2, f.total());
    assertEquals(1, f.active());
    assertEquals(1, f.durations().count(), "a's run was observed before: not again");
    assertEquals(2, tracker.highestRowId().getAsLong());
    assertArrayEquals(new long[] {1}, tracker.watchedRowIds());

    tracker.accept(session(1, "b", 1000, 1500, "completed")); // b, watched under its new row id, ends
    tracker.accept(session(3, "d", 2000, NONE, "active")); // a new row after the rescan
    f = tracker.figures();
    assertEquals(3, f.total());
    assertEquals(1, f.active());
    assertEquals(2, f.durations().count());
    assertEquals(600, f.durations().sum(), 0);
  }

  @Test
  void pastItsCapacityANewRowIsCountedButNotWatched() {
    SessionTracker small = new SessionTracker(BUCKETS, 2);
    small.accept(session(1, "a", 1000, NONE, "active"));
    small.accept(session(2, "b", 1000, NONE, "active"));
    small.accept(session(3, "c", 1000, NONE, "active"));
    small.accept(session(4, "d", 1000, 1200, "completed")); // needs no watching
    SessionFigures f = small.figures();
    assertEquals(4, f.total());
    assertEquals(2, f.active());
    assertEquals(1, small.untracked());
    assertArrayEquals(new long[] {1, 2}, small.watchedRowIds());
    small.accept(session(1, "a", 1000, 1100, "completed"));
    small.accept(session(2, "b", 1000, NONE, "active"));
    small.endReread();
    small.accept(session(5, "e", 1000, NONE, "active")); // room again
    assertEquals(2, small.figures().active());
    assertEquals(1, small.untracked());
  }

  @Test
  void rowIdsAtOrBelowZeroAreRowsLikeAnyOther() {
    tracker.accept(session(Long.MIN_VALUE, "a", 1000, NONE, "active"));
    tracker.accept(session(0, "b", 1000, NONE, "active"));
    assertEquals(2, tracker.figures().active());
    assertArrayEquals(new long[] {Long.MIN_VALUE, 0}, tracker.watchedRowIds());
    tracker.accept(session(0, "b", 1000, 1200, "completed"));
    tracker.endReread(); // Long.MIN_VALUE not found
    assertEquals(1, tracker.figures().total());
    assertEquals(1, tracker.figures().durations().count());
  }

  @Test
  void nullSessionIdsAreSeparateSessions() {
    tracker.accept(session(1, null, 1000, 1100, "completed"));
    tracker.accept(session(2, null, 1000, 1200, "completed"));
    assertEquals(2, tracker.figures().total());
    assertEquals(2, tracker.figures().durations().count());
  }
}
