package dev.agentworkflow.exporter.http;

import static dev.agentworkflow.exporter.support.HttpCalls.basic;
import static dev.agentworkflow.exporter.support.HttpCalls.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentworkflow.exporter.app.Exporter;
import dev.agentworkflow.exporter.support.Binaries;
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
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exporter with a web configuration file, against a real HTTP client: TLS with each key
 * format, basic auth with a hash from the real htpasswd, both, mutual TLS, client SAN rules, TLS
 * version and cipher limits, extra headers and the rate limit.
 */
class WebSecurityTest {
  @TempDir
  static Path dir;
  static Pki pki;
  static String aliceHash;

  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-25T12:00:00Z"));
  private final List<Exporter> started = new ArrayList<>();

  @BeforeAll
  static void keys() throws Exception {
    pki = Pki.create(dir.resolve("pki"));
    aliceHash = Htpasswd.hash("correct horse", 10);
  }

  @AfterEach
  void stop() {
    started.forEach(Exporter::close);
  }

  private int start(String webConfig) throws Exception {
    Path file = Files.createTempFile(pki.dir(), "web-", ".yml");
    Files.writeString(file, webConfig);
    promtoolAgrees(file, webConfig);
    Exporter exporter = Exporter.start(
        TestSettings.withWeb(TestSettings.of(dir.resolve("agent_workflow.db")), WebConfigFile.read(file)), clock);
    started.add(exporter);
    return exporter.port();
  }

  /** Each file these tests use passes promtool too, but for keys newer than Debian's promtool 2.42 knows. */
  private static void promtoolAgrees(Path file, String webConfig) throws Exception {
    String verdict = Binaries.promtoolCheckWebConfig(file);
    for (String newer : List.of("rate_limit", "client_allowed_sans")) {
      if (webConfig.contains(newer + ":")) {
        assertTrue(verdict.contains("field " + newer + " not found"), verdict);
        return;
      }
    }
    assertEquals(file + " SUCCESS", verdict);
  }


  private static HttpClient client(SSLContext context, SSLParameters parameters) {
    HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).sslContext(context);
    if (parameters != null) {
      builder.sslParameters(parameters);
    }
    return builder.build();
  }

  private static HttpClient tlsClient(String clientP12) throws Exception {
    return client(pki.clientContext(clientP12), null);
  }


  private static String tls(String cert, String key) {
    return """
        tls_server_config:
          cert_file: %s
          key_file: %s
        """.formatted(cert, key);
  }

  @Test
  void tlsServesMetricsAndRefusesPlainHttp() throws Exception {
    int port = start(tls("server.crt", "server.key"));

    HttpResponse<String> response = get(tlsClient(null), "https://127.0.0.1:" + port + "/metrics");
    assertEquals(200, response.statusCode());
    assertTrue(response.body().contains("agent_workflow_database_up 0.0"), response.body());

    assertThrows(IOException.class, () -> get(HttpClient.newHttpClient(), "http://127.0.0.1:" + port + "/metrics"));
  }

  @Test
  void tlsWithPkcs1AndEcKeys() throws Exception {
    int rsa = start(tls("server.crt", "server-rsa.key"));
    int ec = start(tls("server-ec.crt", "server-ec.key"));

    assertEquals(200, get(tlsClient(null), "https://127.0.0.1:" + rsa + "/metrics").statusCode());
    assertEquals(200, get(tlsClient(null), "https://127.0.0.1:" + ec + "/metrics").statusCode());
  }

  @Test
  void basicAuthWithAnHtpasswdHash() throws Exception {
    int port = start("basic_auth_users:\n  alice: " + aliceHash + "\n");
    HttpClient client = HttpClient.newHttpClient();
    String metrics = "http://127.0.0.1:" + port + "/metrics";

    assertEquals(200, get(client, metrics, "Authorization", basic("alice", "correct horse")).statusCode());
    assertEquals(200, get(client, metrics, "Authorization", basic("alice", "correct horse")).statusCode());
    for (HttpResponse<String> refused : List.of(
        get(client, metrics),
        get(client, metrics, "Authorization", basic("alice", "wrong")),
        get(client, metrics, "Authorization", basic("bob", "correct horse")),
        get(client, metrics, "Authorization", "Basic not-base64!"),
        get(client, "http://127.0.0.1:" + port + "/"))) {
      assertEquals(401, refused.statusCode());
      assertEquals("Basic realm=\"agent-workflow-exporter\", charset=\"UTF-8\"",
          refused.headers().firstValue("WWW-Authenticate").orElseThrow());
      assertEquals("Unauthorized\n", refused.body());
    }
    assertEquals(200, get(client, "http://127.0.0.1:" + port + "/", "Authorization",
        basic("alice", "correct horse")).statusCode());
    HttpResponse<String> probe = get(client, "http://127.0.0.1:" + port + "/-/healthy");
    assertEquals(200, probe.statusCode());
    assertEquals("Healthy.\n", probe.body());
    assertTrue(started.get(0).awaitFirstPoll(Duration.ofSeconds(30)));
    HttpResponse<String> readiness = get(client, "http://127.0.0.1:" + port + "/-/ready");
    assertEquals(200, readiness.statusCode(), "readiness probes need no password either");
    assertEquals("Ready.\n", readiness.body());
  }

  @Test
  void tlsAndBasicAuthTogether() throws Exception {
    int port = start(tls("server.crt", "server.key") + "basic_auth_users:\n  alice: " + aliceHash + "\n");
    HttpClient client = tlsClient(null);
    String metrics = "https://127.0.0.1:" + port + "/metrics";

    assertEquals(200, get(client, metrics, "Authorization", basic("alice", "correct horse")).statusCode());
    assertEquals(401, get(client, metrics).statusCode());
    assertEquals(401, get(client, metrics, "Authorization", basic("alice", "Correct horse")).statusCode());
    assertThrows(IOException.class, () -> get(HttpClient.newHttpClient(), "http://127.0.0.1:" + port + "/metrics",
        "Authorization", basic("alice", "correct horse")));
  }

  @Test
  void mutualTlsAcceptsOnlyCertificatesOfTheClientCa() throws Exception {
    int port = start(tls("server.crt", "server.key") + """
          client_auth_type: RequireAndVerifyClientCert
          client_ca_file: ca.crt
        """);
    String metrics = "https://127.0.0.1:" + port + "/metrics";

    assertEquals(200, get(tlsClient("client.p12"), metrics).statusCode());
    assertThrows(IOException.class, () -> get(tlsClient("stranger.p12"), metrics));
    assertThrows(IOException.class, () -> get(tlsClient(null), metrics));
  }

  @Test
  void clientAllowedSansNarrowsTrustedCertificates() throws Exception {
    String mtls = tls("server.crt", "server.key") + """
          client_auth_type: RequireAndVerifyClientCert
          client_ca_file: ca.crt
        """;
    int listed = start(mtls + "  client_allowed_sans: [scraper.example.net, prometheus]\n");
    int notListed = start(mtls + "  client_allowed_sans: [scraper.example.net]\n");

    assertEquals(200, get(tlsClient("client.p12"), "https://127.0.0.1:" + listed + "/metrics").statusCode());
    assertThrows(IOException.class, () -> get(tlsClient("client.p12"), "https://127.0.0.1:" + notListed + "/metrics"));
    // The stranger has the right SAN but no trusted issuer: the SAN rule adds to verification, never replaces it.
    assertThrows(IOException.class, () -> get(tlsClient("stranger.p12"), "https://127.0.0.1:" + listed + "/metrics"));
  }

  @Test
  void tlsVersionLimits() throws Exception {
    int tls13Only = start(tls("server.crt", "server.key") + "  min_version: TLS13\n");
    int tls12Only = start(tls("server.crt", "server.key") + "  max_version: TLS12\n");

    assertEquals(200, get(client(pki.clientContext(null), protocols("TLSv1.3")),
        "https://127.0.0.1:" + tls13Only + "/metrics").statusCode());
    assertThrows(IOException.class, () -> get(client(pki.clientContext(null), protocols("TLSv1.2")),
        "https://127.0.0.1:" + tls13Only + "/metrics"));
    assertEquals(200, get(client(pki.clientContext(null), protocols("TLSv1.2")),
        "https://127.0.0.1:" + tls12Only + "/metrics").statusCode());
    assertThrows(IOException.class, () -> get(client(pki.clientContext(null), protocols("TLSv1.3")),
        "https://127.0.0.1:" + tls12Only + "/metrics"));
  }

  @Test
  void cipherSuitesLimitTls12() throws Exception {
    int port = start(tls("server.crt", "server.key") + """
          max_version: TLS12
          cipher_suites: [TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384]
        """);
    String metrics = "https://127.0.0.1:" + port + "/metrics";

    assertEquals(200, get(client(pki.clientContext(null),
        suites("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384")), metrics).statusCode());
    assertThrows(IOException.class, () -> get(client(pki.clientContext(null),
        suites("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256")), metrics));
  }

  @Test
  void headersOnEveryResponse() throws Exception {
    int port = start("""
        basic_auth_users:
          alice: %s
        http_server_config:
          headers:
            X-Frame-Options: deny
            Content-Security-Policy: "default-src 'self'"
        """.formatted(aliceHash));
    HttpClient client = HttpClient.newHttpClient();

    for (HttpResponse<String> response : List.of(
        get(client, "http://127.0.0.1:" + port + "/metrics", "Authorization", basic("alice", "correct horse")),
        get(client, "http://127.0.0.1:" + port + "/metrics"),
        get(client, "http://127.0.0.1:" + port + "/-/healthy"),
        get(client, "http://127.0.0.1:" + port + "/-/ready"))) {
      assertEquals("deny", response.headers().firstValue("X-Frame-Options").orElseThrow());
      assertEquals("default-src 'self'", response.headers().firstValue("Content-Security-Policy").orElseThrow());
    }
  }

  @Test
  void rateLimitRefusesPastTheBurstAndRefillsOverTime() throws Exception {
    int port = start("""
        rate_limit:
          interval: 1m
          burst: 2
        """);
    HttpClient client = HttpClient.newHttpClient();
    String metrics = "http://127.0.0.1:" + port + "/metrics";

    assertEquals(200, get(client, metrics).statusCode());
    assertEquals(200, get(client, metrics).statusCode());
    HttpResponse<String> refused = get(client, metrics);
    assertEquals(429, refused.statusCode());
    assertEquals("Too Many Requests\n", refused.body());
    assertEquals(200, get(client, "http://127.0.0.1:" + port + "/-/healthy").statusCode());
    assertTrue(started.get(0).awaitFirstPoll(Duration.ofSeconds(30)));
    assertEquals(200, get(client, "http://127.0.0.1:" + port + "/-/ready").statusCode(), "probes are not rate limited");

    clock.advance(Duration.ofSeconds(59));
    assertEquals(429, get(client, metrics).statusCode());
    clock.advance(Duration.ofSeconds(1));
    assertEquals(200, get(client, metrics).statusCode());
    assertEquals(429, get(client, metrics).statusCode());
    clock.advance(Duration.ofHours(1)); // refills to the burst, not beyond
    assertEquals(200, get(client, metrics).statusCode());
    assertEquals(200, get(client, metrics).statusCode());
    assertEquals(429, get(client, metrics).statusCode());
  }

  private static SSLParameters protocols(String... protocols) {
    SSLParameters parameters = new SSLParameters();
    parameters.setProtocols(protocols);
    return parameters;
  }

  private static SSLParameters suites(String... suites) {
    SSLParameters parameters = new SSLParameters();
    parameters.setProtocols(new String[] {"TLSv1.2"});
    parameters.setCipherSuites(suites);
    return parameters;
  }
}
