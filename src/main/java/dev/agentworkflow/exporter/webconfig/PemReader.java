package dev.agentworkflow.exporter.webconfig;

import java.io.IOException;
import java.io.StringReader;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * Certificates and private keys from PEM text, as Go's {@code tls.X509KeyPair} accepts them: keys
 * as PKCS#8 ({@code PRIVATE KEY}), PKCS#1 ({@code RSA PRIVATE KEY}) or SEC1 ({@code EC PRIVATE
 * KEY}, possibly after {@code EC PARAMETERS}); other blocks and text between blocks are skipped.
 * Keys are converted with the JDK's own key factories: Bouncy Castle only parses.
 */
final class PemReader {
  private PemReader() {}

  /** All certificates in the text, in order (the server's own first, then its chain). */
  static List<X509Certificate> certificates(String pem, String what) throws WebConfigException {
    List<X509Certificate> certificates = new ArrayList<>();
    JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      for (Object block = parser.readObject(); block != null; block = parser.readObject()) {
        if (block instanceof X509CertificateHolder holder) {
          certificates.add(converter.getCertificate(holder));
        }
      }
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      throw new WebConfigException(what + ": not a valid PEM certificate: " + e.getMessage(), e);
    }
    if (certificates.isEmpty()) {
      throw new WebConfigException(what + ": no PEM certificate (-----BEGIN CERTIFICATE-----) found");
    }
    return List.copyOf(certificates);
  }

  /** The first private key in the text. */
  static PrivateKey privateKey(String pem, String what) throws WebConfigException {
    JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      for (Object block = parser.readObject(); block != null; block = parser.readObject()) {
        if (block instanceof PrivateKeyInfo info) {
          return converter.getPrivateKey(info);
        }
        if (block instanceof PEMKeyPair pair) {
          return converter.getKeyPair(pair).getPrivate();
        }
        if (block instanceof PKCS8EncryptedPrivateKeyInfo || block instanceof PEMEncryptedKeyPair) {
          throw new WebConfigException(what + ": the private key is encrypted; give it unencrypted, readable only "
              + "by the exporter's user (e.g. openssl pkey -in key.pem -out plain.pem)");
        }
      }
    } catch (IOException | RuntimeException e) {
      throw new WebConfigException(what + ": not a valid PEM private key: " + e.getMessage(), e);
    }
    throw new WebConfigException(what + ": no PEM private key (-----BEGIN PRIVATE KEY----- or "
        + "-----BEGIN RSA/EC PRIVATE KEY-----) found");
  }
}
