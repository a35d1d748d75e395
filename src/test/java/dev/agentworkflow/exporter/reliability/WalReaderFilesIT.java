package dev.agentworkflow.exporter.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentworkflow.exporter.it.ExporterProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the exporter's read-only connection leaves beside a WAL database, as docs/reliability.md ("We
 * never write"), the systemd unit and {@code WorkflowDatabase} describe it: with no writer connected,
 * SQLite creates the {@code -wal} and {@code -shm} files for the reader, and they belong to the
 * reader's user.
 */
@Tag("reliability")
class WalReaderFilesIT {
  private static final Duration EXIT = Duration.ofSeconds(30);
  private static final String WRITE = """
      import sqlite3, sys
      c = sqlite3.connect(sys.argv[1])
      c.execute("PRAGMA journal_mode=WAL")
      c.execute("CREATE TABLE IF NOT EXISTS agent_invocations (id INTEGER PRIMARY KEY, agent_name TEXT)")
      c.execute("INSERT INTO agent_invocations (agent_name) VALUES ('architect')")
      c.commit()
      c.close()
      """;

  @TempDir
  Path dir;

  @Test
  void aReaderCreatesTheWalAndShmFilesWhenNoWriterHasTheDatabaseOpenAndTheLastWriterRemovesThem()
      throws Exception {
    Path db = dir.resolve("agent_workflow.db");
    write(db);
    assertFalse(Files.exists(wal(db)) || Files.exists(shm(db)), "the writer's close removed both");

    try (ExporterProcess once = ExporterProcess.start(dir, "--once", "--db", db.toString(), "--log-level", "warn")) {
      assertEquals(0, once.exitCode(EXIT), once.stderr());
    }
    assertEquals(0, Files.size(wal(db)), "an empty -wal, left after the exporter exited");
    assertEquals(32768, Files.size(shm(db)), "a -shm index, left after the exporter exited");

    write(db);
    assertFalse(Files.exists(wal(db)) || Files.exists(shm(db)), "the next writer's close removed both");
  }

  @Test
  void filesCreatedByAReaderOfAnotherUserStopTheWriters() throws Exception {
    boolean root = "root".equals(System.getProperty("user.name"));
    boolean runuser = Files.isExecutable(Path.of("/usr/sbin/runuser")) || Files.isExecutable(Path.of("/sbin/runuser"));
    Assumptions.assumeTrue(root && runuser, "SKIPPED: needs root and runuser to run two users (CI runs as root)");
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx")); // both may create files
    Path db = dir.resolve("agent_workflow.db");
    assertEquals("", python("daemon", db), "the writers' user makes the database");

    try (ExporterProcess once = ExporterProcess.start(List.of("runuser", "-u", "nobody", "--"), dir,
        "--once", "--db", db.toString(), "--log-level", "warn")) {
      assertEquals(0, once.exitCode(EXIT), once.stderr());
    }
    assertEquals("nobody", Files.getOwner(wal(db)).getName());
    assertEquals("nobody", Files.getOwner(shm(db)).getName());
    assertTrue(python("daemon", db).contains("attempt to write a readonly database"));
  }

  private static void write(Path db) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
      s.execute("PRAGMA journal_mode=WAL");
      s.execute("CREATE TABLE IF NOT EXISTS agent_invocations (id INTEGER PRIMARY KEY, agent_name TEXT)");
      s.execute("INSERT INTO agent_invocations (agent_name) VALUES ('architect')");
    }
  }

  /** The writer as {@code user}; its error output, empty when it wrote. */
  private static String python(String user, Path db) throws Exception {
    Process p = new ProcessBuilder("runuser", "-u", user, "--", "python3", "-c", WRITE, db.toString())
        .redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    return output;
  }

  private static Path wal(Path db) {
    return db.resolveSibling(db.getFileName() + "-wal");
  }

  private static Path shm(Path db) {
    return db.resolveSibling(db.getFileName() + "-shm");
  }
}
