package dev.agentworkflow.exporter.project;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentworkflow.exporter.app.Exporter;
import dev.agentworkflow.exporter.ship.Shipper;
import dev.agentworkflow.exporter.support.Exposition;
import dev.agentworkflow.exporter.support.HookDatabase;
import dev.agentworkflow.exporter.support.Scraper;
import dev.agentworkflow.exporter.support.TeamStore;
import dev.agentworkflow.exporter.support.TestSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An exporter of the team's PostgreSQL store (--db postgresql://…), on a real PostgreSQL fed by
 * real shippers: each project's series are exactly what an exporter of its SQLite file shows,
 * whatever order writers commit in, and a store that goes away and comes back changes no count.
 */
class StoreExporterTest {
  /**
   * Within --stale-after of now: an exporter of a file reads a running row older than that only once
   * a minute, where the store's reads every change at once; the comparisons are with such exporters.
   */
  private static final Instant T0 = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
      .minus(java.time.Duration.ofHours(3));
  /** Of the file, or of timing: not the same for an exporter of the file and one of the store. */
  private static final List<String> NOT_COMPARED = List.of("agent_workflow_exporter_build_info",
      "agent_workflow_exporter_http_", "agent_workflow_exporter_databases", "agent_workflow_exporter_database_name_",
      "agent_workflow_exporter_poll_duration_seconds", "agent_workflow_exporter_last_poll_success_timestamp_seconds",
      "agent_workflow_exporter_longest_read_seconds", "agent_workflow_database_size_bytes",
      "agent_workflow_database_info", "agent_workflow_exporter_rows_read_total", "agent_workflow_exporter_state_",
      "process_", "jvm_");

  @TempDir
  static Path serverDir;
  static TeamStore store;

  @TempDir
  Path dir;

  private final List<AutoCloseable> closing = new ArrayList<>();

  @BeforeAll
  static void startStore() throws Exception {
    store = TeamStore.start(serverDir);
  }

  @AfterAll
  static void stopStore() throws Exception {
    store.close();
  }

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : closing) {
      c.close();
    }
  }

  private Exporter storeExporter() throws Exception {
    Exporter exporter = Exporter.start(TestSettings.withSources(TestSettings.of(dir.resolve("unused.db")),
        DatabaseSources.store(store.forExporter())), Clock.systemUTC());
    closing.add(exporter);
    return exporter;
  }

  private Shipper shipper(HookDatabase db, String project, String host) {
    Shipper shipper = store.shipper(db.path(), project, host, false);
    closing.add(shipper);
    return shipper;
  }

  private static void ship(Shipper... shippers) {
    for (Shipper shipper : shippers) {
      Shipper.Shipped shipped = shipper.ship();
      assertTrue(shipped.problem().isEmpty(), shipped.toString());
    }
  }

  private HookDatabase file(String name) throws SQLException, java.io.IOException {
    Path path = dir.resolve(name).resolve("logs").resolve("agent_workflow.db");
    Files.createDirectories(path.getParent());
    return HookDatabase.create(path);
  }

  /** {@code runs} runs of agents of {@code prefix}, with tool uses and a session each; returns the running ones. */
  private static List<long[]> add(HookDatabase db, String prefix, int runs, int from, boolean leaveLastRunning)
      throws SQLException {
    List<long[]> running = new ArrayList<>();
    for (int i = from; i < from + runs; i++) {
      String session = prefix + "-session-" + i;
      Instant at = T0.plusSeconds(60L * i);
      db.startSession(session, at);
      String agent = prefix + "-" + (i % 3);
      long id = db.startAgent(session, i % 2 == 0 ? "planning" : "development", agent, at);
      long tool = db.startTool(session, agent, id, i % 2 == 0 ? "Bash" : "Read", at.plusSeconds(1), 1);
      if (leaveLastRunning && i == from + runs - 1) {
        running.add(new long[] {id, tool});
        continue;
      }
      db.finishTool(tool, at.plusSeconds(3), i % 4 == 0 ? "error" : "completed", 2.0);
      db.finishAgent(id, at.plusSeconds(5 + i), i % 5 == 0 ? "failed" : "completed", 5.0 + i, "opus",
          "{\"totalToolUseCount\": " + (10 + i) + ", \"totalTokens\": " + (1000 * i) + "}");
      db.subagentStop(session, at.plusSeconds(6 + i));
      db.stopSession(session, at.plusSeconds(30));
    }
    return running;
  }

  private static void finish(HookDatabase db, long[] running, int i) throws SQLException {
    Instant at = T0.plusSeconds(60L * i);
    db.finishTool(running[1], at.plusSeconds(3), "completed", 2.0);
    db.finishAgent(running[0], at.plusSeconds(8), "completed", 8.0, "sonnet");
  }

  private static Map<String, Double> compared(Exposition exposition, String project) {
    Map<String, Double> kept = new TreeMap<>();
    exposition.all().forEach((key, value) -> {
      boolean ours = project == null || key.contains("project=\"" + project + "\"");
      if (ours && NOT_COMPARED.stream().noneMatch(key::startsWith)) {
        kept.put(key, value);
      }
    });
    return kept;
  }

  /** What an exporter of {@code file} alone shows, each series with {@code project} added. */
  private Map<String, Double> alone(HookDatabase file, String project) throws Exception {
    try (Exporter exporter = Exporter.start(TestSettings.of(file.path()), Clock.systemUTC())) {
      exporter.pollNow();
      String text = new Scraper(exporter.port()).get("/metrics").body();
      return compared(Exposition.parse(text, Map.of("project", project)), null);
    }
  }

  /** Equal maps; else a message that names only the series that differ. */
  private static void assertSame(Map<String, Double> expected, Map<String, Double> actual) {
    Map<String, String> differ = new TreeMap<>();
    expected.forEach((k, v) -> {
      if (!v.equals(actual.get(k))) {
        differ.put(k, v + " expected, got " + actual.get(k));
      }
    });
    actual.forEach((k, v) -> {
      if (!expected.containsKey(k)) {
        differ.put(k, "not expected, got " + v);
      }
    });
    assertEquals(Map.of(), differ);
  }

  private static Exposition scrape(Exporter exporter) throws Exception {
    exporter.pollAll();
    return Exposition.parse(new Scraper(exporter.port()).get("/metrics").body());
  }

  private static double sum(Exposition exposition, String family, String project) {
    return sum(exposition.all(), family, project);
  }

  private static double sum(Map<String, Double> series, String family, String project) {
    return series.entrySet().stream()
        .filter(e -> e.getKey().startsWith(family + "{") && e.getKey().contains("project=\"" + project + "\""))
        .mapToDouble(Map.Entry::getValue).sum();
  }

  @Test
  void eachProjectShowsWhatAnExporterOfItsFileShows() throws Exception {
    HookDatabase alpha = file("alpha");
    HookDatabase beta = file("beta");
    List<long[]> alphaRunning = add(alpha, "architect", 7, 0, true);
    add(beta, "coder", 4, 0, false);
    Shipper alphaShipper = shipper(alpha, "alpha", "laptop-a");
    Shipper betaShipper = shipper(beta, "beta", "ci-runner-17");
    ship(alphaShipper, betaShipper);
    // exporters of the files, polled when the store's is: what each project must show
    Exporter alphaFile = fileExporter(alpha);
    Exporter betaFile = fileExporter(beta);

    Exporter exporter = storeExporter();
    Exposition first = scrape(exporter);
    assertSame(scraped(alphaFile, "alpha"), compared(first, "alpha"));
    assertSame(scraped(betaFile, "beta"), compared(first, "beta"));
    assertEquals(1, first.value("agent_workflow_database_up", "project", "alpha"));
    assertEquals(1, first.value("agent_workflow_database_info", "project", "beta", "path", store.uri(TeamStore.EXPORTER)));

    // the hooks go on: a running agent finishes, new ones start and finish, a stopped session is
    // resumed (its row replaced) and stopped again, another resumed and still running; shipped, polled
    finish(alpha, alphaRunning.get(0), 6);
    alpha.startSession("architect-session-1", T0.plusSeconds(7200));
    alpha.stopSession("architect-session-1", T0.plusSeconds(7260));
    beta.startSession("coder-session-2", T0.plusSeconds(7200));
    add(alpha, "architect", 3, 7, true);
    add(beta, "coder", 2, 4, false);
    ship(alphaShipper, betaShipper);
    Exposition second = scrape(exporter);
    assertSame(scraped(alphaFile, "alpha"), compared(second, "alpha"));
    assertSame(scraped(betaFile, "beta"), compared(second, "beta"));
    assertTrue(sum(second, "agent_invocation_total", "alpha") > sum(first, "agent_invocation_total", "alpha"));
    assertEquals(6 + 1 + 2, sum(second, "session_duration_seconds_count", "alpha"),
        "six runs stopped, then the resumed run of one of them (its first run still counted), then two new ones");

    // a new exporter (a restart) reads the store whole and shows the same: the store kept the run
    // whose row the file replaced, as the file's exporter keeps it in its state file
    Exporter restarted = storeExporter();
    assertSame(compared(second, null), compared(scrape(restarted), null));
  }

  private Exporter fileExporter(HookDatabase file) throws Exception {
    Exporter exporter = Exporter.start(TestSettings.of(file.path()), Clock.systemUTC());
    closing.add(exporter);
    return exporter;
  }

  /** What an exporter of one file shows now, each series with {@code project} added. */
  private static Map<String, Double> scraped(Exporter fileExporter, String project) throws Exception {
    fileExporter.pollNow();
    String text = new Scraper(fileExporter.port()).get("/metrics").body();
    return compared(Exposition.parse(text, Map.of("project", project)), null);
  }


  @Test
  void aProjectShippedFromTwoMachinesCountsTheRowsOfBoth() throws Exception {
    HookDatabase laptop = file("gamma-laptop");
    HookDatabase ci = file("gamma-ci");
    add(laptop, "tester", 5, 0, false);
    add(ci, "tester", 4, 100, false);
    ship(shipper(laptop, "gamma", "laptop-g"), shipper(ci, "gamma", "ci-runner-3"));
    Map<String, Double> scraped = scrape(storeExporter()).all();
    Map<String, Double> one = alone(laptop, "gamma");
    Map<String, Double> other = alone(ci, "gamma");
    for (String family : List.of("agent_invocation_total", "agent_error_total", "agent_tool_usage_total",
        "agent_tool_error_total", "agent_duration_seconds_count", "agent_duration_seconds_sum",
        "agent_tool_duration_seconds_count", "agent_tool_calls_per_invocation_sum", "session_duration_seconds_count",
        "total_sessions", "phase_distribution_total")) {
      assertEquals(sum(one, family, "gamma") + sum(other, family, "gamma"), sum(scraped, family, "gamma"), family);
    }
    assertEquals(9, sum(scraped, "total_sessions", "gamma"));
  }

  /** A store never reached since start has no project to show it by: one gauge says so. */
  @Test
  void aStoreNeverReachedShowsStoreUpZero() throws Exception {
    int closed;
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      closed = socket.getLocalPort();
    }
    Exporter exporter = Exporter.start(TestSettings.withSources(TestSettings.of(dir.resolve("unused.db")),
        DatabaseSources.store(new StoreSource("postgresql://exporter@127.0.0.1:" + closed + "/aw",
            java.util.Optional.empty()))), Clock.systemUTC());
    closing.add(exporter);
    Exposition none = Exposition.parse(new Scraper(exporter.port()).get("/metrics").body());
    assertEquals(0, none.value("agent_workflow_store_up"), "before the first poll");
    Exposition failed = scrape(exporter);
    assertEquals(0, failed.value("agent_workflow_store_up"));
    assertEquals(0, failed.value("agent_workflow_exporter_databases"));
    assertFalse(failed.all().keySet().stream().anyMatch(k -> k.startsWith("agent_workflow_database_up")));
  }

  @Test
  void rowsCommittedOutOfOrderAreEachCountedOnce() throws Exception {
    store.execute("INSERT INTO agent_workflow_sources (project, host, epoch) VALUES ('delta', 'writer', 1)");
    long source = store.number("SELECT source_id FROM agent_workflow_sources WHERE project = 'delta'");
    String insert = "INSERT INTO agent_invocations (source_id, id, session_id, phase, agent_name, status, start_time, "
        + "end_time, duration_seconds) VALUES (?, ?, 's', 'review', 'reviewer', 'completed', "
        + "'2026-11-30T09:00:00', '2026-11-30T09:00:07', '7.0')";
    Exporter exporter = storeExporter();
    try (Connection slow = store.connect(); Connection fast = store.connect()) {
      slow.setAutoCommit(false);
      try (PreparedStatement s = slow.prepareStatement(insert)) {
        s.setLong(1, source);
        s.setLong(2, 10); // takes id 10 first ...
        s.executeUpdate();
      }
      try (PreparedStatement s = fast.prepareStatement(insert)) {
        s.setLong(1, source);
        s.setLong(2, 11); // ... id 11 commits first, and is read
        s.executeUpdate();
      }
      assertEquals(1, sum(scrape(exporter), "agent_invocation_total", "delta"));
      slow.commit(); // id 10 becomes visible after id 11 was read
    }
    assertEquals(2, sum(scrape(exporter), "agent_invocation_total", "delta"), "id 10, committed late, is counted");
    assertEquals(2, sum(scrape(exporter), "agent_invocation_total", "delta"), "and only once");
    store.execute("UPDATE agent_invocations SET model = 'late', changed_xid = pg_current_xact_id() WHERE source_id = "
        + source + " AND id = 10"); // a finished row's later update changes nothing counted
    assertEquals(2, sum(scrape(exporter), "agent_invocation_total", "delta"));
    assertEquals(2, sum(scrape(storeExporter()), "agent_invocation_total", "delta"), "a restart counts the same");
  }

  @Test
  void aStoreThatGoesAwayKeepsTheFiguresAndComesBackWithTheSameCounts() throws Exception {
    HookDatabase epsilon = file("epsilon");
    add(epsilon, "planner", 4, 0, false);
    Shipper shipper = shipper(epsilon, "epsilon", "laptop-e");
    ship(shipper);
    Exporter exporter = storeExporter();
    Exposition before = scrape(exporter);
    assertEquals(1, before.value("agent_workflow_database_up", "project", "epsilon"));
    store.server().stop();
    Exposition during;
    try {
      during = scrape(exporter);
      add(epsilon, "planner", 3, 4, false); // the hooks go on writing; the shipper cannot ship
      assertTrue(shipper.ship().problem().isPresent());
    } finally {
      store.server().restart();
    }
    assertEquals(0, during.value("agent_workflow_database_up", "project", "epsilon"));
    assertEquals(0, during.value("agent_workflow_store_up"));
    assertEquals(sum(before, "agent_invocation_total", "epsilon"), sum(during, "agent_invocation_total", "epsilon"),
        "the last good figures stay while the store is down");
    assertEquals(1, during.value("agent_workflow_exporter_poll_errors_total", "project", "epsilon"));
    ship(shipper);
    Exposition after = scrape(exporter);
    assertEquals(1, after.value("agent_workflow_database_up", "project", "epsilon"));
    assertEquals(1, after.value("agent_workflow_store_up"));
    Map<String, Double> expected = alone(epsilon, "epsilon");
    expected.put("agent_workflow_exporter_poll_errors_total{project=\"epsilon\"}", 1.0); // the poll while it was down
    assertSame(expected, compared(after, "epsilon"));
    assertFalse(compared(after, "epsilon").isEmpty());
  }
}
