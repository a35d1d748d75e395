package dev.agentworkflow.exporter.monitoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentworkflow.exporter.app.Exporter;
import dev.agentworkflow.exporter.app.ExporterSettings;
import dev.agentworkflow.exporter.demo.DemoDatabase;
import dev.agentworkflow.exporter.demo.LiveActivity;
import dev.agentworkflow.exporter.support.Binaries;
import dev.agentworkflow.exporter.support.PrometheusServer;
import dev.agentworkflow.exporter.support.TestSettings;
import dev.agentworkflow.exporter.webconfig.WebConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exporter (demo data, live activity) scraped by a real Prometheus that runs the shipped
 * configuration and rules: the target comes up, the alerts load, and every dashboard query (its
 * variables as Grafana fills them in, {@link GrafanaRequests}) and every PromQL example of
 * docs/monitoring.md parses and returns data.
 */
class PrometheusEndToEndIT {
  private static final String RATE_INTERVAL = "20s";
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir
  Path dir;

  private final HttpClient http = HttpClient.newHttpClient();
  private LiveActivity live;
  private Exporter exporter;
  private PrometheusServer prometheus;

  @BeforeEach
  void start() throws Exception {
    DemoDatabase demo = new DemoDatabase(dir.resolve("demo/agent_workflow.db"), ZoneId.systemDefault(), new Random(7),
        Clock.systemUTC());
    demo.createOrReuse(DemoDatabase.History.DAY);
    live = demo.startLiveActivity();
    exporter = Exporter.start(new ExporterSettings(demo.path(), new InetSocketAddress("127.0.0.1", 0),
        ExporterSettings.DEFAULT_TELEMETRY_PATH, Duration.ofSeconds(1), Duration.ofHours(6), ZoneId.systemDefault(), 500,
        2000, TestSettings.build("e2e"), WebConfig.NONE, java.util.Optional.empty()),
        Clock.systemUTC());

    // the shipped configuration, pointed at this exporter and scraping every second
    String config = Files.readString(Path.of("config/prometheus.yml"))
        .replace("localhost:9091", "127.0.0.1:" + exporter.port())
        .replace("scrape_interval: 15s", "scrape_interval: 1s")
        .replace("evaluation_interval: 15s", "evaluation_interval: 1s");
    Files.writeString(dir.resolve("prometheus.yml"), config);
    Files.copy(Path.of("config/agent_workflow_rules.yml"), dir.resolve("agent_workflow_rules.yml"));
    prometheus = PrometheusServer.start(dir.resolve("prometheus.yml"), dir);
  }

  @AfterEach
  void stop() throws Exception {
    if (prometheus != null) {
      prometheus.close();
    }
    if (exporter != null) {
      exporter.close();
    }
    if (live != null) {
      live.close();
    }
  }

  @Test
  void theTargetIsUpTheAlertsLoadAndEveryQueryReturnsData() throws Exception {
    prometheus.await("the agent_workflow target to be up",
        () -> PrometheusServer.nonEmpty(prometheus.query("up{job=\"agent_workflow\"} == 1")));
    prometheus.await("two scrapes, for rates",
        () -> PrometheusServer.nonEmpty(prometheus.query("rate(agent_workflow_database_up[" + RATE_INTERVAL + "])")));

    prometheus.await("the seven alerts to load and evaluate", () -> {
      JsonNode groups = prometheus.get("/api/v1/rules").path("data").path("groups");
      Set<String> healthy = new TreeSet<>();
      groups.forEach(g -> g.path("rules").forEach(r -> {
        if (r.path("type").asText().equals("alerting") && r.path("health").asText().equals("ok")) {
          healthy.add(r.path("name").asText());
        }
      }));
      return healthy.equals(Set.of("AgentExecutionSlow", "HighErrorRate", "LowSuccessRate", "ToolFailingOften",
          "AgentContextNearLimit", "AgentWorkflowDatabaseDown", "AgentWorkflowStoreDown", "AgentWorkflowExporterDown"));
    });

    // every query parses at once; each returns data once the live demo has finished what it needs
    // (an agent run, a session's first reply) under Prometheus's eyes
    JsonNode dashboard = Dashboard.read();
    GrafanaRequests grafana = new GrafanaRequests(dashboard, Duration.ofSeconds(1));
    List<String> failures = new ArrayList<>();
    long end = System.nanoTime() + WAIT.toNanos();
    do {
      failures.clear();
      for (Dashboard.Query q : Dashboard.queries(dashboard)) {
        check("dashboard panel '" + q.panel() + "'", grafana.interpolate(q.expr()), failures);
      }
      for (String expr : docExamples()) {
        check("docs/monitoring.md", expr, failures);
      }
      assertEquals(List.of(), failures.stream().filter(f -> !f.endsWith("-> no data")).toList());
      if (!failures.isEmpty()) {
        Thread.sleep(1000);
      }
    } while (!failures.isEmpty() && System.nanoTime() < end);
    JsonNode instances = prometheus.get("/api/v1/label/instance/values?match[]="
        + URLEncoder.encode("agent_workflow_exporter_build_info", StandardCharsets.UTF_8)).path("data");
    assertEquals(1, instances.size(), "the dashboard's Exporter variable has one exporter to offer: " + instances);
    assertEquals(List.of(), failures);
  }

  @Test
  void promtoolFindsOnlyTheDocumentedProblemInTheExportersOutput() throws Exception {
    assertTrue(exporter.awaitFirstPoll(WAIT));
    String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + exporter.port() + "/metrics"))
        .build(), HttpResponse.BodyHandlers.ofString()).body();
    assertTrue(metrics.contains("agent_invocation_total{"));
    Binaries.promtoolAcceptsMetrics(metrics);
  }

  /**
   * The PromQL examples: the lines of the ```promql blocks that are not comments, but for the block
   * of queries that need several databases ({@code # Many projects…}, run by {@link ProjectsDashboardIT}).
   */
  private static List<String> docExamples() throws IOException {
    List<String> examples = new ArrayList<>();
    boolean inBlock = false;
    boolean firstLine = false;
    for (String line : Files.readAllLines(Path.of("docs/monitoring.md"))) {
      if (line.startsWith("```")) {
        inBlock = line.equals("```promql");
        firstLine = true;
        continue;
      }
      if (inBlock && firstLine && line.startsWith("# Many projects")) {
        inBlock = false;
      } else if (inBlock && !line.isBlank() && !line.startsWith("#")) {
        examples.add(line.strip());
      }
      firstLine = false;
    }
    assertFalse(examples.isEmpty(), "no PromQL examples found in docs/monitoring.md");
    return examples;
  }

  private void check(String where, String expr, List<String> failures) throws Exception {
    JsonNode answer = prometheus.query(expr);
    if (!answer.path("status").asText().equals("success")) {
      failures.add(where + ": " + expr + " -> " + answer.path("error").asText());
    } else if (!PrometheusServer.nonEmpty(answer)) {
      failures.add(where + ": " + expr + " -> no data");
    }
  }
}
