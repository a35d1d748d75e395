package dev.agentworkflow.exporter.monitoring;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/** Prometheus's binaries, from Debian's prometheus package, which .ci/run installs. */
final class Binaries {
  private Binaries() {}

  /** The binary's path; skips the test, saying why, only when it is not installed. */
  static String require(String name) {
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
}
