package dev.agentworkflow.exporter.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentworkflow.exporter.custom.CustomMetrics;
import dev.agentworkflow.exporter.custom.CustomMetricsFile;
import dev.agentworkflow.exporter.model.CustomFamily;
import dev.agentworkflow.exporter.model.CustomRuns;
import dev.agentworkflow.exporter.model.PollResult;
import dev.agentworkflow.exporter.poll.Poller;
import dev.agentworkflow.exporter.support.HookDatabase;
import dev.agentworkflow.exporter.support.MutableClock;
import dev.agentworkflow.exporter.support.TestSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A query metric that would run for many seconds while writers write, as the hooks do (one
 * statement per connection, a 5 s busy timeout, the rollback journal): it is interrupted at its
 * timeout, counted as a timeout, shows no series, and no writer fails.
 */
class QueryTimeoutTest {
  /** Counts to 300 million inside one statement that reads sessions: tens of seconds of SQLite's time. */
  private static final String ENDLESS = """
      query_metrics:
        - name: sessions_counted_slowly
          help: A query that would hold the database for tens of seconds
          type: gauge
          query: |
            WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 300000000)
            SELECT (SELECT count(*) FROM sessions) AS sessions, count(*) AS n FROM c
          key_labels: [sessions]
          value: n
          timeout: 1s
      """;

  @TempDir
  Path dir;

  @Test
  void aQueryPastItsTimeoutIsInterruptedAndNoWriterFails() throws Exception {
    Path file = dir.resolve("agent_workflow.db");
    HookDatabase db = HookDatabase.create(file);
    db.startSession("s0", Instant.parse("2025-08-15T12:00:00Z"));
    Path config = dir.resolve("metrics.yml");
    Files.writeString(config, ENDLESS);
    CustomMetrics metrics = CustomMetricsFile.read(config, Set.of());

    AtomicBoolean writing = new AtomicBoolean(true);
    List<Long> writeMillis = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    Thread writer = new Thread(() -> {
      int n = 0;
      while (writing.get()) {
        long started = System.nanoTime();
        try (Connection c = db.connect();
            PreparedStatement s = c.prepareStatement("INSERT INTO sessions (session_id, start_time, status) "
                + "VALUES (?, '2025-08-15T12:00:00', 'active')")) {
          s.setString(1, "w" + n++);
          s.executeUpdate();
        } catch (SQLException e) {
          synchronized (failures) {
            failures.add(e.getMessage());
          }
        }
        synchronized (writeMillis) {
          writeMillis.add((System.nanoTime() - started) / 1_000_000);
        }
        try {
          Thread.sleep(20); // a busy pipeline: a hook's write every 20 ms
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "hook-writer");
    writer.start();
    long started = System.nanoTime();
    PollResult result;
    try (Poller poller = Exporter.newPoller(TestSettings.of(file).withCustomMetrics(metrics),
        new MutableClock(Instant.parse("2025-08-15T13:00:00Z")))) {
      result = poller.poll(); // the first poll waits for the first run of the queries
    } finally {
      Thread.sleep(500); // writes go on a while after the interrupt
      writing.set(false);
      writer.join();
    }
    double pollSeconds = (System.nanoTime() - started) / 1e9;

    CustomRuns runs = result.custom().runs().get(0);
    assertEquals(1, runs.errors(), runs.toString());
    assertEquals(1, runs.timeouts(), runs.toString());
    assertTrue(runs.lastRunSeconds() >= 1.0 && runs.lastRunSeconds() < 2.5, runs.toString());
    CustomFamily family = result.custom().families().get(0);
    assertEquals(List.of(), family.values(), "a run that failed shows no series");
    assertTrue(pollSeconds < 4, "the poll took " + pollSeconds + " s");
    assertEquals(List.of(), failures, "writers that failed");
    long longest = writeMillis.stream().mapToLong(Long::longValue).max().orElseThrow();
    assertTrue(writeMillis.size() > 10, "writes: " + writeMillis.size());
    assertTrue(longest < 2500, "the longest write waited " + longest + " ms for the query's lock");
  }
}
