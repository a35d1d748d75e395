package dev.agentworkflow.exporter.webconfig;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * A server's TLS from one reading of the web configuration: its key manager (key and
 * certificate), its check of client certificates, and the parameters of each connection.
 * {@link LiveWebConfig} puts the current one behind a single long-lived {@code SSLContext}.
 */
public final class ServerTls {
  private static final char[] IN_MEMORY_PASSWORD = new char[0];

  private final SSLContext context;
  private final X509ExtendedKeyManager keyManager;
  private final X509ExtendedTrustManager trustManager;
  private final List<String> protocols;
  private final List<String> cipherSuites;
  private final boolean preferServerCipherSuites;
  private final ClientAuthType clientAuth;
  private final List<String> namedGroups;

  private ServerTls(SSLContext context, X509ExtendedKeyManager keyManager, X509ExtendedTrustManager trustManager,
      List<String> protocols, List<String> cipherSuites, boolean preferServerCipherSuites, ClientAuthType clientAuth,
      List<String> namedGroups) {
    this.context = context;
    this.keyManager = keyManager;
    this.trustManager = trustManager;
    this.protocols = protocols;
    this.cipherSuites = cipherSuites;
    this.preferServerCipherSuites = preferServerCipherSuites;
    this.clientAuth = clientAuth;
    this.namedGroups = namedGroups;
  }

  X509ExtendedKeyManager keyManager() {
    return keyManager;
  }

  X509ExtendedTrustManager trustManager() {
    return trustManager;
  }

  /** Fresh parameters for one connection (SSLParameters is mutable, so never shared). */
  public SSLParameters parameters() {
    SSLParameters parameters = context.getDefaultSSLParameters();
    parameters.setProtocols(protocols.toArray(String[]::new));
    if (!cipherSuites.isEmpty()) {
      parameters.setCipherSuites(cipherSuites.toArray(String[]::new));
    }
    parameters.setUseCipherSuitesOrder(preferServerCipherSuites);
    if (clientAuth.need) {
      parameters.setNeedClientAuth(true);
    } else if (clientAuth.want) {
      parameters.setWantClientAuth(true);
    }
    if (!namedGroups.isEmpty()) {
      setNamedGroups(parameters, namedGroups);
    }
    return parameters;
  }

  /** For the start-up log line, e.g. {@code TLSv1.2, TLSv1.3; client certificates: RequireAndVerifyClientCert}. */
  public String summary() {
    return String.join(", ", protocols) + "; client certificates: " + clientAuth.goName;
  }

  static ServerTls build(TlsSection section) throws WebConfigException {
    List<X509Certificate> chain = PemReader.certificates(section.certificate().text(), section.certificate().origin());
    PrivateKey key = PemReader.privateKey(section.key().text(), section.key().origin());
    checkKeyMatches(key, chain.get(0).getPublicKey(), section);
    if (section.clientCa().isPresent() && !section.clientAuth().asksForCertificate()) {
      throw new WebConfigException("tls_server_config.client_auth_type: client CAs are set but client_auth_type is "
          + ClientAuthType.NONE.goName + "; set it to RequireAndVerifyClientCert");
    }
    List<String> protocols = protocols(section.minVersion(), section.maxVersion());
    try {
      X509ExtendedKeyManager keyManager = keyManager(key, chain);
      X509ExtendedTrustManager trustManager = trustManager(section);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(new KeyManager[] {keyManager}, new TrustManager[] {trustManager}, new SecureRandom());
      List<String> suites = cipherSuites(section.cipherSuites(), context);
      List<String> groups = namedGroups(section.curvePreferences());
      ServerTls tls = new ServerTls(context, keyManager, trustManager, protocols, suites,
          section.preferServerCipherSuites(), section.clientAuth(), groups);
      context.createSSLEngine().setSSLParameters(tls.parameters());
      return tls;
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new WebConfigException("tls_server_config: " + e.getMessage(), e);
    }
  }

  private static void checkKeyMatches(PrivateKey key, PublicKey certified, TlsSection section)
      throws WebConfigException {
    String algorithm = switch (key.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      case "EdDSA", "Ed25519" -> "Ed25519";
      default -> throw new WebConfigException(section.key().origin() + ": keys of type " + key.getAlgorithm()
          + " are not supported; use RSA, EC or Ed25519");
    };
    byte[] probe = "agent-workflow-exporter key check".getBytes(StandardCharsets.US_ASCII);
    try {
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(certified);
      verifier.update(probe);
      if (verifier.verify(signature)) {
        return;
      }
    } catch (GeneralSecurityException e) {
      // A key of another type than the certificate's: reported below as a mismatch.
    }
    throw new WebConfigException(section.key().origin() + ": the private key does not belong to the certificate in "
        + section.certificate().origin());
  }

  private static List<String> protocols(String min, String max) throws WebConfigException {
    int from = versionIndex("min_version", min.isEmpty() ? "TLS12" : min);
    int to = versionIndex("max_version", max.isEmpty() ? "TLS13" : max);
    if (from > to) {
      throw new WebConfigException("tls_server_config: min_version " + min + " is newer than max_version " + max);
    }
    return TlsNames.VERSION_ORDER.subList(from, to + 1).stream().map(TlsNames.VERSIONS::get).toList();
  }

  private static int versionIndex(String key, String name) throws WebConfigException {
    int index = TlsNames.VERSION_ORDER.indexOf(name);
    if (index < 0) {
      throw new WebConfigException("tls_server_config." + key + ": unknown TLS version '" + name + "'; use one of "
          + String.join(", ", TlsNames.VERSION_ORDER));
    }
    return index;
  }

  /** The configured TLS 1.2 suites in order, then the JVM's TLS 1.3 suites, which Go does not let one restrict. */
  private static List<String> cipherSuites(List<String> configured, SSLContext context) throws WebConfigException {
    if (configured.isEmpty()) {
      return List.of();
    }
    List<String> available = Arrays.asList(context.getSupportedSSLParameters().getCipherSuites());
    List<String> suites = new ArrayList<>();
    for (String name : configured) {
      if (!TlsNames.CIPHER_SUITES.contains(name)) {
        throw new WebConfigException("tls_server_config.cipher_suites: unknown cipher suite '" + name
            + "'; the toolkit accepts the names of Go's tls.CipherSuites(), e.g. TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
      }
      if (!available.contains(name)) {
        throw new WebConfigException("tls_server_config.cipher_suites: " + name + " is not available in this JVM");
      }
      if (!TlsNames.TLS13_SUITES.contains(name)) {
        suites.add(name);
      }
    }
    Arrays.stream(context.getDefaultSSLParameters().getCipherSuites())
        .filter(TlsNames.TLS13_SUITES::contains)
        .forEach(suites::add);
    return List.copyOf(suites);
  }

  private static List<String> namedGroups(List<String> curves) throws WebConfigException {
    List<String> groups = new ArrayList<>();
    for (String curve : curves) {
      String group = TlsNames.CURVES.get(curve);
      if (group == null) {
        throw new WebConfigException("tls_server_config.curve_preferences: unknown curve '" + curve + "'; use "
            + String.join(", ", TlsNames.CURVES.keySet().stream().sorted().toList()));
      }
      groups.add(group);
    }
    if (!groups.isEmpty() && namedGroupsSetter().isEmpty()) {
      throw new WebConfigException("tls_server_config.curve_preferences: this JVM (Java "
          + Runtime.version().feature() + ") cannot choose curves per server; that needs Java 20 or later. "
          + "Remove the key, or set them for the whole JVM with -Djdk.tls.namedGroups=" + String.join(",", groups));
    }
    return List.copyOf(groups);
  }

  /** {@code SSLParameters.setNamedGroups}, added in Java 20; the exporter is built for Java 17. */
  private static Optional<Method> namedGroupsSetter() {
    try {
      return Optional.of(SSLParameters.class.getMethod("setNamedGroups", String[].class));
    } catch (NoSuchMethodException e) {
      return Optional.empty();
    }
  }

  private static void setNamedGroups(SSLParameters parameters, List<String> groups) {
    try {
      namedGroupsSetter().orElseThrow().invoke(parameters, (Object) groups.toArray(String[]::new));
    } catch (IllegalAccessException | InvocationTargetException e) {
      throw new IllegalStateException("cannot set the TLS named groups", e);
    }
  }

  private static X509ExtendedKeyManager keyManager(PrivateKey key, List<X509Certificate> chain)
      throws GeneralSecurityException {
    KeyStore store = emptyStore();
    // Each reading its own alias, so a handshake during a reload never pairs one reading's chain with another's key.
    store.setKeyEntry("server-" + UUID.randomUUID(), key, IN_MEMORY_PASSWORD,
        chain.toArray(X509Certificate[]::new));
    KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    factory.init(store, IN_MEMORY_PASSWORD);
    return Arrays.stream(factory.getKeyManagers())
        .filter(X509ExtendedKeyManager.class::isInstance)
        .map(X509ExtendedKeyManager.class::cast)
        .findFirst()
        .orElseThrow(() -> new GeneralSecurityException("the JVM offers no X.509 key manager"));
  }

  private static X509ExtendedTrustManager trustManager(TlsSection section)
      throws GeneralSecurityException, WebConfigException {
    Optional<X509ExtendedTrustManager> verifier = Optional.empty();
    if (section.clientAuth().verify) {
      TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      if (section.clientCa().isPresent()) {
        TlsSection.Pem ca = section.clientCa().get();
        KeyStore store = emptyStore();
        int n = 0;
        for (X509Certificate certificate : PemReader.certificates(ca.text(), ca.origin())) {
          store.setCertificateEntry("client-ca-" + n++, certificate);
        }
        factory.init(store);
      } else {
        factory.init((KeyStore) null);
      }
      verifier = Optional.of(Arrays.stream(factory.getTrustManagers())
          .filter(X509ExtendedTrustManager.class::isInstance)
          .map(X509ExtendedTrustManager.class::cast)
          .findFirst()
          .orElseThrow(() -> new GeneralSecurityException("the JVM offers no X.509 trust manager")));
    }
    return new ClientCertificateCheck(verifier, section.clientAllowedSans());
  }

  private static KeyStore emptyStore() throws GeneralSecurityException {
    KeyStore store = KeyStore.getInstance("PKCS12");
    try {
      store.load(null, null);
    } catch (java.io.IOException e) {
      throw new GeneralSecurityException(e);
    }
    return store;
  }
}
