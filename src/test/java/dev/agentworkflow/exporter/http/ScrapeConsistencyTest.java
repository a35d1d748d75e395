package dev.agentworkflow.exporter.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentworkflow.exporter.app.Exporter;
import dev.agentworkflow.exporter.app.ExporterSettings;
import dev.agentworkflow.exporter.support.Exposition;
import dev.agentworkflow.exporter.support.HookDatabase;
import dev.agentworkflow.exporter.support.Scraper;
import dev.agentworkflow.exporter.support.TestSettings;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writers race the poller while a client scrapes: no scrape shows half a poll or a counter going
 * down, no writer fails, and the final figures equal what SQL computes from the same file.
 */
class ScrapeConsistencyTest {
  private static final String[] PHASES = {"requirements", "planning", "development", "review", "finalization"};
  private static final String[] STATUSES = {"completed", "completed", "completed", "failed", "Error", "timeout"};
  private static final Duration WRITING = Duration.ofSeconds(4);

  @TempDir
  Path dir;

  @Test
  void everyScrapeIsOnePollAndTheEndMatchesTheDatabase() throws Exception {
    Path file = dir.resolve("agent_workflow.db");
    HookDatabase db = HookDatabase.create(file);
    ExporterSettings settings = TestSettings.of(file, Duration.ofMillis(20));
    AtomicInteger writerFailures = new AtomicInteger();
    AtomicBoolean writing = new AtomicBoolean(true);
    Instant base = Instant.now();

    try (Exporter exporter = Exporter.start(settings, Clock.systemUTC())) {
      List<Thread> writers = new ArrayList<>();
      for (int w = 0; w < 3; w++) {
        Random random = new Random(w);
        Thread writer = new Thread(() -> write(db, random, base, writing, writerFailures), "writer-" + w);
        writer.start();
        writers.add(writer);
      }
      Scraper scraper = new Scraper(exporter.port());
      Map<String, Double> previous = new HashMap<>();
      int scrapes = 0;
      long end = System.nanoTime() + WRITING.toNanos();
      while (System.nanoTime() < end) {
        Exposition m = scraper.metrics();
        assertEquals(m.sum("agent_invocation_total"), m.sum("phase_distribution_total"), "half a poll");
        for (Map.Entry<String, Double> series : m.all().entrySet()) {
          String name = series.getKey();
          if (name.contains("_total") || name.contains("_count") || name.contains("_bucket")) {
            double before = previous.getOrDefault(name, 0.0);
            assertTrue(series.getValue() >= before, name + " went down from " + before + " to " + series.getValue());
            previous.put(name, series.getValue());
          }
        }
        scrapes++;
      }
      writing.set(false);
      for (Thread t : writers) {
        t.join();
      }
      assertEquals(0, writerFailures.get(), "a hook lost its row");
      assertTrue(scrapes > 20, "only " + scrapes + " scrapes");

      exporter.pollNow();
      Exposition last = scraper.metrics();
      Map<String, Double> expected = fromSql(db);
      Map<String, Double> actual = new HashMap<>();
      for (String prefix : new String[] {"agent_invocation_total", "agent_error_total", "phase_distribution_total"}) {
        last.seriesOf(prefix).forEach(k -> actual.put(k, last.all().get(k)));
      }
      assertEquals(expected, actual);
      assertTrue(expected.size() > 20, "the writers wrote too little to prove anything");
      assertEquals(sqlLong(db, """
          SELECT count(*) FROM agent_invocations
           WHERE agent_name IS NOT NULL AND agent_name NOT IN ('', 'unknown') AND end_time IS NULL
             AND (status IS NULL OR lower(status) IN ('', 'started', 'running', 'pending', 'in_progress'))
          """), (long) last.value("parallel_executions_current"));
    }
  }

  /**
   * A hook-like writer: every statement on its own connection, busy timeout 1 s, one write every
   * few milliseconds. Without the pause, three writers in tight loops starve each other past 1 s
   * (SQLite's busy handler is not fair), whether or not the exporter runs; real hooks are
   * processes that take tens of milliseconds to start.
   */
  private static void write(HookDatabase db, Random random, Instant base, AtomicBoolean writing, AtomicInteger failures) {
    List<Long> open = new ArrayList<>();
    int step = 0;
    while (writing.get()) {
      step++;
      Instant now = base.plusMillis(step * 10L);
      long t0 = System.nanoTime();
      try (Connection c = db.connect()) {
        try (Statement s = c.createStatement()) {
          s.execute("PRAGMA busy_timeout = 1000");
        }
        if (open.isEmpty() || random.nextInt(3) > 0) {
          String phase = PHASES[random.nextInt(PHASES.length)];
          open.add(db.hooks().startInvocation(c, "s" + random.nextInt(5), phase, phase + "-agent-" + random.nextInt(3),
              now, "p", "{}"));
        } else {
          long id = open.remove(random.nextInt(open.size()));
          db.hooks().endInvocation(c, id, now, STATUSES[random.nextInt(STATUSES.length)], null,
              random.nextBoolean() ? null : random.nextInt(100) / 4.0, "model-" + random.nextInt(2), "{}");
          db.hooks().subagentStop(c, "s1", now);
        }
      } catch (Exception e) {
        System.err.println("writer failed after " + (System.nanoTime() - t0) / 1_000_000 + " ms: " + e);
        failures.incrementAndGet();
      }
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private static Map<String, Double> fromSql(HookDatabase db) throws Exception {
    Map<String, Double> expected = new HashMap<>();
    String finished = """
        FROM agent_invocations
        WHERE agent_name IS NOT NULL AND agent_name NOT IN ('', 'unknown')
          AND (end_time IS NOT NULL
               OR (status IS NOT NULL AND lower(status) NOT IN ('', 'started', 'running', 'pending', 'in_progress')))
        """;
    try (Connection c = db.connect(); Statement s = c.createStatement()) {
      try (ResultSet rs = s.executeQuery("SELECT agent_name, coalesce(nullif(phase, ''), 'unknown'), "
          + "coalesce(nullif(status, ''), 'unknown'), coalesce(nullif(model, ''), 'unknown'), count(*) "
          + finished + " GROUP BY 1, 2, 3, 4")) {
        while (rs.next()) {
          expected.put(Exposition.key("agent_invocation_total", "agent_name", rs.getString(1), "phase", rs.getString(2),
              "status", rs.getString(3), "model", rs.getString(4)), rs.getDouble(5));
        }
      }
      try (ResultSet rs = s.executeQuery("SELECT agent_name, coalesce(nullif(phase, ''), 'unknown'), count(*) "
          + finished + " AND lower(status) IN ('failed', 'error', 'timeout') GROUP BY 1, 2")) {
        while (rs.next()) {
          expected.put(Exposition.key("agent_error_total", "agent_name", rs.getString(1), "phase", rs.getString(2)),
              rs.getDouble(3));
        }
      }
      try (ResultSet rs = s.executeQuery("SELECT coalesce(nullif(phase, ''), 'unknown'), count(*) " + finished
          + " GROUP BY 1")) {
        while (rs.next()) {
          expected.put(Exposition.key("phase_distribution_total", "phase", rs.getString(1)), rs.getDouble(2));
        }
      }
    }
    return expected;
  }

  private static long sqlLong(HookDatabase db, String sql) throws Exception {
    try (Connection c = db.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
