package dev.agentworkflow.exporter.support;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Keys and certificates made at test time with the real {@code openssl}, with the commands
 * docs/security.md gives users, so no private key is ever committed. One call makes, in
 * {@code dir}:
 * <ul>
 *   <li>{@code ca.crt}/{@code ca.key}: a CA that signs the server's and the trusted client's certificates;</li>
 *   <li>{@code server.crt} with {@code server.key} (PKCS#8 RSA) and {@code server-rsa.key} (the same key as
 *       PKCS#1); for localhost and 127.0.0.1;</li>
 *   <li>{@code server-ec.crt} with {@code server-ec.key} (SEC1 EC, after an EC PARAMETERS block);</li>
 *   <li>{@code client.crt}/{@code client.key}/{@code client.p12}: a client signed by the CA, SAN DNS:prometheus;</li>
 *   <li>{@code stranger.crt}/{@code stranger.key}/{@code stranger.p12}: a self-signed client nobody trusts,
 *       also with SAN DNS:prometheus.</li>
 * </ul>
 */
public final class Pki {
  public static final char[] P12_PASSWORD = "test".toCharArray();

  private final Path dir;

  private Pki(Path dir) {
    this.dir = dir;
  }

  public static Pki create(Path dir) throws IOException, InterruptedException {
    Files.createDirectories(dir);
    Pki pki = new Pki(dir);
    pki.openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=test CA",
        "-keyout", "ca.key", "-out", "ca.crt");
    pki.openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-keyout", "server.key",
        "-out", "server.csr");
    pki.sign("server", "subjectAltName=DNS:localhost,IP:127.0.0.1");
    pki.openssl("rsa", "-in", "server.key", "-traditional", "-out", "server-rsa.key");
    pki.openssl("ecparam", "-name", "prime256v1", "-genkey", "-out", "server-ec.key");
    pki.openssl("req", "-new", "-key", "server-ec.key", "-subj", "/CN=localhost", "-out", "server-ec.csr");
    pki.sign("server-ec", "subjectAltName=DNS:localhost,IP:127.0.0.1");
    pki.openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=prometheus", "-keyout", "client.key",
        "-out", "client.csr");
    pki.sign("client", "subjectAltName=DNS:prometheus");
    pki.openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=prometheus",
        "-addext", "subjectAltName=DNS:prometheus", "-keyout", "stranger.key", "-out", "stranger.crt");
    for (String client : new String[] {"client", "stranger"}) {
      pki.openssl("pkcs12", "-export", "-in", client + ".crt", "-inkey", client + ".key", "-out", client + ".p12",
          "-passout", "pass:" + new String(P12_PASSWORD));
    }
    return pki;
  }

  public Path dir() {
    return dir;
  }

  public Path file(String name) {
    return dir.resolve(name);
  }

  /** A client context trusting the test CA, presenting {@code clientP12} ({@code null}: no certificate). */
  public SSLContext clientContext(String clientP12) throws IOException, GeneralSecurityException {
    KeyStore trusted = KeyStore.getInstance("PKCS12");
    trusted.load(null, null);
    try (InputStream ca = Files.newInputStream(file("ca.crt"))) {
      trusted.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(ca));
    }
    TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(trusted);
    KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    KeyStore own = KeyStore.getInstance("PKCS12");
    if (clientP12 == null) {
      own.load(null, null);
    } else {
      try (InputStream in = Files.newInputStream(file(clientP12))) {
        own.load(in, P12_PASSWORD);
      }
    }
    keys.init(own, P12_PASSWORD);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(keys.getKeyManagers(), trust.getTrustManagers(), null);
    return context;
  }

  private void sign(String name, String extension) throws IOException, InterruptedException {
    Files.writeString(file(name + ".ext"), extension + "\n");
    openssl("x509", "-req", "-in", name + ".csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
        "-days", "2", "-extfile", name + ".ext", "-out", name + ".crt");
  }

  private void openssl(String... arguments) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add("openssl");
    command.addAll(List.of(arguments));
    Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IOException("openssl " + String.join(" ", arguments) + " failed: " + output);
    }
  }
}
