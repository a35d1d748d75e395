package dev.agentworkflow.exporter.track;

import static dev.agentworkflow.exporter.track.Rows.finished;
import static dev.agentworkflow.exporter.track.Rows.session;
import static dev.agentworkflow.exporter.track.Rows.started;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * active_sessions_count as the hooks write sessions: Stop sets an end time and status completed
 * after every reply of the main session, and the session goes on; while one of its agents runs,
 * it is active whatever its row says.
 */
class ActiveSessionsTest {
  private static final double NONE = Double.NaN;
  private static final Duration STALE_AFTER = Duration.ofHours(6);
  private final WorkflowTracker tracker = new WorkflowTracker(Rows.buckets(new double[] {1, 10, 100}), STALE_AFTER,
      new TrackerLimits(500, 2000, 1000, 1000, 1000));
  private final InvocationTracker invocations = tracker.invocations();
  private final SessionTracker sessions = tracker.sessions();

  private long activeAt(double epochSeconds) {
    return tracker.snapshot(Instant.ofEpochSecond((long) epochSeconds)).sessions().active();
  }

  @Test
  void aSessionIsActiveWhileItsAgentsRunThoughItsRowSaysCompleted() {
    sessions.accept(session(1, "s", 1000, NONE, "active"));
    assertEquals(1, activeAt(1010));

    invocations.accept(started(1, "s", "requirements", "jira-analyst", 1010));
    sessions.accept(session(1, "s", 1000, 1100, "completed")); // Stop after the first reply
    assertEquals(1, activeAt(1110), "the first phase's agent still runs");

    invocations.accept(finished(1, "s", "requirements", "jira-analyst", "completed", "m", 1010, 1200, 190));
    assertEquals(0, activeAt(1210), "nothing runs: the session waits for its user");

    invocations.accept(started(2, "s", "development", "backend-developer", 1300));
    invocations.accept(started(3, "s", "development", "frontend-developer", 1301));
    assertEquals(1, activeAt(1310), "two agents of one session: one session");
    assertEquals(2, tracker.snapshot(Instant.ofEpochSecond(1310)).agents().parallelExecutions());

    invocations.accept(finished(2, "s", "development", "backend-developer", "failed", "m", 1300, 1400, 100));
    assertEquals(1, activeAt(1410));
    invocations.forget(3); // the row was deleted: it will never finish
    assertEquals(0, activeAt(1420));
  }

  @Test
  void sessionsActiveByTheirRowAndByARunningAgentAreCountedOnce() {
    sessions.accept(session(1, "a", 1000, NONE, "active"));
    sessions.accept(session(2, "b", 1000, 1050, "completed"));
    invocations.accept(started(1, "a", "planning", "architect", 1010));
    invocations.accept(started(2, "b", "planning", "architect", 1060));
    invocations.accept(started(3, "no-row", "planning", "architect", 1070)); // its SessionStart was lost
    invocations.accept(started(4, null, "planning", "architect", 1080)); // no session to count
    invocations.accept(started(5, "", "planning", "architect", 1080));
    assertEquals(3, activeAt(1100));
    assertEquals(5, tracker.snapshot(Instant.ofEpochSecond(1100)).agents().parallelExecutions());
  }

  @Test
  void anAgentRunningPastStaleAfterNoLongerKeepsItsSessionActive() {
    sessions.accept(session(1, "s", 1000, 1100, "completed"));
    invocations.accept(started(1, "s", "development", "backend-developer", 1050));
    assertEquals(1, activeAt(1050 + STALE_AFTER.toSeconds()));
    assertEquals(0, activeAt(1051 + STALE_AFTER.toSeconds()), "left behind by a crashed session");
    assertEquals(0,
        tracker.snapshot(Instant.ofEpochSecond(1051 + STALE_AFTER.toSeconds())).agents().parallelExecutions());
  }

  @Test
  void anInvocationThatIsNoLongerOneLeavesItsSession() {
    sessions.accept(session(1, "s", 1000, 1100, "completed"));
    invocations.accept(started(1, "s", "development", "backend-developer", 1050));
    assertEquals(1, activeAt(1200));
    // a writer blanks the agent name: the row counts nowhere any more
    invocations.accept(started(1, "s", "development", null, 1050));
    assertEquals(0, activeAt(1200));
  }
}
