package dev.agentworkflow.exporter.http;

import static dev.agentworkflow.exporter.support.HttpCalls.basic;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentworkflow.exporter.app.Exporter;
import dev.agentworkflow.exporter.support.Exposition;
import dev.agentworkflow.exporter.support.HookDatabase;
import dev.agentworkflow.exporter.support.Htpasswd;
import dev.agentworkflow.exporter.support.MutableClock;
import dev.agentworkflow.exporter.support.Scraper;
import dev.agentworkflow.exporter.support.TestSettings;
import dev.agentworkflow.exporter.webconfig.WebConfigFile;
import java.net.http.HttpResponse;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --web.telemetry-path: the metrics are served there, and only there, and the landing page links to it. */
class TelemetryPathTest {
  private static final Instant T0 = Instant.parse("2026-11-30T12:00:00Z");

  @TempDir
  Path dir;

  private final MutableClock clock = new MutableClock(T0.plusSeconds(60));

  private Path database() throws Exception {
    Path file = dir.resolve("agent_workflow.db");
    HookDatabase db = HookDatabase.create(file);
    long id = db.startAgent("s1", "planning", "architect", T0);
    db.finishAgent(id, T0.plusSeconds(20), "completed", 20.0, "m");
    return file;
  }

  @Test
  void theMetricsAreAtTheGivenPathAndMetricsIsNotFound() throws Exception {
    try (Exporter exporter = Exporter.start(
        TestSettings.withTelemetryPath(TestSettings.of(database()), "/internal/prom"), clock)) {
      exporter.pollNow();
      Scraper scraper = new Scraper(exporter.port());
      HttpResponse<String> metrics = scraper.get("/internal/prom");
      assertEquals(200, metrics.statusCode());
      Exposition m = Exposition.parse(metrics.body());
      assertEquals(1, m.value("agent_workflow_database_up"));
      assertEquals(1, m.value("phase_distribution_total", "phase", "planning"));

      HttpResponse<String> old = scraper.get("/metrics");
      assertEquals(404, old.statusCode());
      assertEquals("Not Found. The metrics are at /internal/prom.\n", old.body());
      assertEquals(404, scraper.get("/internal/prom/").statusCode(), "the path as given, nothing else");

      HttpResponse<String> landing = scraper.get("/");
      assertEquals(200, landing.statusCode());
      assertTrue(landing.body().contains("<a href=\"./internal/prom\">Metrics</a> <code>/internal/prom</code>"), landing.body());
      assertEquals(200, scraper.get("/-/healthy").statusCode());
    }
  }

  @Test
  void theGivenPathIsGuardedByBasicAuthAsMetricsIs() throws Exception {
    Path config = Files.writeString(dir.resolve("web.yml"),
        "basic_auth_users:\n  alice: " + Htpasswd.hash("alice-pw", 4) + "\n");
    try (Exporter exporter = Exporter.start(TestSettings.withWeb(
        TestSettings.withTelemetryPath(TestSettings.of(database()), "/prom"), WebConfigFile.read(config)), clock)) {
      Scraper scraper = new Scraper(exporter.port());
      assertEquals(401, scraper.get("/prom").statusCode());
      assertEquals(200, scraper.get("/prom", "Authorization", basic("alice", "alice-pw")).statusCode());
      assertEquals(200, scraper.get("/-/healthy").statusCode());
    }
  }

  @Test
  void theLandingPagesLinkIsRelativeAndNeverReadAsASchemeOrHost() {
    assertEquals("./metrics", LandingPage.link("/metrics"));
    assertEquals("./internal/prom", LandingPage.link("/internal/prom"));
    assertEquals("./a:b", LandingPage.link("/a:b"));
    assertEquals("./a:b/c", LandingPage.link("/a:b/c"));
    assertEquals("./b/a:c", LandingPage.link("/b/a:c"));
    assertEquals(".//x", LandingPage.link("//x"));
    for (String path : new String[] {"/metrics", "/a:b", "/b/a:c"}) { // java.net.URI drops the empty segment of //x
      assertEquals(URI.create("http://h:1" + path), URI.create("http://h:1/").resolve(LandingPage.link(path)), path);
    }
  }
}
