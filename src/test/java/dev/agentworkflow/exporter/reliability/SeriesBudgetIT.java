package dev.agentworkflow.exporter.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentworkflow.exporter.it.ExporterProcess;
import dev.agentworkflow.exporter.support.Await;
import dev.agentworkflow.exporter.support.Exposition;
import dev.agentworkflow.exporter.support.HookDatabase;
import dev.agentworkflow.exporter.support.Scraper;
import dev.agentworkflow.exporter.support.SqlTotals;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Case 9, series bounded, not only label values: finished invocations whose (agent, phase, status,
 * model) combinations are all distinct while each label stays within --max-label-values (500
 * agents, up to 200 phases). Under the systemd unit's JVM options the exporter stays up, the
 * exposition stays bounded by --max-series (2000 by default) per family, and nothing is lost: the
 * overflow series of each family holds the rest.
 */
@Tag("reliability")
class SeriesBudgetIT {
  private static final int MAX_SERIES = 2000;
  private static final Duration WAIT = Duration.ofSeconds(90);

  @TempDir
  Path dir;

  @Test
  void twentyThousandDistinctCombinationsStayWithinTheBudget() throws Exception {
    distinctCombinationsStayWithinTheBudget(20_000);
  }

  @Test
  void oneHundredThousandDistinctCombinationsStayWithinTheBudget() throws Exception {
    distinctCombinationsStayWithinTheBudget(100_000);
  }

  @Test
  void longLabelsInDistinctCombinationsMakeFewerSeriesNotALargerExposition() throws Exception {
    // every label 256 characters, the longest kept: 2000 such combinations were a 25 MB exposition
    // that the unit's heap could not render (out of memory at the first scrape, also at 1000)
    HookDatabase db = HookDatabase.create(dir.resolve("agent_workflow.db"));
    write(db, 5_000, 256);
    try (Connection c = db.connect()) {
      assertEquals(5_000, SqlTotals.finished(c));
    }
    try (ExporterProcess exporter = ExporterProcess.start(List.of(), ExporterProcess.serviceJvmOptions(), dir,
        "--db", "agent_workflow.db", "--bind", "127.0.0.1", "--port", "0", "--interval", "2")) {
      Scraper scraper = new Scraper(Integer.parseInt(
          exporter.await("serving http://127\\.0\\.0\\.1:(\\d+)/metrics", Duration.ofSeconds(30))));
      Await.until("the invocations counted", WAIT, () -> {
        if (!exporter.isAlive()) {
          throw new AssertionError("the exporter died:\n" + exporter.stdout() + exporter.stderr());
        }
        return scraper.metrics().sum("agent_invocation_total") == 5_000;
      });
      long largest = 0;
      Exposition m = null;
      for (String accept : new String[] {"text/plain", "application/openmetrics-text; version=1.0.0"}) {
        for (int i = 0; i < 3; i++) {
          HttpResponse<String> response = scraper.get("/metrics", "Accept", accept);
          assertEquals(200, response.statusCode());
          largest = Math.max(largest, response.body().length());
          if (accept.startsWith("text/plain")) {
            m = Exposition.parse(response.body());
          }
        }
      }
      assertTrue(exporter.isAlive(), exporter.stdout() + exporter.stderr());
      assertTrue(largest < 8_000_000, largest + " bytes");
      assertTrue(m.seriesOf("agent_duration_seconds_count").size() <= MAX_SERIES + 1);
      assertEquals(5_000, m.sum("agent_invocation_total"));
      assertEquals(5_000, m.sum("agent_duration_seconds_count"));
      int admitted = m.seriesOf("agent_invocation_total").size() - 1;
      assertEquals(5_000 - admitted, m.value("agent_workflow_exporter_series_overflow_total",
          "metric", "agent_invocation_total"));
      System.out.printf("REPORT series budget with every label 256 characters, 5,000 distinct combinations, unit's JVM "
              + "options: alive; %d invocation series admitted (the characters' budget), largest exposition %,d bytes; "
              + "peak RSS %d MB%n", admitted, largest, exporter.peakResidentKib() / 1024);
    }
  }

  private void distinctCombinationsStayWithinTheBudget(int rows) throws Exception {
    HookDatabase db = HookDatabase.create(dir.resolve("agent_workflow.db"));
    write(db, rows, 0);
    long finished;
    long failed;
    try (Connection c = db.connect()) {
      finished = SqlTotals.finished(c);
      failed = SqlTotals.errors(c);
    }
    assertEquals(rows, finished);
    try (ExporterProcess exporter = ExporterProcess.start(List.of(), ExporterProcess.serviceJvmOptions(), dir,
        "--db", "agent_workflow.db", "--bind", "127.0.0.1", "--port", "0", "--interval", "2")) {
      Scraper scraper = new Scraper(Integer.parseInt(
          exporter.await("serving http://127\\.0\\.0\\.1:(\\d+)/metrics", Duration.ofSeconds(30))));
      Await.until("the " + rows + " invocations counted", WAIT, () -> {
        if (!exporter.isAlive()) {
          throw new AssertionError("the exporter died:\n" + exporter.stderr());
        }
        return scraper.metrics().sum("agent_invocation_total") == rows;
      });

      long slowest = 0;
      long bytes = 0;
      Exposition m = null;
      for (int i = 0; i < 10; i++) {
        long started = System.nanoTime();
        HttpResponse<String> response = scraper.get("/metrics");
        slowest = Math.max(slowest, System.nanoTime() - started);
        assertEquals(200, response.statusCode());
        bytes = response.body().length();
        m = Exposition.parse(response.body());
      }
      assertTrue(exporter.isAlive(), exporter.stderr());

      // at most the budget plus the one overflow series per family
      assertEquals(MAX_SERIES + 1, m.seriesOf("agent_invocation_total").size());
      assertEquals(MAX_SERIES + 1, m.seriesOf("agent_error_total").size());
      assertEquals(MAX_SERIES + 1, m.seriesOf("agent_duration_seconds_count").size());
      // nothing lost: the sums over all series, overflow included, are SQL's
      assertEquals(finished, m.sum("agent_invocation_total"));
      assertEquals(finished, m.sum("phase_distribution_total"));
      assertEquals(failed, m.sum("agent_error_total"));
      assertEquals(finished, m.sum("agent_duration_seconds_count"));
      // the first combinations read were admitted; every later one is in the overflow series
      assertEquals(finished - MAX_SERIES, m.value("agent_invocation_total",
          "agent_name", "other", "phase", "other", "status", "other", "model", "other"));
      assertEquals(finished - MAX_SERIES, m.value("agent_workflow_exporter_series_overflow_total",
          "metric", "agent_invocation_total"));
      assertEquals(failed - MAX_SERIES, m.value("agent_error_total", "agent_name", "other", "phase", "other"));
      assertEquals(failed - MAX_SERIES, m.value("agent_workflow_exporter_series_overflow_total",
          "metric", "agent_error_total"));
      assertEquals(finished - MAX_SERIES, m.value("agent_duration_seconds_count",
          "agent_name", "other", "phase", "other", "model", "other"));
      assertEquals(finished - MAX_SERIES, m.value("agent_workflow_exporter_series_overflow_total",
          "metric", "agent_duration_seconds"));
      assertEquals(0, m.value("agent_workflow_exporter_label_overflow_total", "label", "agent_name"));
      int samples = m.all().size();
      assertTrue(samples < 35_000, samples + " samples");
      assertTrue(bytes < 4_000_000, bytes + " bytes");
      assertTrue(slowest < 2_000_000_000L, "slowest scrape " + slowest / 1e6 + " ms");
      System.out.printf("REPORT series budget, %,d finished invocations in %,d distinct combinations (500 agents, "
              + "%d phases), unit's JVM options: alive; %,d samples, %,d bytes; slowest of 10 scrapes %.0f ms; "
              + "RSS %d MB%n",
          rows, rows, rows / 500, samples, bytes, slowest / 1e6, exporter.residentKib() / 1024);
    }
  }

  /**
   * Every (agent, phase) pair distinct; agents 500 (the label cap), phases one per 500 rows;
   * labels padded to {@code width} characters.
   */
  private static void write(HookDatabase db, int rows, int width) throws Exception {
    try (Connection c = db.connect()) {
      c.setAutoCommit(false);
      try (PreparedStatement insert = c.prepareStatement("""
          INSERT INTO agent_invocations (session_id, event_type, phase, agent_name, model, status, start_time,
                                         end_time, duration_seconds)
          VALUES (?, 'pre_invocation', ?, ?, ?, ?, '2025-08-15T10:00:00', '2025-08-15T10:00:07', 7)
          """)) {
        for (int i = 0; i < rows; i++) {
          insert.setString(1, "s" + i / 12);
          insert.setString(2, pad("phase-" + i / 500, width));
          insert.setString(3, pad("agent-" + i % 500, width));
          insert.setString(4, pad("model-" + i % 7, width));
          insert.setString(5, i % 2 == 0 ? "completed" : "failed");
          insert.executeUpdate();
        }
      }
      c.commit();
    }
  }

  private static String pad(String value, int width) {
    return value.length() >= width ? value : value + "-".repeat(width - value.length());
  }
}
