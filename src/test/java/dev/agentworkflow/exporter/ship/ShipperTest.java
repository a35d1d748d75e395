package dev.agentworkflow.exporter.ship;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentworkflow.exporter.support.HookDatabase;
import dev.agentworkflow.exporter.support.TeamStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ship} against a real PostgreSQL set up as docs/postgresql.md says: every row of the file
 * once, its updates, nothing twice however often or by how many shippers it runs, nothing lost
 * while the store is down, and the file's rows as the hooks wrote them.
 */
class ShipperTest {
  private static final Instant T0 = Instant.parse("2026-11-30T08:00:00Z");
  private static final String RAW_OUTPUT = "{\"totalToolUseCount\": 97, \"totalTokens\": 128692}";

  @TempDir
  static Path serverDir;
  static TeamStore store;

  @TempDir
  Path dir;

  @BeforeAll
  static void startStore() throws Exception {
    store = TeamStore.start(serverDir);
  }

  @AfterAll
  static void stopStore() throws Exception {
    store.close();
  }

  /** {@code runs} sessions of one agent each, with a tool use; the last agent and its tool still running. */
  private static List<Long> write(HookDatabase db, String prefix, int runs, int from) throws SQLException {
    List<Long> running = new ArrayList<>();
    for (int i = from; i < from + runs; i++) {
      String session = prefix + "-session-" + i;
      Instant at = T0.plusSeconds(60L * i);
      db.startSession(session, at);
      long id = db.startAgent(session, i % 2 == 0 ? "planning" : "development", prefix + "-agent-" + (i % 3), at);
      long tool = db.startTool(session, prefix + "-agent-" + (i % 3), id, "Bash", at.plusSeconds(1), 1);
      if (i == from + runs - 1) {
        running.add(id);
        running.add(tool);
        continue;
      }
      db.finishTool(tool, at.plusSeconds(3), i % 4 == 0 ? "error" : "completed", 2.0);
      db.finishAgent(id, at.plusSeconds(5 + i), i % 5 == 0 ? "failed" : "completed", 5.0 + i, "opus", RAW_OUTPUT);
      db.stopSession(session, at.plusSeconds(30));
    }
    return running;
  }

  private static long sqlite(HookDatabase db, String sql) throws SQLException {
    try (Connection c = db.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static long source(String project, String host, int epoch) throws SQLException {
    return store.number("SELECT source_id FROM agent_workflow_sources WHERE project = '" + project + "' AND host = '"
        + host + "' AND epoch = " + epoch);
  }

  /** The rows of the source as the exporter reads them, and their status: what must equal the file's. */
  private static String rows(long source, String table) throws SQLException {
    return rows(source, table, "");
  }

  private static String rows(long source, String table, String where) throws SQLException {
    StringBuilder text = new StringBuilder();
    try (Connection c = store.connect(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT " + (table.equals("sessions") ? "row_id" : "id")
            + ", session_id, status, start_time, end_time, " + (table.equals("sessions") ? "cwd" : "duration_seconds")
            + " FROM " + table + " WHERE source_id = "
            + source + where + " ORDER BY 1")) {
      while (rs.next()) {
        for (int i = 1; i <= 6; i++) {
          text.append(rs.getString(i)).append('|');
        }
        text.append('\n');
      }
    }
    return text.toString();
  }

  private static String fileRows(HookDatabase db, String table) throws SQLException {
    StringBuilder text = new StringBuilder();
    try (Connection c = db.connect(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT " + (table.equals("sessions") ? "rowid" : "id")
            + ", session_id, status, start_time, end_time, " + (table.equals("sessions") ? "cwd" : "duration_seconds")
            + " FROM " + table + " ORDER BY 1")) {
      while (rs.next()) {
        for (int i = 1; i <= 6; i++) {
          Object value = rs.getObject(i);
          text.append(value == null ? null : value.toString()).append('|');
        }
        text.append('\n');
      }
    }
    return text.toString();
  }

  private static void assertSameRows(HookDatabase db, long source) throws SQLException {
    for (String table : List.of("sessions", "agent_invocations", "agent_tool_uses")) {
      assertEquals(fileRows(db, table), rows(source, table), table);
    }
  }

  @Test
  void shipsEveryRowOnceThenOnlyWhatChanged() throws Exception {
    HookDatabase db = HookDatabase.create(dir.resolve("agent_workflow.db"));
    List<Long> running = write(db, "a", 6, 0);
    try (Shipper shipper = store.shipper(db.path(), "alpha", "laptop-1", false)) {
      Shipper.Shipped first = shipper.ship();
      assertTrue(first.problem().isEmpty(), first.toString());
      long source = source("alpha", "laptop-1", 1);
      assertSameRows(db, source);
      assertEquals(6 + 6 + 6, first.rows());
      // the figures the metrics take from raw_output travel; the payloads do not
      assertEquals(5, store.number("SELECT count(*) FROM agent_invocations WHERE source_id = " + source
          + " AND reported_tool_uses = 97 AND reported_tokens = 128692"));
      assertEquals(0, store.number("SELECT count(*) FROM agent_invocations WHERE source_id = " + source
          + " AND (prompt IS NOT NULL OR raw_output IS NOT NULL OR raw_input IS NOT NULL)"));
      assertEquals(0, store.number("SELECT count(*) FROM agent_tool_uses WHERE source_id = " + source
          + " AND (tool_input IS NOT NULL OR tool_output IS NOT NULL)"));
      assertEquals(0, store.number("SELECT count(*) FROM sessions WHERE source_id = " + source
          + " AND metadata IS NOT NULL"));

      String changed = "SELECT count(DISTINCT changed_xid) FROM agent_invocations WHERE source_id = " + source;
      long changedBefore = store.number(changed);
      Shipper.Shipped again = shipper.ship();
      assertEquals(0, again.rounds(), "nothing written to the file: the store is not even asked");
      // commits that leave every row as it was: the file changed, its rows did not
      db.execute("UPDATE agent_invocations SET error = 'x' WHERE id = 1");
      db.execute("UPDATE agent_invocations SET error = NULL WHERE id = 1");
      Shipper.Shipped unchanged = shipper.ship();
      assertEquals(1, unchanged.rounds(), unchanged.toString());
      assertEquals(3, unchanged.rows(), "the running invocation, tool use and session, read again");
      assertEquals(changedBefore, store.number(changed),
          "a row shipped again unchanged keeps its changed_xid: the exporter does not read it again");

      db.finishAgent(running.get(0), T0.plusSeconds(600), "completed", 42.0, "opus", RAW_OUTPUT);
      db.finishTool(running.get(1), T0.plusSeconds(500), "completed", 1.5);
      write(db, "a", 3, 6);
      assertTrue(shipper.ship().problem().isEmpty());
      assertSameRows(db, source);
      assertEquals(1, store.number("SELECT count(*) FROM agent_invocations WHERE source_id = " + source
          + " AND id = " + running.get(0) + " AND status = 'completed' AND duration_seconds = '42.0'"));
    }
    // a second shipper of the same file (the CI step beside the service) finds it all shipped
    try (Shipper other = store.shipper(db.path(), "alpha", "laptop-1", false)) {
      assertTrue(other.ship().problem().isEmpty());
    }
    assertEquals(1, store.number("SELECT count(*) FROM agent_workflow_sources WHERE project = 'alpha'"));
    assertSameRows(db, source("alpha", "laptop-1", 1));
  }

  @Test
  void payloadsTravelWhenAsked() throws Exception {
    HookDatabase db = HookDatabase.create(dir.resolve("agent_workflow.db"));
    write(db, "p", 3, 0);
    try (Shipper shipper = store.shipper(db.path(), "payloads", "laptop-1", true)) {
      assertTrue(shipper.ship().problem().isEmpty());
    }
    long source = source("payloads", "laptop-1", 1);
    assertEquals(2, store.number("SELECT count(*) FROM agent_invocations WHERE source_id = " + source
        + " AND prompt = 'prompt' AND raw_output = '" + RAW_OUTPUT + "'"));
    assertEquals(3, store.number("SELECT count(*) FROM agent_tool_uses WHERE source_id = " + source
        + " AND tool_input = '{\"command\": \"ls\"}'"));
  }

  @Test
  void whileTheStoreIsDownTheRowsWaitInTheFile() throws Exception {
    HookDatabase db = HookDatabase.create(dir.resolve("agent_workflow.db"));
    List<Long> running = write(db, "d", 4, 0);
    try (Shipper shipper = store.shipper(db.path(), "downtime", "ci-runner", false)) {
      assertTrue(shipper.ship().problem().isEmpty());
      store.server().stop();
      try {
        write(db, "d", 5, 4);
        db.finishAgent(running.get(0), T0.plusSeconds(900), "completed", 9.0, "opus");
        Shipper.Shipped failed = shipper.ship();
        assertTrue(failed.problem().isPresent() && failed.problem().get().startsWith("cannot ship to postgresql://"),
            failed.toString());
        assertEquals(0, failed.rows());
        assertTrue(shipper.ship().problem().isPresent(), "still down: still failing, and nothing is lost");
      } finally {
        store.server().restart();
      }
      Shipper.Shipped caughtUp = shipper.ship();
      assertTrue(caughtUp.problem().isEmpty(), caughtUp.toString());
      assertSameRows(db, source("downtime", "ci-runner", 1));
    }
  }

  @Test
  void aFileMadeAgainIsShippedAsTheNextEpochAndTheOldRowsStay() throws Exception {
    Path path = dir.resolve("agent_workflow.db");
    HookDatabase db = HookDatabase.create(path);
    write(db, "old", 5, 0);
    try (Shipper shipper = store.shipper(path, "remade", "laptop-2", false)) {
      assertTrue(shipper.ship().problem().isEmpty());
      String oldRows = rows(source("remade", "laptop-2", 1), "agent_invocations");
      Files.delete(path);
      HookDatabase remade = HookDatabase.create(path); // the user reset it: ids start over
      write(remade, "new", 3, 0);
      assertTrue(shipper.ship().problem().isEmpty());
      assertEquals(oldRows, rows(source("remade", "laptop-2", 1), "agent_invocations"), "the first file's rows stay");
      assertSameRows(remade, source("remade", "laptop-2", 2));
    }
    // a shipper started later on the same file goes on with the second epoch
    try (Shipper later = store.shipper(path, "remade", "laptop-2", false)) {
      assertTrue(later.ship().problem().isEmpty());
    }
    assertEquals(2, store.number("SELECT count(*) FROM agent_workflow_sources WHERE project = 'remade'"));
  }

  @Test
  void aResumedSessionReplacesItsRowInTheStoreAsInTheFile() throws Exception {
    HookDatabase db = HookDatabase.create(dir.resolve("agent_workflow.db"));
    db.startSession("s-1", T0);
    try (Shipper shipper = store.shipper(db.path(), "resumed", "laptop-3", false)) {
      assertTrue(shipper.ship().problem().isEmpty());
      db.startSession("s-1", T0.plusSeconds(3600)); // SessionStart of a resumed session: INSERT OR REPLACE
      assertTrue(shipper.ship().problem().isEmpty());
      long source = source("resumed", "laptop-3", 1);
      assertSameRows(db, source);
      assertEquals(1, store.number("SELECT count(*) FROM sessions WHERE source_id = " + source));
    }
  }

  /**
   * A session resumed after the Stop hook closed it: the file replaces its row, the store keeps the
   * run that ended (an exporter of the file that read it counted it; an exporter of the store
   * started later must count it too) beside the current one, which it marks as such.
   */
  @Test
  void aSessionResumedAfterItStoppedKeepsTheRunThatEndedBesideTheCurrentRow() throws Exception {
    HookDatabase db = HookDatabase.create(dir.resolve("agent_workflow.db"));
    db.startSession("s-1", T0);
    db.stopSession("s-1", T0.plusSeconds(30)); // the Stop hook: the run ended
    try (Shipper shipper = store.shipper(db.path(), "resumed-stopped", "laptop-4", false)) {
      assertTrue(shipper.ship().problem().isEmpty());
      db.startSession("s-1", T0.plusSeconds(3600)); // resumed: INSERT OR REPLACE, a new row id
      assertTrue(shipper.ship().problem().isEmpty());
      long source = source("resumed-stopped", "laptop-4", 1);
      assertEquals(2, store.number("SELECT count(*) FROM sessions WHERE source_id = " + source));
      assertEquals(1, store.number("SELECT count(*) FROM sessions WHERE source_id = " + source
          + " AND row_id = 1 AND end_time IS NOT NULL"), "the run that ended");
      assertEquals(fileRows(db, "sessions"), rows(source, "sessions", " AND row_id IN (SELECT row_id FROM "
          + "sessions_by_project WHERE current AND source_id = " + source + ")"), "the current run is the file's row");
    }
  }

  /**
   * A table rebuilt (the 12-step ALTER; VACUUM may do the same to a table whose key is text) gives
   * the sessions new row ids: shipped whole after the schema change, each run is one row again,
   * under its id in the file now.
   */
  @Test
  void sessionsRenumberedByARebuildAreOneRowPerRunAgain() throws Exception {
    HookDatabase db = HookDatabase.create(dir.resolve("agent_workflow.db"));
    for (int i = 0; i < 5; i++) {
      db.startSession("s-" + i, T0.plusSeconds(60L * i));
      if (i % 2 == 0) {
        db.stopSession("s-" + i, T0.plusSeconds(60L * i + 30));
      }
    }
    try (Shipper shipper = store.shipper(db.path(), "rebuilt", "laptop-5", false)) {
      assertTrue(shipper.ship().problem().isEmpty());
      db.execute("CREATE TABLE sessions_new (session_id TEXT PRIMARY KEY, start_time TIMESTAMP, end_time TIMESTAMP, "
          + "status TEXT, cwd TEXT, metadata JSON)");
      db.execute("INSERT INTO sessions_new (rowid, session_id, start_time, end_time, status, cwd, metadata) "
          + "SELECT rowid - 100, session_id, start_time, end_time, status, cwd, metadata FROM sessions");
      db.execute("DROP TABLE sessions");
      db.execute("ALTER TABLE sessions_new RENAME TO sessions");
      db.startSession("s-5", T0.plusSeconds(300)); // a new session after the rebuild, with an id below those shipped
      assertTrue(shipper.ship().problem().isEmpty());
      assertSameRows(db, source("rebuilt", "laptop-5", 1));
    }
  }

  /** A project without subagents: its file has tool uses and sessions only, and is told by them. */
  @Test
  void aFileOfToolUsesOnlyMadeAgainIsTheNextEpoch() throws Exception {
    Path path = dir.resolve("agent_workflow.db");
    HookDatabase db = HookDatabase.create(path);
    for (int i = 0; i < 4; i++) {
      db.startSession("t-" + i, T0.plusSeconds(60L * i));
      long tool = db.startTool("t-" + i, "direct", null, "Read", T0.plusSeconds(60L * i + 1), 1);
      db.finishTool(tool, T0.plusSeconds(60L * i + 2), "completed", 1.0);
    }
    try (Shipper shipper = store.shipper(path, "tools-only", "laptop-6", false)) {
      assertTrue(shipper.ship().problem().isEmpty());
      Files.delete(path);
      HookDatabase remade = HookDatabase.create(path);
      remade.startSession("u-0", T0.plusSeconds(900));
      long tool = remade.startTool("u-0", "direct", null, "Bash", T0.plusSeconds(901), 1);
      remade.finishTool(tool, T0.plusSeconds(903), "error", 2.0);
      assertTrue(shipper.ship().problem().isEmpty());
      assertSameRows(remade, source("tools-only", "laptop-6", 2));
      assertEquals(4, store.number("SELECT count(*) FROM agent_tool_uses WHERE source_id = "
          + source("tools-only", "laptop-6", 1)), "the first file's rows stay as they were");
    }
  }

  /** The file gone for a round, then made again: whatever its inode, it is told from the one before. */
  @Test
  void aFileMissingForARoundThenMadeAgainIsTheNextEpoch() throws Exception {
    Path path = dir.resolve("agent_workflow.db");
    HookDatabase db = HookDatabase.create(path);
    write(db, "m", 3, 0);
    try (Shipper shipper = store.shipper(path, "missing", "laptop-7", false)) {
      assertTrue(shipper.ship().problem().isEmpty());
      Files.delete(path);
      Shipper.Shipped gone = shipper.ship();
      assertTrue(gone.problem().isPresent() && gone.problem().get().contains("does not exist"), gone.toString());
      HookDatabase remade = HookDatabase.create(path);
      write(remade, "n", 2, 0);
      assertTrue(shipper.ship().problem().isEmpty());
      assertSameRows(remade, source("missing", "laptop-7", 2));
    }
  }

  /**
   * Two files shipped as one project and host (two clones on one machine): each keeps its epoch,
   * its shipper started again goes on with it, and no row is shipped twice.
   */
  @Test
  void twoFilesOfOneProjectAndHostKeepTheirOwnEpochs() throws Exception {
    HookDatabase one = HookDatabase.create(Files.createDirectories(dir.resolve("one")).resolve("agent_workflow.db"));
    HookDatabase other = HookDatabase.create(Files.createDirectories(dir.resolve("other")).resolve("agent_workflow.db"));
    write(one, "one", 3, 0);
    write(other, "other", 4, 0);
    for (int restart = 0; restart < 3; restart++) {
      for (HookDatabase db : List.of(one, other)) {
        try (Shipper shipper = store.shipper(db.path(), "clones", "laptop-8", false)) {
          assertTrue(shipper.ship().problem().isEmpty());
        }
      }
    }
    assertEquals(2, store.number("SELECT count(*) FROM agent_workflow_sources WHERE project = 'clones'"));
    assertSameRows(one, source("clones", "laptop-8", 1));
    assertSameRows(other, source("clones", "laptop-8", 2));
  }

  /** The newest sessions deleted from the file: SQLite gives their row ids again, and the new rows are shipped. */
  @Test
  void sessionsUnderRowIdsGivenAgainAreShipped() throws Exception {
    HookDatabase db = HookDatabase.create(dir.resolve("agent_workflow.db"));
    for (int i = 0; i < 4; i++) {
      db.startSession("g-" + i, T0.plusSeconds(60L * i));
      db.stopSession("g-" + i, T0.plusSeconds(60L * i + 30));
    }
    try (Shipper shipper = store.shipper(db.path(), "given-again", "laptop-9", false)) {
      assertTrue(shipper.ship().problem().isEmpty());
      db.execute("DELETE FROM sessions WHERE session_id IN ('g-2', 'g-3')"); // old sessions cleaned up
      db.startSession("g-4", T0.plusSeconds(600)); // takes row id 3 again
      assertTrue(shipper.ship().problem().isEmpty());
      long source = source("given-again", "laptop-9", 1);
      assertEquals(1, store.number("SELECT count(*) FROM sessions WHERE source_id = " + source
          + " AND session_id = 'g-4' AND row_id = 3"));
    }
  }

  @Test
  void theExportersRoleReadsAndCannotWrite() throws Exception {
    try (Connection c = store.server().connect(TeamStore.DATABASE, TeamStore.EXPORTER, "exporter's secret");
        Statement s = c.createStatement()) {
      try (ResultSet rs = s.executeQuery("SELECT count(*) FROM agent_invocations")) {
        assertTrue(rs.next());
      }
      SQLException refused = assertThrows(SQLException.class,
          () -> s.executeUpdate("INSERT INTO agent_workflow_sources (project, host, epoch) VALUES ('x', 'y', 1)"));
      assertTrue(List.of("25006", "42501").contains(refused.getSQLState()), refused.toString());
    }
    assertFalse(store.uri(TeamStore.SHIPPER).contains("secret"), "no password in a URI");
  }
}
