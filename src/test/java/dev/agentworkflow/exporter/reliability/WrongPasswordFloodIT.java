package dev.agentworkflow.exporter.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentworkflow.exporter.it.ExporterProcess;
import dev.agentworkflow.exporter.support.Exposition;
import dev.agentworkflow.exporter.support.HookDatabase;
import dev.agentworkflow.exporter.support.Htpasswd;
import dev.agentworkflow.exporter.support.HttpCalls;
import dev.agentworkflow.exporter.support.Sizes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Case 16, authentication under attack (the attack's seventh row and its rate-limit note): 200
 * clients send requests with wrong passwords (a new one each time) as fast as they are answered,
 * against the packaged exporter with basic auth at bcrypt cost 10 and the systemd unit's JVM
 * options. The scraper, with the right password, must get every scrape within a second; with a
 * rate limit configured, the flood must use up only its own budget, never the scraper's.
 */
@Tag("reliability")
class WrongPasswordFloodIT {
  private static final int ATTACKERS = 200;
  private static final int SCRAPE_DEADLINE_MILLIS = 1000;

  @TempDir
  Path dir;

  @ParameterizedTest(name = "rate limit: {0}")
  @ValueSource(booleans = {false, true})
  void authenticatedScrapesStayFastUnderAFloodOfWrongPasswords(boolean rateLimit) throws Exception {
    HookDatabase db = HookDatabase.create(dir.resolve("agent_workflow.db"));
    long id = db.startAgent("s", "planning", "architect", Instant.now());
    db.finishAgent(id, Instant.now(), "completed", 1.0, "m");
    Path web = dir.resolve("web.yml");
    Files.writeString(web, "basic_auth_users:\n  prometheus: " + Htpasswd.hash("scrape-pw", 10) + "\n"
        + (rateLimit ? "rate_limit:\n  interval: 100ms\n  burst: 20\n" : ""));
    Duration attack = Duration.ofSeconds(Sizes.pick(12, 40));
    String right = HttpCalls.basic("prometheus", "scrape-pw");
    try (ExporterProcess exporter = ExporterProcess.start(List.of(), ExporterProcess.serviceJvmOptions(), dir,
        "--db", "agent_workflow.db", "--bind", "127.0.0.1", "--port", "0", "--interval", "1",
        "--web-config-file", web.toString())) {
      int port = Integer.parseInt(exporter.await("serving http://127\\.0\\.0\\.1:(\\d+)/metrics", Duration.ofSeconds(30)));
      assertEquals(200, TimedScrape.get(port, null, "/metrics", right, 5000).status(), "the scraper's first login");

      AtomicBoolean running = new AtomicBoolean(true);
      AtomicLong attempts = new AtomicLong();
      AtomicLong admitted = new AtomicLong();
      List<Thread> attackers = new ArrayList<>();
      for (int a = 0; a < ATTACKERS; a++) {
        int attacker = a;
        Thread thread = new Thread(() -> {
          long n = 0;
          while (running.get()) {
            String wrong = HttpCalls.basic("prometheus", "guess-" + attacker + "-" + n++);
            int status = TimedScrape.get(port, null, "/metrics", wrong, 10_000).status();
            attempts.incrementAndGet();
            if (status == 200) {
              admitted.incrementAndGet();
            }
          }
        }, "attacker-" + a);
        thread.setDaemon(true);
        thread.start();
        attackers.add(thread);
      }
      List<Long> nanos = new ArrayList<>();
      List<String> failures = new ArrayList<>();
      long end = System.nanoTime() + attack.toNanos();
      while (System.nanoTime() < end) {
        TimedScrape.Outcome scrape = TimedScrape.get(port, null, "/metrics", right, SCRAPE_DEADLINE_MILLIS);
        nanos.add(scrape.nanos());
        if (!scrape.ok()) {
          failures.add(scrape.status() + " " + scrape.failure());
        }
        Thread.sleep(250);
      }
      running.set(false);
      for (Thread thread : attackers) {
        thread.join(15_000);
      }
      Exposition m = Exposition.parse(TimedScrape.get(port, null, "/metrics", right, 5000).body());
      Collections.sort(nanos);
      System.out.printf("REPORT wrong-password flood (rate limit %s): %d clients, %d attempts in %d s, %d admitted; "
              + "refused: %s unauthorized after a bcrypt check, %s at once (checks busy), %s rate limited; %d "
              + "authenticated scrapes, %d failed, p50 %.1f ms, slowest %.1f ms%n",
          rateLimit ? "20 then 10/s" : "none", ATTACKERS, attempts.get(), attack.toSeconds(), admitted.get(),
          refused(m, "unauthorized"), refused(m, "auth_busy"), refused(m, "rate_limited"), nanos.size(), failures.size(),
          nanos.get(nanos.size() / 2) / 1e6, nanos.get(nanos.size() - 1) / 1e6);
      assertEquals(List.of(), failures, "authenticated scrapes that failed or took over a second");
      assertEquals(0, admitted.get());
      assertTrue(exporter.isAlive());
      assertTrue(nanos.size() >= attack.toSeconds() * 2, "too few scrapes to prove anything: " + nanos.size());
    }
  }

  private static String refused(Exposition m, String reason) {
    return m.has("agent_workflow_exporter_http_requests_refused_total", "reason", reason)
        ? String.format("%.0f", m.value("agent_workflow_exporter_http_requests_refused_total", "reason", reason)) : "?";
  }
}
