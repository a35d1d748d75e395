package dev.agentworkflow.exporter.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.agentworkflow.exporter.app.Exporter;
import dev.agentworkflow.exporter.support.Await;
import dev.agentworkflow.exporter.support.Exposition;
import dev.agentworkflow.exporter.support.HookDatabase;
import dev.agentworkflow.exporter.support.Scraper;
import dev.agentworkflow.exporter.support.SqlTotals;
import dev.agentworkflow.exporter.support.TestSettings;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Case 3, the file under a running exporter is replaced, truncated, deleted and created again:
 * each time the metrics start over and then equal the new file; deleting rows lowers no counter.
 */
@Tag("reliability")
class FileLifecycleTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir
  Path dir;

  private Path file;
  private Scraper scraper;

  @Test
  void theMetricsFollowEveryNewFileAndDeletedRowsLowerNoCounter() throws Exception {
    file = dir.resolve("agent_workflow.db");
    HookDatabase first = HookDatabase.create(file);
    finish(first, "architect", 5);
    try (Exporter exporter = Exporter.start(TestSettings.of(file, Duration.ofMillis(200)), Clock.systemUTC())) {
      scraper = new Scraper(exporter.port());
      awaitExact(first, "the first file");

      // a new file renamed over the old one, as an editor or a restore does
      Path other = dir.resolve("other.db");
      HookDatabase replacement = HookDatabase.create(other);
      finish(replacement, "test-validator", 3);
      Files.move(other, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      HookDatabase renamed = HookDatabase.open(file);
      awaitExact(renamed, "the renamed file");

      // emptied in place (same inode), then written again by the hooks
      try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
        channel.truncate(0);
      }
      HookDatabase truncated = HookDatabase.create(file);
      finish(truncated, "pr-creator", 2);
      awaitExact(truncated, "the truncated file");

      // deleted, then created again by the hooks' next run
      Files.delete(file);
      HookDatabase recreated = HookDatabase.create(file);
      finish(recreated, "security-reviewer", 4);
      awaitExact(recreated, "the recreated file");

      // rows deleted by hand: every counter keeps its value
      Map<String, Double> before = SqlTotals.scraped(scraper.metrics());
      recreated.execute("DELETE FROM agent_invocations WHERE id <= 2");
      double polls = scraper.metrics().value("agent_workflow_exporter_last_poll_success_timestamp_seconds");
      Await.until("a poll after the delete", WAIT,
          () -> scraper.metrics().value("agent_workflow_exporter_last_poll_success_timestamp_seconds") > polls + 0.2);
      assertEquals(before, SqlTotals.scraped(scraper.metrics()));
    }
  }

  private void awaitExact(HookDatabase db, String what) throws Exception {
    Await.until(what + " to be exported exactly", WAIT, () -> {
      Exposition m = scraper.metrics();
      try (Connection c = db.connect()) {
        return m.value("agent_workflow_database_up") == 1 && SqlTotals.counters(c).equals(SqlTotals.scraped(m));
      }
    });
  }

  private static void finish(HookDatabase db, String agent, int count) throws Exception {
    for (int i = 0; i < count; i++) {
      long id = db.startAgent("s", "planning", agent, Instant.now());
      db.finishAgent(id, Instant.now(), i % 2 == 0 ? "completed" : "failed", 1.0 + i, "m");
    }
  }
}
