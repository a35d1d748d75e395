package dev.agentworkflow.exporter.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.UnixOperatingSystemMXBean;
import dev.agentworkflow.exporter.app.Exporter;
import dev.agentworkflow.exporter.metrics.RuntimeCollectors;
import dev.agentworkflow.exporter.metrics.WorkflowCollector;
import dev.agentworkflow.exporter.model.PollResult;
import dev.agentworkflow.exporter.model.PublishedPolls;
import dev.agentworkflow.exporter.poll.Poller;
import dev.agentworkflow.exporter.support.Exposition;
import dev.agentworkflow.exporter.support.HookDatabase;
import dev.agentworkflow.exporter.support.MutableClock;
import dev.agentworkflow.exporter.support.Scraper;
import dev.agentworkflow.exporter.support.TestSettings;
import dev.agentworkflow.exporter.webconfig.LiveWebConfig;
import dev.agentworkflow.exporter.webconfig.WebConfig;
import io.prometheus.client.CollectorRegistry;
import java.io.ByteArrayInputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * process_* and jvm_* of client_java's hotspot module: on every exporter's own registry, read when
 * scraped (at most once a second: ExpositionCacheTest), appended to the workflow's exposition that
 * stays rendered once per poll.
 */
class RuntimeMetricsTest {
  private static final Instant T0 = Instant.parse("2026-11-30T12:00:00Z");

  @TempDir
  Path dir;

  private final MutableClock clock = new MutableClock(T0.plusSeconds(60));

  private Path database() throws Exception {
    Path file = dir.resolve("agent_workflow.db");
    if (!file.toFile().exists()) {
      HookDatabase db = HookDatabase.create(file);
      long id = db.startAgent("s1", "planning", "architect", T0);
      db.finishAgent(id, T0.plusSeconds(20), "completed", 20.0, "m");
    }
    return file;
  }

  private Exporter start() throws Exception {
    Exporter exporter = Exporter.start(TestSettings.of(database()), clock);
    exporter.pollNow();
    return exporter;
  }

  @Test
  void processAndJvmMetricsAreServedWithTheJvmsOwnFigures() throws Exception {
    try (Exporter exporter = start()) {
      Exposition m = new Scraper(exporter.port()).metrics();
      assertEquals(ManagementFactory.getRuntimeMXBean().getStartTime() / 1000.0, m.value("process_start_time_seconds"));
      assertEquals(((UnixOperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getMaxFileDescriptorCount(),
          m.value("process_max_fds"));
      assertTrue(m.value("process_open_fds") > 0);
      assertTrue(m.value("process_resident_memory_bytes") > 0);
      assertTrue(m.value("process_cpu_seconds_total") > 0);
      assertEquals(1, m.value("jvm_info", "runtime", System.getProperty("java.runtime.name"),
          "vendor", System.getProperty("java.vm.vendor"), "version", System.getProperty("java.runtime.version")));
      assertEquals(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getMax(),
          m.value("jvm_memory_bytes_max", "area", "heap"));
      assertEquals("counter", m.type("process_cpu_seconds_total"));
      assertEquals("gauge", m.type("jvm_memory_bytes_used"));
      assertEquals("summary", m.type("jvm_gc_collection_seconds"));
      assertEquals("gauge", m.type("jvm_threads_current"));
      assertFalse(m.has("jvm_memory_pool_allocated_bytes_total"), "MemoryAllocationExports is left out");
      assertEquals(1, m.value("agent_workflow_database_up"), "and the workflow's, as before");
    }
  }

  @Test
  void manyExportersInOneJvmEachHaveTheirsAndTheDefaultRegistryStaysEmpty() throws Exception {
    try (Exporter one = start(); Exporter two = start()) {
      double started = ManagementFactory.getRuntimeMXBean().getStartTime() / 1000.0;
      assertEquals(started, new Scraper(one.port()).metrics().value("process_start_time_seconds"));
      assertEquals(started, new Scraper(two.port()).metrics().value("process_start_time_seconds"));
      assertEquals(List.of(), Collections.list(CollectorRegistry.defaultRegistry.metricFamilySamples()).stream()
          .map(f -> f.name).filter(n -> n.startsWith("process_") || n.startsWith("jvm_")).toList());
    }
  }

  /** With no maximum age, each scrape reads the JVM again; the workflow's lines are the bytes kept since the poll. */
  @Test
  void theJvmsFiguresAreReadAgainWhileTheWorkflowsAreKept() throws Exception {
    PollResult poll;
    try (Poller poller = Exporter.newPoller(TestSettings.of(database()), clock)) {
      poll = poller.poll();
    }
    PublishedPolls polls = PublishedPolls.one("db", poll);
    WorkflowCollector workflow = new WorkflowCollector(() -> polls, TestSettings.build("test"));
    ServerLimits everyScrape = new ServerLimits(16, Duration.ofSeconds(10), Duration.ofSeconds(10),
        Duration.ofSeconds(10), 16 * 1024, 64 * 1024, 2, Duration.ZERO);
    try (MetricsServer server = new MetricsServer(new InetSocketAddress("127.0.0.1", 0), "/metrics", List.of(workflow),
        RuntimeCollectors.newRegistry(), () -> polls, () -> false, "test",
        new LiveWebConfig(WebConfig.NONE, clock),
        clock, everyScrape)) {
      server.start();
      Scraper scraper = new Scraper(server.port());
      String before = scraper.get("/metrics").body();
      Thread thread = new Thread(() -> { });
      thread.start();
      thread.join();
      String after = scraper.get("/metrics").body();
      assertTrue(Exposition.parse(after).value("jvm_threads_started_total")
          >= Exposition.parse(before).value("jvm_threads_started_total") + 1, after);
      assertEquals(workflowPart(before), workflowPart(after));
      assertTrue(workflowPart(after).contains("agent_workflow_exporter_build_info"), after);
    }
  }

  /**
   * Up to the live part: its first family, process_* or jvm_* (the registry's order is a hash
   * map's), may tick between two scrapes (CPU time, memory used).
   */
  private static String workflowPart(String exposition) {
    int process = exposition.indexOf("# HELP process_");
    int jvm = exposition.indexOf("# HELP jvm_");
    return exposition.substring(0, Math.min(process < 0 ? jvm : process, jvm < 0 ? process : jvm));
  }

  @Test
  void openMetricsEndsOnceWithEofAfterTheJvmsFamilies() throws Exception {
    try (Exporter exporter = start()) {
      String body = new Scraper(exporter.port()).get("/metrics", "Accept", "application/openmetrics-text; version=1.0.0")
          .body();
      assertTrue(body.endsWith("# EOF\n"), body);
      assertEquals(body.indexOf("# EOF"), body.lastIndexOf("# EOF"), body);
      assertTrue(body.indexOf("# TYPE agent_workflow_database_up gauge") < body.indexOf("# TYPE process_cpu_seconds"));
      assertTrue(body.contains("# TYPE jvm_threads_started counter\n"), body);
    }
  }

  @Test
  void gzippedAndFilteredAnswersHoldBothParts() throws Exception {
    try (Exporter exporter = start()) {
      HttpClient client = HttpClient.newHttpClient();
      URI uri = URI.create("http://127.0.0.1:" + exporter.port() + "/metrics");
      HttpResponse<byte[]> gzipped = client.send(HttpRequest.newBuilder(uri).header("Accept-Encoding", "gzip").build(),
          HttpResponse.BodyHandlers.ofByteArray());
      assertEquals("gzip", gzipped.headers().firstValue("Content-Encoding").orElse(""));
      Exposition m = Exposition.parse(new String(new GZIPInputStream(new ByteArrayInputStream(gzipped.body()))
          .readAllBytes(), StandardCharsets.UTF_8));
      assertEquals(1, m.value("agent_workflow_database_up"));
      assertTrue(m.value("process_open_fds") > 0);

      Exposition filtered = new Scraper(exporter.port())
          .get("/metrics?name[]=process_max_fds&name[]=agent_workflow_database_up&name[]=jvm_threads_state")
          .body().transform(Exposition::parse);
      assertEquals(Set.of("agent_workflow_database_up", "process_max_fds", "jvm_threads_state{state=\"BLOCKED\"}",
          "jvm_threads_state{state=\"NEW\"}", "jvm_threads_state{state=\"RUNNABLE\"}",
          "jvm_threads_state{state=\"TERMINATED\"}", "jvm_threads_state{state=\"TIMED_WAITING\"}",
          "jvm_threads_state{state=\"UNKNOWN\"}", "jvm_threads_state{state=\"WAITING\"}"), filtered.all().keySet());
    }
  }
}
