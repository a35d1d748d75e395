package dev.agentworkflow.exporter.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.agentworkflow.exporter.it.ExporterProcess;
import dev.agentworkflow.exporter.support.Await;
import dev.agentworkflow.exporter.support.Exposition;
import dev.agentworkflow.exporter.support.HookDatabase;
import dev.agentworkflow.exporter.support.LogLines;
import dev.agentworkflow.exporter.support.OtherUser;
import dev.agentworkflow.exporter.support.Scraper;
import dev.agentworkflow.exporter.support.SqlTotals;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Case 13, a failure that lasts is logged once when it starts and once when it ends, whatever its
 * kind: a file corrupted in place, a hot journal beside it, a WAL database in a folder the
 * exporter may not write, {@code agent_invocations} a view. Over many failed polls the log has
 * one problem line, and after the repair one recovery line; "counting it from scratch" only when
 * something counted is dropped.
 */
@Tag("reliability")
class LogOnceIT {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String SERVING = "serving http://127\\.0\\.0\\.1:(\\d+)/metrics";
  private static final int FAILED_POLLS = 6;

  @TempDir
  Path dir;

  @Test
  void aFileCorruptedInPlaceAndRestored() throws Exception {
    Path file = dir.resolve("agent_workflow.db");
    HookDatabase db = good(file);
    byte[] intact = Files.readAllBytes(file);
    try (ExporterProcess exporter = start(dir, List.of())) {
      Scraper scraper = scraper(exporter);
      awaitExact(scraper, db);
      try (RandomAccessFile raw = new RandomAccessFile(file.toFile(), "rw")) { // garbage over pages 2 to the end
        byte[] junk = new byte[(int) raw.length() - 4096];
        new Random(3).nextBytes(junk);
        raw.seek(4096);
        raw.write(junk);
      }
      awaitFailedPolls(scraper);
      Files.write(file, intact); // restored in place, as from a backup
      awaitExact(scraper, db);
      assertLoggedOnce(exporter, "SQLITE_CORRUPT", 0);
    }
  }

  @Test
  void aHotJournalBesideTheFile() throws Exception {
    Path file = dir.resolve("agent_workflow.db");
    HookDatabase db = good(file);
    // a writer that died in the middle of a transaction: its journal is hot, and the file has pages
    // of the transaction that only a rollback (a write the exporter may not do) takes out again
    Path copy = dir.resolve("copy");
    Files.createDirectories(copy);
    try (Connection writer = db.connect(); Statement s = writer.createStatement()) {
      s.execute("PRAGMA cache_size = 1"); // spill the transaction's pages to the file before it commits
      writer.setAutoCommit(false);
      s.executeUpdate("UPDATE agent_invocations SET prompt = hex(randomblob(3000))");
      Files.copy(file, copy.resolve("agent_workflow.db"));
      Files.copy(dir.resolve("agent_workflow.db-journal"), copy.resolve("agent_workflow.db-journal"));
      writer.rollback();
    }
    HookDatabase hot = HookDatabase.open(copy.resolve("agent_workflow.db"));
    try (ExporterProcess exporter = start(copy, List.of())) {
      Scraper scraper = scraper(exporter);
      awaitFailedPolls(scraper);
      try (Connection repair = hot.connect(); Statement s = repair.createStatement()) {
        s.executeQuery("SELECT count(*) FROM agent_invocations").close(); // a writer rolls the journal back
      }
      awaitExact(scraper, hot);
      assertLoggedOnce(exporter, "cannot read", 0);
    }
  }

  @Test
  void aWalDatabaseInAFolderTheExporterMayNotWrite() throws Exception {
    List<String> asNobody = OtherUser.nobody();
    Path folder = Files.createDirectories(Path.of("/tmp", "agent-workflow-wal-" + ProcessHandle.current().pid()));
    try {
      Path file = folder.resolve("agent_workflow.db");
      HookDatabase db = good(file);
      db.execute("PRAGMA journal_mode = WAL"); // the last connection to close removes -wal and -shm
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
      Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("r-xr-xr-x"));
      // no state file: nobody may not write a folder in this one (the unit's StateDirectory= is writable); a state
      // folder that cannot be written is RestartIT's
      try (ExporterProcess exporter = start(folder, asNobody, "--state-file", "none")) {
        Scraper scraper = scraper(exporter);
        awaitFailedPolls(scraper);
        Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwxrwxrwx")); // BindPaths= instead
        awaitExact(scraper, db);
        assertLoggedOnce(exporter, "cannot read", 0);
      }
    } finally {
      Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwxrwxrwx"));
      Files.walk(folder).sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  @Test
  void invocationsThatAreAView() throws Exception {
    Path file = dir.resolve("agent_workflow.db");
    HookDatabase db = good(file);
    db.execute("ALTER TABLE agent_invocations RENAME TO invocation_rows");
    db.execute("CREATE VIEW agent_invocations AS SELECT * FROM invocation_rows");
    try (ExporterProcess exporter = start(dir, List.of())) {
      Scraper scraper = scraper(exporter);
      awaitFailedPolls(scraper);
      db.execute("DROP VIEW agent_invocations");
      db.execute("ALTER TABLE invocation_rows RENAME TO agent_invocations");
      awaitExact(scraper, db);
      assertLoggedOnce(exporter, "cannot read", 0);
    }
  }

  private static ExporterProcess start(Path workDir, List<String> prefix, String... more) throws Exception {
    List<String> args = new ArrayList<>(List.of("--db", "agent_workflow.db", "--bind", "127.0.0.1", "--port", "0",
        "--interval", "1"));
    args.addAll(List.of(more));
    return ExporterProcess.start(prefix, List.of(), workDir, args.toArray(String[]::new));
  }

  private static Scraper scraper(ExporterProcess exporter) throws Exception {
    return new Scraper(Integer.parseInt(exporter.await(SERVING, WAIT)));
  }

  /** Three finished invocations, one running, and a session. */
  private static HookDatabase good(Path file) throws Exception {
    HookDatabase db = HookDatabase.create(file);
    db.startSession("s", Instant.now());
    for (int i = 0; i < 3; i++) {
      long id = db.startAgent("s", "review", "test-validator", Instant.now());
      db.finishAgent(id, Instant.now(), i == 1 ? "failed" : "completed", 2.0, "m");
    }
    db.startAgent("s", "review", "security-reviewer", Instant.now());
    return db;
  }

  /** Many polls in a row fail: the first failure plus {@value #FAILED_POLLS} more. */
  private static void awaitFailedPolls(Scraper scraper) throws Exception {
    double[] first = {-1};
    Await.until(FAILED_POLLS + " failed polls", WAIT, () -> {
      Exposition m = scraper.metrics();
      if (m.value("agent_workflow_database_up") != 0) {
        return false;
      }
      if (first[0] < 0) {
        first[0] = m.value("agent_workflow_exporter_poll_errors_total");
      }
      return m.value("agent_workflow_exporter_poll_errors_total") >= first[0] + FAILED_POLLS;
    });
  }

  private static void awaitExact(Scraper scraper, HookDatabase db) throws Exception {
    Await.until("the database counted exactly", WAIT, () -> {
      Exposition m = scraper.metrics();
      try (Connection c = db.connect()) {
        return m.value("agent_workflow_database_up") == 1 && SqlTotals.counters(c).equals(SqlTotals.scraped(m))
            && m.value("parallel_executions_current") == SqlTotals.running(c)
            && m.value("active_sessions_count") == SqlTotals.activeSessions(c);
      }
    });
  }

  /** One problem line (matching {@code problem}), one recovery line, {@code fromScratch} lines that start over. */
  private static void assertLoggedOnce(ExporterProcess exporter, String problem, int fromScratch) throws Exception {
    String log = exporter.stderr();
    System.out.println("REPORT log once, the exporter's log:\n" + log);
    List<String> problems = new ArrayList<>();
    problems.addAll(LogLines.problems(log));
    assertEquals(1, problems.size(), "one problem line:\n" + log);
    assertEquals(1, problems.stream().filter(l -> l.contains(problem)).count(), log);
    assertEquals(1, log.lines().filter(l -> l.contains("is readable again")).count(), "one recovery line:\n" + log);
    assertEquals(fromScratch, log.lines().filter(l -> l.contains("counting it from scratch")).count(), log);
    assertFalse(LogLines.hasStackTrace(log), log);
  }
}
