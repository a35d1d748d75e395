package dev.agentworkflow.exporter.project;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentworkflow.exporter.app.Exporter;
import dev.agentworkflow.exporter.app.ExporterSettings;
import dev.agentworkflow.exporter.state.StateLocation;
import dev.agentworkflow.exporter.support.Exposition;
import dev.agentworkflow.exporter.support.HookDatabase;
import dev.agentworkflow.exporter.support.Scraper;
import dev.agentworkflow.exporter.support.TestSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An exporter of several databases, in this JVM: every project's series are exactly what an
 * exporter of that database alone shows, with {@code project} added, whatever happens to the others.
 */
class ManyDatabasesTest {
  private static final Instant T0 = Instant.parse("2026-11-30T08:00:00Z");
  /** Process-wide, or timing: not the same in two exporters of the same database. */
  private static final List<String> NOT_COMPARED = List.of("agent_workflow_exporter_build_info",
      "agent_workflow_exporter_http_", "agent_workflow_exporter_databases", "agent_workflow_exporter_database_name_",
      "agent_workflow_exporter_poll_duration_seconds", "agent_workflow_exporter_last_poll_success_timestamp_seconds",
      "agent_workflow_exporter_longest_read_seconds", "process_", "jvm_");

  @TempDir
  Path root;

  private final List<Exporter> exporters = new ArrayList<>();

  @AfterEach
  void stop() {
    exporters.forEach(Exporter::close);
  }

  private Path project(String name) {
    return root.resolve(name).resolve("logs").resolve("agent_workflow.db");
  }

  /** A database with {@code runs} finished runs of agents of its own, each with a tool use, and a session. */
  private static HookDatabase written(Path path, String agent, int runs) throws Exception {
    Files.createDirectories(path.getParent());
    HookDatabase db = HookDatabase.create(path);
    add(db, agent, runs, 0);
    return db;
  }

  private static void add(HookDatabase db, String agent, int runs, int from) throws SQLException {
    for (int i = from; i < from + runs; i++) {
      String session = agent + "-session-" + i;
      Instant at = T0.plusSeconds(60L * i);
      db.startSession(session, at);
      long id = db.startAgent(session, i % 2 == 0 ? "planning" : "development", agent + "-" + (i % 3), at);
      long tool = db.startTool(session, agent + "-" + (i % 3), id, i % 2 == 0 ? "Bash" : "Read", at.plusSeconds(1), 1);
      db.finishTool(tool, at.plusSeconds(3), i % 4 == 0 ? "error" : "success", 2.0);
      db.finishAgent(id, at.plusSeconds(5 + i), i % 5 == 0 ? "failed" : "completed", 5.0 + i, "opus");
      db.stopSession(session, at.plusSeconds(30));
    }
  }

  private Exporter start(DatabaseSources sources) throws Exception {
    ExporterSettings s = TestSettings.of(root.resolve("unused.db"));
    Exporter exporter = Exporter.start(new ExporterSettings(s.databasePath(), s.listen(), s.telemetryPath(),
        s.interval(), s.staleAfter(), s.timezone(), s.maxLabelValues(), s.maxSeries(), s.build(), s.web(),
        s.stateFile(), sources), Clock.systemUTC());
    exporters.add(exporter);
    return exporter;
  }

  private static DatabaseSources named(NamedDatabase... databases) {
    return new DatabaseSources(List.of(databases), List.of(), Duration.ofHours(1), Optional.empty());
  }

  private static String scrape(Exporter exporter) throws Exception {
    return new Scraper(exporter.port()).get("/metrics").body();
  }

  /** The series worth comparing between two exporters of one database. */
  private static Map<String, Double> compared(Exposition exposition) {
    Map<String, Double> kept = new TreeMap<>();
    exposition.all().forEach((key, value) -> {
      if (NOT_COMPARED.stream().noneMatch(key::startsWith)) {
        kept.put(key, value);
      }
    });
    return kept;
  }

  /** What an exporter of {@code database} alone shows, each series with {@code project} added. */
  private Map<String, Double> alone(Path database, String project) throws Exception {
    try (Exporter exporter = Exporter.start(TestSettings.of(database), Clock.systemUTC())) {
      exporter.pollNow();
      String text = scrape(exporter);
      assertFalse(text.contains("project="), "one database: no project label");
      return compared(Exposition.parse(text, Map.of("project", project)));
    }
  }

  /** Each project's series are exactly those of an exporter of its database alone; there are no others. */
  private void assertEachAsAlone(Exporter exporter, Map<String, Path> projects) throws Exception {
    exporter.pollAll();
    Map<String, Double> expected = new TreeMap<>();
    for (Map.Entry<String, Path> project : projects.entrySet()) {
      Map<String, Double> one = alone(project.getValue(), project.getKey());
      assertTrue(one.keySet().stream().anyMatch(k -> k.startsWith("agent_invocation_total{")), one.toString());
      expected.putAll(one);
    }
    Exposition scraped = Exposition.parse(scrape(exporter));
    assertEquals(expected, compared(scraped));
    assertEquals(projects.size(), scraped.value("agent_workflow_exporter_databases"));
  }

  private static double finished(Exposition exposition, String project) {
    return exposition.all().entrySet().stream()
        .filter(e -> e.getKey().startsWith("agent_invocation_total{") && e.getKey().contains("project=\"" + project + "\""))
        .mapToDouble(Map.Entry::getValue).sum();
  }

  @Test
  void everyProjectShowsExactlyWhatAnExporterOfItsDatabaseAloneShows() throws Exception {
    HookDatabase alpha = written(root.resolve("one/alpha.db"), "architect", 7);
    HookDatabase beta = written(root.resolve("two/beta.db"), "coder", 4);
    HookDatabase gamma = written(project("gamma"), "tester", 9);
    Exporter exporter = start(named(new NamedDatabase("alpha", alpha.path()), new NamedDatabase("beta", beta.path()),
        new NamedDatabase(ProjectName.of(gamma.path()), gamma.path())));
    Map<String, Path> projects = Map.of("alpha", alpha.path(), "beta", beta.path(), "gamma", gamma.path());
    assertEachAsAlone(exporter, projects);
    Exposition scraped = Exposition.parse(scrape(exporter));
    assertEquals(1, scraped.value("agent_workflow_database_info", "project", "gamma", "path", gamma.path().toString()));
    assertEquals(0, scraped.value("agent_workflow_exporter_database_name_clashes"));
    Exposition one = Exposition.parse(new Scraper(exporter.port())
        .get("/metrics?name[]=agent_workflow_database_up&name[]=agent_invocation_total").body());
    Map<String, Double> asked = new TreeMap<>(scraped.all());
    asked.keySet().removeIf(key -> !key.startsWith("agent_workflow_database_up{")
        && !key.startsWith("agent_invocation_total{"));
    assertEquals(asked, one.all(), "a question by name: those families of every database, and nothing else");

    add(beta, "coder", 3, 4); // the hooks go on writing in one of them
    assertEachAsAlone(exporter, projects);
    assertEquals(3 + 4, Exposition.parse(scrape(exporter)).value("agent_workflow_exporter_rows_read_total",
        "project", "beta", "table", "agent_invocations"));
  }

  @Test
  void aGlobFindsANewProjectAndDropsARemovedOne() throws Exception {
    HookDatabase alpha = written(project("alpha"), "architect", 3);
    Exporter exporter = start(new DatabaseSources(List.of(),
        List.of(DatabaseGlob.of(root + "/*/logs/agent_workflow.db")), Duration.ofHours(1), Optional.empty()));
    assertEachAsAlone(exporter, Map.of("alpha", alpha.path()));

    HookDatabase beta = written(project("beta"), "coder", 5);
    exporter.lookForDatabasesNow();
    assertEachAsAlone(exporter, Map.of("alpha", alpha.path(), "beta", beta.path()));

    Files.delete(alpha.path());
    exporter.lookForDatabasesNow();
    assertEachAsAlone(exporter, Map.of("beta", beta.path()));
    assertFalse(scrape(exporter).contains("project=\"alpha\""));
  }

  @Test
  void aDamagedDatabaseChangesNothingForTheOthers() throws Exception {
    HookDatabase alpha = written(project("alpha"), "architect", 6);
    Path beta = project("beta");
    Files.createDirectories(beta.getParent());
    Files.write(beta, "this is not an SQLite database, and it is long enough to be read as one".repeat(100)
        .getBytes(java.nio.charset.StandardCharsets.UTF_8));
    Exporter exporter = start(named(new NamedDatabase("alpha", alpha.path()), new NamedDatabase("beta", beta)));
    exporter.pollAll();
    exporter.pollAll();
    Exposition scraped = Exposition.parse(scrape(exporter));
    assertEquals(0, scraped.value("agent_workflow_database_up", "project", "beta"));
    assertEquals(3, scraped.value("agent_workflow_exporter_poll_errors_total", "project", "beta")); // start, and two
    assertEquals(1, scraped.value("agent_workflow_database_up", "project", "alpha"));
    Map<String, Double> alphaAlone = alone(alpha.path(), "alpha");
    Map<String, Double> alphaHere = new TreeMap<>(compared(scraped));
    alphaHere.keySet().removeIf(key -> key.contains("project=\"beta\""));
    assertEquals(alphaAlone, alphaHere);
  }

  @Test
  void eachDatabaseGoesOnFromItsOwnStateFileAfterARestart() throws Exception {
    HookDatabase alpha = written(project("alpha"), "architect", 4);
    HookDatabase beta = written(project("beta"), "coder", 2);
    Path states = Files.createDirectories(root.resolve("state"));
    DatabaseSources sources = new DatabaseSources(List.of(new NamedDatabase("alpha", alpha.path()),
        new NamedDatabase("beta", beta.path())), List.of(), Duration.ofHours(1), Optional.of(states));
    Exporter first = start(sources);
    first.pollAll();
    String before = scrape(first);
    first.close();
    exporters.remove(first);
    assertTrue(Files.isRegularFile(StateLocation.inFolder(states, alpha.path())));
    assertTrue(Files.isRegularFile(StateLocation.inFolder(states, beta.path())));

    add(alpha, "architect", 2, 4);
    Exporter second = start(sources);
    second.pollAll();
    Exposition after = Exposition.parse(scrape(second));
    for (String project : List.of("alpha", "beta")) {
      assertEquals(1, after.value("agent_workflow_exporter_state_restored", "project", project), project);
    }
    assertEquals(2, after.value("agent_workflow_exporter_rows_read_total", "project", "alpha", "table",
        "agent_invocations") - Exposition.parse(before).value("agent_workflow_exporter_rows_read_total", "project",
        "alpha", "table", "agent_invocations"), "only the rows written since the state file are read");
    assertEquals(6, finished(after, "alpha"), "the 4 counted before the restart and the 2 since");
    assertEquals(2, finished(after, "beta"));
  }

  /** --once and --textfile with several databases: every one's series, the clashes, and whether all were read. */
  @Test
  void oneShotWritesEveryDatabaseAndSaysWhichWasNotRead() throws Exception {
    HookDatabase alpha = written(root.resolve("a/app/logs/agent_workflow.db"), "architect", 3);
    written(root.resolve("b/app/logs/agent_workflow.db"), "coder", 2); // the same name: a clash
    Path missing = root.resolve("gone/logs/agent_workflow.db");
    ExporterSettings s = TestSettings.of(root.resolve("unused.db"));
    DatabaseSources sources = new DatabaseSources(List.of(new NamedDatabase("gone", missing)),
        List.of(DatabaseGlob.of(root + "/*/*/logs/agent_workflow.db")), Duration.ofHours(1), Optional.empty());
    dev.agentworkflow.exporter.app.OneShot.Output output = dev.agentworkflow.exporter.app.OneShot.run(
        new ExporterSettings(s.databasePath(), s.listen(), s.telemetryPath(), s.interval(), s.staleAfter(),
            s.timezone(), s.maxLabelValues(), s.maxSeries(), s.build(), s.web(), s.stateFile(), sources),
        Clock.systemUTC());
    assertEquals("1 of 2 databases not read: gone: the database file " + missing + " does not exist", output.problem());
    Exposition text = Exposition.parse(output.text());
    assertEquals(1, text.value("agent_workflow_exporter_database_name_clashes"));
    assertEquals(2, text.value("agent_workflow_exporter_databases"));
    assertEquals(0, text.value("agent_workflow_database_up", "project", "gone"));
    Map<String, Double> app = new TreeMap<>(compared(text));
    app.keySet().removeIf(key -> key.contains("project=\"gone\""));
    assertEquals(alone(alpha.path(), "app"), app);

    DatabaseSources none = new DatabaseSources(List.of(), List.of(DatabaseGlob.of(root + "/nowhere/*.db")),
        Duration.ofHours(1), Optional.empty());
    dev.agentworkflow.exporter.app.OneShot.Output empty = dev.agentworkflow.exporter.app.OneShot.run(
        new ExporterSettings(s.databasePath(), s.listen(), s.telemetryPath(), s.interval(), s.staleAfter(),
            s.timezone(), s.maxLabelValues(), s.maxSeries(), s.build(), s.web(), s.stateFile(), none),
        Clock.systemUTC());
    assertEquals("no database to read: --db-glob found none", empty.problem());
  }
}
