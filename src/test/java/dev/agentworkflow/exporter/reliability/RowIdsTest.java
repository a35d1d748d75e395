package dev.agentworkflow.exporter.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.agentworkflow.exporter.app.Exporter;
import dev.agentworkflow.exporter.support.Exposition;
import dev.agentworkflow.exporter.support.HookDatabase;
import dev.agentworkflow.exporter.support.Scraper;
import dev.agentworkflow.exporter.support.SqlTotals;
import dev.agentworkflow.exporter.support.TestSettings;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Clock;
import java.time.Instant;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Case 11, row ids a writer set itself: 0 and negative ids (down to the smallest 64-bit integer)
 * are counted like any other, running ones are followed until they finish.
 */
@Tag("reliability")
class RowIdsTest {
  @TempDir
  Path dir;

  @Test
  void rowsWithIdsAtOrBelowZeroAreCountedAndFollowed() throws Exception {
    HookDatabase db = HookDatabase.create(dir.resolve("agent_workflow.db"));
    String now = Instant.now().toString();
    db.execute("""
        INSERT INTO agent_invocations (id, session_id, phase, agent_name, model, status, start_time, end_time)
        VALUES (-9223372036854775808, 's1', 'planning', 'architect', 'm', 'completed', '%1$s', '%1$s'),
               (-5, 's1', 'planning', 'architect', 'm', 'failed', '%1$s', '%1$s'),
               (0, 's2', 'review', 'test-validator', NULL, 'started', '%1$s', NULL)
        """.formatted(now));
    db.execute("INSERT INTO sessions (rowid, session_id, start_time, status) VALUES (-3, 's1', '" + now + "', 'active'), "
        + "(0, 's2', '" + now + "', 'active')");
    try (Exporter exporter = Exporter.start(TestSettings.of(db.path()), Clock.systemUTC())) {
      Scraper scraper = new Scraper(exporter.port());
      exporter.pollNow();
      assertExact(scraper, db);
      Exposition m = scraper.metrics();
      assertEquals(2, m.sum("agent_invocation_total"));
      assertEquals(1, m.value("parallel_executions_current"));
      assertEquals(2, m.value("active_sessions_count"));

      db.execute("UPDATE agent_invocations SET status = 'completed', end_time = '" + now + "' WHERE id = 0");
      db.execute("UPDATE sessions SET status = 'completed', end_time = '" + Instant.now().plusSeconds(90)
          + "' WHERE rowid = 0");
      long id = db.startAgent("s3", "review", "security-reviewer", Instant.now()); // and a row the usual way
      db.finishAgent(id, Instant.now(), "completed", 1.0, "m");
      exporter.pollNow();
      assertExact(scraper, db);
      m = scraper.metrics();
      assertEquals(4, m.sum("agent_invocation_total"));
      assertEquals(1, m.value("active_sessions_count"));
      assertEquals(1, m.value("session_duration_seconds_count"));
    }
  }

  private static void assertExact(Scraper scraper, HookDatabase db) throws Exception {
    Exposition m = scraper.metrics();
    try (Connection c = db.connect()) {
      assertEquals(SqlTotals.counters(c), SqlTotals.scraped(m));
      assertEquals(SqlTotals.running(c), m.value("parallel_executions_current"));
      assertEquals(SqlTotals.sessions(c), m.value("total_sessions"));
      assertEquals(SqlTotals.activeSessions(c), m.value("active_sessions_count"));
      assertEquals(SqlTotals.uniqueAgents(c), m.value("total_unique_agents"));
    }
  }
}
