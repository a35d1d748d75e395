package dev.agentworkflow.exporter.http;

import static dev.agentworkflow.exporter.support.HttpCalls.basic;
import static dev.agentworkflow.exporter.support.HttpCalls.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.agentworkflow.exporter.app.Exporter;
import dev.agentworkflow.exporter.support.Exposition;
import dev.agentworkflow.exporter.support.Htpasswd;
import dev.agentworkflow.exporter.support.MutableClock;
import dev.agentworkflow.exporter.support.Pki;
import dev.agentworkflow.exporter.support.TestSettings;
import dev.agentworkflow.exporter.webconfig.WebConfigFile;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web configuration follows its files while the exporter runs, as the toolkit's does: a
 * renewed certificate serves the next connection, changed users apply to the next request once the
 * file has stopped changing, and a broken edit leaves the previous configuration in force and shows
 * in a metric. Files are looked at, at most once a second, when a request comes: {@link #settle}
 * makes the two looks a change needs.
 */
class WebConfigReloadTest {
  @TempDir
  static Path dir;
  static Pki pki;

  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-25T12:00:00Z"));
  private Exporter exporter;

  @BeforeAll
  static void keys() throws Exception {
    pki = Pki.create(dir.resolve("pki"));
  }

  @AfterEach
  void stop() {
    if (exporter != null) {
      exporter.close();
    }
  }

  /** Two looks a second apart, each made by a request: the first sees the change, the second reads it. */
  private void settle(Runnable request) {
    clock.advance(Duration.ofSeconds(1));
    request.run();
    clock.advance(Duration.ofSeconds(1));
  }

  private void settle(int port) {
    settle(() -> {
      try {
        get(HttpClient.newHttpClient(), "http://127.0.0.1:" + port + "/-/healthy");
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    });
  }

  private int start(Path webConfig) throws Exception {
    exporter = Exporter.start(TestSettings.withWeb(TestSettings.of(dir.resolve("agent_workflow.db")),
        WebConfigFile.read(webConfig)), clock);
    return exporter.port();
  }



  /** The key algorithm of the certificate the server presents to a new connection. */
  private static String presentedKey(int port) throws Exception {
    HttpResponse<String> response = get(HttpClient.newBuilder().sslContext(pki.clientContext(null)).build(),
        "https://127.0.0.1:" + port + "/-/healthy");
    return ((X509Certificate) response.sslSession().orElseThrow().getPeerCertificates()[0]).getPublicKey()
        .getAlgorithm();
  }

  @Test
  void aRenewedCertificateServesTheNextConnection() throws Exception {
    Path folder = Files.createDirectories(dir.resolve("renewal"));
    Files.copy(pki.file("server.crt"), folder.resolve("tls.crt"));
    Files.copy(pki.file("server.key"), folder.resolve("tls.key"));
    Path config = folder.resolve("web.yml");
    Files.writeString(config, "tls_server_config:\n  cert_file: tls.crt\n  key_file: tls.key\n");
    int port = start(config);
    assertEquals("RSA", presentedKey(port));

    // cert-manager style: the new pair is written next to the old one and renamed over it
    Files.copy(pki.file("server-ec.crt"), folder.resolve("tls.crt.new"));
    Files.copy(pki.file("server-ec.key"), folder.resolve("tls.key.new"));
    Files.move(folder.resolve("tls.key.new"), folder.resolve("tls.key"), StandardCopyOption.ATOMIC_MOVE);
    Files.move(folder.resolve("tls.crt.new"), folder.resolve("tls.crt"), StandardCopyOption.ATOMIC_MOVE);
    assertEquals("RSA", presentedKey(port), "files are looked at once a second at most");
    clock.advance(Duration.ofSeconds(1));
    assertEquals("RSA", presentedKey(port), "changed files are read once they have stayed the same for a second");
    clock.advance(Duration.ofSeconds(1));
    assertEquals("EC", presentedKey(port));
  }

  @Test
  void changedUsersApplyAndABrokenEditKeepsThePreviousConfiguration() throws Exception {
    Path config = dir.resolve("users.yml");
    String alice = "basic_auth_users:\n  alice: " + Htpasswd.hash("alice-pw", 4) + "\n";
    Files.writeString(config, alice);
    int port = start(config);
    HttpClient client = HttpClient.newHttpClient();
    String metrics = "http://127.0.0.1:" + port + "/metrics";
    assertEquals(200, get(client, metrics, "Authorization", basic("alice", "alice-pw")).statusCode());
    assertEquals(1.0, reloadSuccessful(client, metrics, basic("alice", "alice-pw")));

    Files.writeString(config, "basic_auth_users:\n  bob: " + Htpasswd.hash("bob-pw", 4) + "\n");
    settle(port);
    assertEquals(401, get(client, metrics, "Authorization", basic("alice", "alice-pw")).statusCode());
    assertEquals(200, get(client, metrics, "Authorization", basic("bob", "bob-pw")).statusCode());

    Files.writeString(config, "basic_auth_users:\n  bob: bob-pw\n"); // a password where the hash belongs
    settle(port);
    assertEquals(200, get(client, metrics, "Authorization", basic("bob", "bob-pw")).statusCode());
    assertEquals(0.0, reloadSuccessful(client, metrics, basic("bob", "bob-pw")));

    Files.writeString(config, alice);
    settle(port);
    assertEquals(401, get(client, metrics, "Authorization", basic("bob", "bob-pw")).statusCode());
    assertEquals(1.0, reloadSuccessful(client, metrics, basic("alice", "alice-pw")));
  }

  @Test
  void tlsCannotBeTurnedOffWhileRunning() throws Exception {
    Path folder = Files.createDirectories(dir.resolve("tls-off"));
    Path config = folder.resolve("web.yml");
    Files.writeString(config, "tls_server_config:\n  cert_file: " + pki.file("server.crt") + "\n  key_file: "
        + pki.file("server.key") + "\n");
    int port = start(config);

    Files.writeString(config, "");
    HttpClient tls = HttpClient.newBuilder().sslContext(pki.clientContext(null)).build();
    settle(() -> {
      try {
        get(tls, "https://127.0.0.1:" + port + "/-/healthy");
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    });
    assertThrows(IOException.class, () -> get(HttpClient.newHttpClient(), "http://127.0.0.1:" + port + "/metrics"));
    HttpResponse<String> response = get(tls, "https://127.0.0.1:" + port + "/metrics");
    assertEquals(200, response.statusCode());
    assertEquals(0.0, Exposition.parse(response.body())
        .value("agent_workflow_exporter_web_config_last_reload_successful"));
  }

  @Test
  void sighupReadsAChangedFileAtOnce() throws Exception {
    Path config = dir.resolve("hup.yml");
    Files.writeString(config, "basic_auth_users:\n  alice: " + Htpasswd.hash("alice-pw", 4) + "\n");
    int port = start(config);
    HttpClient client = HttpClient.newHttpClient();
    String metrics = "http://127.0.0.1:" + port + "/metrics";
    Files.writeString(config, "basic_auth_users:\n  bob: " + Htpasswd.hash("bob-pw", 4) + "\n");
    assertEquals(200, get(client, metrics, "Authorization", basic("alice", "alice-pw")).statusCode());
    exporter.reloadConfiguration(); // no time has passed: only the explicit reload reads it
    assertEquals(401, get(client, metrics, "Authorization", basic("alice", "alice-pw")).statusCode());
    assertEquals(200, get(client, metrics, "Authorization", basic("bob", "bob-pw")).statusCode());
  }

  @Test
  void withoutAWebConfigFileThereAreNoReloadMetrics() throws Exception {
    exporter = Exporter.start(TestSettings.of(dir.resolve("agent_workflow.db")), clock);
    String body = get(HttpClient.newHttpClient(), "http://127.0.0.1:" + exporter.port() + "/metrics").body();
    assertFalse(body.contains("web_config"), body);
  }

  private static double reloadSuccessful(HttpClient client, String metrics, String authorization) throws Exception {
    return Exposition.parse(get(client, metrics, "Authorization", authorization).body())
        .value("agent_workflow_exporter_web_config_last_reload_successful");
  }
}
