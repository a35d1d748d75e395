package dev.agentworkflow.exporter.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentworkflow.exporter.it.ExporterProcess;
import dev.agentworkflow.exporter.support.Await;
import dev.agentworkflow.exporter.support.Exposition;
import dev.agentworkflow.exporter.support.HookDatabase;
import dev.agentworkflow.exporter.support.Scraper;
import dev.agentworkflow.exporter.support.SqlTotals;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Case 10, no value can exhaust the heap, under the systemd unit's JVM options: running rows with
 * 1 MB values, read again on every poll; and 300,000 running invocations plus 300,000 active
 * sessions at once, then writes, then more polls, then a restart from the state file of all of it.
 * The exporter stays up and equals SQL.
 */
@Tag("reliability")
class HeapBoundsIT {
  private static final Duration WAIT = Duration.ofSeconds(120);
  private static final String SERVING = "serving http://127\\.0\\.0\\.1:(\\d+)/metrics";
  private static final int HUGE_ROWS = 130;
  private static final int RUNNING = 300_000;

  @TempDir
  Path dir;

  @Test
  void runningRowsWithMegabyteValuesAreReadAgainWithoutExhaustingTheHeap() throws Exception {
    HookDatabase db = HookDatabase.create(dir.resolve("agent_workflow.db"));
    String start = Instant.now().toString();
    try (Connection c = db.connect()) {
      c.setAutoCommit(false);
      try (PreparedStatement insert = c.prepareStatement("""
          INSERT INTO agent_invocations (session_id, event_type, phase, agent_name, model, status, start_time)
          VALUES (?, 'pre_invocation', ?, ?, ?, 'started', ?)
          """)) {
        for (int i = 0; i < HUGE_ROWS; i++) {
          String mb = "x".repeat(1 << 20);
          insert.setString(1, mb + "session-" + i);
          insert.setString(2, mb);
          insert.setString(3, mb + "agent-" + i); // distinct names that differ only at the end
          insert.setString(4, mb);
          insert.setString(5, start);
          insert.executeUpdate();
        }
      }
      c.commit();
    }
    try (ExporterProcess exporter = ExporterProcess.start(List.of(), ExporterProcess.serviceJvmOptions(), dir,
        "--db", "agent_workflow.db", "--bind", "127.0.0.1", "--port", "0", "--interval", "1")) {
      Scraper scraper = new Scraper(Integer.parseInt(exporter.await(SERVING, Duration.ofSeconds(30))));
      awaitExact(exporter, scraper, db, "the running rows");
      assertEquals(HUGE_ROWS, scraper.metrics().value("parallel_executions_current"));

      // any write: every poll now reads the 130 running rows again
      for (int round = 0; round < 3; round++) {
        long id = db.startAgent("s", "review", "test-validator", Instant.now());
        db.finishAgent(id, Instant.now(), "completed", 1.0, "m");
        awaitExact(exporter, scraper, db, "write " + round);
      }
      db.execute("UPDATE agent_invocations SET status = 'completed', end_time = '" + Instant.now()
          + "' WHERE status = 'started'");
      awaitExact(exporter, scraper, db, "the huge rows finished");
      Exposition m = scraper.metrics();
      assertEquals(HUGE_ROWS, m.value("agent_workflow_exporter_label_overflow_total", "label", "agent_name"));
      assertEquals(HUGE_ROWS, m.value("agent_workflow_exporter_label_overflow_total", "label", "phase"));
      assertEquals(HUGE_ROWS, m.value("agent_workflow_exporter_label_overflow_total", "label", "model"));
      assertEquals(HUGE_ROWS + 1, m.value("total_unique_agents"), "long names that differ at the end stay distinct");
      assertTrue(exporter.isAlive(), exporter.stderr());
      System.out.printf("REPORT %d running invocations with 1 MB values, read again on 4 polls: alive, exact; "
          + "peak RSS %d MB%n", HUGE_ROWS, exporter.peakResidentKib() / 1024);
    }
  }

  @Test
  void threeHundredThousandRunningInvocationsAndActiveSessionsFitTheUnitsHeap() throws Exception {
    HookDatabase db = HookDatabase.create(dir.resolve("agent_workflow.db"));
    long emptyHeapKib;
    try (ExporterProcess empty = ExporterProcess.start(List.of(), ExporterProcess.serviceJvmOptions(), dir,
        "--db", "agent_workflow.db", "--bind", "127.0.0.1", "--port", "0", "--interval", "1")) {
      Scraper scraper = new Scraper(Integer.parseInt(empty.await(SERVING, Duration.ofSeconds(30))));
      awaitExact(empty, scraper, db, "the empty database");
      scraper.metrics();
      emptyHeapKib = empty.heapUsedAfterGcKib();
    }
    long generating = System.nanoTime();
    String start = Instant.now().toString();
    try (Connection c = db.connect()) {
      c.setAutoCommit(false);
      try (PreparedStatement session = c.prepareStatement("""
          INSERT INTO sessions (session_id, start_time, status) VALUES (?, ?, 'active')
          """);
          PreparedStatement invocation = c.prepareStatement("""
              INSERT INTO agent_invocations (session_id, event_type, phase, agent_name, status, start_time)
              VALUES (?, 'pre_invocation', 'development', ?, 'started', ?)
              """)) {
        for (int i = 0; i < RUNNING; i++) {
          String id = "0f9e6d1c-0000-4000-8000-" + String.format("%012d", i);
          session.setString(1, id);
          session.setString(2, start);
          session.executeUpdate();
          invocation.setString(1, id); // one agent in each session: the most per-session state
          invocation.setString(2, "developer-" + i % 20);
          invocation.setString(3, start);
          invocation.executeUpdate();
        }
      }
      c.commit();
    }
    double generated = (System.nanoTime() - generating) / 1e9;
    try (ExporterProcess exporter = ExporterProcess.start(List.of(), ExporterProcess.serviceJvmOptions(), dir,
        "--db", "agent_workflow.db", "--bind", "127.0.0.1", "--port", "0", "--interval", "1")) {
      Scraper scraper = new Scraper(Integer.parseInt(exporter.await(SERVING, Duration.ofSeconds(30))));
      long loading = System.nanoTime();
      awaitExact(exporter, scraper, db, "the first load");
      double firstLoad = (System.nanoTime() - loading) / 1e9;
      double firstPoll = scraper.metrics().value("agent_workflow_exporter_poll_duration_seconds");
      long loadedHeapKib = exporter.heapUsedAfterGcKib();

      // writes: some invocations and sessions finish, new ones start, and each poll reads the rest again
      double slowestPoll = 0;
      for (int round = 0; round < 3; round++) {
        String now = Instant.now().toString();
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
          s.executeUpdate("UPDATE agent_invocations SET status = 'completed', end_time = '" + now
              + "', duration_seconds = 5 WHERE id % 100 = " + round);
          s.executeUpdate("UPDATE sessions SET status = 'completed', end_time = '" + now
              + "' WHERE rowid % 100 = " + round);
        }
        db.startSession("late-" + round, Instant.now());
        db.startAgent("late-" + round, "review", "security-reviewer", Instant.now());
        awaitExact(exporter, scraper, db, "write round " + round);
        slowestPoll = Math.max(slowestPoll, scraper.metrics().value("agent_workflow_exporter_poll_duration_seconds"));
      }
      assertTrue(exporter.isAlive(), exporter.stderr());
      Exposition m = scraper.metrics();
      try (Connection c = db.connect()) {
        assertEquals(3 * RUNNING / 100 + 2, SqlTotals.finished(c), "the late rows of rounds 0 and 1 finished too");
        assertEquals(SqlTotals.counters(c), SqlTotals.scraped(m));
      }
      assertEquals(0, m.sum("agent_workflow_exporter_untracked_rows_total"), "within the stated capacity");
      System.out.printf("REPORT %,d running invocations + %,d active sessions, one agent each (generated in %.1f s), "
              + "unit's JVM options: first load %.1f s (poll %.2f s); heap after a full GC %.1f MB, %.1f MB with an "
              + "empty database: %.0f bytes per running invocation with its active session; 3 write rounds, slowest "
              + "changed poll %.2f s; alive, exact; RSS %d MB, peak %d MB%n",
          RUNNING, RUNNING, generated, firstLoad, firstPoll, loadedHeapKib / 1024.0, emptyHeapKib / 1024.0,
          (loadedHeapKib - emptyHeapKib) * 1024.0 / RUNNING, slowestPoll, exporter.residentKib() / 1024,
          exporter.peakResidentKib() / 1024);
      exporter.signal("TERM"); // writes the state of all of it on the way out
      assertEquals(0, exporter.exitCode(Duration.ofSeconds(30)), exporter.stderr());
    }

    // a restart reads that state back in the same heap (before, its first write ran the heap out)
    try (ExporterProcess restarted = ExporterProcess.start(List.of(), ExporterProcess.serviceJvmOptions(), dir,
        "--db", "agent_workflow.db", "--bind", "127.0.0.1", "--port", "0", "--interval", "1")) {
      long starting = System.nanoTime();
      Scraper scraper = new Scraper(Integer.parseInt(restarted.await(SERVING, Duration.ofSeconds(30))));
      awaitExact(restarted, scraper, db, "the restart");
      double restart = (System.nanoTime() - starting) / 1e9;
      Exposition m = scraper.metrics();
      assertEquals(1, m.value("agent_workflow_exporter_state_restored"), restarted.stderr());
      long heapKib = restarted.heapUsedAfterGcKib();
      System.out.printf("REPORT restart from a state file of %.1f MB (the %,d running invocations and active "
              + "sessions): exact %.1f s after start (first poll %.2f s, reading the followed rows again); heap after "
              + "a full GC %.1f MB; peak RSS %d MB%n", m.value("agent_workflow_exporter_state_size_bytes") / 1e6,
          RUNNING, restart, m.value("agent_workflow_exporter_poll_duration_seconds"), heapKib / 1024.0,
          restarted.peakResidentKib() / 1024);
    }
  }

  /**
   * Finished, failed and running invocations, unique agents, sessions and active sessions: all equal
   * to SQL's (sums, since labels past the limits read 'other').
   */
  private static void awaitExact(ExporterProcess exporter, Scraper scraper, HookDatabase db, String what)
      throws Exception {
    Await.until(what + " exported exactly", WAIT, () -> {
      if (!exporter.isAlive()) {
        throw new AssertionError("the exporter died:\n" + exporter.stderr());
      }
      Exposition m = scraper.metrics();
      try (Connection c = db.connect()) {
        return m.value("agent_workflow_database_up") == 1
            && m.sum("agent_invocation_total") == SqlTotals.finished(c)
            && m.sum("agent_error_total") == SqlTotals.errors(c)
            && m.value("parallel_executions_current") == SqlTotals.running(c)
            && m.value("total_unique_agents") == SqlTotals.uniqueAgents(c)
            && m.value("total_sessions") == SqlTotals.sessions(c)
            && m.value("active_sessions_count") == SqlTotals.activeSessions(c);
      }
    });
  }
}
