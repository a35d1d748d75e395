package dev.agentworkflow.exporter.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentworkflow.exporter.app.Exporter;
import dev.agentworkflow.exporter.support.Exposition;
import dev.agentworkflow.exporter.support.HookDatabase;
import dev.agentworkflow.exporter.support.Scraper;
import dev.agentworkflow.exporter.support.SqlTotals;
import dev.agentworkflow.exporter.support.TestSettings;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Case 12, tables rebuilt under a running exporter: the 12-step ALTER of SQLite's documentation
 * (new table, copy, drop, rename) and VACUUM, which renumber the rows of {@code sessions} (its key
 * is text) and, when the copy leaves the ids out, those of {@code agent_invocations}. Within one
 * poll the figures equal SQL's again, and no counter goes down or counts a row twice.
 */
@Tag("reliability")
class TableRebuildTest {
  private static final Instant T0 = Instant.now().minusSeconds(3600);
  private static final String SESSION_COLUMNS = "session_id, start_time, end_time, status, cwd, metadata";
  private static final String INVOCATION_COLUMNS = "timestamp, session_id, event_type, phase, agent_name, agent_type, "
      + "model, prompt, parent_agent, ticket_id, start_time, end_time, duration_seconds, status, error, "
      + "result_summary, raw_input, raw_output";

  @TempDir
  Path dir;

  private HookDatabase db;

  @BeforeEach
  void history() throws Exception {
    db = HookDatabase.create(dir.resolve("agent_workflow.db"));
    for (int i = 0; i < 30; i++) {
      String session = "session-" + i;
      db.startSession(session, T0.plusSeconds(i));
      long id = db.startAgent(session, "development", "backend-developer", T0.plusSeconds(i));
      if (i % 3 != 0) {
        db.finishAgent(id, T0.plusSeconds(i + 60), i % 5 == 0 ? "failed" : "completed", 60.0, "m");
        db.stopSession(session, T0.plusSeconds(i + 120));
      }
    }
  }

  @Test
  void aTwelveStepRebuildOfSessionsIsFollowedWithinOnePoll() throws Exception {
    // gaps in the row ids: the rebuild's copy closes them
    db.execute("DELETE FROM sessions WHERE session_id IN ('session-0', 'session-3', 'session-6')");
    try (Exporter exporter = Exporter.start(TestSettings.of(db.path()), Clock.systemUTC())) {
      Scraper scraper = new Scraper(exporter.port());
      exporter.pollNow();
      Exposition before = assertExact(scraper);

      rebuild("sessions", "session_id TEXT PRIMARY KEY, start_time TIMESTAMP, end_time TIMESTAMP, status TEXT, "
          + "cwd TEXT, metadata JSON, project TEXT", SESSION_COLUMNS);
      exporter.pollNow();
      Exposition rebuilt = assertExact(scraper);
      assertNothingWentDown(before, rebuilt);
      assertEquals(20, rebuilt.value("session_duration_seconds_count"), "no run observed again");

      db.startSession("session-new", Instant.now());
      db.stopSession("session-9", Instant.now()); // active before the rebuild, watched under its new row id
      exporter.pollNow();
      Exposition after = assertExact(scraper);
      assertNothingWentDown(rebuilt, after);
      assertEquals(21, after.value("session_duration_seconds_count"));
      assertEquals(1, after.value("agent_workflow_exporter_table_rescans_total", "table", "sessions"));
    }
  }

  @Test
  void vacuumAfterDeletesRenumbersSessionsAndIsFollowedWithinOnePoll() throws Exception {
    try (Exporter exporter = Exporter.start(TestSettings.of(db.path()), Clock.systemUTC())) {
      Scraper scraper = new Scraper(exporter.port());
      exporter.pollNow();
      db.execute("DELETE FROM sessions WHERE session_id IN ('session-0', 'session-3', 'session-6', 'session-27')");
      exporter.pollNow();
      Exposition before = assertExact(scraper);

      db.execute("VACUUM");
      long highest = highestSessionRowId();
      System.out.printf("REPORT VACUUM after deleting 4 of 30 sessions: highest session row id %d after (30 before)%n",
          highest);
      db.startSession("session-new", Instant.now()); // a row id the exporter has seen before, if VACUUM renumbered
      db.stopSession("session-12", Instant.now());
      exporter.pollNow();
      Exposition after = assertExact(scraper);
      assertNothingWentDown(before, after);
      assertEquals(21, after.value("session_duration_seconds_count"));
    }
  }

  @Test
  void aTwelveStepRebuildOfInvocationsThatKeepsTheIdsCountsNothingAgain() throws Exception {
    try (Exporter exporter = Exporter.start(TestSettings.of(db.path()), Clock.systemUTC())) {
      Scraper scraper = new Scraper(exporter.port());
      exporter.pollNow();
      // the newest rows deleted first: the rebuilt table's sequence starts lower than the old one's
      db.execute("DELETE FROM agent_invocations WHERE id > 28");
      exporter.pollNow();
      Exposition before = assertCountersAtLeast(scraper, null);

      rebuild("agent_invocations", "id INTEGER PRIMARY KEY AUTOINCREMENT, " + invocationSchema() + ", cost REAL",
          "id, " + INVOCATION_COLUMNS);
      exporter.pollNow();
      assertRunningExact(assertCountersAtLeast(scraper, before));
      long id = db.startAgent("session-new", "review", "security-reviewer", Instant.now());
      assertEquals(29, id, "the rebuilt table's sequence gives the deleted row's id again");
      db.finishAgent(id, Instant.now(), "completed", 3.0, "m");
      db.finishAgent(4, Instant.now(), "completed", 3.0, "m"); // was running (session-3)
      exporter.pollNow();
      Exposition after = assertCountersAtLeast(scraper, before);
      assertEquals(before.sum("agent_invocation_total") + 2, after.sum("agent_invocation_total"));
      assertRunningExact(after);
    }
  }

  @Test
  void aTwelveStepRebuildThatRenumbersInvocationsCountsNothingTwice() throws Exception {
    try (Exporter exporter = Exporter.start(TestSettings.of(db.path()), Clock.systemUTC())) {
      Scraper scraper = new Scraper(exporter.port());
      exporter.pollNow();
      db.execute("DELETE FROM agent_invocations WHERE id IN (2, 5, 11)"); // counted, then deleted: gaps the copy closes
      exporter.pollNow();
      Exposition before = assertCountersAtLeast(scraper, null);

      rebuild("agent_invocations", "id INTEGER PRIMARY KEY AUTOINCREMENT, " + invocationSchema(),
          INVOCATION_COLUMNS); // no ids copied: 1, 2, 3, ... again
      assertEquals(27, highestInvocationId());
      long newId = db.startAgent("session-new", "review", "security-reviewer", Instant.now());
      db.finishAgent(newId, Instant.now(), "completed", 3.0, "m");
      db.execute("UPDATE agent_invocations SET status = 'completed', end_time = '" + Instant.now()
          + "' WHERE session_id = 'session-9'"); // running before the rebuild, under another id now
      exporter.pollNow();
      Exposition after = assertCountersAtLeast(scraper, before);
      assertEquals(before.sum("agent_invocation_total") + 2, after.sum("agent_invocation_total"),
          "the new row and the one that finished; none of the others again");
      assertRunningExact(after);
      assertEquals(1, after.value("agent_workflow_exporter_table_rescans_total", "table", "agent_invocations"));

      db.execute("UPDATE agent_invocations SET status = 'completed', end_time = '" + Instant.now()
          + "' WHERE session_id = 'session-12'");
      exporter.pollNow();
      Exposition later = assertCountersAtLeast(scraper, after);
      assertEquals(after.sum("agent_invocation_total") + 1, later.sum("agent_invocation_total"));
      assertRunningExact(later);
    }
  }

  /** The 12-step rebuild of https://www.sqlite.org/lang_altertable.html#otheralter, in one transaction. */
  private void rebuild(String table, String newSchema, String copiedColumns) throws Exception {
    try (Connection c = db.connect(); Statement s = c.createStatement()) {
      s.execute("PRAGMA foreign_keys = OFF");
      c.setAutoCommit(false);
      s.execute("CREATE TABLE new_" + table + " (" + newSchema + ")");
      s.execute("INSERT INTO new_" + table + " (" + copiedColumns + ") SELECT " + copiedColumns + " FROM " + table
          + " ORDER BY rowid");
      s.execute("DROP TABLE " + table);
      s.execute("ALTER TABLE new_" + table + " RENAME TO " + table);
      c.commit();
    }
  }

  private static String invocationSchema() {
    return "timestamp TIMESTAMP, session_id TEXT, event_type TEXT, phase TEXT, agent_name TEXT, agent_type TEXT, "
        + "model TEXT, prompt TEXT, parent_agent TEXT, ticket_id TEXT, start_time TIMESTAMP, end_time TIMESTAMP, "
        + "duration_seconds REAL, status TEXT, error TEXT, result_summary TEXT, raw_input JSON, raw_output JSON";
  }

  private long highestSessionRowId() throws Exception {
    return single("SELECT max(rowid) FROM sessions");
  }

  private long highestInvocationId() throws Exception {
    return single("SELECT max(id) FROM agent_invocations");
  }

  private long single(String sql) throws Exception {
    try (Connection c = db.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** Every figure SQL can tell, equal; returns the exposition. */
  private Exposition assertExact(Scraper scraper) throws Exception {
    Exposition m = scraper.metrics();
    assertEquals(1, m.value("agent_workflow_database_up"));
    try (Connection c = db.connect()) {
      assertEquals(SqlTotals.counters(c), SqlTotals.scraped(m));
      assertEquals(SqlTotals.running(c), m.value("parallel_executions_current"));
      assertEquals(SqlTotals.sessions(c), m.value("total_sessions"));
      assertEquals(SqlTotals.activeSessions(c), m.value("active_sessions_count"));
    }
    return m;
  }

  /**
   * Counters after rows were deleted: SQL no longer knows the deleted ones, so each counter is at
   * least what it was ({@code before}) and what SQL says.
   */
  private Exposition assertCountersAtLeast(Scraper scraper, Exposition before) throws Exception {
    Exposition m = scraper.metrics();
    assertEquals(1, m.value("agent_workflow_database_up"));
    try (Connection c = db.connect()) {
      for (Map.Entry<String, Double> e : SqlTotals.counters(c).entrySet()) {
        assertTrue(m.all().getOrDefault(e.getKey(), 0.0) >= e.getValue(), e.getKey() + " below SQL's " + e.getValue());
      }
    }
    if (before != null) {
      assertNothingWentDown(before, m);
    }
    return m;
  }

  private void assertRunningExact(Exposition m) throws Exception {
    try (Connection c = db.connect()) {
      assertEquals(SqlTotals.running(c), m.value("parallel_executions_current"));
    }
  }

  /** No counter series, histogram bucket, count or sum below its earlier value. */
  private static void assertNothingWentDown(Exposition before, Exposition after) {
    before.all().forEach((series, value) -> {
      String family = series.replaceAll("\\{.*", "");
      boolean counter = family.endsWith("_total") || family.endsWith("_bucket") || family.endsWith("_count")
          || family.endsWith("_sum");
      if (counter && !family.startsWith("agent_workflow_exporter_")) {
        assertTrue(after.all().getOrDefault(series, 0.0) >= value,
            series + " went down from " + value + " to " + after.all().get(series));
      }
    });
  }
}
