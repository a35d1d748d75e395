package dev.agentworkflow.exporter.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentworkflow.exporter.app.Exporter;
import dev.agentworkflow.exporter.support.Binaries;
import dev.agentworkflow.exporter.support.Exposition;
import dev.agentworkflow.exporter.support.HookDatabase;
import dev.agentworkflow.exporter.support.Scraper;
import dev.agentworkflow.exporter.support.TestSettings;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Clock;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Case 5, hostile values: a buggy writer's 10,000 agent names, quotes, backslashes, newlines,
 * bytes that are not UTF-8, 1 MB strings, timestamps far in the past and future, negative and NaN
 * durations. The series stay bounded, the overflow is counted exactly, and Prometheus's own parser
 * (promtool) reads the exposition.
 */
@Tag("reliability")
class HostileValuesTest {
  private static final int NAMES = 10_000;

  @TempDir
  Path dir;

  @Test
  void theExpositionStaysValidAndBounded() throws Exception {
    Path file = dir.resolve("agent_workflow.db");
    HookDatabase db = HookDatabase.create(file);
    try (Connection c = db.connect()) {
      c.setAutoCommit(false);
      try (PreparedStatement insert = c.prepareStatement("""
          INSERT INTO agent_invocations (session_id, phase, agent_name, model, status, start_time, end_time, duration_seconds)
          VALUES ('s', 'development', ?, 'm', 'completed', '2025-08-15T10:00:00', '2025-08-15T10:00:05', 5)
          """)) {
        for (int i = 0; i < NAMES; i++) {
          insert.setString(1, "buggy-agent-" + i);
          insert.executeUpdate();
        }
      }
      c.commit();
    }
    String mb = "x".repeat(1 << 20);
    try (Connection c = db.connect(); PreparedStatement huge = c.prepareStatement("""
        INSERT INTO agent_invocations (session_id, phase, agent_name, model, status, start_time, end_time)
        VALUES ('s', 'review', ?, ?, 'completed', 1e300, -1e300)
        """)) {
      huge.setString(1, mb);
      huge.setString(2, mb);
      huge.executeUpdate();
    }
    db.execute("""
        INSERT INTO agent_invocations (session_id, phase, agent_name, model, status, start_time, end_time, duration_seconds)
        VALUES ('s', 'quote " backslash \\ newline
         end', 'buggy-agent-1', CAST(X'41C328FF42' AS TEXT), 'completed', '0001-01-01T00:00:00', '9999-12-31T23:59:59', NULL),
               ('s', 'review', 'buggy-agent-2', 'm', 'failed', '2025-08-15T10:00:00', '2025-08-15T09:00:00', -5),
               ('s', 'review', 'buggy-agent-3', 'm', 'failed', '2025-08-15T10:00:00', '2025-08-15T10:00:01', 'NaN'),
               (CAST(X'FFFE' AS TEXT), CAST(X'C0' AS TEXT), 'buggy-agent-4', 'm', 'completed', NULL, 'garbage', 'Infinity')
        """);

    try (Exporter exporter = Exporter.start(TestSettings.of(file), Clock.systemUTC())) {
      exporter.pollNow();
      HttpResponse<String> response = new Scraper(exporter.port()).get("/metrics");
      String text = response.body();
      Exposition m = Exposition.parse(text);

      // 500 names admitted (the first ones read); the other 9,500 and the 1 MB name read 'other'
      assertEquals(NAMES + 5, m.sum("agent_invocation_total"));
      assertEquals(NAMES - 500 + 1, m.value("agent_workflow_exporter_label_overflow_total", "label", "agent_name"));
      assertEquals(1, m.value("agent_workflow_exporter_label_overflow_total", "label", "model"));
      assertEquals(NAMES - 500 + 1, m.value("agent_invocation_total",
          "agent_name", "other", "phase", "development", "status", "completed", "model", "m")
          + m.value("agent_invocation_total", "agent_name", "other", "phase", "review", "status", "completed", "model", "other"));
      assertEquals(NAMES + 1, m.value("total_unique_agents"), "exact, other or not");
      assertTrue(m.seriesOf("agent_last_execution_timestamp").size() <= 501);
      assertEquals(1, m.value("phase_distribution_total", "phase", "quote \" backslash \\ newline\n end"));
      assertTrue(text.length() < 2_000_000, "exposition of " + text.length() + " characters");

      // negative, NaN and infinite durations, and unreadable times, are not observed
      assertEquals(NAMES + 1, m.sum("agent_duration_seconds_count"));
      Binaries.promtoolAcceptsMetrics(text);
    }
  }
}
