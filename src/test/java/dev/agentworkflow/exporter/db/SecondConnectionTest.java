package dev.agentworkflow.exporter.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The second connection of a split read: none when the path no longer shows the file the first
 * one reads, before or after the open; kept while the first is open, and closed with it.
 */
class SecondConnectionTest {
  @TempDir
  Path dir;

  @Test
  void noSecondConnectionWhenThePathShowsAnotherFileBeforeOrAfterTheOpen() throws Exception {
    try (WorkflowDatabase database = database()) {
      database.connection();
      assertNull(database.secondConnection(() -> false));
      AtomicInteger asked = new AtomicInteger();
      assertNull(database.secondConnection(() -> asked.incrementAndGet() == 1), "the file changed during the open");
      assertEquals(2, asked.get());
    }
  }

  @Test
  void theSecondConnectionReadsTheFileIsKeptAndClosesWithTheFirst() throws Exception {
    Connection second;
    try (WorkflowDatabase database = database()) {
      database.connection();
      second = database.secondConnection(() -> true);
      assertSame(second, database.secondConnection(() -> false), "kept: not opened or checked again");
      try (Statement s = second.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM t")) {
        assertTrue(rs.next());
        assertEquals(3, rs.getInt(1));
      }
      assertFalse(second.isClosed());
    }
    assertTrue(second.isClosed());
  }

  private WorkflowDatabase database() throws Exception {
    Path file = dir.resolve("agent_workflow.db");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY)");
      s.execute("INSERT INTO t DEFAULT VALUES");
      s.execute("INSERT INTO t DEFAULT VALUES");
      s.execute("INSERT INTO t DEFAULT VALUES");
    }
    return new WorkflowDatabase(file, Duration.ofSeconds(1), WorkflowDatabase.DEFAULT_CACHE_KIB);
  }
}
