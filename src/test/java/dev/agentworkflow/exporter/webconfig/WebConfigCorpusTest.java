package dev.agentworkflow.exporter.webconfig;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentworkflow.exporter.support.Binaries;
import dev.agentworkflow.exporter.support.Pki;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every web configuration file in src/test/resources/webconfig, read by us and by the real
 * {@code promtool check web-config} (Debian's Prometheus 2.42, which carries exporter-toolkit
 * 0.8): both accept the good ones and both refuse the bad ones, and our error names the key.
 * Where the two differ, the case says why: keys newer than promtool's toolkit, and checks that
 * only we make at start (Go fails those at the first connection instead, or not at all).
 */
class WebConfigCorpusTest {
  @TempDir
  static Path dir;

  /** {@code ours}: null when we accept it, else a fragment of our error. {@code promtool}: likewise. */
  record Case(String file, String ours, String promtool) {
    @Override
    public String toString() {
      return file;
    }
  }

  private static final String PROMTOOL_ACCEPTS = null;

  static Stream<Case> cases() {
    return Stream.of(
        // Good: both accept.
        new Case("tls.yml", null, PROMTOOL_ACCEPTS),
        new Case("tls-pkcs1-key.yml", null, PROMTOOL_ACCEPTS),
        new Case("tls-ec-key.yml", null, PROMTOOL_ACCEPTS),
        new Case("users.yml", null, PROMTOOL_ACCEPTS),
        new Case("tls-and-users.yml", null, PROMTOOL_ACCEPTS),
        new Case("mtls.yml", null, PROMTOOL_ACCEPTS),
        new Case("headers.yml", null, PROMTOOL_ACCEPTS),
        new Case("tls-options.yml", null, PROMTOOL_ACCEPTS),
        new Case("empty.yml", null, PROMTOOL_ACCEPTS),
        new Case("nulls.yml", null, PROMTOOL_ACCEPTS),
        // Keys of toolkit 0.10 and later, which promtool 2.42's toolkit does not know yet.
        new Case("rate-limit.yml", null, "field rate_limit not found"),
        new Case("client-sans.yml", null, "field client_allowed_sans not found"),
        // Bad: both refuse.
        new Case("junk.yml", "the file must hold a YAML mapping", "cannot unmarshal"),
        new Case("not-yaml.yml", "not valid YAML", "yaml:"),
        new Case("unknown-key.yml", "tls_server_config.cert_filse: unknown key", "field cert_filse not found"),
        new Case("unknown-top-key.yml", "tls_config: unknown key", "field tls_config not found"),
        new Case("duplicate-key.yml", "found duplicate key cert_file", "already set"),
        new Case("missing-cert-file.yml", "tls_server_config.cert_file: cannot read", "no-such.crt"),
        new Case("missing-key.yml", "tls_server_config.key_file: missing", "key"),
        new Case("key-of-another-cert.yml", "the private key does not belong to the certificate", "X509KeyPair"),
        new Case("key-of-another-type.yml", "the private key does not belong to the certificate", "X509KeyPair"),
        new Case("plain-password.yml", "basic_auth_users.alice: not a bcrypt hash", "bcrypt"),
        new Case("header-not-allowed.yml", "headers.X-Powered-By: this header cannot be set", "X-Powered-By"),
        new Case("header-bad-value.yml", "headers.X-Frame-Options: 'allow' is not allowed", "X-Frame-Options"),
        new Case("client-auth-unknown.yml", "client_auth_type: unknown value 'RequireValidCert'", "ClientAuth"),
        new Case("client-ca-without-client-auth.yml", "client CAs are set but client_auth_type is NoClientCert",
            "Client Auth"),
        new Case("version-unknown.yml", "min_version: unknown TLS version 'TLS14'", "TLS14"),
        new Case("cipher-unknown.yml", "unknown cipher suite 'TLS_RSA_WITH_RC4_128_SHA'", "unknown cipher"),
        new Case("http2-not-bool.yml", "http_server_config.http2: must be true or false", "sometimes"),
        // Stricter than Go: it accepts these and every handshake fails later, or every request is refused.
        new Case("min-above-max.yml", "min_version TLS13 is newer than max_version TLS12", PROMTOOL_ACCEPTS),
        new Case("rate-limit-burst-zero.yml", "rate_limit.burst: must be at least 1", "field rate_limit not found"),
        // Java 17 cannot set TLS groups per server; Java 20 and later can.
        new Case("curves.yml", Runtime.version().feature() >= 20 ? null : "curve_preferences: this JVM (Java "
            + Runtime.version().feature() + ") cannot choose curves per server", PROMTOOL_ACCEPTS));
  }

  @BeforeAll
  static void keysAndFiles() throws Exception {
    Pki.create(dir);
    for (Case c : cases().toList()) {
      try (InputStream in = WebConfigCorpusTest.class.getResourceAsStream("/webconfig/" + c.file())) {
        Files.copy(in, dir.resolve(c.file()));
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void weAndPromtoolAgree(Case c) throws Exception {
    Path file = dir.resolve(c.file());
    if (c.ours() == null) {
      WebConfigFile.read(file);
    } else {
      WebConfigException e = assertThrows(WebConfigException.class, () -> WebConfigFile.read(file));
      assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
      assertTrue(e.getMessage().contains(c.ours()), e.getMessage());
      assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }
    String promtool = Binaries.promtoolCheckWebConfig(file);
    if (c.promtool() == null) {
      assertEquals(file + " SUCCESS", promtool);
    } else {
      assertTrue(promtool.startsWith(file + " FAILED"), promtool);
      assertTrue(promtool.contains(c.promtool()), promtool);
    }
  }

  @Test
  void everyFileInTheCorpusHasACase() throws Exception {
    List<String> listed = cases().map(Case::file).sorted().toList();
    try (Stream<Path> files = Files.list(Path.of("src/test/resources/webconfig"))) {
      assertEquals(files.map(p -> p.getFileName().toString()).sorted().toList(), listed);
    }
  }
}
