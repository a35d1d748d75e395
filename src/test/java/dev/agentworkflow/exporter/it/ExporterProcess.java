package dev.agentworkflow.exporter.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The packaged jar, run as a user runs it (by java, or by its launcher), its output captured to files. */
public final class ExporterProcess implements AutoCloseable {
  /** The repository's launcher (the tests and the benchmark run in the repository's folder). */
  public static final Path LAUNCHER = Path.of("bin/agent-workflow-exporter");

  private final Process process;
  private final Path stdout;
  private final Path stderr;
  private final boolean prefixed;

  private ExporterProcess(Process process, Path stdout, Path stderr, boolean prefixed) {
    this.process = process;
    this.stdout = stdout;
    this.stderr = stderr;
    this.prefixed = prefixed;
  }

  public static ExporterProcess start(Path workDir, String... args) throws IOException {
    return start(List.of(), workDir, args);
  }

  /** The jar, run by {@code prefix} (such as {@code runuser -u nobody --}). */
  public static ExporterProcess start(List<String> prefix, Path workDir, String... args) throws IOException {
    return start(prefix, List.of(), workDir, args);
  }

  /** The jar with JVM options (such as the service files' heap settings). */
  public static ExporterProcess start(List<String> prefix, List<String> jvmOptions, Path workDir, String... args)
      throws IOException {
    List<String> command = new ArrayList<>(prefix);
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.addAll(List.of("-jar", packagedJar().toString()));
    command.addAll(List.of(args));
    return run(command, !prefix.isEmpty(), workDir, Map.of());
  }

  /**
   * The repository's launcher, {@code bin/agent-workflow-exporter}, as the README runs it: it runs the
   * packaged jar beside it with its JVM options. The JVM replaces the launcher's shell (exec), so
   * {@link #pid()}, {@link #signal} and the memory figures are the JVM's.
   */
  public static ExporterProcess launch(Path workDir, String... args) throws IOException {
    Path jar = packagedJar();
    if (!Files.isSameFile(jar, LAUNCHER.toAbsolutePath().getParent().resolveSibling("target/exporter.jar"))) {
      throw new IllegalStateException("the launcher runs target/exporter.jar, not " + jar);
    }
    return launch(LAUNCHER.toAbsolutePath(), workDir, Map.of(), args);
  }

  /**
   * A launcher (such as an unpacked release's), run by the JDK that runs the tests ({@code JAVA_HOME}),
   * with {@code environment} added to the test's.
   */
  public static ExporterProcess launch(Path launcher, Path workDir, Map<String, String> environment, String... args)
      throws IOException {
    List<String> command = new ArrayList<>(List.of(launcher.toString()));
    command.addAll(List.of(args));
    Map<String, String> withJava = new HashMap<>(environment);
    withJava.putIfAbsent("JAVA_HOME", System.getProperty("java.home"));
    return run(command, false, workDir, withJava);
  }

  private static Path packagedJar() {
    String jar = System.getProperty("exporter.jar");
    if (jar == null || !Files.exists(Path.of(jar))) {
      throw new IllegalStateException("run through 'mvn verify': the packaged jar is needed, got " + jar);
    }
    return Path.of(jar);
  }

  private static ExporterProcess run(List<String> command, boolean prefixed, Path workDir,
      Map<String, String> environment) throws IOException {
    Path out = Files.createTempFile(workDir, "stdout", ".txt");
    Path err = Files.createTempFile(workDir, "stderr", ".txt");
    ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile())
        .redirectOutput(out.toFile()).redirectError(err.toFile());
    // the default state folder is the user's ($XDG_STATE_HOME, ~/.local/state): keep each test's in its folder
    builder.environment().remove("STATE_DIRECTORY");
    builder.environment().put("XDG_STATE_HOME", workDir.toAbsolutePath().resolve("xdg-state").toString());
    builder.environment().putAll(environment);
    Process process = builder.start();
    return new ExporterProcess(process, out, err, prefixed);
  }

  /** Waits for a line of stdout or stderr matching {@code regex}; returns its first group. */
  public String await(String regex, Duration timeout) throws IOException, InterruptedException {
    Pattern pattern = Pattern.compile(regex);
    long end = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < end) {
      for (Path file : new Path[] {stdout, stderr}) {
        Matcher m = pattern.matcher(Files.readString(file));
        if (m.find()) {
          return m.groupCount() > 0 ? m.group(1) : m.group();
        }
      }
      if (!process.isAlive()) {
        break;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no line matching " + regex + "\nstdout:\n" + stdout() + "\nstderr:\n" + stderr());
  }

  /**
   * Sends a signal the way a service manager or a terminal does, to the JVM: with a prefix such as
   * runuser, to its child (runuser itself, signalled, ends with 128 + the signal's number whatever
   * the JVM does).
   */
  public void signal(String name) throws IOException, InterruptedException {
    long jvm = prefixed ? process.children().findFirst().map(ProcessHandle::pid).orElse(process.pid()) : process.pid();
    new ProcessBuilder("kill", "-" + name, Long.toString(jvm)).inheritIO().start().waitFor();
  }

  /** Exit code, or fails if the process has not exited within {@code timeout}. */
  public int exitCode(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError("still running after " + timeout);
    }
    return process.exitValue();
  }

  public String stdout() throws IOException {
    return Files.readString(stdout);
  }

  public String stderr() throws IOException {
    return Files.readString(stderr);
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /**
   * The JVM options the launcher gives the exporter on this machine, which the service files run too:
   * its {@code jvm_options}, then its {@code trim_option} (Linux, with a JDK that has it, as the
   * tests' machines are). For the tests that start the jar with them themselves.
   */
  public static List<String> serviceJvmOptions() throws IOException {
    List<String> options = new ArrayList<>(launcherSetting("jvm_options"));
    options.addAll(launcherSetting("trim_option"));
    return List.copyOf(options);
  }

  /** The words of a {@code name='…'} line of the launcher. */
  private static List<String> launcherSetting(String name) throws IOException {
    String line = Files.readAllLines(LAUNCHER).stream().filter(l -> l.startsWith(name + "='")).findFirst()
        .orElseThrow(() -> new IllegalStateException("no " + name + "='…' line in " + LAUNCHER));
    return List.of(line.substring(name.length() + 2, line.lastIndexOf('\'')).split(" "));
  }

  /** Resident memory now, from /proc (Linux), in KiB. */
  public long residentKib() throws IOException {
    return procStatus("VmRSS:");
  }

  /** Peak resident memory so far, from /proc (Linux), in KiB. */
  public long peakResidentKib() throws IOException {
    return procStatus("VmHWM:");
  }

  /**
   * Heap in use after a full collection, in KiB, as {@code jcmd} reports it (the JDK's own tool,
   * beside the java that runs the tests): what the exporter's state takes, garbage left out.
   */
  public long heapUsedAfterGcKib() throws IOException, InterruptedException {
    String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
    run(jcmd, Long.toString(process.pid()), "GC.run");
    long used = 0;
    for (String line : run(jcmd, Long.toString(process.pid()), "GC.heap_info").lines().toList()) {
      Matcher m = Pattern.compile("(?:generation|space)\\s+total \\d+K, used (\\d+)K").matcher(line);
      if (m.find() && !line.contains("Metaspace") && !line.contains("class space")) {
        used += Long.parseLong(m.group(1));
      }
    }
    return used;
  }

  private static String run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    p.waitFor();
    return out;
  }

  private long procStatus(String field) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
      if (line.startsWith(field)) {
        return Long.parseLong(line.replaceAll("\\D", ""));
      }
    }
    return -1;
  }

  @Override
  public void close() {
    // With a prefix such as runuser, the JVM is a child of the process started here: stop it too,
    // or it outlives the test (found running hours later).
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
  }
}
