package dev.agentworkflow.exporter.it;

import static dev.agentworkflow.exporter.support.HttpCalls.basic;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentworkflow.exporter.support.Exposition;
import dev.agentworkflow.exporter.support.HookDatabase;
import dev.agentworkflow.exporter.support.Htpasswd;
import dev.agentworkflow.exporter.support.LogLines;
import dev.agentworkflow.exporter.support.Scraper;
import dev.agentworkflow.exporter.support.TeamStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The packaged jar as users start it: picks up a database that appears, stops cleanly on signals. */
class ExporterProcessIT {
  private static final Duration START = Duration.ofSeconds(30);
  private static final String SERVING = "serving http://127\\.0\\.0\\.1:(\\d+)/metrics";

  @TempDir
  Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"TERM", "INT"})
  void waitsForTheDatabaseThenStopsOnASignalWithExitZeroWithinTwoSeconds(String signal) throws Exception {
    try (ExporterProcess exporter = ExporterProcess.start(dir,
        "--db", "logs/agent_workflow.db", "--bind", "127.0.0.1", "--port", "0", "--interval", "1")) {
      Scraper scraper = new Scraper(Integer.parseInt(exporter.await(SERVING, START)));
      exporter.await("the database file logs/agent_workflow\\.db does not exist; waiting for it to appear", START);
      Exposition waiting = scraper.metrics();
      assertEquals(0, waiting.value("agent_workflow_database_up"));
      assertEquals(1, waiting.value("agent_workflow_database_info", "path", "logs/agent_workflow.db"));

      Files.createDirectories(dir.resolve("logs"));
      HookDatabase db = HookDatabase.create(dir.resolve("logs/agent_workflow.db"));
      long id = db.startAgent("s1", "planning", "architect", Instant.now());
      db.finishAgent(id, Instant.now(), "completed", 3.0, "m");
      awaitValue(scraper, "phase_distribution_total{phase=\"planning\"}", 1);

      long signalled = System.nanoTime();
      exporter.signal(signal);
      assertEquals(0, exporter.exitCode(Duration.ofSeconds(2)), exporter.stderr());
      long millis = (System.nanoTime() - signalled) / 1_000_000;
      assertTrue(millis < 2000, "took " + millis + " ms");
      assertFalse(LogLines.hasStackTrace(exporter.stderr()), "no stack trace for a missing file");
    }
  }

  /**
   * Issue 12: SIGHUP ended the process with exit code 129 and no line. It reloads the configuration
   * files, as most exporters do: here a web configuration file edited without any request in between
   * (requests look at it at most once a second), so only the signal can have applied it.
   */
  @Test
  void sighupReloadsTheWebConfigurationFileAndTheProcessKeepsServing() throws Exception {
    Path config = dir.resolve("web.yml");
    Files.writeString(config, "basic_auth_users:\n  alice: " + Htpasswd.hash("alice-pw", 4) + "\n");
    try (ExporterProcess exporter = ExporterProcess.start(dir, "--db", "agent_workflow.db", "--bind", "127.0.0.1",
        "--port", "0", "--interval", "1", "--web-config-file", config.toString())) {
      Scraper scraper = new Scraper(Integer.parseInt(exporter.await(SERVING, START)));
      assertEquals(200, scraper.get("/metrics", "Authorization", basic("alice", "alice-pw")).statusCode());

      Files.writeString(config, "basic_auth_users:\n  bob: " + Htpasswd.hash("bob-pw", 4) + "\n");
      exporter.signal("HUP");
      exporter.await(LogLines.event("INFO", "Foreground", "SIGHUP: reloading the configuration files"), START);
      exporter.await(LogLines.event("INFO", "LiveWebConfig", "web config reloaded;[^\"]*"), START);
      assertTrue(exporter.isAlive());
      assertEquals(200, scraper.get("/metrics", "Authorization", basic("bob", "bob-pw")).statusCode());
      assertEquals(401, scraper.get("/metrics", "Authorization", basic("alice", "alice-pw")).statusCode());

      exporter.signal("TERM");
      assertEquals(0, exporter.exitCode(Duration.ofSeconds(2)), exporter.stderr());
      assertFalse(LogLines.hasStackTrace(exporter.stderr()), exporter.stderr());
    }
  }

  @Test
  void sighupWithoutAConfigurationFileIsLoggedAndChangesNothing() throws Exception {
    try (ExporterProcess exporter = ExporterProcess.start(dir, "--db", "agent_workflow.db", "--bind", "127.0.0.1",
        "--port", "0", "--interval", "1")) {
      Scraper scraper = new Scraper(Integer.parseInt(exporter.await(SERVING, START)));
      exporter.signal("HUP");
      exporter.await(LogLines.event("INFO", "Foreground", "SIGHUP: reloading the configuration files"), START);
      assertEquals(200, scraper.get("/-/healthy").statusCode());
      assertTrue(exporter.isAlive());
      exporter.signal("TERM");
      assertEquals(0, exporter.exitCode(Duration.ofSeconds(2)), exporter.stderr());
    }
  }

  @Test
  void theDemoShowsHistoryAndLiveActivityAndCanBeRestartedOnItsOwnFile() throws Exception {
    Path demoDb = dir.resolve("demo/agent_workflow.db");
    double history;
    try (ExporterProcess demo = ExporterProcess.start(dir, "demo", "--port", "0", "--interval", "1", "--db",
        demoDb.toString())) {
      Scraper scraper = new Scraper(Integer.parseInt(demo.await("Metrics: +http://localhost:(\\d+)/metrics", START)));
      Exposition first = scraper.metrics();
      assertEquals(1, first.value("agent_workflow_database_up"));
      history = first.sum("agent_invocation_total");
      assertTrue(history > 300, "a day of history, got " + history);
      assertEquals(first.sum("agent_invocation_total"), first.sum("phase_distribution_total"));
      assertEquals(18, first.value("total_unique_agents"));
      assertTrue(first.value("total_sessions") >= 48);
      // the live writer finishes its first agents within seconds
      awaitValue(scraper, "agent_invocation_total", history + 1);
      demo.signal("TERM");
      assertEquals(0, demo.exitCode(Duration.ofSeconds(2)), demo.stderr());
    }
    try (ExporterProcess again = ExporterProcess.start(dir, "demo", "--port", "0", "--db", demoDb.toString())) {
      Scraper scraper = new Scraper(Integer.parseInt(again.await("Metrics: +http://localhost:(\\d+)/metrics", START)));
      assertTrue(scraper.metrics().sum("agent_invocation_total") >= history, "kept its history");
      again.signal("TERM");
      assertEquals(0, again.exitCode(Duration.ofSeconds(2)));
    }
  }

  /**
   * {@code demo --ship-to}: the whole path of docs/postgresql.md in one command, on a real
   * PostgreSQL set up as the docs say: the demo's day of history shipped as project demo, the
   * store exported, and the live activity arriving through the shipper.
   */
  @Test
  void theDemoShipsToTheStoreAndExportsIt() throws Exception {
    try (TeamStore store = TeamStore.start(Files.createDirectories(dir.resolve("pg")))) {
      Path password = Files.writeString(dir.resolve("password"), TeamStore.SHIPPER_PASSWORD + "\n");
      try (ExporterProcess demo = ExporterProcess.start(dir, "demo", "--port", "0", "--interval", "1", "--db",
          dir.resolve("demo/agent_workflow.db").toString(), "--ship-to", store.uri(TeamStore.SHIPPER),
          "--db-password-file", password.toString())) {
        Scraper scraper = new Scraper(Integer.parseInt(demo.await("Metrics: +http://localhost:(\\d+)/metrics", START)));
        Exposition first = scraper.metrics();
        assertEquals(1, first.value("agent_workflow_store_up"));
        assertEquals(1, first.value("agent_workflow_database_up", "project", "demo"));
        double history = first.sum("agent_invocation_total");
        assertTrue(history > 300, "a day of history, got " + history);
        assertTrue(store.number("SELECT count(*) FROM agent_invocations_by_project WHERE project = 'demo'") > history,
            "the history is in the store (with its subagent_stop rows, which count nowhere)");
        awaitValue(scraper, "agent_invocation_total", history + 1); // live agents, shipped every 2 s
        demo.signal("TERM");
        assertEquals(0, demo.exitCode(Duration.ofSeconds(5)), demo.stderr());
      }
    }
  }

  @Test
  void theDemoRefusesAFileItDidNotCreate() throws Exception {
    Path real = dir.resolve("agent_workflow.db");
    HookDatabase db = HookDatabase.create(real);
    db.startAgent("s1", "planning", "architect", Instant.now());
    byte[] before = Files.readAllBytes(real);
    try (ExporterProcess demo = ExporterProcess.start(dir, "demo", "--port", "0", "--db", real.toString())) {
      assertEquals(2, demo.exitCode(Duration.ofSeconds(30)));
      String err = demo.stderr();
      assertEquals(1, err.lines().count(), err);
      assertTrue(err.contains("refusing to write into " + real + ": it exists and was not created by the demo"), err);
    }
    assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(real)), "the file was changed");
  }

  /** Scrapes until the sum of the series matching {@code series} (a whole key or a name) reaches {@code atLeast}. */
  private static void awaitValue(Scraper scraper, String series, double atLeast) throws Exception {
    long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    double seen = Double.NaN;
    while (System.nanoTime() < end) {
      Exposition m = scraper.metrics();
      seen = m.all().containsKey(series) ? m.all().get(series) : m.sum(series);
      if (seen >= atLeast) {
        return;
      }
      Thread.sleep(200);
    }
    throw new AssertionError(series + " stayed at " + seen + ", below " + atLeast);
  }
}
