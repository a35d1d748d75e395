package dev.agentworkflow.exporter.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.agentworkflow.exporter.it.ExporterProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Case 8, hostile invocations (issue 12), on the packaged jar: options, files and users an attack
 * chose. Each ends in one line on stderr naming the problem and a documented exit code, and leaves
 * what it was pointed at as it was. The rows decided by option parsing alone are in {@code CommandLineTest}.
 */
@Tag("reliability")
class HostileInvocationIT {
  private static final Duration EXIT = Duration.ofSeconds(30);

  @TempDir
  Path dir;

  /** Issue 12: {@code --port 80} as an unprivileged user was reported as "port 80 is already in use". */
  @Test
  void aPortBelow1024AsAnUnprivilegedUserIsNamedAsPermissionDenied() throws Exception {
    boolean root = "root".equals(System.getProperty("user.name"));
    boolean runuser = Files.isExecutable(Path.of("/usr/sbin/runuser")) || Files.isExecutable(Path.of("/sbin/runuser"));
    // (read by lines: Files.readString sees a size of 0 in /proc and returns the first byte only)
    Path unprivilegedStart = Path.of("/proc/sys/net/ipv4/ip_unprivileged_port_start");
    Assumptions.assumeTrue(root && runuser && Files.isReadable(unprivilegedStart)
            && Integer.parseInt(Files.readAllLines(unprivilegedStart).get(0).strip()) > 80,
        "SKIPPED: needs root, runuser and a kernel that keeps port 80 for root (CI runs as root)");
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x")); // the JVM's working directory
    try (ExporterProcess exporter = ExporterProcess.start(List.of("runuser", "-u", "nobody", "--"), dir,
        "--bind", "127.0.0.1", "--port", "80", "--db", "none.db")) {
      assertEquals(1, exporter.exitCode(EXIT), exporter.stderr());
      assertEquals("agent-workflow-exporter: cannot listen on 127.0.0.1:80: permission denied: ports below 1024 "
          + "need root or the capability CAP_NET_BIND_SERVICE; choose a port from 1024 up with --port\n",
          exporter.stderr());
    }
  }
}
