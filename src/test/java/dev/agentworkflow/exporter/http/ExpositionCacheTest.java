package dev.agentworkflow.exporter.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prometheus.client.Collector;
import dev.agentworkflow.exporter.metrics.SnapshotCollector;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.CounterMetricFamily;
import io.prometheus.client.GaugeMetricFamily;
import io.prometheus.client.exporter.common.TextFormat;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/**
 * The polled part rendered once per published input, the live part collected at most once per its
 * maximum age, and the answers made of both: exact bytes, with a ticker of the test's.
 */
class ExpositionCacheTest {
  private static final String TEXT = TextFormat.CONTENT_TYPE_004;
  private static final String OPENMETRICS = TextFormat.CONTENT_TYPE_OPENMETRICS_100;

  private final AtomicInteger polledCollections = new AtomicInteger();
  private final AtomicInteger liveCollections = new AtomicInteger();
  private final AtomicReference<Object> input = new AtomicReference<>(new Object());
  private final AtomicLong nanos = new AtomicLong(1_000);
  private final ExpositionCache cache;

  ExpositionCacheTest() {
    SnapshotCollector<Object> polled = new SnapshotCollector<>() {
      @Override
      public Object snapshot() {
        return input.get();
      }

      @Override
      public List<MetricFamilySamples> families(Object snapshot, io.prometheus.client.Predicate<String> filter) {
        polledCollections.incrementAndGet();
        return List.of(new GaugeMetricFamily("agent_workflow_database_up", "up", 1),
            new GaugeMetricFamily("total_sessions", "sessions", 7));
      }
    };
    CollectorRegistry live = new CollectorRegistry();
    live.register(new Collector() {
      @Override
      public List<MetricFamilySamples> collect() {
        int n = liveCollections.incrementAndGet();
        return List.of(new CounterMetricFamily("process_cpu_seconds_total", "cpu", n),
            new GaugeMetricFamily("jvm_threads_current", "threads", 10 + n));
      }
    });
    cache = new ExpositionCache(List.of(polled), live, Duration.ofSeconds(1), nanos::get);
  }

  private String text(String contentType, Set<String> names) {
    return new String(cache.body(contentType, names, false), StandardCharsets.UTF_8);
  }

  @Test
  void theAnswerIsThePolledPartThenTheLivePart() {
    assertEquals("""
        # HELP agent_workflow_database_up up
        # TYPE agent_workflow_database_up gauge
        agent_workflow_database_up 1.0
        # HELP total_sessions sessions
        # TYPE total_sessions gauge
        total_sessions 7.0
        # HELP process_cpu_seconds_total cpu
        # TYPE process_cpu_seconds_total counter
        process_cpu_seconds_total 1.0
        # HELP jvm_threads_current threads
        # TYPE jvm_threads_current gauge
        jvm_threads_current 11.0
        """, text(TEXT, Set.of()));
  }

  @Test
  void openMetricsEndsWithOneEofAfterTheLivePart() {
    assertEquals("""
        # TYPE agent_workflow_database_up gauge
        # HELP agent_workflow_database_up up
        agent_workflow_database_up 1.0
        # TYPE total_sessions gauge
        # HELP total_sessions sessions
        total_sessions 7.0
        # TYPE process_cpu_seconds counter
        # HELP process_cpu_seconds cpu
        process_cpu_seconds_total 1.0
        # TYPE jvm_threads_current gauge
        # HELP jvm_threads_current threads
        jvm_threads_current 11.0
        # EOF
        """, text(OPENMETRICS, Set.of()));
  }

  @Test
  void scrapesWithinTheMaximumAgeShareOneReadingOfTheLivePart() {
    byte[] first = cache.body(TEXT, Set.of(), false);
    nanos.addAndGet(999_999_999);
    assertSame(first, cache.body(TEXT, Set.of(), false), "the same answer, not made again");
    assertEquals(1, liveCollections.get());
    nanos.addAndGet(1);
    String later = text(TEXT, Set.of());
    assertEquals(2, liveCollections.get());
    assertTrue(later.contains("process_cpu_seconds_total 2.0\n"), later);
    assertEquals(1, polledCollections.get(), "the polled part is kept: its input did not change");
  }

  @Test
  void aNewInputRendersThePolledPartAgainAtOnce() {
    cache.body(TEXT, Set.of(), false);
    input.set(new Object());
    cache.body(TEXT, Set.of(), false);
    assertEquals(2, polledCollections.get());
    assertEquals(1, liveCollections.get(), "within its age the live part is not read again");
  }

  @Test
  void theGzippedAnswerIsThePlainOneCompressed() throws IOException {
    for (String type : new String[] {TEXT, OPENMETRICS}) {
      byte[] plain = cache.body(type, Set.of(), false);
      byte[] gzipped = cache.body(type, Set.of(), true);
      try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gzipped))) {
        assertArrayEquals(plain, in.readAllBytes());
      }
    }
  }

  @Test
  void aQuestionByNameGetsTheSamplesNamedFromBothParts() {
    assertEquals("""
        # HELP total_sessions sessions
        # TYPE total_sessions gauge
        total_sessions 7.0
        # HELP jvm_threads_current threads
        # TYPE jvm_threads_current gauge
        jvm_threads_current 11.0
        """, text(TEXT, Set.of("total_sessions", "jvm_threads_current")));
    assertNotEquals(text(TEXT, Set.of()), text(TEXT, Set.of("total_sessions")));
    // each question collects what it asks for, and nothing is kept but answers (50 databases' samples
    // would not fit the heap): three questions, three collections; asked again, none
    assertEquals(3, polledCollections.get());
    text(TEXT, Set.of("total_sessions"));
    text(TEXT, Set.of());
    assertEquals(3, polledCollections.get());
    assertEquals(1, liveCollections.get());
  }

  /**
   * Past the plain limit an answer is sent gzipped only: made whole before it is written, 30 MB of
   * plain text for 50 databases would not fit the launcher's 64 MB heap beside everything else.
   */
  @Test
  void aPlainAnswerPastTheLimitIsRefusedAndTheGzippedOneServed() throws Exception {
    SnapshotCollector<Object> big = new SnapshotCollector<>() {
      @Override
      public Object snapshot() {
        return input.get();
      }

      @Override
      public List<MetricFamilySamples> families(Object snapshot, io.prometheus.client.Predicate<String> filter) {
        GaugeMetricFamily many = new GaugeMetricFamily("agent_workflow_many", "many", List.of("n"));
        for (int i = 0; i < 40_000; i++) {
          many.addMetric(List.of(Integer.toString(i)), i);
        }
        return List.of(many);
      }
    };
    ExpositionCache limited = new ExpositionCache(List.of(big), new CollectorRegistry(),
        Duration.ofSeconds(1), nanos::get, 1024 * 1024);
    byte[] gzipped = limited.body(TEXT, Set.of(), true);
    String whole;
    try (java.util.zip.GZIPInputStream in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(gzipped))) {
      whole = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertTrue(whole.length() > 1024 * 1024 && whole.endsWith("agent_workflow_many{n=\"39999\",} 39999.0\n"),
        whole.length() + " bytes");
    assertEquals(null, limited.body(TEXT, Set.of(), false));
    Response refused = new MetricsHandler(limited).answer(new Request("GET", "/metrics", "", true, Map.of()));
    assertEquals(406, refused.status());
    assertTrue(new String(refused.body(), StandardCharsets.UTF_8).startsWith("Not Acceptable: the metrics are over 1 MB "
        + "as plain text and are sent gzipped only: ask with Accept-Encoding: gzip (curl --compressed)"));
  }
}
