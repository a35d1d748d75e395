package dev.agentworkflow.exporter.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentworkflow.exporter.demo.DemoDatabase;
import dev.agentworkflow.exporter.it.ExporterProcess;
import dev.agentworkflow.exporter.support.Await;
import dev.agentworkflow.exporter.support.Exposition;
import dev.agentworkflow.exporter.support.HookDatabase;
import dev.agentworkflow.exporter.support.LogLines;
import dev.agentworkflow.exporter.support.Scraper;
import dev.agentworkflow.exporter.support.SqlTotals;
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
 * Case 7, process faults: SIGTERM during a poll and during scrapes ends the process with exit
 * code 0 within 2 s; an exporter restarted in the middle of a writer burst ends with the
 * database's totals.
 */
@Tag("reliability")
class ProcessFaultsIT {
  private static final Duration START = Duration.ofSeconds(30);
  private static final String SERVING = "serving http://127\\.0\\.0\\.1:(\\d+)/metrics";

  @TempDir
  Path dir;

  @Test
  void sigtermDuringTheFirstLoadExitsZeroWithinTwoSeconds() throws Exception {
    Path file = dir.resolve("agent_workflow.db");
    new DemoDatabase(file, HookDatabase.ZONE, new Random(5), Clock.systemUTC())
        .createOrReuse(new DemoDatabase.History(Duration.ofDays(90), 4_000, 1000)); // ~50k invocations
    try (ExporterProcess exporter = ExporterProcess.start(dir, "--db", "agent_workflow.db", "--bind", "127.0.0.1",
        "--port", "0", "--interval", "1")) {
      exporter.await(SERVING, START); // logged as the first poll starts
      long signalled = System.nanoTime();
      exporter.signal("TERM");
      assertEquals(0, exporter.exitCode(Duration.ofSeconds(2)), exporter.stderr());
      System.out.printf("REPORT SIGTERM during the first load of ~50k invocations: exit 0 after %d ms%n",
          (System.nanoTime() - signalled) / 1_000_000);
      assertFalse(LogLines.hasStackTrace(exporter.stderr()), exporter.stderr());
    }
  }

  @Test
  void sigtermDuringScrapesExitsZeroWithinTwoSeconds() throws Exception {
    HookDatabase.create(dir.resolve("agent_workflow.db"));
    try (ExporterProcess exporter = ExporterProcess.start(dir, "--db", "agent_workflow.db", "--bind", "127.0.0.1",
        "--port", "0", "--interval", "1")) {
      Scraper scraper = new Scraper(Integer.parseInt(exporter.await(SERVING, START)));
      AtomicBoolean scraping = new AtomicBoolean(true);
      AtomicLong scrapes = new AtomicLong();
      Thread client = new Thread(() -> {
        while (scraping.get()) {
          try {
            scraper.get("/metrics");
            scrapes.incrementAndGet();
          } catch (Exception stopped) {
            return; // the server went away, as it should
          }
        }
      });
      client.start();
      Await.until("scrapes under way", START, () -> scrapes.get() > 20);
      long signalled = System.nanoTime();
      exporter.signal("TERM");
      assertEquals(0, exporter.exitCode(Duration.ofSeconds(2)), exporter.stderr());
      System.out.printf("REPORT SIGTERM during continuous scrapes (%d done): exit 0 after %d ms%n",
          scrapes.get(), (System.nanoTime() - signalled) / 1_000_000);
      scraping.set(false);
      client.join();
    }
  }

  @Test
  void anExporterRestartedDuringAWriterBurstEndsWithTheDatabasesTotals() throws Exception {
    HookDatabase db = HookDatabase.create(dir.resolve("agent_workflow.db"));
    AtomicBoolean writing = new AtomicBoolean(true);
    AtomicLong failures = new AtomicLong();
    AtomicLong writes = new AtomicLong();
    Thread writer = new Thread(() -> {
      Random random = new Random(9);
      while (writing.get()) {
        try (Connection c = db.connect()) {
          try (Statement s = c.createStatement()) {
            s.execute("PRAGMA busy_timeout = 1000");
          }
          long id = db.hooks().startInvocation(c, "s", "development", "agent-" + random.nextInt(4), Instant.now(), "p", "{}");
          if (random.nextInt(4) > 0) {
            db.hooks().endInvocation(c, id, Instant.now(), random.nextInt(5) == 0 ? "failed" : "completed", null,
                random.nextInt(60) * 1.0, "m", "{}");
          }
          writes.incrementAndGet();
          Thread.sleep(5);
        } catch (InterruptedException e) {
          return;
        } catch (Exception e) {
          failures.incrementAndGet();
        }
      }
    }, "burst");
    writer.start();
    try {
      try (ExporterProcess first = ExporterProcess.start(dir, "--db", "agent_workflow.db", "--bind", "127.0.0.1",
          "--port", "0", "--interval", "1")) {
        Scraper scraper = new Scraper(Integer.parseInt(first.await(SERVING, START)));
        Await.until("the first exporter counting the burst", START,
            () -> scraper.metrics().sum("agent_invocation_total") > 50);
        first.signal("TERM");
        assertEquals(0, first.exitCode(Duration.ofSeconds(2)));
      }
      try (ExporterProcess second = ExporterProcess.start(dir, "--db", "agent_workflow.db", "--bind", "127.0.0.1",
          "--port", "0", "--interval", "1")) {
        Scraper scraper = new Scraper(Integer.parseInt(second.await(SERVING, START)));
        Thread.sleep(1_500); // the burst goes on under the new exporter
        writing.set(false);
        writer.join();
        Await.until("the restarted exporter equal to the database", START, () -> {
          Exposition m = scraper.metrics();
          try (Connection c = db.connect()) {
            return SqlTotals.counters(c).equals(SqlTotals.scraped(m));
          }
        });
        assertEquals(0, failures.get());
        System.out.printf("REPORT restart during a writer burst: %d writes, %d writer failures, totals equal to the "
            + "database after the restart%n", writes.get(), failures.get());
      }
    } finally {
      writing.set(false);
      writer.join();
    }
  }
}
