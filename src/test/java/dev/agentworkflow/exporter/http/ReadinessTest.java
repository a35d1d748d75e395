package dev.agentworkflow.exporter.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentworkflow.exporter.app.Exporter;
import dev.agentworkflow.exporter.support.Exposition;
import dev.agentworkflow.exporter.support.HookDatabase;
import dev.agentworkflow.exporter.support.Scraper;
import dev.agentworkflow.exporter.support.TestSettings;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /-/ready} of a real exporter whose first poll is held up by a writer's lock: 503 while
 * that poll waits, 200 once it has finished (though it could not read the database), and still 200
 * while the database stays locked and after it is read again.
 */
class ReadinessTest {
  private static final Instant T0 = Instant.parse("2025-08-15T12:00:00Z");
  /** The exporter's busy timeout: a poll that meets a writer's lock cannot finish sooner. */
  private static final Duration BUSY_TIMEOUT = Duration.ofSeconds(1);
  private static final int ATTEMPTS = 5;

  @TempDir
  Path dir;

  @Test
  void notReadyWhileTheFirstPollWaitsThenReadyWhetherTheDatabaseIsReadableOrNot() throws Exception {
    HookDatabase db = HookDatabase.create(dir.resolve("agent_workflow.db"));
    db.startSession("s1", T0);
    long id = db.startAgent("s1", "planning", "architect", T0.plusSeconds(10));
    db.finishAgent(id, T0.plusSeconds(70), "completed", 60.0, "claude-opus-4-1");

    try (Connection writer = db.connect(); Statement lock = writer.createStatement()) {
      lock.execute("BEGIN EXCLUSIVE");
      for (int attempt = 1; ; attempt++) {
        long started = System.nanoTime();
        try (Exporter exporter = Exporter.start(TestSettings.of(db.path()), Clock.systemUTC())) {
          Scraper scraper = new Scraper(exporter.port());
          HttpResponse<String> waiting = scraper.get("/-/ready");
          String page = scraper.get("/").body();
          Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
          // The first poll began after `started` and waits out the whole busy timeout on the lock:
          // answers that were complete sooner were given before it finished. A machine too busy to
          // answer that soon proves nothing either way, so the exporter is started again.
          if (elapsed.compareTo(BUSY_TIMEOUT) >= 0) {
            assertTrue(attempt < ATTEMPTS, "no answer within the busy timeout in " + ATTEMPTS + " attempts");
            continue;
          }
          assertEquals(503, waiting.statusCode(), waiting.body());
          assertEquals("Not ready: the first poll of the database has not finished.\n", waiting.body());
          assertTrue(page.contains("<p id=\"state\" class=\"state waiting\">Not ready"), page);

          assertTrue(exporter.awaitFirstPoll(Duration.ofSeconds(30)));
          HttpResponse<String> lockedOut = scraper.get("/-/ready");
          assertEquals(200, lockedOut.statusCode(), "a finished poll that could not read the database is ready");
          assertEquals("Ready.\n", lockedOut.body());
          Exposition metrics = scraper.metrics();
          assertEquals(0, metrics.value("agent_workflow_database_up"));
          assertEquals(1, metrics.value("agent_workflow_exporter_poll_errors_total"));
          assertTrue(scraper.get("/").body().contains("<p id=\"state\" class=\"state down\">Database down: "));

          lock.execute("ROLLBACK");
          exporter.pollNow();
          assertEquals(200, scraper.get("/-/ready").statusCode());
          Exposition read = scraper.metrics();
          assertEquals(1, read.value("agent_workflow_database_up"));
          assertEquals(1, read.value("agent_invocation_total", "agent_name", "architect", "phase", "planning",
              "status", "completed", "model", "claude-opus-4-1"));
          return;
        }
      }
    }
  }
}
