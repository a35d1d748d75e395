package dev.agentworkflow.exporter.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentworkflow.exporter.support.DocBlocks;
import dev.agentworkflow.exporter.support.Exposition;
import dev.agentworkflow.exporter.support.HookDatabase;
import dev.agentworkflow.exporter.support.Pki;
import dev.agentworkflow.exporter.support.Scraper;
import dev.agentworkflow.exporter.support.TeamStore;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The service and CI files under deploy/, run as far as this machine allows. */
class DeployFilesIT {
  private static final Path UNIT = Path.of("deploy/systemd/agent-workflow-exporter.service");
  private static final Path PLIST = Path.of("deploy/launchd/com.agent-workflow.exporter.plist");
  private static final Path SHIP_UNIT = Path.of("deploy/systemd/agent-workflow-ship.service");
  private static final Path CI_SCRIPT = Path.of("deploy/ci/run-in-ci.sh");
  private static final Path CI_FRAGMENT = Path.of("deploy/ci/github-actions.yml");
  private static final Path LAUNCHER = ExporterProcess.LAUNCHER;
  private static final Path DEPLOY_DOC = Path.of("docs/deploy.md");
  /** Where docs/deploy.md installs the link to the launcher. */
  private static final String INSTALLED_LAUNCHER = "/opt/agent-workflow-exporter/bin/agent-workflow-exporter";

  @TempDir
  Path dir;

  /**
   * With the launcher's path made the repository's: systemd-analyze checks that the command exists,
   * and the link docs/deploy.md installs is not on this machine.
   */
  @Test
  void theSystemdUnitVerifiesWithoutAnyWarning() throws Exception {
    Path unit = dir.resolve(UNIT.getFileName());
    Files.writeString(unit, Files.readString(UNIT).replace(INSTALLED_LAUNCHER, LAUNCHER.toAbsolutePath().toString()));
    Result verify = run(dir, List.of("systemd-analyze", "verify", unit.toString()));
    assertEquals(0, verify.code, verify.output);
    assertEquals("", verify.output, "systemd-analyze printed warnings");
  }

  @Test
  void theShippersUnitVerifiesWithoutAnyWarning() throws Exception {
    Path unit = dir.resolve(SHIP_UNIT.getFileName());
    Files.writeString(unit, Files.readString(SHIP_UNIT).replace(INSTALLED_LAUNCHER,
        LAUNCHER.toAbsolutePath().toString()));
    Result verify = run(dir, List.of("systemd-analyze", "verify", unit.toString()));
    assertEquals(0, verify.code, verify.output);
    assertEquals("", verify.output, "systemd-analyze printed warnings");
  }

  /**
   * The shipper's unit: its command line, with the store made a real PostgreSQL set up as
   * docs/postgresql.md says and the credential folder systemd would make, ships the database, and
   * stops on SIGTERM with exit 0.
   */
  @Test
  void theShippersCommandLineShipsTheDatabase() throws Exception {
    Path logs = Files.createDirectories(dir.resolve("agent-workflow/logs"));
    HookDatabase db = HookDatabase.create(logs.resolve("agent_workflow.db"));
    long id = db.startAgent("s1", "planning", "architect", Instant.now());
    db.finishAgent(id, Instant.now(), "completed", 2.0, "m");
    try (TeamStore store = TeamStore.start(Files.createDirectories(dir.resolve("pg")))) {
      Path credentials = Files.createDirectories(dir.resolve("credentials"));
      Files.writeString(credentials.resolve("pgpassword"), TeamStore.SHIPPER_PASSWORD + "\n");
      List<String> command = new ArrayList<>();
      for (String word : execStart(SHIP_UNIT)) {
        command.add(word
            .replace(INSTALLED_LAUNCHER, LAUNCHER.toAbsolutePath().toString())
            .replace("/home/dev/agent-workflow/logs", logs.toString())
            .replace("postgresql://agent_workflow_shipper@db.example/agent_workflow?sslmode=verify-full",
                store.uri(TeamStore.SHIPPER))
            .replace("${CREDENTIALS_DIRECTORY}", credentials.toString()));
      }
      ProcessBuilder service = withoutLocale(new ProcessBuilder(command));
      service.environment().put("LANG", "C.UTF-8");
      service.environment().put("JAVA_HOME", System.getProperty("java.home"));
      Process shipper = service.redirectErrorStream(true).redirectOutput(dir.resolve("ship.txt").toFile()).start();
      try {
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < end && store.number("SELECT count(*) FROM agent_invocations") < 1) {
          Thread.sleep(200);
        }
        assertEquals(1, store.number("SELECT count(*) FROM agent_invocations_by_project WHERE project = "
            + "'agent-workflow' AND status = 'completed'"), Files.readString(dir.resolve("ship.txt")));
        shipper.destroy(); // SIGTERM, as systemctl stop sends
        assertTrue(shipper.waitFor(5, TimeUnit.SECONDS));
        assertEquals(0, shipper.exitValue(), Files.readString(dir.resolve("ship.txt")));
      } finally {
        shipper.destroyForcibly();
      }
    }
  }

  /**
   * The unit's command line and environment, nothing of the caller's locale: issue 12 found that a
   * database path that is not ASCII could not be opened under systemd, which gives services no locale
   * unless the system sets one (Java encodes file names as the locale says).
   */
  @Test
  void theSystemdCommandLineRunsTheExporter() throws Exception {
    Path logs = dir.resolve("agent-wörkflow/logs");
    Files.createDirectories(logs);
    HookDatabase db = HookDatabase.create(logs.resolve("agent_workflow.db"));
    long id = db.startAgent("s1", "planning", "architect", Instant.now());
    db.finishAgent(id, Instant.now(), "completed", 2.0, "m");

    // the unit's own command line, with only its paths (and the port) made local: the repository's
    // launcher, which runs target/exporter.jar, with the java that runs the tests
    List<String> command = new ArrayList<>();
    for (String word : execStart()) {
      command.add(word
          .replace(INSTALLED_LAUNCHER, LAUNCHER.toAbsolutePath().toString())
          .replace("/home/dev/agent-workflow/logs", logs.toString()));
    }
    assertEquals(LAUNCHER.toAbsolutePath().toString(), command.get(0), "the unit runs the launcher");
    int port = freePort();
    command.set(command.indexOf("9091"), Integer.toString(port));
    ProcessBuilder service = withoutLocale(new ProcessBuilder(command));
    service.environment().putAll(unitEnvironment());
    service.environment().put("JAVA_HOME", System.getProperty("java.home"));
    // what systemd sets for the unit's StateDirectory= (it also makes the folder)
    assertTrue(Files.readString(UNIT).contains("\nStateDirectory=agent-workflow-exporter\n"));
    Path stateDirectory = Files.createDirectories(dir.resolve("var-lib-agent-workflow-exporter"));
    service.environment().put("STATE_DIRECTORY", stateDirectory.toString());
    Process exporter = service.redirectErrorStream(true).redirectOutput(dir.resolve("log.txt").toFile()).start();
    try {
      Scraper scraper = new Scraper(port);
      long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      double planning = 0;
      while (System.nanoTime() < end && planning < 1 && exporter.isAlive()) {
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
      // $MAINPID is the JVM: the launcher exec'd it with its options
      List<String> jvm = List.of(exporter.info().arguments().orElseThrow());
      List<String> options = ExporterProcess.serviceJvmOptions();
      assertEquals(Path.of(System.getProperty("java.home"), "bin", "java").toRealPath().toString(),
          exporter.info().command().orElseThrow());
      assertEquals(options, jvm.subList(0, options.size()), String.join(" ", jvm));
      assertEquals(List.of("-jar", Path.of(System.getProperty("exporter.jar")).toRealPath().toString()),
          jvm.subList(options.size(), options.size() + 2));
      exporter.destroy(); // SIGTERM, as systemctl stop sends
      assertTrue(exporter.waitFor(2, TimeUnit.SECONDS));
      assertEquals(0, exporter.exitValue());
      try (var files = Files.list(stateDirectory)) {
        assertEquals(1, files.filter(f -> f.getFileName().toString().matches("agent_workflow\\.db-[0-9a-f]{16}\\.state"))
            .count(), "the state file is in $STATE_DIRECTORY");
      }
    } finally {
      exporter.destroyForcibly();
    }
  }

  /**
   * docs/deploy.md's drop-ins for one service of many projects: systemd-analyze verifies the unit
   * with each, the folders they mount hold every database, and the unit's command line and
   * environment, as the drop-in leaves them, read every project under its name, each with a state
   * file of its own.
   */
  @ParameterizedTest
  @ValueSource(strings = {"many projects (systemd): a glob", "many projects (systemd): named"})
  void aManyProjectsDropInReadsEveryProjectUnderItsName(String name) throws Exception {
    String dropIn = DocBlocks.named(DEPLOY_DOC, "many projects (systemd)").get(name);
    assertNotNull(dropIn, "docs/deploy.md has no block starting with # " + name);
    Path unit = dir.resolve(UNIT.getFileName());
    Files.writeString(unit, Files.readString(UNIT).replace(INSTALLED_LAUNCHER, LAUNCHER.toAbsolutePath().toString()));
    Path dropIns = Files.createDirectories(dir.resolve(UNIT.getFileName() + ".d"));
    Files.writeString(dropIns.resolve("override.conf"),
        dropIn.replace(INSTALLED_LAUNCHER, LAUNCHER.toAbsolutePath().toString()));
    Result verify = run(dir, List.of("systemd-analyze", "verify", unit.toString()));
    assertEquals(0, verify.code, verify.output);
    assertEquals("", verify.output, "systemd-analyze printed warnings");

    // the projects in the test's folder for /home/dev/src, and a folder that is no project
    Path src = Files.createDirectories(dir.resolve("src"));
    Map<String, Integer> runs = Map.of("alpha", 1, "beta", 2);
    List<Path> databases = new ArrayList<>();
    for (Map.Entry<String, Integer> project : runs.entrySet()) {
      Path logs = Files.createDirectories(src.resolve(project.getKey()).resolve("logs"));
      HookDatabase db = HookDatabase.create(logs.resolve("agent_workflow.db"));
      for (int i = 0; i < project.getValue(); i++) {
        long id = db.startAgent("s" + i, "planning", "architect", Instant.now());
        db.finishAgent(id, Instant.now(), "completed", 2.0, "m");
      }
      databases.add(db.path());
    }
    Files.createDirectories(src.resolve("notes"));
    Map<String, List<String>> service = serviceSettings(Files.readString(UNIT) + "\n" + dropIn);
    java.util.function.UnaryOperator<String> local = word -> word
        .replace(INSTALLED_LAUNCHER, LAUNCHER.toAbsolutePath().toString())
        .replace("/home/dev/src", src.toString());
    for (Path database : databases) {
      assertTrue(service.get("BindReadOnlyPaths").stream().flatMap(paths -> Arrays.stream(paths.split("\\s+")))
          .map(local).anyMatch(bound -> database.startsWith(bound)), database + " is outside " + service);
    }
    assertEquals(1, service.get("ExecStart").size(), service.toString());
    List<String> command = new ArrayList<>(Arrays.stream(service.get("ExecStart").get(0).split("\\s+")).map(local)
        .toList());
    int port = freePort();
    command.set(command.indexOf("9091"), Integer.toString(port));
    ProcessBuilder builder = withoutLocale(new ProcessBuilder(command));
    for (String setting : service.getOrDefault("Environment", List.of())) {
      builder.environment().put(setting.substring(0, setting.indexOf('=')), local.apply(setting.substring(
          setting.indexOf('=') + 1)));
    }
    builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
    Path stateDirectory = Files.createDirectories(dir.resolve("var-lib-agent-workflow-exporter"));
    builder.environment().put("STATE_DIRECTORY", stateDirectory.toString());
    Process exporter = builder.directory(Files.createDirectories(dir.resolve("root")).toFile()).redirectErrorStream(true)
        .redirectOutput(dir.resolve("log.txt").toFile()).start();
    try {
      Scraper scraper = new Scraper(port);
      Exposition m = null;
      long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (System.nanoTime() < end && exporter.isAlive()) {
        try {
          m = scraper.metrics();
          if (m.has("phase_distribution_total", "project", "alpha", "phase", "planning")
              && m.has("phase_distribution_total", "project", "beta", "phase", "planning")) {
            break;
          }
        } catch (IOException notYet) {
          // not listening yet
        }
        Thread.sleep(200);
      }
      assertNotNull(m, Files.readString(dir.resolve("log.txt")));
      for (Map.Entry<String, Integer> project : runs.entrySet()) {
        assertEquals(project.getValue().doubleValue(), m.value("phase_distribution_total", "project", project.getKey(), "phase",
            "planning"), project.getKey() + "; " + Files.readString(dir.resolve("log.txt")));
      }
      assertEquals(2, m.value("agent_workflow_exporter_databases"), "alpha and beta, not notes");
      exporter.destroy();
      assertTrue(exporter.waitFor(2, TimeUnit.SECONDS));
      assertEquals(0, exporter.exitValue());
      try (var files = Files.list(stateDirectory)) {
        assertEquals(2, files.filter(f -> f.getFileName().toString().matches("agent_workflow\\.db-[0-9a-f]{16}\\.state"))
            .count(), "a state file per database in $STATE_DIRECTORY");
      }
    } finally {
      exporter.destroyForcibly();
    }
  }

  /** docs/deploy.md's launchd fragment for many projects runs what its systemd glob drop-in runs. */
  @Test
  void theManyProjectsLaunchdFragmentRunsTheSameCommandAsTheSystemdDropIn() throws Exception {
    String fragment = DocBlocks.startingWith(DEPLOY_DOC, "<!-- many projects (launchd): a glob -->").values().stream()
        .findFirst().orElseThrow(() -> new AssertionError("docs/deploy.md has no launchd fragment for many projects"));
    Path plist = dir.resolve("fragment.plist");
    Files.writeString(plist, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<plist version=\"1.0\">\n<dict>\n" + fragment
        + "</dict>\n</plist>\n");
    Result parsed = run(dir, List.of("python3", "-c", """
        import plistlib, sys
        with open(sys.argv[1], 'rb') as f:
            plist = plistlib.load(f)
        print('\\n'.join(plist['ProgramArguments']))
        print('LANG=' + plist['EnvironmentVariables']['LANG'])
        print('GLOB=' + plist['EnvironmentVariables']['AGENT_WORKFLOW_EXPORTER_DB_GLOB'])
        """, plist.toString()));
    assertEquals(0, parsed.code, parsed.output);
    List<String> lines = parsed.output.strip().lines().toList();
    Map<String, List<String>> service = serviceSettings(Files.readString(UNIT) + "\n"
        + DocBlocks.named(DEPLOY_DOC, "many projects (systemd): a glob").values().iterator().next());
    assertEquals(withoutFolders(Arrays.asList(service.get("ExecStart").get(0).split("\\s+"))),
        withoutFolders(lines.subList(0, lines.size() - 2)));
    assertEquals("/Users/dev/agent-workflow-exporter/bin/agent-workflow-exporter", lines.get(0));
    assertTrue(lines.get(lines.size() - 2).endsWith(".UTF-8"), lines.toString());
    String systemdGlob = service.get("Environment").stream().filter(e -> e.startsWith("AGENT_WORKFLOW_EXPORTER_DB_GLOB="))
        .findFirst().orElseThrow();
    assertEquals(systemdGlob.replace("AGENT_WORKFLOW_EXPORTER_DB_GLOB=", "GLOB=").replace("/home/dev/", "/Users/dev/"),
        lines.get(lines.size() - 1));
  }

  /**
   * The [Service] settings of a unit followed by its drop-ins, as systemd reads them: each setting
   * adds a value to its list, an empty one clears it.
   */
  private static Map<String, List<String>> serviceSettings(String unitAndDropIns) {
    Map<String, List<String>> settings = new LinkedHashMap<>();
    boolean service = false;
    for (String line : unitAndDropIns.split("\n")) {
      String l = line.strip();
      if (l.startsWith("[")) {
        service = l.equals("[Service]");
      } else if (service && !l.isEmpty() && !l.startsWith("#") && l.contains("=")) {
        String key = l.substring(0, l.indexOf('='));
        String value = l.substring(l.indexOf('=') + 1).strip();
        List<String> values = settings.computeIfAbsent(key, k -> new ArrayList<>());
        if (value.isEmpty()) {
          values.clear();
        } else {
          values.add(value);
        }
      }
    }
    return settings;
  }

  /** Issue 12: under LANG=C a path that is not ASCII failed with "cannot convert … InvalidPathException". */
  @Test
  void aPathTheLocaleCannotEncodeExitsTwoWithOneLineNamingTheRemedy() throws Exception {
    Path db = Files.createDirectories(dir.resolve("wörkflow")).resolve("agent_workflow.db");
    HookDatabase.create(db);
    ProcessBuilder exporter = withoutLocale(new ProcessBuilder(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", System.getProperty("exporter.jar"),
        "--once", "--db", db.toString()));
    exporter.environment().put("LANG", "C");
    Result run = run(exporter);
    assertEquals(2, run.code, run.output);
    // the JVM decoded the two bytes of ö to two characters it cannot print either: ??
    assertEquals("agent-workflow-exporter: Invalid value for option '--db': cannot use the path "
        + db.toString().replace("ö", "??") + ": this JVM encodes file names in ANSI_X3.4-1968, as the locale "
        + "says, which cannot represent it; run it in a UTF-8 locale, e.g. LANG=C.UTF-8 (see --help)\n", run.output);
  }

  /** The same for a path named in the web configuration file: it ended in a stack trace. */
  @Test
  void aPathInTheWebConfigFileTheLocaleCannotEncodeExitsTwoWithOneLine() throws Exception {
    Path config = dir.resolve("web.yml");
    Path certificate = dir.resolve("tls-ü.crt");
    Files.writeString(config, "tls_server_config:\n  cert_file: " + certificate + "\n  key_file: tls.key\n");
    ProcessBuilder exporter = withoutLocale(new ProcessBuilder(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", System.getProperty("exporter.jar"),
        "--once", "--db", "agent_workflow.db", "--web-config-file", config.toString()));
    exporter.environment().put("LANG", "C");
    Result run = run(exporter.directory(dir.toFile()));
    assertEquals(2, run.code, run.output);
    // read from the file as UTF-8, ü is one character here, printed as one ?
    assertEquals("agent-workflow-exporter: --web-config-file " + config + ": cannot use the path "
        + certificate.toString().replace("ü", "?") + ": this JVM encodes file names in ANSI_X3.4-1968, as the locale "
        + "says, which cannot represent it; run it in a UTF-8 locale, e.g. LANG=C.UTF-8 (see --help)\n", run.output);
  }

  @Test
  void systemctlReloadSendsSighup() throws Exception {
    assertTrue(Files.readAllLines(UNIT).contains("ExecReload=/bin/kill -HUP $MAINPID"));
  }

  @Test
  void theSystemdUnitAndTheLaunchdAgentSetAUtf8Locale() throws Exception {
    assertEquals("C.UTF-8", unitEnvironment().get("LANG"));
    Result parsed = run(dir, List.of("python3", "-c", """
        import plistlib, sys
        with open(sys.argv[1], 'rb') as f:
            print(plistlib.load(f)['EnvironmentVariables']['LANG'])
        """, PLIST.toAbsolutePath().toString()));
    assertEquals(0, parsed.code, parsed.output);
    assertTrue(parsed.output.strip().endsWith(".UTF-8"), parsed.output);
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
    // Both run the launcher, which holds the JVM options (and adds TrimNativeHeapInterval on Linux only).
    assertEquals(withoutFolders(execStart()), withoutFolders(arguments.output.strip().lines().toList()),
        "the launchd agent and the systemd unit start the same launcher with the same arguments");
    assertEquals("/Users/dev/agent-workflow-exporter/bin/agent-workflow-exporter",
        arguments.output.strip().lines().findFirst().orElseThrow(), "the link docs/deploy.md installs");
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

  /** Issue 12: the script ran java in the caller's locale; under LANG=C a path that is not ASCII failed. */
  @Test
  void theCiScriptRunsTheExporterInAUtf8LocaleWhenTheCallersIsNot() throws Exception {
    Path work = Files.createDirectories(dir.resolve("wörkflow/logs")).getParent();
    Path writer = dir.resolve("hook_writer.py");
    try (var in = getClass().getResourceAsStream("/ci/hook_writer.py")) {
      Files.copy(in, writer);
    }
    ProcessBuilder script = withoutLocale(scriptIn(work, "python3", writer.toString(), "5"));
    script.environment().put("LANG", "C");
    script.environment().put("EXPORTER_DB", work.resolve("logs/agent_workflow.db").toString());
    Result run = run(script);
    assertEquals(0, run.code, run.output);
    assertEquals(5, Exposition.parse(Files.readString(work.resolve("agent-workflow-metrics.prom")))
        .sum("agent_invocation_total"), run.output);
  }

  @Test
  void theCiScriptPassesOnTheWorkflowsFailureAndStillCollects() throws Exception {
    Result script = runScript("sh", "-c", "exit 3");
    assertEquals(3, script.code, script.output);
    assertEquals(0, Exposition.parse(Files.readString(dir.resolve("agent-workflow-metrics.prom")))
        .value("agent_workflow_database_up"), "no database was written: collected all the same");
  }

  /**
   * Issue 15: an exporter that could not start left its pid file behind, for a later {@code stop} (a
   * CI step run "always") to signal whatever process had that number by then.
   */
  @Test
  void theCiScriptLeavesNoPidFileWhenTheExporterExitsAtStart() throws Exception {
    ProcessBuilder start = scriptStep("start");
    start.environment().put("EXPORTER_INTERVAL", "0"); // refused: exit 2
    Result started = run(start);
    assertEquals(1, started.code, started.output);
    assertTrue(started.output.startsWith("run-in-ci: the exporter exited; its log:\n"), started.output);
    assertTrue(started.output.contains("--interval"), started.output);
    assertTrue(Files.notExists(dir.resolve(".agent-workflow-exporter/exporter.pid")), "no pid file left");

    Result stop = run(scriptStep("stop"));
    assertEquals(0, stop.code, stop.output);
    assertEquals("run-in-ci: not started\n", stop.output);
  }

  /**
   * Issue 15: an exporter that did not answer within EXPORTER_TIMEOUT was left running, its pid file
   * too. Here it serves TLS only (its web configuration file from the environment), which the
   * script's plain HTTP health check never reaches.
   */
  @Test
  void theCiScriptStopsAnExporterThatDoesNotAnswerAndLeavesNoPidFile() throws Exception {
    Pki pki = Pki.create(Files.createDirectories(dir.resolve("pki")));
    Path webConfig = dir.resolve("web.yml");
    Files.writeString(webConfig, "tls_server_config:\n  cert_file: " + pki.file("server.crt") + "\n  key_file: "
        + pki.file("server.key") + "\n");
    ProcessBuilder start = scriptStep("start");
    int port = Integer.parseInt(start.environment().get("EXPORTER_PORT"));
    start.environment().put("EXPORTER_TIMEOUT", "3");
    start.environment().put("AGENT_WORKFLOW_EXPORTER_WEB_CONFIG_FILE", webConfig.toString());
    Result started = run(start);
    assertEquals(1, started.code, started.output);
    assertTrue(started.output.startsWith("run-in-ci: no answer on http://127.0.0.1:" + port + " after 3s; its log:\n"),
        started.output);
    assertTrue(started.output.endsWith("run-in-ci: exporter stopped\n"), started.output);
    assertTrue(Files.notExists(dir.resolve(".agent-workflow-exporter/exporter.pid")), "no pid file left");
    try (ServerSocket free = new ServerSocket(port, 50, InetAddress.getLoopbackAddress())) {
      assertEquals(port, free.getLocalPort(), "the exporter is gone: its port is free");
    }
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
    return run(scriptIn(dir, workflow));
  }

  /** One step of the script ({@code start}, {@code stop}) in the test's folder, on a free port. */
  private ProcessBuilder scriptStep(String step) throws IOException {
    ProcessBuilder script = new ProcessBuilder("sh", CI_SCRIPT.toAbsolutePath().toString(), step).directory(dir.toFile());
    script.environment().put("EXPORTER_JAR", System.getProperty("exporter.jar"));
    script.environment().put("EXPORTER_PORT", Integer.toString(freePort()));
    script.environment().put("EXPORTER_INTERVAL", "1");
    return script;
  }

  private static ProcessBuilder scriptIn(Path folder, String... workflow) throws IOException {
    List<String> command = new ArrayList<>(List.of("sh", CI_SCRIPT.toAbsolutePath().toString(), "run", "--"));
    command.addAll(List.of(workflow));
    ProcessBuilder script = new ProcessBuilder(command).directory(folder.toFile());
    script.environment().put("EXPORTER_JAR", System.getProperty("exporter.jar"));
    script.environment().put("EXPORTER_PORT", Integer.toString(freePort()));
    script.environment().put("EXPORTER_INTERVAL", "1");
    return script;
  }

  private static Result run(ProcessBuilder builder) throws Exception {
    Process process = builder.redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(120, TimeUnit.SECONDS), output);
    return new Result(process.exitValue(), output);
  }

  /** The environment without any locale setting, as systemd gives a service on a system with none. */
  private static ProcessBuilder withoutLocale(ProcessBuilder builder) {
    builder.environment().keySet().removeIf(name -> name.equals("LANG") || name.equals("LANGUAGE")
        || name.startsWith("LC_"));
    return builder;
  }

  /** The unit's {@code Environment=} settings (one NAME=value each, no quoting). */
  private static Map<String, String> unitEnvironment() throws IOException {
    Map<String, String> environment = new LinkedHashMap<>();
    for (String line : Files.readAllLines(UNIT)) {
      if (line.startsWith("Environment=")) {
        String setting = line.substring("Environment=".length()).strip();
        environment.put(setting.substring(0, setting.indexOf('=')), setting.substring(setting.indexOf('=') + 1));
      }
    }
    return environment;
  }

  /** The words of the unit's ExecStart=, which has no quoting. */
  private static List<String> execStart() throws IOException {
    return execStart(UNIT);
  }

  private static List<String> execStart(Path unit) throws IOException {
    String line = Files.readAllLines(unit).stream().filter(l -> l.startsWith("ExecStart=")).findFirst().orElseThrow();
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
