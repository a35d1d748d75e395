package dev.agentworkflow.exporter.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentworkflow.exporter.support.Binaries;
import dev.agentworkflow.exporter.support.Exposition;
import dev.agentworkflow.exporter.support.HookDatabase;
import dev.agentworkflow.exporter.support.Scraper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exporter process with --metrics-config: the example file over two projects, each project's
 * user-defined series exactly those of an exporter of that database alone, an exposition Prometheus
 * accepts, and the file reloaded while running (a broken edit keeps the previous metrics in force).
 */
class CustomMetricsIT {
  private static final Duration START = Duration.ofSeconds(30);
  private static final Duration SETTLE = Duration.ofSeconds(30);
  private static final String SERVING = "serving http://127\\.0\\.0\\.1:(\\d+)/metrics";
  private static final Path EXAMPLE = Path.of("config/custom-metrics.example.yml").toAbsolutePath();
  private static final List<String> CUSTOM = List.of("agent_ticket_invocations_total", "agent_ticket_failures_total",
      "agent_handoffs_total", "agent_tool_call_seconds", "agent_session_recent_tool_uses", "agent_sessions_per_cwd");

  @TempDir
  Path dir;

  private final Instant base = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(Duration.ofHours(3));

  @Test
  void eachProjectShowsTheExampleMetricsOfItsOwnExporterAndReloadsKeepWhatIsInForce() throws Exception {
    Path alpha = dir.resolve("alpha/logs/agent_workflow.db");
    Path beta = dir.resolve("beta/logs/agent_workflow.db");
    write(alpha, "T-1", 3);
    write(beta, "T-9", 5);
    Path config = dir.resolve("metrics.yml");
    Files.copy(EXAMPLE, config);
    try (ExporterProcess exporter = ExporterProcess.start(dir, "--db", alpha.toString(), "--db", beta.toString(),
        "--bind", "127.0.0.1", "--port", "0", "--interval", "1", "--state-file", "none",
        "--timezone", HookDatabase.ZONE.getId(), "--metrics-config", config.toString())) {
      Scraper scraper = new Scraper(Integer.parseInt(exporter.await(SERVING, START)));
      awaitReady(scraper);
      String text = scraper.get("/metrics").body();
      Binaries.promtoolAcceptsMetrics(text);
      Exposition scrape = Exposition.parse(text);
      Map<String, Exposition> own = new TreeMap<>(Map.of("alpha", once(alpha), "beta", once(beta)));
      for (Map.Entry<String, Exposition> project : own.entrySet()) {
        Map<String, Double> expected = custom(project.getValue(), "");
        assertTrue(expected.keySet().stream().anyMatch(k -> k.startsWith("agent_ticket_invocations_total")),
            "the example has series to compare: " + expected);
        assertEquals(expected, custom(scrape, project.getKey()), project.getKey());
      }
      assertEquals(1.0, scrape.value("agent_workflow_exporter_metrics_config_last_reload_successful"));
      assertEquals(0.0, scrape.value("agent_workflow_exporter_custom_metric_errors_total", "project", "alpha",
          "metric", "agent_sessions_per_cwd"));

      // a new metric while running: it appears, and counts the table from its start
      Files.writeString(config, Files.readString(EXAMPLE) + """
            - name: agent_sessions_total_now
              help: Sessions in the table
              type: gauge
              query: SELECT count(*) AS n FROM sessions
              value: n
          """);
      Exposition reloaded = awaitScrape(scraper, s -> s.has("agent_sessions_total_now", "project", "beta")
          && s.has("agent_sessions_total_now", "project", "alpha"));
      assertEquals(5.0, reloaded.value("agent_sessions_total_now", "project", "beta"));
      assertEquals(3.0, reloaded.value("agent_sessions_total_now", "project", "alpha"));

      // a broken edit: logged once, said by the gauge, and the metrics in force stay
      Files.writeString(config, "row_metrics:\n  - name: broken\n");
      Exposition kept = awaitScrape(scraper,
          s -> s.value("agent_workflow_exporter_metrics_config_last_reload_successful") == 0.0);
      assertEquals(5.0, kept.value("agent_sessions_total_now", "project", "beta"));
      assertEquals(custom(own.get("alpha"), ""), custom(kept, "alpha"));
      Thread.sleep(3000); // looked at every second or two meanwhile
      assertEquals(1, exporter.stderr().lines().filter(l -> l.contains("metrics config not reloaded")).count(),
          exporter.stderr());
      assertTrue(exporter.stderr().contains(config + ":2: help is missing"), exporter.stderr());
    }
  }

  /** Sessions, invocations (with tickets and parents, as another writer fills them) and tool uses. */
  private void write(Path file, String ticket, int sessions) throws Exception {
    Files.createDirectories(file.getParent());
    HookDatabase db = HookDatabase.create(file);
    for (int s = 0; s < sessions; s++) {
      Instant t = base.plusSeconds(600L * s);
      String session = ticket + "-s" + s;
      db.startSession(session, t);
      long parent = db.startAgent(session, "planning", "architect", t.plusSeconds(1));
      long child = db.startAgent(session, "development", "backend-developer", t.plusSeconds(2));
      db.execute("UPDATE agent_invocations SET ticket_id = '" + ticket + "', parent_agent = 'architect' WHERE id = "
          + child);
      long tool = db.startTool(session, "backend-developer", child, "Read", t.plusSeconds(3), 1);
      db.finishTool(tool, t.plusSeconds(4), s % 2 == 0 ? "completed" : "error", 1.0 + s);
      db.finishAgent(parent, t.plusSeconds(60), "completed", 59.0, "opus");
      if (s < sessions - 1) { // the last session's child still runs
        db.finishAgent(child, t.plusSeconds(90), s == 1 ? "failed" : "completed", 88.0, "opus");
      }
    }
  }

  /** What an exporter of that database alone shows: --once, the same file and counting flags. */
  private Exposition once(Path database) throws Exception {
    try (ExporterProcess run = ExporterProcess.start(dir, "--once", "--db", database.toString(), "--state-file",
        "none", "--log-level", "warn", "--timezone", HookDatabase.ZONE.getId(), "--metrics-config",
        EXAMPLE.toString())) {
      assertEquals(0, run.exitCode(START), run.stderr());
      return Exposition.parse(run.stdout());
    }
  }

  /**
   * The user-defined series of a scrape, keyed as an exporter of one database shows them: those of
   * {@code project} without their project label, or all when it is empty.
   */
  private static Map<String, Double> custom(Exposition scrape, String project) {
    String label = "project=\"" + project + "\"";
    Map<String, Double> series = new TreeMap<>();
    scrape.all().forEach((key, value) -> {
      if (CUSTOM.stream().anyMatch(key::startsWith) && (project.isEmpty() || key.contains(label))) {
        String own = project.isEmpty() ? key : key.replace(label, "").replace("{,", "{").replace(",}", "}")
            .replace(",,", ",").replace("{}", "");
        series.put(own, value);
      }
    });
    return series;
  }

  private static Exposition awaitScrape(Scraper scraper, Predicate<Exposition> until) throws Exception {
    long end = System.nanoTime() + SETTLE.toNanos();
    while (true) {
      Exposition scrape = scraper.metrics();
      if (until.test(scrape)) {
        return scrape;
      }
      assertTrue(System.nanoTime() < end, "not within " + SETTLE);
      Thread.sleep(200);
    }
  }

  private static void awaitReady(Scraper scraper) throws Exception {
    long end = System.nanoTime() + START.toNanos();
    while (scraper.get("/-/ready").statusCode() != 200) {
      assertTrue(System.nanoTime() < end, "not ready within " + START);
      Thread.sleep(100);
    }
  }
}
