package dev.agentworkflow.exporter.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentworkflow.exporter.support.Exposition;
import dev.agentworkflow.exporter.support.HookDatabase;
import dev.agentworkflow.exporter.support.LogLines;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --once} and {@code --textfile}, run as a cron job or a CI step runs them. */
class OneShotIT {
  private static final Duration EXIT = Duration.ofSeconds(30);
  private static final Instant T0 = Instant.parse("2025-08-15T12:00:00Z");

  @TempDir
  Path dir;

  private Path workflow() throws Exception {
    Path file = dir.resolve("agent_workflow.db");
    HookDatabase db = HookDatabase.create(file);
    long a = db.startAgent("s1", "planning", "architect", T0);
    db.finishAgent(a, T0.plusSeconds(90), "completed", 90.0, "claude-opus-4-1");
    long b = db.startAgent("s1", "review", "security-reviewer", T0.plusSeconds(100));
    db.finishAgent(b, T0.plusSeconds(110), "failed", 10.0, "claude-sonnet-4-5");
    return file;
  }

  @Test
  void oncePrintsTheExpositionAndExitsZero() throws Exception {
    Path db = workflow();
    try (ExporterProcess once = ExporterProcess.start(dir, "--once", "--db", db.toString(),
        "--timezone", HookDatabase.ZONE.getId())) {
      assertEquals(0, once.exitCode(EXIT), once.stderr());
      Exposition m = Exposition.parse(once.stdout());
      assertEquals(1, m.value("agent_invocation_total",
          "agent_name", "architect", "phase", "planning", "status", "completed", "model", "claude-opus-4-1"));
      assertEquals(1, m.value("agent_error_total", "agent_name", "security-reviewer", "phase", "review"));
      assertEquals(90, m.value("agent_duration_seconds_sum",
          "agent_name", "architect", "phase", "planning", "model", "claude-opus-4-1"));
      assertEquals(T0.getEpochSecond() + 100, m.value("agent_last_execution_timestamp", "agent_name", "security-reviewer"));
      assertEquals(1, m.value("agent_workflow_database_up"));
      assertFalse(LogLines.hasStackTrace(once.stderr()), "no stack trace");
    }
  }

  /**
   * Issue 15: it printed two lines, the first (the poller's "waiting for it to appear") untrue for
   * a run that ends there, and a state file was looked for.
   */
  @Test
  void onceOnAMissingDatabaseSaysSoInOneLineAtTheDefaultLogLevel() throws Exception {
    for (String option : new String[] {"--once", "--textfile"}) {
      List<String> args = new ArrayList<>(List.of(option));
      if (option.equals("--textfile")) {
        args.add(dir.resolve("out.prom").toString());
      }
      args.addAll(List.of("--db", "missing.db"));
      try (ExporterProcess once = ExporterProcess.start(dir, args.toArray(String[]::new))) {
        assertEquals(1, once.exitCode(EXIT));
        assertEquals("", once.stdout());
        assertEquals("agent-workflow-exporter: the database file missing.db does not exist; no metrics written\n",
            once.stderr());
      }
    }
    assertFalse(Files.exists(dir.resolve("xdg-state")), "no state folder made for a run that read nothing");
    assertFalse(Files.exists(dir.resolve("out.prom")));
  }

  @Test
  void onceOnAMissingOrBrokenDatabaseExitsOneWithOneLineAndPrintsNothing() throws Exception {
    Files.writeString(dir.resolve("notes.db"), "not a database\n".repeat(100));
    for (String[] args : List.of(
        new String[] {"missing.db", "the database file missing.db does not exist; no metrics written"},
        new String[] {"notes.db", "cannot read notes.db: "})) {
      try (ExporterProcess once = ExporterProcess.start(dir, "--once", "--db", args[0], "--log-level", "error")) {
        assertEquals(1, once.exitCode(EXIT));
        assertEquals("", once.stdout());
        String err = once.stderr();
        assertEquals(1, err.lines().count(), err);
        assertTrue(err.startsWith("agent-workflow-exporter: " + args[1]), err);
      }
    }
  }

  @Test
  void textfileIsReplacedAtomicallyAndKeptWhenTheDatabaseCannotBeRead() throws Exception {
    Path db = workflow();
    Path out = dir.resolve("textfile/agent_workflow.prom");
    Files.createDirectories(out.getParent());
    Files.writeString(out, "# an older run\n");
    try (ExporterProcess run = ExporterProcess.start(dir, "--textfile", out.toString(), "--db", db.toString())) {
      assertEquals(0, run.exitCode(EXIT), run.stderr());
      assertEquals("", run.stdout());
    }
    String written = Files.readString(out);
    assertEquals(2, Exposition.parse(written).sum("phase_distribution_total"));
    try (Stream<Path> files = Files.list(out.getParent())) {
      assertEquals(List.of(out), files.toList(), "no temporary file left behind");
    }

    Files.delete(db);
    try (ExporterProcess run = ExporterProcess.start(dir, "--textfile", out.toString(), "--db", db.toString())) {
      assertEquals(1, run.exitCode(EXIT));
    }
    assertEquals(written, Files.readString(out), "the last good file stays");
  }

  @Test
  void logLevelWarnLeavesOutInformation() throws Exception {
    Path db = workflow();
    // without state files: both run at once on one database, and the second would find the first's state file in
    // use (a warning, rightly); what a state file logs is RestartIT's
    try (ExporterProcess quiet = ExporterProcess.start(dir, "--once", "--db", db.toString(), "--log-level", "warn",
            "--state-file", "none");
        ExporterProcess normal = ExporterProcess.start(dir, "--once", "--db", db.toString(), "--state-file", "none")) {
      assertEquals(0, quiet.exitCode(EXIT));
      assertEquals(0, normal.exitCode(EXIT));
      assertEquals("", quiet.stderr());
      // one line per event, logfmt: time, level, source, message
      assertTrue(normal.stderr().lines().findFirst().orElseThrow().matches(LogLines.line("INFO", "Poller", "read .*")),
          normal.stderr());
      assertTrue(normal.stderr().lines().allMatch(line -> line.matches(LogLines.ANY)), normal.stderr());
    }
  }
}
