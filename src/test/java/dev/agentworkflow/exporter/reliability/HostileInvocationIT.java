package dev.agentworkflow.exporter.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentworkflow.exporter.it.ExporterProcess;
import dev.agentworkflow.exporter.support.HookDatabase;
import dev.agentworkflow.exporter.support.LogLines;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

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
    assumeRootAndRunuser();
    // (read by lines: Files.readString sees a size of 0 in /proc and returns the first byte only)
    Path unprivilegedStart = Path.of("/proc/sys/net/ipv4/ip_unprivileged_port_start");
    Assumptions.assumeTrue(Files.isReadable(unprivilegedStart)
            && Integer.parseInt(Files.readAllLines(unprivilegedStart).get(0).strip()) > 80,
        "SKIPPED: needs a kernel that keeps port 80 for root");
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x")); // the JVM's working directory
    // no state file: nobody may not write this test's state folder, and says so in a line of its own (RestartIT)
    try (ExporterProcess exporter = ExporterProcess.start(List.of("runuser", "-u", "nobody", "--"), dir,
        "--bind", "127.0.0.1", "--port", "80", "--db", "none.db", "--state-file", "none")) {
      assertEquals(1, exporter.exitCode(EXIT), exporter.stderr());
      assertEquals("agent-workflow-exporter: cannot listen on 127.0.0.1:80: permission denied: ports below 1024 "
          + "need root or the capability CAP_NET_BIND_SERVICE; choose a port from 1024 up with --port\n",
          exporter.stderr());
    }
  }

  /**
   * Issue 12: {@code --textfile} at a FIFO or a device replaced it with a regular file and exited 0 (as root
   * it replaced /dev/full); at a directory or in a missing folder it failed only after reading, exit 1.
   */
  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "fifo.prom | it is a FIFO, not a regular file",
      "device.prom | it is a device, not a regular file",
      "directory.prom | it is a directory, not a regular file",
      "link-to-fifo.prom | it is a symbolic link (to a FIFO), not a regular file",
      "link-to-device.prom | it is a symbolic link (to a device), not a regular file",
      "link-to-directory.prom | it is a symbolic link (to a directory), not a regular file",
      "link-to-file.prom | it is a symbolic link (to a regular file), not a regular file",
      "no-such-folder/agent_workflow.prom | the folder {out}/no-such-folder does not exist",
      "file.txt/agent_workflow.prom | {out}/file.txt is not a folder"})
  void aTextfileThatIsNotARegularFileOrANewFileInAFolderIsRefusedBeforeReadingAndLeftAsItWas(String name,
      String problem) throws Exception {
    Path db = dir.resolve("agent_workflow.db");
    HookDatabase hooks = HookDatabase.create(db);
    hooks.finishAgent(hooks.startAgent("s", "planning", "architect", Instant.now()), Instant.now(), "completed", 1.0, "m");
    Path out = Files.createDirectories(dir.resolve("out"));
    Files.writeString(out.resolve("file.txt"), "a file\n");
    Files.writeString(out.resolve("regular.prom"), "# an older run\n");
    Files.createDirectory(out.resolve("directory.prom"));
    command("mkfifo", out.resolve("fifo.prom").toString());
    if (name.equals("device.prom")) {
      Assumptions.assumeTrue(command("mknod", out.resolve("device.prom").toString(), "c", "1", "3") == 0,
          "SKIPPED: mknod needs root (CI runs as root)"); // a node of /dev/null's device, private to the test
    }
    Files.createSymbolicLink(out.resolve("link-to-fifo.prom"), out.resolve("fifo.prom"));
    Files.createSymbolicLink(out.resolve("link-to-device.prom"), Path.of("/dev/null"));
    Files.createSymbolicLink(out.resolve("link-to-directory.prom"), out.resolve("directory.prom"));
    Files.createSymbolicLink(out.resolve("link-to-file.prom"), out.resolve("regular.prom"));
    List<String> before = describe(out);

    Path target = out.resolve(name);
    try (ExporterProcess run = ExporterProcess.start(dir, "--textfile", target.toString(), "--db", db.toString())) {
      assertEquals(2, run.exitCode(EXIT), run.stderr());
      assertEquals("agent-workflow-exporter: --textfile " + target + ": " + problem.replace("{out}", out.toString())
          + "; give a regular file, or a new file in an existing folder (see --help)\n", run.stderr());
    }
    assertEquals(before, describe(out), "the folder is as it was: same names, same kinds, no temporary file");
  }

  @Test
  void aTextfileInAFolderTheUserMayNotWriteIsNamedAsPermissionDenied() throws Exception {
    assumeRootAndRunuser();
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path db = dir.resolve("agent_workflow.db");
    HookDatabase.create(db);
    Path target = dir.resolve("agent_workflow.prom");
    try (ExporterProcess run = ExporterProcess.start(List.of("runuser", "-u", "nobody", "--"), dir,
        "--textfile", target.toString(), "--db", db.toString(), "--log-level", "warn", "--state-file", "none")) {
      assertEquals(1, run.exitCode(EXIT), run.stderr());
      assertEquals("agent-workflow-exporter: cannot write " + target + ": permission denied (the exporter's user "
          + "must be allowed to create files in its folder)\n", run.stderr());
    }
  }

  private static void assumeRootAndRunuser() {
    boolean root = "root".equals(System.getProperty("user.name"));
    boolean runuser = Files.isExecutable(Path.of("/usr/sbin/runuser")) || Files.isExecutable(Path.of("/sbin/runuser"));
    Assumptions.assumeTrue(root && runuser, "SKIPPED: needs root and runuser to run the exporter as another user (CI runs as root)");
  }

  /**
   * Issue 12: the database path reached log lines raw: a newline in it forged a second log line, an
   * escape sequence reached the terminal.
   */
  @Test
  void controlCharactersInTheDatabasePathAreEscapedInEveryLineOnStderr() throws Exception {
    String path = "logs/x\n2026-01-01T00:00:00.000Z ERROR forged\u001b[2J.db";
    String shown = "logs/x\\n2026-01-01T00:00:00.000Z ERROR forged\\x1b[2J.db";
    try (ExporterProcess once = ExporterProcess.start(dir, "--once", "--db", path)) {
      assertEquals(1, once.exitCode(EXIT));
      assertEquals("agent-workflow-exporter: the database file " + shown + " does not exist; no metrics written\n",
          once.stderr());
    }
    try (ExporterProcess serving = ExporterProcess.start(dir, "--db", path, "--bind", "127.0.0.1", "--port", "0")) {
      serving.await("serving http://127\\.0\\.0\\.1:\\d+/metrics, reading " + Pattern.quote(shown) + " every", EXIT);
      serving.await("the database file " + Pattern.quote(shown) + " does not exist", EXIT);
      serving.signal("TERM");
      assertEquals(0, serving.exitCode(EXIT));
      for (String line : serving.stderr().lines().toList()) {
        assertTrue(line.matches(LogLines.ANY) && !line.contains("\u001b"), serving.stderr());
      }
    }
  }

  /** Each entry of the folder: name, kind of file (mode bits), where a link points, size of a regular file. */
  private static List<String> describe(Path folder) throws IOException {
    try (Stream<Path> entries = Files.list(folder)) {
      return entries.sorted().map(p -> {
        try {
          int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
          String link = Files.isSymbolicLink(p) ? " -> " + Files.readSymbolicLink(p) : "";
          String size = Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) ? " " + Files.size(p) : "";
          return p.getFileName() + " " + Integer.toOctalString(mode & 0170000) + link + size;
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }).toList();
    }
  }

  private static int command(String... command) throws Exception {
    return new ProcessBuilder(command).inheritIO().start().waitFor();
  }
}
