package dev.agentworkflow.exporter.monitoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentworkflow.exporter.app.Exporter;
import dev.agentworkflow.exporter.demo.DemoDatabase;
import dev.agentworkflow.exporter.demo.LiveWriter;
import dev.agentworkflow.exporter.demo.Pace;
import dev.agentworkflow.exporter.support.HookDatabase;
import dev.agentworkflow.exporter.support.MutableClock;
import dev.agentworkflow.exporter.support.PrometheusServer;
import dev.agentworkflow.exporter.support.Scraper;
import dev.agentworkflow.exporter.support.TestSettings;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every query of the Grafana dashboard, sent as Grafana sends it for the dashboard's default range
 * ({@link GrafanaRequests}), to a real Prometheus that holds what it would have scraped from the
 * exporter over that range plus the longest window, on the sparse demo: each query has data, and
 * no value is NaN or ±Inf.
 *
 * <p>Seven hours cannot be waited for: the sparse demo and an exporter in this JVM run on a clock
 * the test moves a scrape interval at a time; each step writes the demo's due events, polls, and
 * scrapes the exporter over HTTP as OpenMetrics. The scrapes, stamped with their times, become TSDB
 * blocks ({@code promtool tsdb create-blocks-from openmetrics}) that Prometheus starts on.
 *
 * <p>{@code -Ddashboard.file=PATH} runs it on another dashboard file (an older one, to see what it
 * finds there).
 */
class DashboardQueriesIT {
  private static final Pattern DURATION = Pattern.compile("(\\d+)([smhd])");
  /** Prometheus's scrape interval as config/prometheus.yml sets it, and the Grafana data source's. */
  private static final Duration SCRAPE = shippedScrapeInterval();
  /** Prometheus's lookback for an instant vector: data this much older than a range still counts. */
  private static final Duration LOOKBACK = Duration.ofMinutes(5);
  private static final long SEED = 15;

  @TempDir
  Path dir;

  @Test
  void everyPanelHasDataAndNoValueIsNanOrInfiniteOnASparsePipeline() throws Exception {
    Path file = Path.of(System.getProperty("dashboard.file", Dashboard.FILE.toString()));
    JsonNode dashboard = Dashboard.read(file);
    GrafanaRequests grafana = new GrafanaRequests(dashboard, SCRAPE);
    Duration window = grafana.variable("window").map(DashboardQueriesIT::duration).orElse(Duration.ZERO);
    Duration longest = window.compareTo(grafana.rateInterval()) > 0 ? window : grafana.rateInterval();
    Instant now = Instant.now().truncatedTo(ChronoUnit.MINUTES);
    Instant first = now.minus(grafana.range()).minus(longest).minus(grafana.interval()).minus(LOOKBACK);

    scrapeTheSparseDemo(first, now);

    Path config = dir.resolve("prometheus.yml");
    Files.writeString(config, "global:\n  scrape_interval: " + SCRAPE.toSeconds() + "s\n");
    try (PrometheusServer prometheus = PrometheusServer.start(config, dir)) {
      prometheus.await("Prometheus to serve the blocks",
          () -> PrometheusServer.nonEmpty(PanelAnswers.instant(prometheus, "agent_workflow_database_up", now)));

      List<String> problems = new ArrayList<>();
      for (GrafanaRequests.Request request : grafana.requests(dashboard, now)) {
        problems.addAll(PanelAnswers.problems(prometheus, request));
      }
      assertEquals(List.of(), problems, "panels of " + file + " on the sparse demo, " + grafana.range()
          + " up to " + now + ", $__interval " + grafana.interval() + ", $__rate_interval " + grafana.rateInterval());

      if (grafana.variable("project").isPresent()) { // older dashboards have none
        assertEquals(List.of(), PanelAnswers.variableValues(prometheus, grafana, dashboard, "project", now),
            "an exporter that reads one database has no project label: the Project selector offers only All");
      }
      theDataIsSparse(prometheus, grafana, now);
      aSessionIsActiveWheneverAnAgentRuns(prometheus, grafana, now);
    }
  }

  /**
   * The demo at the sparse pace from {@code first} to {@code now}, scraped every {@link #SCRAPE} and
   * made into blocks in {@code dir/data}. Its database lives in /dev/shm where there is one: each of
   * its commits is flushed to disk as the hooks' are, and seven hours of them took 30 s on this
   * machine's disk, 2 s in memory.
   */
  private void scrapeTheSparseDemo(Instant first, Instant now) throws Exception {
    Path ram = Path.of("/dev/shm");
    Path demoFolder = Files.isDirectory(ram) && Files.isWritable(ram)
        ? Files.createTempDirectory(ram, "dashboard-queries-it-") : dir.resolve("demo");
    try {
      scrapeTheSparseDemo(demoFolder.resolve("agent_workflow.db"), first, now);
    } finally {
      if (demoFolder.startsWith(ram)) {
        try (var files = Files.walk(demoFolder)) {
          for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
            Files.delete(file);
          }
        }
      }
    }
  }

  private void scrapeTheSparseDemo(Path db, Instant first, Instant now) throws Exception {
    MutableClock clock = new MutableClock(first);
    DemoDatabase demo = new DemoDatabase(db, HookDatabase.ZONE, new Random(SEED), clock);
    assertTrue(demo.createOrReuse(Pace.SPARSE));
    LiveWriter live = demo.liveWriter(Pace.SPARSE);
    try (OpenMetricsBackfill backfill = new OpenMetricsBackfill(dir.resolve("scrapes"), "agent_workflow",
        "localhost:9091");
        Exporter exporter = Exporter.start(TestSettings.of(db), clock)) {
      Scraper scraper = new Scraper(exporter.port());
      long started = System.nanoTime();
      for (Instant t = first; !t.isAfter(now); t = t.plus(SCRAPE)) {
        clock.set(t);
        live.writeDue();
        exporter.pollNow();
        HttpResponse<String> scrape = scraper.get("/metrics", "Accept",
            "application/openmetrics-text; version=1.0.0; charset=utf-8");
        assertEquals(200, scrape.statusCode());
        assertTrue(scrape.headers().firstValue("Content-Type").orElse("").startsWith("application/openmetrics-text"));
        backfill.add(t, scrape.body());
      }
      long scraped = System.nanoTime();
      long bytes = backfill.createBlocks(dir.resolve("data"));
      System.out.printf("%d scrapes every %s, %d samples, in %.1f s; %d MB of OpenMetrics made into blocks in %.1f s%n",
          Duration.between(first, now).dividedBy(SCRAPE) + 1, SCRAPE, backfill.samples(), (scraped - started) / 1e9,
          bytes >> 20, (System.nanoTime() - scraped) / 1e9);
    }
  }

  /**
   * The test has teeth: an agent finishes every few minutes (not every few seconds), and the rate
   * interval the dashboard used to take leaves points of a per-agent p95 without a run: NaN.
   */
  private static void theDataIsSparse(PrometheusServer prometheus, GrafanaRequests grafana, Instant now)
      throws Exception {
    long rangeSeconds = grafana.range().toSeconds();
    double finished = value(PanelAnswers.instant(prometheus, "sum(increase(agent_invocation_total[" + rangeSeconds + "s]))", now));
    double minutesEach = rangeSeconds / 60.0 / finished;
    assertTrue(minutesEach >= 2 && minutesEach <= 15, "an agent finishes every " + minutesEach + " minutes");

    GrafanaRequests.Request careless = grafana.rangeRequest("p95 over $__rate_interval", "A",
        "histogram_quantile(0.95, sum by (agent_name, le) (rate(agent_duration_seconds_bucket[$__rate_interval])))",
        now);
    List<String> found = PanelAnswers.problems(prometheus, careless);
    assertTrue(!found.isEmpty() && found.get(0).contains("NaN or infinite"),
        "a p95 over $__rate_interval finds NaN on this data: " + found);
  }

  /** active_sessions_count is not 0 while an agent runs (the hooks mark a session completed after each reply). */
  private static void aSessionIsActiveWheneverAnAgentRuns(PrometheusServer prometheus, GrafanaRequests grafana,
      Instant now) throws Exception {
    JsonNode running = PanelAnswers.rangeQuery(prometheus, grafana.rangeRequest("", "", "sum(parallel_executions_current) > 0", now));
    int pointsRunning = points(running);
    assertTrue(pointsRunning > 0, "agents ran in the range: " + running);
    JsonNode runningWithoutSession = PanelAnswers.rangeQuery(prometheus, grafana.rangeRequest("", "",
        "sum(parallel_executions_current) > 0 unless on() sum(active_sessions_count) > 0", now));
    assertEquals(0, points(runningWithoutSession), "of the " + pointsRunning
        + " points where agents ran, these had no session active: " + runningWithoutSession);
  }

  /** The number of points of a range query's answer. */
  private static int points(JsonNode answer) {
    assertEquals("success", answer.path("status").asText(), answer.toString());
    int n = 0;
    for (JsonNode series : answer.path("data").path("result")) {
      n += series.path("values").size();
    }
    return n;
  }

  private static double value(JsonNode answer) {
    JsonNode result = answer.path("data").path("result");
    assertEquals(1, result.size(), answer.toString());
    return Double.parseDouble(result.get(0).get("value").get(1).asText());
  }

  private static Duration shippedScrapeInterval() {
    try {
      Matcher m = Pattern.compile("(?m)^\\s*scrape_interval: (\\w+)$").matcher(Files.readString(Path.of("config/prometheus.yml")));
      if (!m.find()) {
        throw new IllegalStateException("no scrape_interval in config/prometheus.yml");
      }
      return duration(m.group(1));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static Duration duration(String text) {
    Matcher m = DURATION.matcher(text);
    if (!m.matches()) {
      throw new IllegalArgumentException("not a duration: " + text);
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      default -> Duration.ofDays(n);
    };
  }
}
