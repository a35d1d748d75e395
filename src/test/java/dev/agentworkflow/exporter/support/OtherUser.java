package dev.agentworkflow.exporter.support;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/** Running the exporter as an unprivileged user, as the systemd unit does, for permission cases. */
public final class OtherUser {
  private OtherUser() {}

  /**
   * The command prefix that runs a process as {@code nobody}; skips the test, saying why, unless
   * this runs as root with runuser at hand (CI runs as root).
   */
  public static List<String> nobody() {
    Optional<List<String>> prefix = nobodyIfPossible();
    Assumptions.assumeTrue(prefix.isPresent(),
        "SKIPPED: needs root and runuser to run the exporter as another user (CI runs as root)");
    return prefix.get();
  }

  /** The same prefix, or empty where this does not run as root with runuser at hand (the test goes on without it). */
  public static Optional<List<String>> nobodyIfPossible() {
    boolean root = "root".equals(System.getProperty("user.name"));
    boolean runuser = Files.isExecutable(Path.of("/usr/sbin/runuser")) || Files.isExecutable(Path.of("/sbin/runuser"));
    return root && runuser ? Optional.of(List.of("runuser", "-u", "nobody", "--")) : Optional.empty();
  }
}
