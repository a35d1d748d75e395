package dev.agentworkflow.exporter.webconfig;

import java.util.Arrays;
import java.util.Optional;

/**
 * {@code client_auth_type}: Go's {@code tls.ClientAuthType} names, with what each means for a
 * JSSE server. Only {@link #REQUIRE_AND_VERIFY} authenticates clients; the others exist because
 * the toolkit accepts them.
 */
enum ClientAuthType {
  NONE("NoClientCert", false, false, false),
  REQUEST("RequestClientCert", true, false, false),
  REQUIRE_ANY("RequireAnyClientCert", false, true, false),
  VERIFY_IF_GIVEN("VerifyClientCertIfGiven", true, false, true),
  REQUIRE_AND_VERIFY("RequireAndVerifyClientCert", false, true, true);

  final String goName;
  final boolean want;
  final boolean need;
  final boolean verify;

  ClientAuthType(String goName, boolean want, boolean need, boolean verify) {
    this.goName = goName;
    this.want = want;
    this.need = need;
    this.verify = verify;
  }

  boolean asksForCertificate() {
    return want || need;
  }

  /** "" is {@link #NONE}; {@code RequireClientCert} is the toolkit's old name of {@link #REQUIRE_ANY}. */
  static Optional<ClientAuthType> byName(String name) {
    if (name.isEmpty()) {
      return Optional.of(NONE);
    }
    if (name.equals("RequireClientCert")) {
      return Optional.of(REQUIRE_ANY);
    }
    return Arrays.stream(values()).filter(type -> type.goName.equals(name)).findFirst();
  }
}
