package dev.agentworkflow.exporter.webconfig;

import java.util.List;
import java.util.Optional;

/**
 * {@code tls_server_config} as read from the file, before keys and certificates are parsed.
 * Each {@link Pem} says where its text came from, for error messages.
 */
record TlsSection(
    Pem certificate,
    Pem key,
    ClientAuthType clientAuth,
    Optional<Pem> clientCa,
    List<String> clientAllowedSans,
    String minVersion,
    String maxVersion,
    List<String> cipherSuites,
    boolean preferServerCipherSuites,
    List<String> curvePreferences) {

  /** PEM text and where it came from, e.g. {@code tls_server_config.key_file (/etc/exporter/key.pem)}. */
  record Pem(String text, String origin) {}
}
