package dev.agentworkflow.exporter.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentworkflow.exporter.app.Exporter;
import dev.agentworkflow.exporter.demo.DemoDatabase;
import dev.agentworkflow.exporter.support.Exposition;
import dev.agentworkflow.exporter.support.HookDatabase;
import dev.agentworkflow.exporter.support.Scraper;
import dev.agentworkflow.exporter.support.Sizes;
import dev.agentworkflow.exporter.support.SqlTotals;
import dev.agentworkflow.exporter.support.TestSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Case 2, a big first load under writes: the exporter starts on a large database (prompts of
 * about 1 KB) while a hook-like writer keeps committing with a 1 s busy timeout. No write may
 * fail; the longest time the exporter held the shared lock is reported (target 50 ms).
 */
@Tag("reliability")
class BigFirstLoadTest {
  @TempDir
  Path dir;

  @Test
  void aLargeFirstLoadNeverMakesAWriterFail() throws Exception {
    int sessions = Sizes.pick(8_000, 80_000); // about 12 invocations each: 100k, or 1M at full size
    Path file = dir.resolve("agent_workflow.db");
    long generating = System.nanoTime();
    new DemoDatabase(file, HookDatabase.ZONE, new Random(3), Clock.systemUTC())
        .createOrReuse(new DemoDatabase.History(Duration.ofDays(365), sessions, 1000));
    long generatedMillis = (System.nanoTime() - generating) / 1_000_000;
    HookDatabase db = HookDatabase.open(file);

    AtomicBoolean writing = new AtomicBoolean(true);
    AtomicLong writes = new AtomicLong();
    AtomicLong failures = new AtomicLong();
    AtomicLong longestWrite = new AtomicLong();
    Thread writer = new Thread(() -> {
      while (writing.get()) {
        long started = System.nanoTime();
        try (Connection c = db.connect()) {
          try (Statement s = c.createStatement()) {
            s.execute("PRAGMA busy_timeout = 1000");
          }
          long id = db.hooks().startInvocation(c, "live", "review", "test-validator", Instant.now(), "p", "{}");
          db.hooks().endInvocation(c, id, Instant.now(), "completed", null, 1.0, "m", "{}");
          writes.incrementAndGet();
        } catch (Exception e) {
          System.err.println("writer failed: " + e);
          failures.incrementAndGet();
        }
        longestWrite.accumulateAndGet(System.nanoTime() - started, Math::max);
        try {
          Thread.sleep(20);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "writer");
    writer.start();

    long starting = System.nanoTime();
    try (Exporter exporter = Exporter.start(TestSettings.of(file, Duration.ofSeconds(1)), Clock.systemUTC())) {
      assertTrue(exporter.awaitFirstPoll(Duration.ofMinutes(10)));
      long firstLoadMillis = (System.nanoTime() - starting) / 1_000_000;
      Thread.sleep(2_000); // two more polls while the writer goes on
      writing.set(false);
      writer.join();
      assertEquals(0, failures.get(), "a hook lost its row");

      exporter.pollNow();
      Exposition m = new Scraper(exporter.port()).metrics();
      try (Connection c = db.connect()) {
        assertEquals(SqlTotals.counters(c), SqlTotals.scraped(m));
        long finished = SqlTotals.finished(c);
        assertTrue(finished > sessions * 10L, finished + " invocations");
        System.out.printf("REPORT big first load: %d invocations (%d finished), %d MB, generated in %d s; first load %d ms "
                + "while a writer committed every 20 ms: %d writes, %d writer failures, longest write %.1f ms, "
                + "longest exporter read %.1f ms, mismatches 0%n",
            finished + SqlTotals.running(c), finished, Files.size(file) >> 20, generatedMillis / 1000, firstLoadMillis,
            writes.get(), failures.get(), longestWrite.get() / 1e6,
            m.value("agent_workflow_exporter_longest_read_seconds") * 1000);
      }
    } finally {
      writing.set(false);
    }
  }
}
