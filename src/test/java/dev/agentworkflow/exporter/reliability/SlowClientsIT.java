package dev.agentworkflow.exporter.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentworkflow.exporter.it.ExporterProcess;
import dev.agentworkflow.exporter.support.Exposition;
import dev.agentworkflow.exporter.support.HookDatabase;
import dev.agentworkflow.exporter.support.Pki;
import dev.agentworkflow.exporter.support.Sizes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Case 15, slow clients (the attack's first row): 400 connections that send their request head, or
 * a body, or a TLS record, one line or byte every two seconds, reopened as soon as the server
 * closes them, against the packaged exporter with the systemd unit's JVM options. Meanwhile a
 * scraper on new connections must get every answer within a second. And past the cap of 512
 * connections, the connection that has waited longest is closed to make room.
 */
@Tag("reliability")
class SlowClientsIT {
  private static final int CLIENTS = 400;
  private static final long DRIP_MILLIS = 2000;
  private static final int SCRAPE_DEADLINE_MILLIS = 1000;

  @TempDir
  static Path dir;
  static Pki pki;

  @BeforeAll
  static void keys() throws Exception {
    pki = Pki.create(dir.resolve("pki"));
    HookDatabase db = HookDatabase.create(dir.resolve("agent_workflow.db"));
    long id = db.startAgent("s", "planning", "architect", Instant.now());
    db.finishAgent(id, Instant.now(), "completed", 1.0, "m");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(value = SlowClients.Kind.class, names = {"HEADERS", "BODY", "TLS_RECORD"})
  void scrapesAreAnsweredWithinASecondWhileSlowClientsHoldConnections(SlowClients.Kind kind) throws Exception {
    boolean tls = kind == SlowClients.Kind.TLS_RECORD;
    Duration attack = Duration.ofSeconds(Sizes.pick(14, 45));
    try (ExporterProcess exporter = start(tls)) {
      int port = port(exporter, tls);
      SSLContext context = tls ? pki.clientContext(null) : null;
      for (int i = 0; i < 5; i++) { // this JVM's first TLS handshakes are slow: not the server's doing
        TimedScrape.get(port, context, "/metrics", null, 5000);
      }
      List<Long> nanos = new ArrayList<>();
      List<String> failures = new ArrayList<>();
      long reopened;
      try (SlowClients slow = SlowClients.start(kind, port, CLIENTS, DRIP_MILLIS)) {
        long end = System.nanoTime() + attack.toNanos();
        while (System.nanoTime() < end) {
          TimedScrape.Outcome scrape = TimedScrape.get(port, context, "/metrics", null, SCRAPE_DEADLINE_MILLIS);
          nanos.add(scrape.nanos());
          if (!scrape.ok()) {
            failures.add(scrape.status() + " " + scrape.failure());
          }
          Thread.sleep(200);
        }
        reopened = slow.reopened();
      }
      assertTrue(exporter.isAlive(), "the exporter died:\n" + exporter.stderr());
      TimedScrape.Outcome last = TimedScrape.get(port, context, "/metrics", null, 5000);
      Exposition m = Exposition.parse(last.body());
      double timedOut = closed(m, "request_timeout");
      Collections.sort(nanos);
      System.out.printf("REPORT slow clients (%s): %d connections trickling a %s every %d ms for %d s, reopened %d "
              + "times after the server closed them (request_timeout closes: %.0f); %d scrapes on new connections, %d "
              + "failed, p50 %.1f ms, slowest %.1f ms; exporter peak RSS %d MB%n",
          kind, CLIENTS, tls ? "TLS record byte" : "line", DRIP_MILLIS, attack.toSeconds(), reopened, timedOut,
          nanos.size(), failures.size(), nanos.get(nanos.size() / 2) / 1e6, nanos.get(nanos.size() - 1) / 1e6,
          exporter.peakResidentKib() / 1024);
      assertEquals(List.of(), failures, "scrapes that failed or took over a second");
      assertTrue(nanos.size() >= attack.toSeconds() * 3, "too few scrapes to prove anything: " + nanos.size());
      assertTrue(timedOut >= CLIENTS, "each slow connection is closed by its deadline after 10 s: " + timedOut);
    }
  }

  @Test
  void pastTheConnectionCapTheLongestWaitingConnectionMakesRoom() throws Exception {
    int clients = 700;
    try (ExporterProcess exporter = start(false)) {
      int port = port(exporter, false);
      List<String> failures = new ArrayList<>();
      long slowest = 0;
      try (SlowClients silent = SlowClients.start(SlowClients.Kind.SILENT, port, clients, 500)) {
        for (int i = 0; i < 20; i++) {
          TimedScrape.Outcome scrape = TimedScrape.get(port, null, "/metrics", null, SCRAPE_DEADLINE_MILLIS);
          slowest = Math.max(slowest, scrape.nanos());
          if (!scrape.ok()) {
            failures.add(scrape.status() + " " + scrape.failure());
          }
          Thread.sleep(100);
        }
      }
      Exposition m = Exposition.parse(TimedScrape.get(port, null, "/metrics", null, 5000).body());
      double evicted = closed(m, "evicted");
      System.out.printf("REPORT connection cap: %d silent connections against a cap of 512; %.0f closed to make room; "
          + "20 scrapes, %d failed, slowest %.1f ms%n", clients, evicted, failures.size(), slowest / 1e6);
      assertEquals(List.of(), failures);
      assertTrue(evicted >= clients + 20 - 512, "evicted " + evicted);
    }
  }

  /** Connections the server closed for {@code reason}; NaN when it does not say (an older exporter). */
  private static double closed(Exposition m, String reason) {
    return m.has("agent_workflow_exporter_http_connections_closed_total", "reason", reason)
        ? m.value("agent_workflow_exporter_http_connections_closed_total", "reason", reason) : Double.NaN;
  }

  private static ExporterProcess start(boolean tls) throws Exception {
    List<String> args = new ArrayList<>(List.of("--db", "agent_workflow.db", "--bind", "127.0.0.1", "--port", "0",
        "--interval", "1"));
    if (tls) {
      Path web = dir.resolve("web-tls.yml");
      Files.writeString(web, "tls_server_config:\n  cert_file: " + pki.file("server.crt") + "\n  key_file: "
          + pki.file("server.key") + "\n");
      args.addAll(List.of("--web-config-file", web.toString()));
    }
    return ExporterProcess.start(List.of(), ExporterProcess.serviceJvmOptions(), dir, args.toArray(String[]::new));
  }

  private static int port(ExporterProcess exporter, boolean tls) throws Exception {
    return Integer.parseInt(exporter.await("serving " + (tls ? "https" : "http") + "://127\\.0\\.0\\.1:(\\d+)/metrics",
        Duration.ofSeconds(30)));
  }
}
