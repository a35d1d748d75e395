package dev.agentworkflow.exporter.reliability;

import static dev.agentworkflow.exporter.support.HttpCalls.basic;
import static dev.agentworkflow.exporter.support.HttpCalls.get;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.agentworkflow.exporter.app.Exporter;
import dev.agentworkflow.exporter.support.Exposition;
import dev.agentworkflow.exporter.support.Htpasswd;
import dev.agentworkflow.exporter.support.MutableClock;
import dev.agentworkflow.exporter.support.TestSettings;
import dev.agentworkflow.exporter.webconfig.WebConfigFile;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Case 17, half-written web configuration files (the attack's sixth row): an editor's save caught
 * half way, an emptied file, a broken one. A reload must never turn basic auth off by omission:
 * the metrics stay behind the password, and {@code web_config_last_reload_successful} says 0,
 * until the file says so on purpose or the exporter restarts. Files are looked at, at most once a
 * second, when a request comes; a change is read once the file has not changed for a second.
 */
@Tag("reliability")
class HalfWrittenWebConfigTest {
  @TempDir
  Path dir;

  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-29T12:00:00Z"));
  private final HttpClient client = HttpClient.newHttpClient();
  private Path config;
  private String hash;
  private Exporter exporter;
  private String metrics;

  @BeforeEach
  void start() throws Exception {
    config = dir.resolve("web.yml");
    hash = Htpasswd.hash("pw", 4);
    Files.writeString(config, "basic_auth_users:\n  prometheus: " + hash + "\n");
    exporter = Exporter.start(TestSettings.withWeb(TestSettings.of(dir.resolve("agent_workflow.db")),
        WebConfigFile.read(config)), clock);
    metrics = "http://127.0.0.1:" + exporter.port() + "/metrics";
    assertEquals(401, anonymous());
  }

  @AfterEach
  void stop() {
    exporter.close();
  }

  @Test
  void aSaveCaughtHalfWayNeverOpensTheMetrics() throws Exception {
    Files.writeString(config, "basic_auth_users:\n"); // the editor has written the first line only
    lookAFewTimes();
    assertEquals(401, anonymous(), "basic auth stays on");
    assertEquals(0.0, reloadSuccessful());

    Files.writeString(config, "basic_auth_users:\n  prometheus: $2y$10$trunc"); // then a broken one
    lookAFewTimes();
    assertEquals(401, anonymous());
    assertEquals(200, authenticated());
    assertEquals(0.0, reloadSuccessful());

    Files.writeString(config, "basic_auth_users:\n  prometheus: " + hash + "\n"); // the save completes
    lookAFewTimes();
    assertEquals(401, anonymous());
    assertEquals(1.0, reloadSuccessful());
  }

  @Test
  void anEmptiedFileNeverOpensTheMetrics() throws Exception {
    Files.writeString(config, "");
    lookAFewTimes();
    assertEquals(401, anonymous());
    assertEquals(0.0, reloadSuccessful());
  }

  @Test
  void aFileStillBeingWrittenIsNotReadUntilItStopsChanging() throws Exception {
    Files.writeString(config, "basic_auth_users:\n  prometheus: " + hash + "\n  other: " + hash + "\n");
    clock.advance(Duration.ofSeconds(1));
    authenticated(); // the first look sees the change, and waits
    Files.writeString(config, "basic_auth_users:\n  prometheus: " + Htpasswd.hash("new-pw", 4) + "\n");
    clock.advance(Duration.ofSeconds(1));
    assertEquals(200, authenticated(), "changed again since the last look: still not read");
    clock.advance(Duration.ofSeconds(1));
    assertEquals(401, authenticated(), "unchanged for a second: read, and the password is the new one");
    assertEquals(1.0, reloadSuccessfulWith(basic("prometheus", "new-pw")));
  }

  @Test
  void turningAuthOffOnPurposeIsAppliedAtOnce() throws Exception {
    Files.writeString(config, "basic_auth_users: {}\n");
    lookAFewTimes();
    assertEquals(200, anonymous());
  }

  private void lookAFewTimes() throws Exception {
    for (int i = 0; i < 3; i++) {
      clock.advance(Duration.ofSeconds(1));
      get(client, "http://127.0.0.1:" + exporter.port() + "/-/healthy");
    }
  }

  private int anonymous() throws Exception {
    return get(client, metrics).statusCode();
  }

  private int authenticated() throws Exception {
    return get(client, metrics, "Authorization", basic("prometheus", "pw")).statusCode();
  }

  private double reloadSuccessful() throws Exception {
    return reloadSuccessfulWith(basic("prometheus", "pw"));
  }

  private double reloadSuccessfulWith(String authorization) throws Exception {
    return Exposition.parse(get(client, metrics, "Authorization", authorization).body())
        .value("agent_workflow_exporter_web_config_last_reload_successful");
  }
}
