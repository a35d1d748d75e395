package dev.agentworkflow.exporter.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentworkflow.exporter.it.ExporterProcess;
import dev.agentworkflow.exporter.support.Await;
import dev.agentworkflow.exporter.support.Exposition;
import dev.agentworkflow.exporter.support.HookDatabase;
import dev.agentworkflow.exporter.support.LogLines;
import dev.agentworkflow.exporter.support.OtherUser;
import dev.agentworkflow.exporter.support.Scraper;
import dev.agentworkflow.exporter.support.SqlTotals;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Case 4, bad files and schemas, under the packaged exporter: it keeps serving through each,
 * says {@code agent_workflow_database_up 0} where the file cannot be read, logs why in one line,
 * and counts the good data that follows exactly.
 */
@Tag("reliability")
class BadFilesIT {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String SERVING = "serving http://127\\.0\\.0\\.1:(\\d+)/metrics";

  @TempDir
  Path dir;

  private Path file;
  private Scraper scraper;

  @Test
  void everyBadFileIsSurvivedAndTheGoodOneAfterItIsCountedExactly() throws Exception {
    file = dir.resolve("agent_workflow.db");
    try (ExporterProcess exporter = ExporterProcess.start(dir, "--db", "agent_workflow.db", "--bind", "127.0.0.1",
        "--port", "0", "--interval", "1")) {
      scraper = new Scraper(Integer.parseInt(exporter.await(SERVING, WAIT)));

      Files.createFile(file); // an empty file is an empty database
      awaitUp(1);
      assertEquals(0, scraper.metrics().seriesOf("agent_invocation_total").size());

      replace(() -> Files.writeString(file, "not a database, just text\n".repeat(500)));
      awaitUp(0);
      exporter.await("cannot read agent_workflow\\.db: \\[SQLITE_NOTADB\\]", WAIT);
      awaitExact(good(3, 1));

      // cut in half, in place, while the exporter has it open
      try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
        channel.truncate(channel.size() / 2);
      }
      awaitUp(0);
      exporter.await("cannot read agent_workflow\\.db: \\[SQLITE_CORRUPT\\]", WAIT);
      awaitExact(good(4, 2));

      try (RandomAccessFile raw = new RandomAccessFile(file.toFile(), "rw")) { // garbage over pages 2 to the end
        byte[] junk = new byte[(int) raw.length() - 4096];
        new Random(1).nextBytes(junk);
        raw.seek(4096);
        raw.write(junk);
      }
      awaitUp(0);
      awaitExact(good(2, 3));

      replace(() -> HookDatabase.createEmpty(file).execute("CREATE TABLE unrelated (x)"));
      Await.until("a database with no tables read as empty", WAIT, () -> {
        Exposition m = scraper.metrics();
        return m.value("agent_workflow_database_up") == 1 && m.seriesOf("agent_invocation_total").isEmpty();
      });

      // an old hook version's table: no model, end_time or duration_seconds; and a column of another tool
      replace(() -> {
        HookDatabase old = HookDatabase.createEmpty(file);
        old.execute("CREATE TABLE agent_invocations (id INTEGER PRIMARY KEY AUTOINCREMENT, agent_name TEXT, phase TEXT, "
            + "status TEXT, start_time TIMESTAMP, other_tool BLOB)");
        old.execute("INSERT INTO agent_invocations (agent_name, phase, status, start_time, other_tool) VALUES "
            + "('architect', 'planning', 'completed', '2025-08-15T10:00:00', x'00ff'), ('architect', 'planning', 'started', NULL, NULL)");
      });
      Await.until("the old schema counted", WAIT, () -> {
        Exposition m = scraper.metrics();
        return m.value("agent_workflow_database_up") == 1 && m.sum("agent_invocation_total") == 1
            && m.value("agent_invocation_total", "agent_name", "architect", "phase", "planning", "status", "completed",
                "model", "unknown") == 1;
      });

      // wrong types: text in duration_seconds, numbers in start_time and end_time
      replace(() -> {
        HookDatabase typed = HookDatabase.create(file);
        typed.execute("INSERT INTO agent_invocations (agent_name, phase, status, model, start_time, end_time, duration_seconds) "
            + "VALUES ('architect', 'planning', 'completed', 'm', 1755252000, 1755252030.5, 'slow'), "
            + "('architect', 'planning', 'completed', 'm', 1755252000, 1755252030.5, NULL)");
      });
      awaitExact(HookDatabase.open(file));
      assertEquals(1, scraper.metrics().value("agent_duration_seconds_count",
          "agent_name", "architect", "phase", "planning", "model", "m"), "'slow' is no duration; NULL gives 30.5 s");

      replace(() -> Files.createDirectory(file));
      awaitUp(0);
      exporter.await("agent_workflow\\.db is not a regular file", WAIT);
      Files.delete(file);
      awaitExact(good(5, 4));

      String log = exporter.stderr();
      System.out.println("REPORT bad files, the exporter's log:\n" + log);
      assertFalse(LogLines.hasStackTrace(log), "no stack trace for an expected condition:\n" + log);
      assertEquals(1, log.lines().filter(l -> l.contains("SQLITE_NOTADB")).count(), "once per distinct cause:\n" + log);
    }
  }

  @Test
  void aFileTheExporterMayNotReadIsReportedAndPickedUpOnceReadable() throws Exception {
    List<String> asNobody = OtherUser.nobody();
    Path shared = Files.createDirectories(Path.of("/tmp", "agent-workflow-unreadable-" + ProcessHandle.current().pid()));
    Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
    Path db = shared.resolve("agent_workflow.db");
    HookDatabase hooks = HookDatabase.create(db);
    long id = hooks.startAgent("s", "planning", "architect", Instant.now());
    hooks.finishAgent(id, Instant.now(), "completed", 1.0, "m");
    Files.setPosixFilePermissions(db, PosixFilePermissions.fromString("---------"));
    try (ExporterProcess exporter = ExporterProcess.start(asNobody, shared,
        "--db", db.toString(), "--bind", "127.0.0.1", "--port", "0", "--interval", "1")) {
      scraper = new Scraper(Integer.parseInt(exporter.await(SERVING, WAIT)));
      awaitUp(0);
      exporter.await("cannot read " + db + ": \\[SQLITE_CANTOPEN\\]", WAIT);
      Files.setPosixFilePermissions(db, PosixFilePermissions.fromString("rw-r--r--"));
      file = db;
      awaitExact(hooks);
      assertFalse(LogLines.hasStackTrace(exporter.stderr()));
    } finally {
      Files.walk(shared).sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  /**
   * A folder on a --db-glob's way that exists but can no longer be listed (an automount's hiccup, a
   * mode changed) does not make the databases found below it disappear: they are still read, and
   * the log says once which folder could not be listed.
   */
  @Test
  void aFolderTheGlobCanNoLongerListKeepsTheDatabasesFoundBelowIt() throws Exception {
    List<String> asNobody = OtherUser.nobody();
    Path shared = Files.createDirectories(Path.of("/tmp", "agent-workflow-unlistable-" + ProcessHandle.current().pid()));
    Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path team = shared.resolve("team");
    Path db = team.resolve("app/logs/agent_workflow.db");
    Files.createDirectories(db.getParent());
    HookDatabase hooks = HookDatabase.create(db);
    long id = hooks.startAgent("s", "planning", "architect", Instant.now());
    hooks.finishAgent(id, Instant.now(), "completed", 1.0, "m");
    try (ExporterProcess exporter = ExporterProcess.start(asNobody, shared, "--db-glob",
        shared + "/*/*/logs/agent_workflow.db", "--db-glob-interval", "1s", "--bind", "127.0.0.1", "--port", "0",
        "--interval", "1")) {
      scraper = new Scraper(Integer.parseInt(exporter.await(SERVING, WAIT)));
      Await.until("app read", WAIT, () -> invocations(scraper.metrics()) == 1);
      Files.setPosixFilePermissions(team, PosixFilePermissions.fromString("rwx--x--x")); // enter, not list
      exporter.await("--db-glob cannot list " + team + ": databases below it are neither found nor given up", WAIT);
      long more = hooks.startAgent("s", "planning", "architect", Instant.now());
      hooks.finishAgent(more, Instant.now(), "completed", 1.0, "m");
      Await.until("the row written since counted", WAIT, () -> invocations(scraper.metrics()) == 2);
      Exposition metrics = scraper.metrics();
      assertEquals(1, metrics.value("agent_workflow_exporter_databases"));
      assertEquals(1, metrics.value("agent_workflow_database_up", "project", "app"));
      Thread.sleep(2500); // two more looks
      assertEquals(2, invocations(scraper.metrics()));
      String log = exporter.stderr();
      assertEquals(1, log.lines().filter(l -> l.contains("--db-glob cannot list")).count(), "said once:\n" + log);
      assertFalse(log.contains("no longer found"), log);
    } finally {
      Files.setPosixFilePermissions(team, PosixFilePermissions.fromString("rwxr-xr-x"));
      Files.walk(shared).sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  private static double invocations(Exposition metrics) {
    return metrics.has("agent_invocation_total", "project", "app", "agent_name", "architect", "phase", "planning",
        "status", "completed", "model", "m")
        ? metrics.value("agent_invocation_total", "project", "app", "agent_name", "architect", "phase", "planning",
            "status", "completed", "model", "m") : 0;
  }

  private interface Change {
    void apply() throws Exception;
  }

  /** Puts something else at the path, as a user or another tool would. */
  private void replace(Change change) throws Exception {
    if (Files.isDirectory(file)) {
      Files.delete(file);
    } else {
      Files.deleteIfExists(file);
    }
    change.apply();
  }

  /** A good database in place of whatever is there: {@code finished} invocations, one running. */
  private HookDatabase good(int finished, int seed) throws Exception {
    Files.deleteIfExists(file);
    HookDatabase db = HookDatabase.create(file);
    for (int i = 0; i < finished; i++) {
      long id = db.startAgent("s" + seed, "review", "reviewer-" + seed, Instant.now());
      db.finishAgent(id, Instant.now(), i % 2 == 0 ? "completed" : "failed", 2.0, "m");
    }
    db.startAgent("s" + seed, "review", "reviewer-" + seed, Instant.now());
    return db;
  }

  private void awaitUp(int up) throws Exception {
    Await.until("agent_workflow_database_up " + up, WAIT, () -> scraper.metrics().value("agent_workflow_database_up") == up);
  }

  private void awaitExact(HookDatabase db) throws Exception {
    Await.until("the database counted exactly", WAIT, () -> {
      Exposition m = scraper.metrics();
      try (Connection c = db.connect()) {
        return m.value("agent_workflow_database_up") == 1 && SqlTotals.counters(c).equals(SqlTotals.scraped(m))
            && m.value("parallel_executions_current") == SqlTotals.running(c);
      }
    });
    assertTrue(scraper.metrics().sum("agent_invocation_total") >= 0);
  }
}
