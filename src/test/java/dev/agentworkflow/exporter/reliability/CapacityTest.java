package dev.agentworkflow.exporter.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentworkflow.exporter.db.TimestampParser;
import dev.agentworkflow.exporter.db.WorkflowDatabase;
import dev.agentworkflow.exporter.metrics.WorkflowCollector;
import dev.agentworkflow.exporter.model.PollResult;
import dev.agentworkflow.exporter.model.WorkflowSnapshot;
import dev.agentworkflow.exporter.poll.Poller;
import dev.agentworkflow.exporter.support.HookDatabase;
import dev.agentworkflow.exporter.support.SqlTotals;
import dev.agentworkflow.exporter.state.StateKeeper;
import dev.agentworkflow.exporter.track.TrackerLimits;
import dev.agentworkflow.exporter.track.WorkflowTracker;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Case 14, past the capacity of followed rows (as many as the heap holds: 300,373 under the unit's
 * -Xmx64m; here 100, so that the case is small): the rows past it are counted in
 * agent_workflow_exporter_untracked_rows_total and said once in the log per table; the poll goes
 * on, and the rows it does follow stay exact.
 */
@Tag("reliability")
class CapacityTest {
  private static final int CAPACITY = 100;
  private static final int ROWS = 150;

  @TempDir
  Path dir;

  @Test
  void rowsPastTheCapacityAreCountedAsUntrackedAndSaidOnce() throws Exception {
    HookDatabase db = HookDatabase.create(dir.resolve("agent_workflow.db"));
    insertRunning(db, 0, ROWS);
    PrintStream stderr = System.err;
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    TimestampParser timestamps = new TimestampParser(HookDatabase.ZONE);
    try (Poller poller = new Poller(
        new WorkflowDatabase(db.path(), Duration.ofSeconds(1), WorkflowDatabase.DEFAULT_CACHE_KIB, timestamps),
        () -> new WorkflowTracker(WorkflowCollector.histogramBuckets(), Duration.ofHours(6),
            new TrackerLimits(500, 2000, CAPACITY, CAPACITY, CAPACITY)),
        StateKeeper.none(), Poller.Intake.ALONGSIDE, Clock.systemUTC())) {
      System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
      WorkflowSnapshot first = poll(poller).workflow();
      assertEquals(CAPACITY, first.agents().parallelExecutions());
      assertEquals(CAPACITY, first.sessions().active());
      assertEquals(ROWS, first.sessions().total(), "every session counts in the total");
      assertEquals(ROWS - CAPACITY, first.bounds().untracked().invocations());
      assertEquals(ROWS - CAPACITY, first.bounds().untracked().sessions());

      for (int round = 0; round < 5; round++) { // more writes, more polls: no more lines
        insertRunning(db, ROWS + round, 1);
        poll(poller);
      }
      db.execute("UPDATE agent_invocations SET status = 'completed', end_time = '" + Instant.now() + "'");
      db.execute("UPDATE sessions SET status = 'completed', end_time = '" + Instant.now().plusSeconds(60) + "'");
      WorkflowSnapshot finished = poll(poller).workflow();
      assertEquals(CAPACITY, finished.agents().phases().get("development"), "the followed ones are counted");
      assertEquals(CAPACITY, finished.sessions().durations().count());
      assertEquals(0, finished.agents().parallelExecutions());
      assertEquals(0, finished.sessions().active());
      assertEquals(ROWS - CAPACITY + 5, finished.bounds().untracked().invocations());
      try (Connection c = db.connect()) {
        assertEquals(finished.sessions().total(), SqlTotals.sessions(c));
        assertEquals(SqlTotals.finished(c),
            finished.agents().phases().get("development") + finished.bounds().untracked().invocations(),
            "counted plus untracked is every finished invocation");
      }
    } finally {
      System.setErr(stderr);
    }
    String lines = log.toString(StandardCharsets.UTF_8);
    System.out.println("REPORT past the capacity, the log:\n" + lines);
    assertEquals(1, lines.lines().filter(l -> l.contains("more invocations are running at once than the 100")).count(),
        lines);
    assertEquals(1, lines.lines().filter(l -> l.contains("more sessions are active")).count(), lines);
    assertTrue(lines.lines().allMatch(l -> !l.contains(" level=ERROR ")), lines);
  }

  private static PollResult poll(Poller poller) {
    PollResult result = poller.poll();
    assertTrue(result.database().up(), result.database().problem().orElse(""));
    return result;
  }

  /** {@code count} running invocations, each in an active session of its own. */
  private static void insertRunning(HookDatabase db, int from, int count) throws Exception {
    String now = Instant.now().toString();
    try (Connection c = db.connect()) {
      c.setAutoCommit(false);
      try (PreparedStatement session = c.prepareStatement(
              "INSERT INTO sessions (session_id, start_time, status) VALUES (?, ?, 'active')");
          PreparedStatement invocation = c.prepareStatement("""
              INSERT INTO agent_invocations (session_id, event_type, phase, agent_name, status, start_time)
              VALUES (?, 'pre_invocation', 'development', 'backend-developer', 'started', ?)
              """)) {
        for (int i = from; i < from + count; i++) {
          session.setString(1, "session-" + i);
          session.setString(2, now);
          session.executeUpdate();
          invocation.setString(1, "session-" + i);
          invocation.setString(2, now);
          invocation.executeUpdate();
        }
      }
      c.commit();
    }
  }
}
