package dev.agentworkflow.exporter.track;

import static dev.agentworkflow.exporter.track.Rows.finished;
import static dev.agentworkflow.exporter.track.Rows.started;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.agentworkflow.exporter.model.AgentFigures;
import dev.agentworkflow.exporter.model.DurationLabels;
import dev.agentworkflow.exporter.model.ErrorLabels;
import dev.agentworkflow.exporter.model.HistogramSnapshot;
import dev.agentworkflow.exporter.model.InvocationLabels;
import dev.agentworkflow.exporter.model.InvocationRow;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InvocationTrackerTest {
  private static final double[] BUCKETS = {1, 5, 10, 30, 60, 120, 300, 600, 1200, 3600};
  private static final double NONE = Double.NaN;
  private final InvocationTracker tracker = new InvocationTracker(Rows.buckets(BUCKETS), 500, 2000, 1000);

  /** The counted figures; the running invocations, which depend on the time, are checked through parallelExecutions. */
  private static AgentFigures figures(InvocationTracker tracker) {
    return tracker.figures(0, 3600);
  }

  @Test
  void aStartedRowIsOpenAndCountsNowhereUntilItFinishes() {
    tracker.accept(started(1, "s1", "planning", "architect", 1000));

    assertArrayEquals(new long[] {1}, tracker.openRowIds());
    assertEquals(Map.of(), figures(tracker).invocations());
    assertEquals(Map.of(), figures(tracker).phases());
    assertEquals(1, tracker.parallelExecutions(1010, 3600));

    tracker.accept(finished(1, "s1", "planning", "architect", "completed", "opus", 1000, 1042, 42));

    assertArrayEquals(new long[0], tracker.openRowIds());
    assertEquals(Map.of(new InvocationLabels("architect", "planning", "completed", "opus"), 1L),
        figures(tracker).invocations());
    assertEquals(Map.of("planning", 1L), figures(tracker).phases());
    assertEquals(0, tracker.parallelExecutions(1010, 3600));
  }

  @Test
  void aCountedRowIsNeverCountedAgainWhateverItSaysLater() {
    InvocationRow done = finished(1, "s1", "review", "test-validator", "completed", null, 0, 30, 30);
    tracker.accept(done);
    tracker.accept(done);
    // a second PostToolUse fills in the model and a new status: already counted, so ignored
    tracker.accept(finished(1, "s1", "review", "test-validator", "failed", "sonnet", 0, 99, 99));

    assertEquals(Map.of(new InvocationLabels("test-validator", "review", "completed", "unknown"), 1L),
        figures(tracker).invocations());
    assertEquals(Map.of(), figures(tracker).errors());
    assertEquals(1, histogram("test-validator", "review", "unknown").count());
  }

  @Test
  void finishedMeansEndTimeSetOrAStatusOtherThanTheRunningOnes() {
    long id = 0;
    for (String running : new String[] {null, "", "started", "RUNNING", "pending", "In_Progress"}) {
      tracker.accept(new InvocationRow(++id, "s", "p", "a", null, running, 0, NONE, false, NONE, 0, NONE, NONE));
    }
    assertEquals(6, tracker.openRowIds().length);
    // end_time set (even unparseable) finishes whatever the status says
    tracker.accept(new InvocationRow(1, "s", "p", "a", null, null, 0, NONE, true, NONE, 0, NONE, NONE));
    // any other status finishes without an end time
    tracker.accept(new InvocationRow(2, "s", "p", "a", null, "cancelled", 0, NONE, false, NONE, 0, NONE, NONE));

    assertArrayEquals(new long[] {3, 4, 5, 6}, tracker.openRowIds());
    assertEquals(Map.of(
            new InvocationLabels("a", "p", "unknown", "unknown"), 1L,
            new InvocationLabels("a", "p", "cancelled", "unknown"), 1L),
        figures(tracker).invocations());
  }

  @Test
  void rowsWithoutARealAgentAreNotInvocations() {
    tracker.accept(new InvocationRow(1, "s", null, null, null, "completed", 0, 5, true, NONE, 0, NONE, NONE)); // subagent_stop
    tracker.accept(started(2, "s", "planning", "unknown", 0));
    tracker.accept(started(3, "s", "planning", "", 0));

    assertEquals(3, tracker.highestRowId().getAsLong());
    assertArrayEquals(new long[0], tracker.openRowIds());
    AgentFigures f = figures(tracker);
    assertEquals(Map.of(), f.invocations());
    assertEquals(0, f.uniqueAgents());
    assertEquals(0, f.avgAgentsPerSession());
    assertEquals(Map.of(), f.lastExecution());
  }

  @Test
  void labelsAreKeptAsWrittenAndNullOrEmptyReadUnknown() {
    tracker.accept(finished(1, "s", "", "architect", "ERROR", "", 0, 1, 1));
    tracker.accept(finished(2, "s", null, "architect", "error", null, 0, 1, 1));

    assertEquals(Map.of(
            new InvocationLabels("architect", "unknown", "ERROR", "unknown"), 1L,
            new InvocationLabels("architect", "unknown", "error", "unknown"), 1L),
        figures(tracker).invocations());
    // both are errors, and they share the error series
    assertEquals(Map.of(new ErrorLabels("architect", "unknown"), 2L), figures(tracker).errors());
  }

  @Test
  void errorsAreFailedErrorOrTimeoutInAnyCase() {
    String[] statuses = {"failed", "Error", "TIMEOUT", "completed", "cancelled", "timed_out"};
    for (int i = 0; i < statuses.length; i++) {
      tracker.accept(finished(i + 1, "s", "development", "backend-developer", statuses[i], "m", 0, 1, 1));
    }
    assertEquals(Map.of(new ErrorLabels("backend-developer", "development"), 3L), figures(tracker).errors());
  }

  @Test
  void successRateIsTheShareOfFinishedInvocationsThatSucceeded() {
    tracker.accept(finished(1, "s", "p", "architect", "completed", "m", 0, 1, 1));
    tracker.accept(finished(2, "s", "p", "architect", "Success", "m", 0, 1, 1));
    tracker.accept(finished(3, "s", "p", "architect", "succeeded", "m", 0, 1, 1));
    tracker.accept(finished(4, "s", "p", "architect", "failed", "m", 0, 1, 1));
    tracker.accept(started(5, "s", "p", "architect", 0)); // running: not in the rate
    tracker.accept(started(6, "s", "p", "pr-creator", 0)); // nothing finished: no rate at all

    assertEquals(Map.of("architect", 75.0), figures(tracker).successRate());
  }

  @Test
  void durationIsTheColumnElseEndMinusStartAndNegativeIsUnknown() {
    tracker.accept(finished(1, "s", "p", "a", "completed", "m", 100, 200, 7.5)); // column wins
    tracker.accept(finished(2, "s", "p", "a", "completed", "m", 100, 130, NONE)); // end - start = 30
    tracker.accept(finished(3, "s", "p", "a", "completed", "m", 100, 100, NONE)); // zero is known
    tracker.accept(finished(4, "s", "p", "a", "completed", "m", 100, 50, NONE)); // negative: unknown
    tracker.accept(finished(5, "s", "p", "a", "completed", "m", 100, 200, -3)); // negative column: unknown
    tracker.accept(finished(6, "s", "p", "a", "completed", "m", NONE, 200, NONE)); // no start: unknown
    tracker.accept(finished(7, "s", "p", "a", "completed", "m", 0, 7200, NONE)); // past the last bucket

    HistogramSnapshot h = histogram("a", "p", "m");
    assertEquals(4, h.count());
    assertEquals(7.5 + 30 + 0 + 7200, h.sum(), 1e-9);
    // le: 1, 5, 10, 30, 60, 120, 300, 600, 1200, 3600; 30 is in le="30" (upper-inclusive)
    assertEquals(List.of(1L, 1L, 2L, 3L, 3L, 3L, 3L, 3L, 3L, 3L), h.cumulativeCounts());
    // all seven were counted as invocations all the same
    assertEquals(7L, figures(tracker).phases().get("p"));
  }

  @Test
  void stateGaugesIncludeRunningInvocations() {
    tracker.accept(started(1, "s1", "development", "backend-developer", 500));
    tracker.accept(finished(2, "s1", "development", "frontend-developer", "completed", "m", 400, 450, 50));
    tracker.accept(finished(3, "s1", "development", "backend-developer", "completed", "m", 300, 350, 50));
    tracker.accept(started(4, "s2", "planning", "architect", 800));
    tracker.accept(started(5, null, "planning", "task-planner", 900)); // no session: not in the average

    AgentFigures f = figures(tracker);
    assertEquals(4, f.uniqueAgents());
    // s1 has 2 distinct agents, s2 has 1
    assertEquals(1.5, f.avgAgentsPerSession(), 1e-12);
    assertEquals(Map.of("backend-developer", 500.0, "frontend-developer", 400.0, "architect", 800.0,
        "task-planner", 900.0), f.lastExecution());
  }

  @Test
  void parallelExecutionsLeaveOutStaleAndUnknownStarts() {
    tracker.accept(started(1, "s", "development", "backend-developer", 1000));
    tracker.accept(started(2, "s", "development", "frontend-developer", 5000));
    tracker.accept(started(3, "s", "development", "test-developer", NONE));
    tracker.accept(started(4, "s", "development", "database-developer", 9000)); // in the future: counted

    assertEquals(3, tracker.parallelExecutions(4600, 3600));
    assertEquals(2, tracker.parallelExecutions(4601, 3600));
    assertEquals(1, tracker.parallelExecutions(8601, 3600));
  }

  @Test
  void recentOpenRowsAreTheOnesStartedWithinStaleAfter() {
    tracker.accept(started(1, "s", "p", "a", 1000));
    tracker.accept(started(2, "s", "p", "a", 5000));
    tracker.accept(started(3, "s", "p", "a", NONE));
    assertArrayEquals(new long[] {1, 2, 3}, tracker.openRowIds());
    assertArrayEquals(new long[] {2}, tracker.recentOpenRowIds(4601, 3600));
    assertArrayEquals(new long[] {1, 2}, tracker.recentOpenRowIds(4600, 3600));
  }

  @Test
  void onlyNewOrOpenRowsAreTakenIn() {
    tracker.accept(finished(5, "s", "p", "a", "completed", "m", 0, 1, 1));
    // an older id that was never seen open: it was read before (or is a non-invocation)
    tracker.accept(finished(3, "s", "p", "a", "completed", "m", 0, 1, 1));
    assertEquals(1L, figures(tracker).phases().get("p"));
    assertEquals(5, tracker.highestRowId().getAsLong());
  }

  @Test
  void aVanishedOpenRowIsForgotten() {
    tracker.accept(started(1, "s", "p", "a", 100));
    tracker.forget(1);
    assertArrayEquals(new long[0], tracker.openRowIds());
    assertEquals(0, tracker.parallelExecutions(100, 3600));
    // a later re-read of it is ignored: it is neither new nor open
    tracker.accept(finished(1, "s", "p", "a", "completed", "m", 100, 101, 1));
    assertFalse(figures(tracker).phases().containsKey("p"));
  }

  @Test
  void pastTheLimitNewLabelValuesReadOtherAndAreCounted() {
    InvocationTracker limited = new InvocationTracker(Rows.buckets(BUCKETS), 2, 2000, 1000);
    long id = 0;
    for (String agent : new String[] {"a1", "a2", "a3", "a4", "a1"}) {
      limited.accept(finished(++id, "s", "p", agent, "completed", null, 0, 1, 1));
    }
    limited.accept(finished(++id, "s", "p", "x".repeat(257), "completed", null, 0, 1, 1)); // too long
    limited.accept(finished(++id, "s", "p", "a2", "completed", null, 0, 1, 1)); // admitted before
    limited.accept(started(++id, "s", "p", "a5", 0));

    AgentFigures f = figures(limited);
    assertEquals(Map.of(
            new InvocationLabels("a1", "p", "completed", "unknown"), 2L,
            new InvocationLabels("a2", "p", "completed", "unknown"), 2L,
            new InvocationLabels("other", "p", "completed", "unknown"), 3L),
        f.invocations());
    // 'unknown' is not a value that counts toward the limit
    assertEquals(Map.of("agent_name", 3L, "phase", 0L, "status", 0L, "model", 0L), limited.labelOverflow());
    assertEquals(Map.of("a1", 100.0, "a2", 100.0, "other", 100.0), f.successRate());
    assertEquals(6, f.uniqueAgents(), "a1 to a5 and the long one: the count of distinct names stays exact");
  }

  @Test
  void pastTheSeriesBudgetNewCombinationsAreCountedUnderTheOverflowSeries() {
    InvocationTracker budgeted = new InvocationTracker(Rows.buckets(BUCKETS), 500, 2, 1000);
    long id = 0;
    for (String agent : new String[] {"a1", "a2", "a3", "a4", "a1"}) {
      budgeted.accept(finished(++id, "s", "p", agent, "failed", "m", 0, 1, 1));
    }
    AgentFigures f = figures(budgeted);
    assertEquals(Map.of(
            new InvocationLabels("a1", "p", "failed", "m"), 2L,
            new InvocationLabels("a2", "p", "failed", "m"), 1L,
            new InvocationLabels("other", "other", "other", "other"), 2L),
        f.invocations());
    assertEquals(Map.of(new ErrorLabels("a1", "p"), 2L, new ErrorLabels("a2", "p"), 1L,
        new ErrorLabels("other", "other"), 2L), f.errors());
    assertEquals(2L, f.durations().get(new DurationLabels("other", "other", "other")).count());
    assertEquals(Map.of("a1", 0.0, "a2", 0.0, "other", 0.0), f.successRate());
    assertEquals(2L, budgeted.seriesOverflow().get("agent_invocation_total"));
    assertEquals(2L, budgeted.seriesOverflow().get("agent_error_total"));
    assertEquals(2L, budgeted.seriesOverflow().get("agent_duration_seconds"));
    assertEquals(0L, budgeted.seriesOverflow().get("phase_distribution_total"));
    assertEquals(2L, budgeted.seriesOverflow().get("agent_last_execution_timestamp"));
    assertEquals(2L, budgeted.seriesOverflow().get("agent_success_rate"));
    assertEquals(4, f.uniqueAgents());
  }

  @Test
  void pastItsCapacityANewRunningRowIsNotFollowedButCounted() {
    InvocationTracker small = new InvocationTracker(Rows.buckets(BUCKETS), 500, 2000, 2);
    small.accept(started(1, "s", "p", "a", 100));
    small.accept(started(2, "s", "p", "a", 100));
    small.accept(started(3, "s", "p", "a", 100));
    assertArrayEquals(new long[] {1, 2}, small.openRowIds());
    assertEquals(1, small.untracked());
    small.accept(finished(1, "s", "p", "a", "completed", "m", 100, 101, 1));
    small.accept(started(4, "s", "p", "a", 100)); // room again
    assertArrayEquals(new long[] {2, 4}, small.openRowIds());
    assertEquals(1, small.untracked());
  }

  @Test
  void rowIdsAtOrBelowZeroAreRowsLikeAnyOther() {
    tracker.accept(started(Long.MIN_VALUE, "s", "p", "a", 100));
    tracker.accept(finished(-1, "s", "p", "a", "completed", "m", 100, 101, 1));
    tracker.accept(started(0, "s", "p", "a", 100));
    assertArrayEquals(new long[] {Long.MIN_VALUE, 0}, tracker.openRowIds());
    tracker.accept(finished(0, "s", "p", "a", "completed", "m", 100, 101, 1));
    assertEquals(2L, figures(tracker).phases().get("p"));
    assertEquals(0, tracker.highestRowId().getAsLong());
  }

  @Test
  void renumberedIdsKeepWhatWasCountedAndFollowTheRunningRowsAgain() {
    tracker.accept(finished(10, "s", "p", "a", "completed", "m", 100, 101, 1));
    tracker.accept(started(11, "s", "p", "b", 100));
    tracker.accept(finished(12, "s", "p", "c", "completed", "m", 100, 101, 1));
    // rebuilt without its ids: 10, 11, 12 are now 1, 2, 3, and a row 4 came after
    IdentityScan<InvocationRow> scan = tracker.identityScan();
    scan.accept(withIdentityOf(10, finished(1, "s", "p", "a", "completed", "m", 100, 101, 1)));
    scan.accept(withIdentityOf(11, started(2, "s", "p", "b", 100)));
    scan.accept(withIdentityOf(12, finished(3, "s", "p", "c", "completed", "m", 100, 101, 1)));
    scan.accept(finished(4, "s", "p", "d", "completed", "m", 100, 101, 1));
    assertEquals(Reidentified.RENUMBERED, tracker.reidentify(scan, java.util.OptionalLong.of(4)));
    assertEquals(3, tracker.highestRowId().getAsLong(), "rows after the newest counted one are new");
    assertArrayEquals(new long[] {2}, tracker.openRowIds());
    assertEquals(2L, figures(tracker).phases().get("p"));
  }

  @Test
  void anIdentityScanThatFindsNoAnchorMeansAnotherTable() {
    tracker.accept(finished(10, "s", "p", "a", "completed", "m", 100, 101, 1));
    IdentityScan<InvocationRow> scan = tracker.identityScan();
    scan.accept(finished(1, "t", "p", "x", "completed", "m", 100, 101, 1));
    assertEquals(Reidentified.NOT_FOUND, tracker.reidentify(scan, java.util.OptionalLong.of(1)));
  }

  @Test
  void rewoundBelowEveryAnchorTheNextRowsAreReadAsNew() {
    tracker.accept(finished(10, "s", "p", "a", "completed", "m", 100, 101, 1));
    tracker.accept(started(11, "s", "p", "b", 100));
    tracker.rewindTo(java.util.OptionalLong.of(5)); // the newest rows deleted, a table without AUTOINCREMENT
    assertEquals(5, tracker.highestRowId().getAsLong());
    assertEquals(List.of(), tracker.anchors());
    assertArrayEquals(new long[0], tracker.openRowIds());
    tracker.accept(finished(6, "s", "p", "c", "completed", "m", 100, 101, 1));
    assertEquals(2L, figures(tracker).phases().get("p"));
    assertEquals(6, tracker.anchors().get(0).rowId());
  }

  /** {@code row} as it is after a rebuild gave it a new id: its identity is that of the row it was. */
  private static InvocationRow withIdentityOf(long oldId, InvocationRow row) {
    return new InvocationRow(row.rowId(), row.sessionId(), row.phase(), row.agentName(), row.model(), row.status(),
        row.startEpochSeconds(), row.endEpochSeconds(), row.endTimeSet(), row.durationSeconds(),
        Rows.identity(oldId, row.sessionId(), row.agentName()), NONE, NONE);
  }

  private HistogramSnapshot histogram(String agent, String phase, String model) {
    return figures(tracker).durations().get(new DurationLabels(agent, phase, model));
  }
}
