package dev.agentworkflow.exporter.webconfig;

import java.net.InetAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Decides on a client's certificate as the toolkit does: verified against the client CAs (or the
 * JVM's trusted roots when none are given) for the {@code Verify} types, accepted unverified for
 * {@code RequestClientCert}/{@code RequireAnyClientCert}, and then, with {@code
 * client_allowed_sans}, refused unless one of its subject alternative names (DNS, e-mail, IP or
 * URI) is exactly one of those listed.
 */
final class ClientCertificateCheck extends X509ExtendedTrustManager {
  private static final Pattern IP_LITERAL = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}|[0-9a-fA-F:.]*:[0-9a-fA-F:.]*");
  private static final int SAN_EMAIL = 1;
  private static final int SAN_DNS = 2;
  private static final int SAN_URI = 6;
  private static final int SAN_IP = 7;

  private final Optional<X509ExtendedTrustManager> verifier;
  private final List<String> allowedSans;

  /** {@code verifier} empty: any certificate is accepted (before the SAN rule). */
  ClientCertificateCheck(Optional<X509ExtendedTrustManager> verifier, List<String> allowedSans) {
    this.verifier = verifier;
    this.allowedSans = allowedSans.stream().map(ClientCertificateCheck::canonical).toList();
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    if (verifier.isPresent()) {
      verifier.get().checkClientTrusted(chain, authType, engine);
    }
    checkSans(chain);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    if (verifier.isPresent()) {
      verifier.get().checkClientTrusted(chain, authType, socket);
    }
    checkSans(chain);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    if (verifier.isPresent()) {
      verifier.get().checkClientTrusted(chain, authType);
    }
    checkSans(chain);
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return verifier.map(X509ExtendedTrustManager::getAcceptedIssuers).orElse(new X509Certificate[0]);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    throw new CertificateException("a server does not check server certificates");
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    throw new CertificateException("a server does not check server certificates");
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    throw new CertificateException("a server does not check server certificates");
  }

  private void checkSans(X509Certificate[] chain) throws CertificateException {
    if (allowedSans.isEmpty()) {
      return;
    }
    List<String> found = sans(chain[0]);
    for (String san : found) {
      if (allowedSans.contains(san)) {
        return;
      }
    }
    throw new CertificateException("client certificate has none of the client_allowed_sans; it has " + found);
  }

  private static List<String> sans(X509Certificate certificate) throws CertificateParsingException {
    Collection<List<?>> names = certificate.getSubjectAlternativeNames();
    List<String> values = new ArrayList<>();
    if (names == null) {
      return values;
    }
    for (List<?> name : names) {
      int type = (Integer) name.get(0);
      if (type == SAN_EMAIL || type == SAN_DNS || type == SAN_URI || type == SAN_IP) {
        values.add(canonical(String.valueOf(name.get(1))));
      }
    }
    return values;
  }

  /** IP addresses in one spelling (Java writes ::1 as 0:0:0:0:0:0:0:1); anything else as written. */
  private static String canonical(String value) {
    if (!IP_LITERAL.matcher(value).matches()) {
      return value;
    }
    try {
      // A literal is parsed without a name lookup.
      return InetAddress.getByName(value).getHostAddress();
    } catch (UnknownHostException e) {
      return value;
    }
  }
}
