package dev.agentworkflow.exporter.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentworkflow.exporter.support.Exposition;
import dev.agentworkflow.exporter.support.HookDatabase;
import dev.agentworkflow.exporter.support.Scraper;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The service and CI files under deploy/, run as far as this machine allows. */
class DeployFilesIT {
  private static final Path UNIT = Path.of("deploy/systemd/agent-workflow-exporter.service");
  private static final Path PLIST = Path.of("deploy/launchd/com.agent-workflow.exporter.plist");
  private static final Path CI_SCRIPT = Path.of("deploy/ci/run-in-ci.sh");
  private static final Path CI_FRAGMENT = Path.of("deploy/ci/github-actions.yml");

  @TempDir
  Path dir;

  @Test
  void theSystemdUnitVerifiesWithoutAnyWarning() throws Exception {
    Result verify = run(dir, List.of("systemd-analyze", "verify", UNIT.toAbsolutePath().toString()));
    assertEquals(0, verify.code, verify.output);
    assertEquals("", verify.output, "systemd-analyze printed warnings");
  }

  @Test
  void theSystemdCommandLineRunsTheExporter() throws Exception {
    Path logs = dir.resolve("logs");
    Files.createDirectories(logs);
    HookDatabase db = HookDatabase.create(logs.resolve("agent_workflow.db"));
    long id = db.startAgent("s1", "planning", "architect", Instant.now());
    db.finishAgent(id, Instant.now(), "completed", 2.0, "m");

    // the unit's own command line, with only its paths (and the port) made local
    List<String> command = new ArrayList<>();
    for (String word : execStart()) {
      command.add(word
          .replace("/opt/agent-workflow-exporter/exporter.jar", System.getProperty("exporter.jar"))
          .replace("/home/dev/agent-workflow/logs", logs.toString())
          .replace("/usr/bin/java", Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    }
    int port = freePort();
    command.set(command.indexOf("9091"), Integer.toString(port));
    Process exporter = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(dir.resolve("log.txt").toFile()).start();
    try {
      Scraper scraper = new Scraper(port);
      long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      double planning = 0;
      while (System.nanoTime() < end && planning < 1) {
        try {
          Exposition m = scraper.metrics();
          planning = m.has("phase_distribution_total", "phase", "planning")
              ? m.value("phase_distribution_total", "phase", "planning") : 0;
        } catch (IOException notYet) {
          // not listening yet
        }
        Thread.sleep(200);
      }
      assertEquals(1, planning, Files.readString(dir.resolve("log.txt")));
      exporter.destroy(); // SIGTERM, as systemctl stop sends
      assertTrue(exporter.waitFor(2, TimeUnit.SECONDS));
      assertEquals(0, exporter.exitValue());
    } finally {
      exporter.destroyForcibly();
    }
  }

  @Test
  void theLaunchdAgentIsAWellFormedPlistThatRunsTheSameCommandAsTheUnit() throws Exception {
    Result parsed = run(dir, List.of("python3", "-c", """
        import json, plistlib, sys
        with open(sys.argv[1], 'rb') as f:
            plist = plistlib.load(f)
        print(json.dumps(plist, sort_keys=True))
        """, PLIST.toAbsolutePath().toString()));
    assertEquals(0, parsed.code, parsed.output);
    String json = parsed.output;
    assertTrue(json.contains("\"Label\": \"com.agent-workflow.exporter\""), json);
    assertTrue(json.contains("\"RunAtLoad\": true"), json);
    assertTrue(json.contains("\"KeepAlive\": true"), json);
    assertTrue(json.matches("(?s).*\"StandardErrorPath\": \"/Users/[^/\"]+/Library/Logs/[^\"]+\".*"), json);
    assertTrue(json.matches("(?s).*\"StandardOutPath\": \"/Users/[^/\"]+/Library/Logs/[^\"]+\".*"), json);
    assertTrue(json.matches("(?s).*\"WorkingDirectory\": \"/[^\"]+\".*"), json);

    Result arguments = run(dir, List.of("python3", "-c", """
        import plistlib, sys
        with open(sys.argv[1], 'rb') as f:
            print('\\n'.join(plistlib.load(f)['ProgramArguments']))
        """, PLIST.toAbsolutePath().toString()));
    assertEquals(0, arguments.code, arguments.output);
    // TrimNativeHeapInterval trims glibc's heap: Linux only, so the unit alone has it.
    List<String> unitArguments = execStart().stream().filter(a -> !a.startsWith("-XX:TrimNativeHeapInterval=")).toList();
    assertEquals(withoutFolders(unitArguments), withoutFolders(arguments.output.strip().lines().toList()),
        "the launchd agent and the systemd unit start the same jar with the same options");
  }

  @Test
  void theCiScriptCollectsWhatTheWorkflowWrote() throws Exception {
    Files.createDirectories(dir.resolve("logs"));
    Path writer = dir.resolve("hook_writer.py");
    try (var in = getClass().getResourceAsStream("/ci/hook_writer.py")) {
      Files.copy(in, writer);
    }
    Result script = runScript("python3", writer.toString(), "40");
    String output = script.output;
    assertEquals(0, script.code, output);

    Exposition collected = Exposition.parse(Files.readString(dir.resolve("agent-workflow-metrics.prom")));
    assertEquals(40, collected.value("agent_invocation_total", "agent_name", "backend-developer",
        "phase", "development", "status", "completed", "model", "claude-sonnet-4-5"), output);
    assertEquals(1, collected.value("agent_workflow_database_up"));
    assertTrue(output.contains("run-in-ci: exporter stopped"), output);
    assertTrue(Files.notExists(dir.resolve(".agent-workflow-exporter/exporter.pid")), "stopped and cleaned up");
  }

  @Test
  void theCiScriptPassesOnTheWorkflowsFailureAndStillCollects() throws Exception {
    Result script = runScript("sh", "-c", "exit 3");
    assertEquals(3, script.code, script.output);
    assertEquals(0, Exposition.parse(Files.readString(dir.resolve("agent-workflow-metrics.prom")))
        .value("agent_workflow_database_up"), "no database was written: collected all the same");
  }

  @Test
  void theGithubFragmentRunsTheScriptsStepsInOrder() throws Exception {
    List<String> steps = Files.readAllLines(CI_FRAGMENT).stream()
        .map(String::strip)
        .filter(line -> line.contains("sh deploy/ci/run-in-ci.sh"))
        .map(line -> line.substring(line.indexOf("run-in-ci.sh") + "run-in-ci.sh".length()).strip())
        .toList();
    assertEquals(List.of("start", "collect", "stop"), steps);
  }

  /** {@code run-in-ci.sh run -- workflow…} in the test's folder, polling every second. */
  private Result runScript(String... workflow) throws Exception {
    List<String> command = new ArrayList<>(List.of("sh", CI_SCRIPT.toAbsolutePath().toString(), "run", "--"));
    command.addAll(List.of(workflow));
    ProcessBuilder script = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
    script.environment().put("EXPORTER_JAR", System.getProperty("exporter.jar"));
    script.environment().put("EXPORTER_PORT", Integer.toString(freePort()));
    script.environment().put("EXPORTER_INTERVAL", "1");
    Process process = script.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(120, TimeUnit.SECONDS), output);
    return new Result(process.exitValue(), output);
  }

  /** The words of the unit's ExecStart=, which has no quoting. */
  private static List<String> execStart() throws IOException {
    String line = Files.readAllLines(UNIT).stream().filter(l -> l.startsWith("ExecStart=")).findFirst().orElseThrow();
    return Arrays.asList(line.substring("ExecStart=".length()).strip().split("\\s+"));
  }

  /** Paths reduced to their file names: the two files differ only in where things live. */
  private static List<String> withoutFolders(List<String> words) {
    return words.stream().map(w -> w.startsWith("/") ? Path.of(w).getFileName().toString() : w).toList();
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private record Result(int code, String output) {}

  private static Result run(Path dir, List<String> command) throws Exception {
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    return new Result(p.exitValue(), output);
  }
}
