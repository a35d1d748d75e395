package dev.agentworkflow.exporter.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentworkflow.exporter.demo.DemoDatabase;
import dev.agentworkflow.exporter.support.Await;
import dev.agentworkflow.exporter.support.DocBlocks;
import dev.agentworkflow.exporter.support.Exposition;
import dev.agentworkflow.exporter.support.Scraper;
import dev.agentworkflow.exporter.support.SqlTotals;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The release as users get it (issue 15): {@code target/agent-workflow-exporter-VERSION.tar.gz}, its
 * listing, unpacked in a temporary folder and its launcher run from there against a demo database,
 * and docs/deploy.md's install and upgrade steps run as written.
 */
class ReleaseIT {
  private static final String VERSION = System.getProperty("release.version");
  private static final String TOP = "agent-workflow-exporter-" + VERSION;
  private static final String LAUNCHER = "bin/agent-workflow-exporter";
  private static final Path DEPLOY_DOC = Path.of("docs/deploy.md");
  private static final Duration START = Duration.ofSeconds(30);
  private static final String SERVING = "serving http://127\\.0\\.0\\.1:(\\d+)/metrics";
  private static final String RELOADING = "SIGHUP: reloading the configuration files";
  private static final String FILE = "-rw-r--r--";
  private static final String EXECUTABLE = "-rwxr-xr-x";
  private static final String FOLDER = "drwxr-xr-x";

  @TempDir
  Path dir;

  @Test
  void theTarballIsOneFolderWithTheJarTheLauncherTheConfigurationTheServiceFilesTheDocsAndTheLicense()
      throws Exception {
    Map<String, String> listed = new TreeMap<>();
    for (String line : run(new ProcessBuilder("tar", "-tvzf", tarball().toString()), 0).lines().toList()) {
      // mode, owner/group, size, date, time, name
      String[] fields = line.split("\\s+", 6);
      listed.put(fields[5], fields[0]);
    }
    Map<String, String> expected = new TreeMap<>();
    expected.put(TOP + "/", FOLDER);
    expected.put(TOP + "/exporter.jar", FILE);
    expected.put(TOP + "/bin/", FOLDER);
    expected.put(TOP + "/" + LAUNCHER, EXECUTABLE);
    expected.put(TOP + "/README.md", FILE);
    expected.put(TOP + "/LICENSE", FILE);
    for (String folder : List.of("config", "deploy", "docs")) {
      try (Stream<Path> files = Files.walk(Path.of(folder))) {
        for (Path file : files.toList()) {
          boolean isFolder = Files.isDirectory(file);
          expected.put(TOP + "/" + file + (isFolder ? "/" : ""),
              isFolder ? FOLDER : file.toString().endsWith(".sh") ? EXECUTABLE : FILE);
        }
      }
    }
    assertEquals(expected, listed);

    Path home = unpack();
    assertEquals(-1, Files.mismatch(home.resolve("exporter.jar"), Path.of(System.getProperty("exporter.jar"))),
        "the release's jar is the packaged jar");
    assertEquals(-1, Files.mismatch(home.resolve(LAUNCHER), ExporterProcess.LAUNCHER));
  }

  @Test
  void theUnpackedLaunchersOnceReadsADemoDatabaseExactly() throws Exception {
    Path launcher = unpack().resolve(LAUNCHER);
    // a space, a $ and a * in the path: the arguments reach the exporter as they are
    Path db = demoDatabase(dir.resolve("demo $HOME *").resolve("agent_workflow.db"));
    try (ExporterProcess once = ExporterProcess.launch(launcher, dir, Map.of(),
        "--once", "--db", db.toString(), "--state-file", "none", "--timezone", "UTC", "--log-level", "warn")) {
      assertEquals(0, once.exitCode(START), once.stderr());
      assertEquals("", once.stderr());
      Exposition m = Exposition.parse(once.stdout());
      try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
        assertEquals(SqlTotals.counters(c), SqlTotals.scraped(m));
        assertEquals(SqlTotals.finished(c), m.sum("agent_invocation_total"));
        assertEquals(SqlTotals.sessions(c), m.value("total_sessions"));
        assertEquals(SqlTotals.uniqueAgents(c), m.value("total_unique_agents"));
      }
      assertEquals(1, m.value("agent_workflow_database_up"));
      assertEquals(1, m.value("agent_workflow_database_info", "path", db.toString()));
    }
  }

  /**
   * The launcher execs the JVM with its options: the process started is the JVM, with the heap and
   * collector of the launcher, and SIGHUP and SIGTERM reach the exporter itself.
   */
  @Test
  void theUnpackedLauncherBecomesTheJvmWithItsOptionsAndTheSignalsReachTheExporter() throws Exception {
    Path home = unpack();
    Path db = demoDatabase(dir.resolve("demo/agent_workflow.db"));
    try (ExporterProcess exporter = ExporterProcess.launch(home.resolve(LAUNCHER), dir, Map.of(),
        "--db", db.toString(), "--bind", "127.0.0.1", "--port", "0", "--interval", "1", "--state-file", "none",
        "--timezone", "UTC")) {
      Scraper scraper = new Scraper(Integer.parseInt(exporter.await(SERVING, START)));
      assertEquals(home.resolve("exporter.jar").toRealPath(), runningJar(exporter));
      List<String> options = ExporterProcess.serviceJvmOptions();
      assertEquals(options, jvmArguments(exporter).subList(0, options.size()));
      String flags = vmFlags(exporter);
      for (String flag : List.of("-XX:MaxHeapSize=67108864", "-XX:MaxNewSize=8388608", "-XX:+UseSerialGC",
          "-XX:MaxMetaspaceSize=50331648", "-XX:ReservedCodeCacheSize=33554432", "-XX:+ExitOnOutOfMemoryError",
          "-XX:TrimNativeHeapInterval=5000")) {
        assertTrue((flags + " ").contains(" " + flag + " "), flag + " in " + flags);
      }
      Exposition m = awaitUp(scraper);
      try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
        assertEquals(SqlTotals.counters(c), SqlTotals.scraped(m));
      }

      exporter.signal("HUP");
      exporter.await(RELOADING, START);
      assertTrue(exporter.isAlive());
      assertEquals(200, scraper.get("/metrics").statusCode());

      exporter.signal("TERM");
      assertEquals(0, exporter.exitCode(Duration.ofSeconds(2)), exporter.stderr());
      assertFalse(exporter.stderr().contains("\tat "), exporter.stderr());
    }
  }

  @Test
  void moreJvmOptionsComeFromTheEnvironmentAfterTheLaunchersAndWin() throws Exception {
    Path home = unpack();
    try (ExporterProcess exporter = ExporterProcess.launch(home.resolve(LAUNCHER), dir,
        Map.of("AGENT_WORKFLOW_EXPORTER_JAVA_OPTS", "-Xmx96m  -Dlauncher.test=yes"),
        "--db", "missing.db", "--bind", "127.0.0.1", "--port", "0", "--state-file", "none")) {
      exporter.await(SERVING, START);
      List<String> jvm = jvmArguments(exporter);
      List<String> options = ExporterProcess.serviceJvmOptions();
      assertEquals(options, jvm.subList(0, options.size()));
      assertEquals(List.of("-Xmx96m", "-Dlauncher.test=yes", "-jar"), jvm.subList(options.size(), options.size() + 3));
      assertTrue((vmFlags(exporter) + " ").contains(" -XX:MaxHeapSize=100663296 "), vmFlags(exporter));
      exporter.signal("TERM");
      assertEquals(0, exporter.exitCode(Duration.ofSeconds(2)), exporter.stderr());
    }
  }

  @Test
  void withoutJavaTheLauncherSaysSoInOneLineAndExitsTwo() throws Exception {
    Path launcher = unpack().resolve(LAUNCHER);
    Path nothing = Files.createDirectories(dir.resolve("no-java"));
    ProcessBuilder noJava = new ProcessBuilder(launcher.toString(), "--once").directory(dir.toFile())
        .redirectErrorStream(true);
    noJava.environment().remove("JAVA_HOME");
    noJava.environment().put("PATH", nothing.toString());
    assertEquals("agent-workflow-exporter: no java on PATH and JAVA_HOME is not set; install Java 17 or newer "
        + "(e.g. apt-get install openjdk-17-jre-headless)\n", run(noJava, 2));

    ProcessBuilder wrongHome = new ProcessBuilder(launcher.toString(), "--once").directory(dir.toFile())
        .redirectErrorStream(true);
    wrongHome.environment().put("JAVA_HOME", nothing.toString());
    assertEquals("agent-workflow-exporter: JAVA_HOME is " + nothing + ", which has no bin/java; point it at Java "
        + "17 or newer, or unset it to use java on PATH\n", run(wrongHome, 2));
  }

  @Test
  void aLauncherWithoutItsJarSaysSoInOneLineAndExitsTwo() throws Exception {
    Path alone = Files.createDirectories(dir.resolve("alone/bin")).getParent();
    Files.copy(ExporterProcess.LAUNCHER, alone.resolve(LAUNCHER));
    ProcessBuilder launcher = new ProcessBuilder("sh", alone.resolve(LAUNCHER).toString(), "--version")
        .directory(dir.toFile()).redirectErrorStream(true);
    launcher.environment().put("JAVA_HOME", System.getProperty("java.home"));
    Path real = alone.toRealPath();
    assertEquals("agent-workflow-exporter: no exporter.jar in " + real + " or " + real + "/target; in the "
        + "repository, build it first: mvn -q package -DskipTests\n", run(launcher, 2));
  }

  /** The repository's launcher runs target/exporter.jar, as the README's commands do. */
  @Test
  void theRepositorysLauncherRunsThePackagedJar() throws Exception {
    try (ExporterProcess version = ExporterProcess.launch(dir, "--version")) {
      assertEquals(0, version.exitCode(START), version.stderr());
      assertTrue(version.stdout().contains(VERSION), version.stdout());
    }
  }

  /**
   * docs/deploy.md's install and upgrade steps, run as written (without sudo, in a temporary folder
   * standing for /opt, /etc and the home folder) but for the service manager's commands, whose part
   * the test plays: it starts the installed unit's or agent's command, and restarts it. The upgrade
   * leaves the running exporter's jar as it was (before issue 15, {@code cp} wrote the new jar over
   * it), and the restart runs the new release and goes on from its state file.
   */
  @ParameterizedTest
  @ValueSource(strings = {"systemd", "launchd"})
  void theInstallAndUpgradeStepsOfTheDocsLeaveTheRunningJarAloneAndTheRestartRunsTheNewRelease(String manager)
      throws Exception {
    String next = "9.9.9";
    Path downloads = Files.createDirectories(dir.resolve("downloads"));
    Files.copy(tarball(), downloads.resolve(TOP + ".tar.gz"));
    nextRelease(next, downloads);
    Path opt = dir.resolve("opt/agent-workflow-exporter");
    Path etc = Files.createDirectories(dir.resolve("etc/systemd/system"));
    Path userHome = Files.createDirectories(dir.resolve("home"));
    Path root = manager.equals("systemd") ? opt : userHome.resolve("agent-workflow-exporter");

    runSteps(step(manager, "install"), VERSION, downloads, opt, etc, userHome);
    assertEquals(Path.of("../" + TOP + "/" + LAUNCHER), Files.readSymbolicLink(root.resolve(LAUNCHER)));

    Service service = manager.equals("systemd") ? systemdService(etc, opt, dir.resolve("logs"))
        : launchdService(userHome);
    Files.createDirectories(service.db().getParent());
    demoDatabase(service.db());
    Path oldJar = root.resolve(TOP + "/exporter.jar").toRealPath();
    Path newJar = root.resolve("agent-workflow-exporter-" + next + "/exporter.jar");
    try (ExporterProcess exporter = service.start()) {
      Scraper scraper = new Scraper(Integer.parseInt(exporter.await(SERVING, START)));
      Exposition before = awaitUp(scraper);
      assertEquals(oldJar, runningJar(exporter));
      Object inode = Files.getAttribute(oldJar, "unix:ino");
      byte[] bytes = Files.readAllBytes(oldJar);

      runSteps(step(manager, "upgrade"), next, downloads, opt, etc, userHome);

      assertEquals(Path.of("../agent-workflow-exporter-" + next + "/" + LAUNCHER),
          Files.readSymbolicLink(root.resolve(LAUNCHER)), "the link switched");
      assertFalse(Files.exists(root.resolve(LAUNCHER + ".new"), java.nio.file.LinkOption.NOFOLLOW_LINKS));
      assertEquals(inode, Files.getAttribute(oldJar, "unix:ino"), "the running exporter's jar is the same file");
      assertTrue(Arrays.equals(bytes, Files.readAllBytes(oldJar)), "and holds the same bytes");
      assertTrue(Files.mismatch(oldJar, newJar) >= 0, "the new release's jar is another");
      // still serving from the old release, which it reads classes from (a reload loads new ones)
      exporter.signal("HUP");
      exporter.await(RELOADING, START);
      assertEquals(before.sum("agent_invocation_total"), scraper.metrics().sum("agent_invocation_total"));
      exporter.signal("TERM");
      assertEquals(0, exporter.exitCode(Duration.ofSeconds(2)), exporter.stderr());
    }
    try (ExporterProcess restarted = service.start()) {
      Scraper scraper = new Scraper(Integer.parseInt(restarted.await(SERVING, START)));
      assertEquals(newJar.toRealPath(), runningJar(restarted), "the restart runs the new release");
      Exposition after = awaitUp(scraper);
      assertEquals(1, after.value("agent_workflow_exporter_state_restored"), "went on from its state file");
      try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + service.db())) {
        assertEquals(SqlTotals.counters(c), SqlTotals.scraped(after));
      }
      restarted.signal("TERM");
      assertEquals(0, restarted.exitCode(Duration.ofSeconds(2)), restarted.stderr());
    }
  }

  /** The JVM options docs/deploy.md lists are the launcher's. */
  @Test
  void theDocsListTheLaunchersJvmOptions() throws Exception {
    String doc = Files.readString(DEPLOY_DOC);
    String section = doc.substring(doc.indexOf("## The launcher"));
    String block = section.substring(section.indexOf("```\n") + 4, section.indexOf("\n```", section.indexOf("```\n")));
    assertEquals(ExporterProcess.serviceJvmOptions(), List.of(block.strip().split("\\s+")));
  }

  /** How the test starts what the service manager would, from the files the install steps put in place. */
  private record Service(List<String> command, Path workDir, Map<String, String> environment, Path db) {
    ExporterProcess start() throws IOException {
      return ExporterProcess.launch(Path.of(command.get(0)), workDir, environment,
          command.subList(1, command.size()).toArray(String[]::new));
    }
  }

  /**
   * The installed unit's ExecStart=, its folders (/opt, the database's) and port made local, and what
   * systemd sets for it.
   */
  private Service systemdService(Path etc, Path opt, Path logs) throws IOException {
    Path unit = etc.resolve("agent-workflow-exporter.service");
    String execStart = Files.readAllLines(unit).stream().filter(l -> l.startsWith("ExecStart=")).findFirst()
        .orElseThrow();
    List<String> command = new ArrayList<>();
    for (String word : execStart.substring("ExecStart=".length()).strip().split("\\s+")) {
      command.add(word.replace("/opt/agent-workflow-exporter", opt.toString())
          .replace("/home/dev/agent-workflow/logs", logs.toString()));
    }
    // the link the install steps made
    assertEquals(opt.resolve(LAUNCHER).toString(), command.get(0));
    Map<String, String> environment = new HashMap<>();
    environment.put("LANG", "C.UTF-8");
    environment.put("STATE_DIRECTORY", Files.createDirectories(dir.resolve("var-lib")).toString());
    return new Service(local(command), dir, environment, logs.resolve("agent_workflow.db"));
  }

  /** The installed agent's ProgramArguments (the install's sed made its paths the home folder's). */
  private Service launchdService(Path userHome) throws Exception {
    Path plist = userHome.resolve("Library/LaunchAgents/com.agent-workflow.exporter.plist");
    String arguments = run(new ProcessBuilder("python3", "-c", """
        import plistlib, sys
        with open(sys.argv[1], 'rb') as f:
            print('\\n'.join(plistlib.load(f)['ProgramArguments']))
        """, plist.toString()), 0);
    List<String> command = local(arguments.strip().lines().toList());
    assertEquals(userHome.resolve("agent-workflow-exporter/" + LAUNCHER).toString(), command.get(0));
    Path workDir = Files.createDirectories(userHome.resolve("agent-workflow"));
    return new Service(command, workDir, Map.of("LANG", "en_US.UTF-8", "HOME", userHome.toString()),
        Path.of(command.get(command.indexOf("--db") + 1)));
  }

  /** The port made 0, the address loopback. */
  private static List<String> local(List<String> command) {
    List<String> local = new ArrayList<>(command);
    local.set(local.indexOf("9091"), "0");
    local.addAll(List.of("--bind", "127.0.0.1"));
    return local;
  }

  /** A named block of docs/deploy.md: "install (systemd)" and so on. */
  private static String step(String manager, String what) throws IOException {
    String name = what + " (" + manager + ")";
    String block = DocBlocks.named(DEPLOY_DOC, name).get(name);
    assertNotNull(block, "docs/deploy.md has no block starting with # " + name);
    return block;
  }

  /**
   * Runs a block's commands with {@code sh -eu}, in {@code downloads}, with release {@code version}:
   * without sudo, /opt and /etc in this test's folder, HOME this test's. The service manager's
   * commands are left out; every other command must be one of those that install files, and an
   * upgrade may only unpack, link and rename: nothing that writes into a file in place.
   */
  private static void runSteps(String block, String version, Path downloads, Path opt, Path etc, Path userHome)
      throws Exception {
    StringBuilder script = new StringBuilder();
    boolean upgrade = block.startsWith("# upgrade");
    for (String line : block.replace("\\\n", " ").lines().toList()) {
      String command = line.strip().replaceFirst("^sudo ", "");
      if (command.isEmpty() || command.startsWith("#") || command.matches("(systemctl|sudoedit|plutil|launchctl) .*")) {
        continue;
      }
      String verb = command.split("[ =]")[0];
      assertTrue(upgrade ? List.of("v", "tar", "ln", "mv").contains(verb)
          : List.of("v", "mkdir", "tar", "ln", "install", "sed").contains(verb), "unexpected step: " + line);
      script.append(command.startsWith("v=") ? "v=" + version
          : command.replace("/opt/agent-workflow-exporter", opt.toString())
              .replace("/etc/systemd/system", etc.toString())).append('\n');
    }
    ProcessBuilder sh = new ProcessBuilder("sh", "-eu", "-c", script.toString()).directory(downloads.toFile())
        .redirectErrorStream(true);
    sh.environment().put("HOME", userHome.toString());
    run(sh, 0);
  }

  /** The release again as version {@code next}, its jar holding one more file so that it differs. */
  private void nextRelease(String next, Path downloads) throws Exception {
    Path staging = Files.createDirectories(dir.resolve("staging"));
    run(new ProcessBuilder("tar", "-xzf", tarball().toString(), "-C", staging.toString()), 0);
    Path folder = Files.move(staging.resolve(TOP), staging.resolve("agent-workflow-exporter-" + next));
    try (FileSystem jar = FileSystems.newFileSystem(URI.create("jar:" + folder.resolve("exporter.jar").toUri()),
        Map.of())) {
      Files.writeString(jar.getPath("release-" + next + ".txt"), next + "\n");
    }
    run(new ProcessBuilder("tar", "-czf", downloads.resolve("agent-workflow-exporter-" + next + ".tar.gz").toString(),
        "-C", staging.toString(), folder.getFileName().toString()), 0);
  }

  private static Path tarball() {
    String path = System.getProperty("release.tarball");
    assertNotNull(path, "run through 'mvn verify': the release tarball is needed");
    assertTrue(Files.isRegularFile(Path.of(path)), path + " is not there: 'mvn package' makes it");
    return Path.of(path);
  }

  /** The tarball unpacked with tar into this test's folder; the release's folder. */
  private Path unpack() throws Exception {
    Path into = Files.createDirectories(dir.resolve("unpacked"));
    run(new ProcessBuilder("tar", "-xzf", tarball().toString(), "-C", into.toString()), 0);
    return into.resolve(TOP);
  }

  /** The demo's day of history, up to a fixed time, with tool uses. */
  private static Path demoDatabase(Path file) throws Exception {
    Clock clock = Clock.fixed(Instant.parse("2025-08-15T12:00:00Z"), ZoneOffset.UTC);
    new DemoDatabase(file, ZoneOffset.UTC, new Random(15), clock).createOrReuse(DemoDatabase.History.DAY);
    return file;
  }

  private static Exposition awaitUp(Scraper scraper) throws Exception {
    Exposition[] last = new Exposition[1];
    Await.until("agent_workflow_database_up 1", START, () -> {
      last[0] = scraper.metrics();
      return last[0].value("agent_workflow_database_up") == 1;
    });
    return last[0];
  }

  /** The running process's arguments, from /proc: the JVM's after the launcher's exec. */
  private static List<String> jvmArguments(ExporterProcess process) {
    return List.of(ProcessHandle.of(process.pid()).orElseThrow().info().arguments().orElseThrow());
  }

  private static Path runningJar(ExporterProcess process) {
    List<String> arguments = jvmArguments(process);
    return Path.of(arguments.get(arguments.indexOf("-jar") + 1));
  }

  /** The flags the JVM runs with, as {@code jcmd PID VM.flags} prints them (the JDK's own tool). */
  private static String vmFlags(ExporterProcess process) throws Exception {
    String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
    return run(new ProcessBuilder(jcmd, Long.toString(process.pid()), "VM.flags"), 0).strip().replaceAll("\\s+", " ");
  }

  /** Output (stdout and stderr) of a process that must exit with {@code code}. */
  private static String run(ProcessBuilder builder, int code) throws Exception {
    Process process = builder.redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(120, TimeUnit.SECONDS), output);
    assertEquals(code, process.exitValue(), String.join(" ", builder.command()) + "\n" + output);
    return output;
  }
}
