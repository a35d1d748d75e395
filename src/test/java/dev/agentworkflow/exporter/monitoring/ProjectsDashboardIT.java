package dev.agentworkflow.exporter.monitoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentworkflow.exporter.app.Exporter;
import dev.agentworkflow.exporter.app.ExporterSettings;
import dev.agentworkflow.exporter.project.DatabaseSources;
import dev.agentworkflow.exporter.project.NamedDatabase;
import dev.agentworkflow.exporter.support.DocBlocks;
import dev.agentworkflow.exporter.support.HookDatabase;
import dev.agentworkflow.exporter.support.PrometheusServer;
import dev.agentworkflow.exporter.support.Scraper;
import dev.agentworkflow.exporter.support.TestSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard, and the PromQL examples of docs/monitoring.md's "Many projects in one exporter",
 * on one exporter that reads two databases (issue 16): two projects, alpha and beta, whose series
 * {@link ProjectScrapes} writes as that exporter serves them, scraped every 15 s for 8 hours and
 * backfilled into a real Prometheus. Each panel keeps the projects apart where it is per agent or
 * tool, has no NaN, and names the project in its legend; the Project selector offers both
 * projects, and picking one shows that project's numbers alone.
 *
 * <p>The same agent, architect, runs in both projects, but beta's stopped 2 hours ago: a quantile
 * kept {@code on(agent_name)} alone would keep beta's architect, NaN, where alpha's ran.
 */
class ProjectsDashboardIT {
  private static final Duration SCRAPE = Duration.ofSeconds(15);
  private static final double EXACT = 1e-9;

  @TempDir
  Path dir;

  @Test
  void panelsKeepProjectsApartAndTheProjectSelectorShowsOneProjectAlone() throws Exception {
    JsonNode dashboard = Dashboard.read();
    Instant now = Instant.now().truncatedTo(ChronoUnit.MINUTES);
    Instant first = now.minus(Duration.ofHours(8));
    ProjectScrapes scrapes = new ProjectScrapes(first, List.of(
        new ProjectScrapes.Agent("alpha", "architect", "planning", 12, 0, 120, "Read", 10, 0, 50_000, null),
        new ProjectScrapes.Agent("alpha", "backend-developer", "development", 6, 2, 450, "Bash", 30, 3, 120_000, null),
        new ProjectScrapes.Agent("beta", "architect", "planning", 3, 0, 30, "Read", 4, 0, 40_000,
            now.minus(Duration.ofHours(2))),
        new ProjectScrapes.Agent("beta", "test-developer", "development", 4, 0, 200, "Bash", 12, 0, 90_000, null)));
    try (OpenMetricsBackfill backfill = new OpenMetricsBackfill(dir.resolve("scrapes"), "agent_workflow",
        "localhost:9091")) {
      for (Instant t = first; !t.isAfter(now); t = t.plus(SCRAPE)) {
        backfill.add(t, scrapes.at(t));
      }
      backfill.createBlocks(dir.resolve("data"));
    }
    Path config = dir.resolve("prometheus.yml");
    Files.writeString(config, "global:\n  scrape_interval: " + SCRAPE.toSeconds() + "s\n");
    try (PrometheusServer prometheus = PrometheusServer.start(config, dir)) {
      prometheus.await("Prometheus to serve the blocks", () -> PrometheusServer.nonEmpty(
          PanelAnswers.instant(prometheus, "agent_workflow_database_up", now)));

      GrafanaRequests all = new GrafanaRequests(dashboard, SCRAPE);
      assertEquals(List.of("alpha", "beta"), PanelAnswers.variableValues(prometheus, all, dashboard, "project", now));
      everyPanelHasDataNoNanAndOneNamePerSeries(prometheus, dashboard, all, now);

      // each agent of each project apart: architect of alpha and architect of beta are two rows
      assertEquals(Map.of("alpha/architect", 72.0, "alpha/backend-developer", 36.0, "beta/architect", 12.0,
          "beta/test-developer", 24.0), byProjectAndAgent(prometheus, request(all, dashboard, now, "Agent performance",
          "A")), "runs in the 6 hours");
      assertEquals(Map.of("alpha/architect", 100.0, "alpha/backend-developer", 200 / 3.0, "beta/architect", 100.0,
          "beta/test-developer", 100.0), byProjectAndAgent(prometheus, request(all, dashboard, now, "Agent performance",
          "B")), "success rate");
      assertEquals(Map.of("alpha/architect", 0.0, "alpha/backend-developer", 12.0, "beta/architect", 0.0,
          "beta/test-developer", 0.0), byProjectAndAgent(prometheus, request(all, dashboard, now, "Agent performance",
          "C")), "errors");
      assertEquals(Map.of("alpha/architect", 288.0, "alpha/backend-developer", 585.0, "beta/architect", 57.0,
          "beta/test-developer", 288.0), byProjectAndAgent(prometheus, request(all, dashboard, now, "Agent performance",
          "D")), "p95 duration");
      assertEquals(List.of(24.0), values(prometheus, request(all, dashboard, now, "Invocations per hour", "A")),
          "(72 + 36 + 12 + 24) / 6 hours, both projects together");

      JsonNode rate = PanelAnswers.answer(prometheus, request(all, dashboard, now, "Invocation rate", "A"));
      assertEquals(Map.of("alpha/architect", 12.0, "alpha/backend-developer", 6.0, "beta/test-developer", 4.0),
          lastPoints(rate, now), "runs per hour over the last hour, at now: beta's architect stopped 2 hours ago");
      assertEquals(new TreeSet<>(List.of("architect alpha", "backend-developer alpha", "architect beta",
          "test-developer beta")), legends(rate, "{{agent_name}} {{project}}"));

      // the Project selector: alpha alone
      GrafanaRequests alpha = new GrafanaRequests(dashboard, SCRAPE).select("project", "alpha");
      List<String> problems = new ArrayList<>();
      for (GrafanaRequests.Request request : alpha.requests(dashboard, now)) {
        problems.addAll(PanelAnswers.problems(prometheus, request));
        for (JsonNode series : PanelAnswers.answer(prometheus, request).path("data").path("result")) {
          String project = series.path("metric").path("project").asText("alpha");
          if (!project.equals("alpha")) {
            problems.add(request.describe() + " -> a series of " + project + ": " + series.path("metric"));
          }
        }
      }
      assertEquals(List.of(), problems, "panels with the Project selector on alpha");
      assertEquals(Map.of("alpha/architect", 72.0, "alpha/backend-developer", 36.0), byProjectAndAgent(prometheus,
          request(alpha, dashboard, now, "Agent performance", "A")));
      assertEquals(List.of(18.0), values(prometheus, request(alpha, dashboard, now, "Invocations per hour", "A")),
          "(72 + 36) / 6 hours");
      assertEquals(List.of(2.0), values(prometheus, request(alpha, dashboard, now, "Unique agents", "A")));
      assertEquals(List.of(4.0), values(prometheus, request(all, dashboard, now, "Unique agents", "A")),
          "an agent counts once per project it ran in, as total_unique_agents counts it");
      assertEquals(Map.of("alpha/architect", 12.0, "alpha/backend-developer", 6.0),
          lastPoints(PanelAnswers.answer(prometheus, request(alpha, dashboard, now, "Invocation rate", "A")), now));

      theDocsExamplesForManyProjectsAnswer(prometheus, now);
    }
  }

  /**
   * {@link ProjectScrapes} writes what the exporter serves: every sample name it writes, a real
   * exporter that reads two databases serves too, with the same label names in the same order
   * ({@code project} first).
   */
  @Test
  void theSeriesWrittenHereHaveTheLabelsARealExporterOfTwoDatabasesServes() throws Exception {
    Instant t0 = Instant.now().minus(Duration.ofHours(1)).truncatedTo(ChronoUnit.MINUTES);
    List<NamedDatabase> databases = new ArrayList<>();
    for (String project : List.of("alpha", "beta")) {
      HookDatabase db = HookDatabase.create(Files.createDirectories(dir.resolve(project).resolve("logs"))
          .resolve("agent_workflow.db"));
      for (int i = 0; i < 2; i++) {
        String session = project + "-" + i;
        Instant at = t0.plusSeconds(60L * i);
        db.startSession(session, at);
        long id = db.startAgent(session, "planning", "architect", at);
        long tool = db.startTool(session, "architect", id, "Read", at.plusSeconds(1), 1);
        db.finishTool(tool, at.plusSeconds(2), i == 0 ? "error" : "completed", 1.0);
        db.finishAgent(id, at.plusSeconds(5), i == 0 ? "failed" : "completed", 5.0, "m",
            "{\"totalToolUseCount\": 1, \"totalTokens\": 1000}");
        db.stopSession(session, at.plusSeconds(30));
      }
      databases.add(new NamedDatabase(project, db.path()));
    }
    ExporterSettings one = TestSettings.of(dir.resolve("unused.db"));
    Map<String, List<String>> served;
    try (Exporter exporter = Exporter.start(new ExporterSettings(one.databasePath(), one.listen(), one.telemetryPath(),
        one.interval(), one.staleAfter(), one.timezone(), one.maxLabelValues(), one.maxSeries(), one.build(), one.web(),
        Optional.empty(), new DatabaseSources(databases, List.of(), Duration.ofHours(1), Optional.empty())),
        Clock.systemUTC())) {
      assertTrue(exporter.awaitFirstPoll(Duration.ofSeconds(30)));
      served = labelNames(new Scraper(exporter.port()).get("/metrics").body());
    }
    Map<String, List<String>> written = labelNames(new ProjectScrapes(t0, List.of(
        new ProjectScrapes.Agent("alpha", "architect", "planning", 1, 0.5, 5, "Read", 1, 0.5, 1000, null),
        new ProjectScrapes.Agent("beta", "architect", "planning", 1, 0.5, 5, "Read", 1, 0.5, 1000, null)))
        .at(t0.plus(Duration.ofHours(1))));
    assertTrue(written.size() > 20, written.keySet().toString());
    Map<String, List<String>> servedOfWritten = new TreeMap<>(served);
    servedOfWritten.keySet().retainAll(written.keySet());
    assertEquals(new TreeMap<>(written), servedOfWritten);
  }

  /** Each sample name of an exposition (text format or OpenMetrics), with its label names in order. */
  private static Map<String, List<String>> labelNames(String exposition) {
    Map<String, List<String>> names = new TreeMap<>();
    Pattern label = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"(?:[^\"\\\\]|\\\\.)*\"");
    for (String line : exposition.split("\n")) {
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int end = line.indexOf('{') >= 0 ? line.indexOf('{') : line.indexOf(' ');
      List<String> labels = new ArrayList<>();
      Matcher m = label.matcher(line.substring(end, line.lastIndexOf(' ')));
      while (m.find()) {
        labels.add(m.group(1));
      }
      List<String> before = names.put(line.substring(0, end), labels);
      assertTrue(before == null || before.equals(labels), "two label sets for " + line);
    }
    return names;
  }

  /** With every project: each request answers data without NaN, and each series of a panel has its own name. */
  private static void everyPanelHasDataNoNanAndOneNamePerSeries(PrometheusServer prometheus, JsonNode dashboard,
      GrafanaRequests grafana, Instant now) throws Exception {
    List<String> problems = new ArrayList<>();
    Map<String, String> formats = new LinkedHashMap<>();
    for (JsonNode panel : Dashboard.panels(dashboard)) {
      for (JsonNode target : panel.path("targets")) {
        formats.put(panel.path("title").asText() + "/" + target.path("refId").asText(),
            target.path("legendFormat").asText());
      }
    }
    int named = 0;
    for (GrafanaRequests.Request request : grafana.requests(dashboard, now)) {
      problems.addAll(PanelAnswers.problems(prometheus, request));
      String format = formats.get(request.panel() + "/" + request.refId());
      if (format.contains("{{")) {
        JsonNode answer = PanelAnswers.answer(prometheus, request);
        TreeSet<String> names = legends(answer, format);
        named++;
        if (names.size() != answer.path("data").path("result").size()) {
          problems.add(request.describe() + " -> series that share a name: " + names + " for "
              + answer.path("data").path("result").size() + " series");
        }
      }
    }
    assertTrue(named > 10, "panels whose legends name series: " + named);
    assertEquals(List.of(), problems, "panels of two projects");
  }

  /** Every example of the "Many projects" block of docs/monitoring.md answers data, none NaN. */
  private static void theDocsExamplesForManyProjectsAnswer(PrometheusServer prometheus, Instant now) throws Exception {
    Map<String, String> blocks = DocBlocks.named(Path.of("docs/monitoring.md"), "Many projects");
    assertEquals(1, blocks.size(), "one PromQL block starting with # Many projects: " + blocks.keySet());
    List<String> problems = new ArrayList<>();
    int examples = 0;
    for (String line : blocks.values().iterator().next().split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      examples++;
      JsonNode answer = PanelAnswers.instant(prometheus, line.strip(), now);
      if (!PrometheusServer.nonEmpty(answer)) {
        problems.add(line + " -> " + answer);
        continue;
      }
      for (JsonNode series : answer.path("data").path("result")) {
        if (!Double.isFinite(Double.parseDouble(series.path("value").get(1).asText().replace("Inf", "Infinity")))) {
          problems.add(line + " -> " + series);
        }
      }
    }
    assertTrue(examples >= 4, "examples found: " + examples);
    assertEquals(List.of(), problems);
  }

  private static GrafanaRequests.Request request(GrafanaRequests grafana, JsonNode dashboard, Instant now,
      String panel, String refId) {
    return grafana.requests(dashboard, now).stream()
        .filter(r -> r.panel().equals(panel) && r.refId().equals(refId)).findFirst().orElseThrow();
  }

  /** An instant answer's values by "project/agent", each to within {@link #EXACT} of a round figure. */
  private static Map<String, Double> byProjectAndAgent(PrometheusServer prometheus, GrafanaRequests.Request request)
      throws Exception {
    JsonNode answer = PanelAnswers.answer(prometheus, request);
    assertEquals("success", answer.path("status").asText(), answer.toString());
    Map<String, Double> values = new TreeMap<>();
    for (JsonNode series : answer.path("data").path("result")) {
      values.put(series.path("metric").path("project").asText() + "/" + series.path("metric").path("agent_name")
          .asText(), rounded(series.path("value").get(1).asDouble()));
    }
    return values;
  }

  private static List<Double> values(PrometheusServer prometheus, GrafanaRequests.Request request) throws Exception {
    List<Double> values = new ArrayList<>();
    PanelAnswers.answer(prometheus, request).path("data").path("result")
        .forEach(s -> values.add(rounded(s.path("value").get(1).asDouble())));
    return values;
  }

  /** A range answer's values at {@code now} by "project/agent"; series without a point there are left out. */
  private static Map<String, Double> lastPoints(JsonNode answer, Instant now) {
    Map<String, Double> values = new TreeMap<>();
    for (JsonNode series : answer.path("data").path("result")) {
      JsonNode points = series.path("values");
      JsonNode last = points.get(points.size() - 1);
      if (last.get(0).asLong() == now.getEpochSecond()) {
        values.put(series.path("metric").path("project").asText() + "/" + series.path("metric").path("agent_name")
            .asText(), rounded(last.get(1).asDouble()));
      }
    }
    return values;
  }

  private static TreeSet<String> legends(JsonNode answer, String format) {
    TreeSet<String> names = new TreeSet<>();
    for (JsonNode series : answer.path("data").path("result")) {
      Map<String, String> labels = new TreeMap<>();
      series.path("metric").fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
      names.add(GrafanaRequests.legend(format, labels));
    }
    assertFalse(names.isEmpty(), "no series: " + answer);
    return names;
  }

  /** {@code value}, or the whole or third it is within {@link #EXACT} of (floating point sums of linear counters). */
  private static double rounded(double value) {
    for (double denominator : new double[] {1, 3}) {
      double near = Math.rint(value * denominator) / denominator;
      if (Math.abs(value - near) <= EXACT * Math.max(1, Math.abs(value))) {
        return near;
      }
    }
    return value;
  }
}
