package dev.agentworkflow.exporter.support;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/** bcrypt hashes made by the real htpasswd (Debian's apache2-utils), as docs/security.md tells users to. */
public final class Htpasswd {
  private Htpasswd() {}

  /** {@code htpasswd -nbBC cost "" password}, without the leading colon and newline: a {@code $2y$} hash. */
  public static String hash(String password, int cost) throws Exception {
    Process process = new ProcessBuilder(Binaries.require("htpasswd"), "-nbBC", Integer.toString(cost), "", password)
        .redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IllegalStateException("htpasswd failed: " + output);
    }
    return output.strip().replaceFirst("^:", "");
  }
}
