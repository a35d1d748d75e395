package dev.agentworkflow.exporter.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentworkflow.exporter.app.Exporter;
import dev.agentworkflow.exporter.app.ExporterSettings;
import dev.agentworkflow.exporter.webconfig.WebConfig;
import dev.agentworkflow.exporter.support.Exposition;
import dev.agentworkflow.exporter.support.HookDatabase;
import dev.agentworkflow.exporter.support.MutableClock;
import dev.agentworkflow.exporter.support.Scraper;
import dev.agentworkflow.exporter.support.TestSettings;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Scrapes of a real exporter over HTTP, parsed as the text format, with exact values. */
class ExporterHttpTest {
  private static final Instant T0 = Instant.parse("2025-08-15T12:00:00Z");

  @TempDir
  Path dir;

  private final MutableClock clock = new MutableClock(T0.plusSeconds(3600));

  private Exporter start(Path db) throws Exception {
    ExporterSettings settings = new ExporterSettings(db, new InetSocketAddress("127.0.0.1", 0),
        ExporterSettings.DEFAULT_TELEMETRY_PATH, Duration.ofHours(1), Duration.ofHours(6), HookDatabase.ZONE, 500, 2000,
        TestSettings.build("1.2.3"), WebConfig.NONE, java.util.Optional.empty());
    return Exporter.start(settings, clock);
  }

  /** Two sessions: a finished planning run, parallel development with a failure, one agent still running. */
  private Path workflow() throws Exception {
    Path file = dir.resolve("agent_workflow.db");
    HookDatabase db = HookDatabase.create(file);
    db.startSession("s1", T0);
    long a = db.startAgent("s1", "planning", "architect", T0.plusSeconds(10));
    db.finishAgent(a, T0.plusSeconds(130), "completed", 120.0, "claude-opus-4-1");
    db.subagentStop("s1", T0.plusSeconds(130));
    long b = db.startAgent("s1", "development", "backend-developer", T0.plusSeconds(200));
    long c = db.startAgent("s1", "development", "frontend-developer", T0.plusSeconds(201));
    db.finishAgent(b, T0.plusSeconds(500), "completed", 300.0, "claude-sonnet-4-5");
    db.finishAgent(c, T0.plusSeconds(260), "failed", null, "claude-sonnet-4-5");
    db.stopSession("s1", T0.plusSeconds(600));
    db.startSession("s2", T0.plusSeconds(1000));
    db.startAgent("s2", "review", "security-reviewer", T0.plusSeconds(1010));
    return file;
  }

  @Test
  void everyMetricHasTheValueTheDatabaseSays() throws Exception {
    try (Exporter exporter = start(workflow())) {
      exporter.pollNow();
      Exposition m = new Scraper(exporter.port()).metrics();

      assertEquals(1, m.value("agent_invocation_total",
          "agent_name", "architect", "phase", "planning", "status", "completed", "model", "claude-opus-4-1"));
      assertEquals(1, m.value("agent_invocation_total",
          "agent_name", "backend-developer", "phase", "development", "status", "completed", "model", "claude-sonnet-4-5"));
      assertEquals(1, m.value("agent_invocation_total",
          "agent_name", "frontend-developer", "phase", "development", "status", "failed", "model", "claude-sonnet-4-5"));
      assertEquals(3, m.seriesOf("agent_invocation_total").size());
      assertEquals(1, m.value("agent_error_total", "agent_name", "frontend-developer", "phase", "development"));
      assertEquals(1, m.seriesOf("agent_error_total").size());
      assertEquals(1, m.value("phase_distribution_total", "phase", "planning"));
      assertEquals(2, m.value("phase_distribution_total", "phase", "development"));
      assertEquals(2, m.seriesOf("phase_distribution_total").size());

      // frontend-developer: no duration column, so end - start = 59 s
      String[] fe = {"agent_name", "frontend-developer", "phase", "development", "model", "claude-sonnet-4-5"};
      assertEquals(1, m.value("agent_duration_seconds_count", fe));
      assertEquals(59, m.value("agent_duration_seconds_sum", fe));
      assertEquals(0, m.value("agent_duration_seconds_bucket", with(fe, "le", "30.0")));
      assertEquals(1, m.value("agent_duration_seconds_bucket", with(fe, "le", "60.0")));
      assertEquals(1, m.value("agent_duration_seconds_bucket", with(fe, "le", "+Inf")));
      // architect took exactly 120 s: in le="120.0", buckets are upper-inclusive
      String[] ar = {"agent_name", "architect", "phase", "planning", "model", "claude-opus-4-1"};
      assertEquals(0, m.value("agent_duration_seconds_bucket", with(ar, "le", "60.0")));
      assertEquals(1, m.value("agent_duration_seconds_bucket", with(ar, "le", "120.0")));
      assertEquals(11, m.seriesOf("agent_duration_seconds_bucket").size() / 3);

      assertEquals(1, m.value("session_duration_seconds_count"));
      assertEquals(600, m.value("session_duration_seconds_sum"));
      assertEquals(0, m.value("session_duration_seconds_bucket", "le", "300.0"));
      assertEquals(1, m.value("session_duration_seconds_bucket", "le", "600.0"));

      assertEquals(T0.getEpochSecond() + 1010, m.value("agent_last_execution_timestamp", "agent_name", "security-reviewer"));
      assertEquals(T0.getEpochSecond() + 10, m.value("agent_last_execution_timestamp", "agent_name", "architect"));
      assertEquals(100, m.value("agent_success_rate", "agent_name", "architect"));
      assertEquals(0, m.value("agent_success_rate", "agent_name", "frontend-developer"));
      assertFalse(m.has("agent_success_rate", "agent_name", "security-reviewer"), "nothing finished yet");
      assertEquals(1, m.value("active_sessions_count"));
      assertEquals(1, m.value("parallel_executions_current"));
      assertEquals(4, m.value("total_unique_agents"));
      assertEquals(2, m.value("total_sessions"));
      assertEquals(2.0, m.value("avg_agents_per_session")); // s1: 3 agents, s2: 1

      assertEquals(1, m.value("agent_workflow_database_info", "path", dir.resolve("agent_workflow.db").toString()));
      assertTrue(m.value("agent_workflow_database_size_bytes") > 0);
      assertEquals(1, m.value("agent_workflow_database_up"));
      assertEquals(0, m.value("agent_workflow_exporter_poll_errors_total"));
      assertEquals(clock.instant().getEpochSecond(), m.value("agent_workflow_exporter_last_poll_success_timestamp_seconds"));
      assertTrue(m.value("agent_workflow_exporter_poll_duration_seconds") > 0);
      assertTrue(m.value("agent_workflow_exporter_longest_read_seconds") > 0);
      // 5 rows (4 agents and a subagent_stop) read once: the second poll found nothing committed
      assertEquals(5, m.value("agent_workflow_exporter_rows_read_total", "table", "agent_invocations"));
      assertEquals(2, m.value("agent_workflow_exporter_rows_read_total", "table", "sessions"));
      assertEquals(1, m.value("agent_workflow_exporter_build_info", "branch", "unknown",
          "javaversion", System.getProperty("java.version"), "revision", "unknown", "version", "1.2.3"));
    }
  }

  @Test
  void familiesHaveTheirPrometheusTypesAndNoCreatedSeries() throws Exception {
    try (Exporter exporter = start(workflow())) {
      exporter.pollNow();
      Scraper scraper = new Scraper(exporter.port());
      HttpResponse<String> text = scraper.get("/metrics");
      assertTrue(text.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
      Exposition m = Exposition.parse(text.body());
      assertEquals("counter", m.type("agent_invocation_total"));
      assertEquals("counter", m.type("agent_error_total"));
      assertEquals("counter", m.type("phase_distribution_total"));
      assertEquals("counter", m.type("agent_workflow_exporter_poll_errors_total"));
      assertEquals("histogram", m.type("agent_duration_seconds"));
      assertEquals("histogram", m.type("session_duration_seconds"));
      assertEquals("gauge", m.type("agent_success_rate"));
      assertEquals("gauge", m.type("agent_workflow_database_info"));
      assertFalse(text.body().contains("_created"));

      HttpResponse<String> openMetrics = scraper.get("/metrics", "Accept", "application/openmetrics-text; version=1.0.0");
      assertTrue(openMetrics.headers().firstValue("Content-Type").orElse("").startsWith("application/openmetrics-text"));
      assertTrue(openMetrics.body().contains("agent_invocation_total{"));
      assertTrue(openMetrics.body().endsWith("# EOF\n"));
      assertFalse(openMetrics.body().contains("_created"));
    }
  }

  @Test
  void metricsCanBeFilteredByNameGzippedAndAskedForWithHead() throws Exception {
    try (Exporter exporter = start(workflow())) {
      exporter.pollNow();
      Scraper scraper = new Scraper(exporter.port());
      HttpResponse<String> filtered = scraper.get(
          "/metrics?name[]=agent_workflow_database_up&name[]=phase_distribution_total");
      Exposition m = Exposition.parse(filtered.body());
      assertEquals(java.util.Set.of("agent_workflow_database_up", "phase_distribution_total{phase=\"development\"}",
          "phase_distribution_total{phase=\"planning\"}"), m.all().keySet());

      java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
      java.net.URI uri = java.net.URI.create("http://127.0.0.1:" + exporter.port() + "/metrics");
      HttpResponse<byte[]> gzipped = client.send(java.net.http.HttpRequest.newBuilder(uri)
          .header("Accept-Encoding", "gzip").build(), HttpResponse.BodyHandlers.ofByteArray());
      assertEquals("gzip", gzipped.headers().firstValue("Content-Encoding").orElse(""));
      String unzipped = new String(new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(gzipped.body()))
          .readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      // the workflow's series are the same; the JVM's (process_*, jvm_*) are read at each scrape
      assertEquals(workflowSeries(Exposition.parse(scraper.get("/metrics").body())),
          workflowSeries(Exposition.parse(unzipped)));

      HttpResponse<String> head = client.send(java.net.http.HttpRequest.newBuilder(uri)
          .method("HEAD", java.net.http.HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, head.statusCode());
      assertEquals("", head.body());
    }
  }

  @Test
  void statusPageHealthReadinessAndUnknownPaths() throws Exception {
    try (Exporter exporter = start(workflow())) {
      assertTrue(exporter.awaitFirstPoll(Duration.ofSeconds(30)));
      Scraper scraper = new Scraper(exporter.port());
      HttpResponse<String> landing = scraper.get("/");
      assertEquals(200, landing.statusCode());
      assertEquals("text/html; charset=utf-8", landing.headers().firstValue("Content-Type").orElse(""));
      String page = landing.body();
      assertTrue(page.contains("<a href=\"./metrics\">Metrics</a>"), page);
      assertTrue(page.contains("<td id=\"version\">1.2.3</td>"), page);
      assertTrue(page.contains("<td id=\"database-path\"><code>" + dir.resolve("agent_workflow.db") + "</code></td>"));
      assertTrue(page.contains("<p id=\"state\" class=\"state up\">Database up: the last poll read it.</p>"), page);
      // the workflow above: 3 finished, 1 running, 2 sessions (1 active), 4 agents; 5 + 2 rows read
      assertTrue(page.contains("<td id=\"invocations\" class=\"n\">3</td>"), page);
      assertTrue(page.contains("<td id=\"running\" class=\"n\">1</td>"), page);
      assertTrue(page.contains("<td id=\"sessions\" class=\"n\">2</td>"), page);
      assertTrue(page.contains("<td id=\"active-sessions\" class=\"n\">1</td>"), page);
      assertTrue(page.contains("<td id=\"agents\" class=\"n\">4</td>"), page);
      assertTrue(page.contains("<td id=\"rows-read\" class=\"n\">7</td>"), page);
      assertTrue(page.contains("<td id=\"rows-read-agent_invocations\" class=\"n\">5</td>"), page);

      HttpResponse<String> ready = scraper.get("/-/ready");
      assertEquals(200, ready.statusCode());
      assertEquals("Ready.\n", ready.body());

      HttpResponse<String> healthy = scraper.get("/-/healthy");
      assertEquals(200, healthy.statusCode());

      HttpResponse<String> unknown = scraper.get("/nope");
      assertEquals(404, unknown.statusCode());
      assertFalse(unknown.body().contains("agent_invocation_total"));
    }
  }

  @Test
  void aMissingDatabaseIsServedAsDownAndPickedUpWhenItAppears() throws Exception {
    Path file = dir.resolve("later.db");
    try (Exporter exporter = start(file)) {
      exporter.pollNow();
      Scraper scraper = new Scraper(exporter.port());
      Exposition before = scraper.metrics();
      assertEquals(0, before.value("agent_workflow_database_up"));
      assertEquals(0, before.value("agent_workflow_exporter_poll_errors_total"));
      assertEquals(0, before.value("agent_workflow_exporter_last_poll_success_timestamp_seconds"));
      assertEquals(0, before.seriesOf("agent_invocation_total").size());
      assertFalse(before.has("agent_workflow_database_size_bytes"));

      HookDatabase db = HookDatabase.create(file);
      long id = db.startAgent("s1", "planning", "architect", T0);
      db.finishAgent(id, T0.plusSeconds(5), "completed", 5.0, "m");
      exporter.pollNow();
      Exposition after = scraper.metrics();
      assertEquals(1, after.value("agent_workflow_database_up"));
      assertEquals(1, after.value("phase_distribution_total", "phase", "planning"));
    }
  }

  @Test
  void labelValuesAreEscapedAndVanishedGaugeSeriesAreNotExported() throws Exception {
    Path file = dir.resolve("odd.db");
    HookDatabase db = HookDatabase.create(file);
    String odd = "quote \" backslash \\ newline \n end";
    long id = db.startAgent("s1", odd, "agent " + odd, T0);
    db.finishAgent(id, T0.plusSeconds(1), "completed", 1.0, "m");
    db.startAgent("s1", "planning", "architect", T0);
    try (Exporter exporter = start(file)) {
      exporter.pollNow();
      Scraper scraper = new Scraper(exporter.port());
      Exposition m = scraper.metrics();
      assertEquals(1, m.value("phase_distribution_total", "phase", odd));
      assertEquals(1, m.value("agent_invocation_total",
          "agent_name", "agent " + odd, "phase", odd, "status", "completed", "model", "m"));
      assertEquals(1, m.value("parallel_executions_current"));

      Files.delete(file); // and a new, empty database in its place
      HookDatabase.create(file);
      exporter.pollNow();
      Exposition after = scraper.metrics();
      assertEquals(0, after.seriesOf("agent_last_execution_timestamp").size());
      assertEquals(0, after.seriesOf("agent_invocation_total").size());
      assertEquals(0, after.value("parallel_executions_current"));
    }
  }

  @Test
  void manyExportersRunSideBySideInOneJvm() throws Exception {
    Path other = dir.resolve("other.db");
    HookDatabase.create(other);
    try (Exporter first = start(workflow()); Exporter second = start(other)) {
      first.pollNow();
      second.pollNow();
      assertNotEquals(first.port(), second.port());
      assertEquals(4, new Scraper(first.port()).metrics().value("total_unique_agents"));
      assertEquals(0, new Scraper(second.port()).metrics().value("total_unique_agents"));
    }
  }

  private static String[] with(String[] labels, String... more) {
    String[] all = java.util.Arrays.copyOf(labels, labels.length + more.length);
    System.arraycopy(more, 0, all, labels.length, more.length);
    return all;
  }

  private static java.util.Map<String, Double> workflowSeries(Exposition m) {
    java.util.Map<String, Double> series = new java.util.TreeMap<>(m.all());
    series.keySet().removeIf(key -> key.startsWith("process_") || key.startsWith("jvm_"));
    return series;
  }
}
