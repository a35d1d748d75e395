package dev.agentworkflow.exporter.support;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/** Prometheus's binaries, from Debian's prometheus package, which .ci/run installs. */
public final class Binaries {
  private Binaries() {}

  /** The binary's path; skips the test, saying why, only when it is not installed. */
  public static String require(String name) {
    Optional<Path> found = Optional.empty();
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path candidate = Path.of(dir, name);
      if (Files.isExecutable(candidate)) {
        found = Optional.of(candidate);
        break;
      }
    }
    Assumptions.assumeTrue(found.isPresent(),
        () -> "SKIPPED: " + name + " is not installed (apt-get install -y prometheus; .ci/run does)");
    return found.get().toString();
  }

  /**
   * Runs {@code promtool check metrics} on an exposition, as Prometheus parses it, and requires
   * that it reports nothing but the one documented lint: the guide's name active_sessions_count
   * (docs/monitoring.md, "Checking the exporter's output").
   */
  public static void promtoolAcceptsMetrics(String exposition) throws Exception {
    Process check = new ProcessBuilder(require("promtool"), "check", "metrics").redirectErrorStream(true).start();
    check.getOutputStream().write(exposition.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    check.getOutputStream().close();
    String output = new String(check.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    org.junit.jupiter.api.Assertions.assertTrue(check.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
    org.junit.jupiter.api.Assertions.assertEquals(
        "active_sessions_count non-histogram and non-summary metrics should not have \"_count\" suffix",
        output.strip());
  }

  /** {@code promtool check web-config FILE}: its output on one line, e.g. {@code FILE SUCCESS} or {@code FILE FAILED: …}. */
  public static String promtoolCheckWebConfig(Path file) throws Exception {
    Process check = new ProcessBuilder(require("promtool"), "check", "web-config", file.toString())
        .redirectErrorStream(true).start();
    String output = new String(check.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    org.junit.jupiter.api.Assertions.assertTrue(check.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
    return output.strip().replace('\n', ' ');
  }
}
