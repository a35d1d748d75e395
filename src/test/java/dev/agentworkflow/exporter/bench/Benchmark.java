package dev.agentworkflow.exporter.bench;

import dev.agentworkflow.exporter.app.Exporter;
import dev.agentworkflow.exporter.app.ExporterSettings;
import dev.agentworkflow.exporter.it.ExporterProcess;
import dev.agentworkflow.exporter.model.PollResult;
import dev.agentworkflow.exporter.poll.Poller;
import dev.agentworkflow.exporter.support.TestSettings;
import dev.agentworkflow.exporter.webconfig.WebConfig;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The performance benchmark: generates (or reuses) databases, then measures the first load
 * against a bare scan, restarts and {@code --once} with the state file and the state's writes,
 * steady polls, scrape latency under concurrent clients and the service's resident memory, then
 * issue 14's targets on a file with tool uses ({@link ToolUseSteps}), and prints one table
 * (docs/performance.md says how to run it).
 *
 * <pre>
 * mvn -q package -DskipTests
 * java -cp target/exporter.jar:target/test-classes dev.agentworkflow.exporter.bench.Benchmark full
 * </pre>
 *
 * (in the repository's folder: the services are started by its launcher, bin/agent-workflow-exporter,
 * which runs target/exporter.jar)
 *
 * ({@code generate-tool-uses} instead of {@code full}: only generates the file with tool uses;
 * {@code many}: only issue 16's part, many projects' databases in one service ({@link
 * ManyDatabasesSteps}), printed and not written into docs/performance.md; {@code many-smoke}: that
 * part on small files; {@code custom}: only issue 18's steady polls with and without the example
 * custom metrics, printed; {@code store}: only issue 17's targets on the team's PostgreSQL store ({@link
 * StoreSteps}), printed; {@code store-smoke}: the same on small sizes.)
 *
 * Not JMH: every measured poll needs the database written before it, outside the timing, and the
 * process figures (first load, memory) need the service as it runs; a plain harness times both.
 */
public final class Benchmark {
  /**
   * What one run measures.
   *
   * @param serviceLoads first loads of the service per file, at least 2: the first one's state is
   *     restarted from, the last one is kept running (for the scrapes and the memory soak)
   * @param restarts restarts of the service with its state, per file
   * @param onceRuns {@code --once} runs with the state, per file, each after 100 rows the hooks' way
   * @param stateWarmup untimed writes of the state before the timed ones
   * @param stateWrites timed writes of the state
   * @param toolUses the file with tool uses (issue 14), measured after the others
   * @param toolRounds what the hooks change before each steady poll of that file; the last one is
   *     also what they write every poll interval while its service soaks
   * @param toolSoak how long after its start that file's service is kept polling before its memory is read
   * @param many issue 16's: many projects' databases in one service, measured last
   */
  record Config(String name, List<Dataset> datasets, Dataset soaked, Dataset scraped, int serviceLoads,
      int warmupPolls, int polls, List<Integer> changedRows, List<Integer> clients, Duration scrapeEach,
      Duration soak, int restarts, int onceRuns, int stateWarmup, int stateWrites, Dataset toolUses,
      List<ToolUseSteps.Round> toolRounds, Duration toolSoak, ManyDatabasesSteps.Plan many) {
    Config {
      if (serviceLoads < 2) {
        throw new IllegalArgumentException("the first service's state is restarted from and the last one is kept");
      }
    }

    /** The files to generate or reuse: the others, then the one with tool uses. */
    List<Dataset> allDatasets() {
      List<Dataset> all = new ArrayList<>(datasets);
      all.add(toolUses);
      return List.copyOf(all);
    }
  }

  /** Issue 14's rounds: nothing, and 100 invocations with their 30 tool uses each. */
  private static final List<ToolUseSteps.Round> TOOL_ROUNDS = List.of(new ToolUseSteps.Round(0, 0),
      new ToolUseSteps.Round(100, 3_000));

  static final Config FULL = new Config("full",
      List.of(Dataset.realistic("100k", 100_000), Dataset.realistic("1M", 1_000_000), Dataset.lean("5M lean", 5_000_000)),
      Dataset.realistic("1M", 1_000_000), Dataset.realistic("100k", 100_000), 2, 5, 50, List.of(0, 100, 10_000), List.of(1, 8, 32), Duration.ofSeconds(10),
      Duration.ofMinutes(10), 3, 3, 5, 50, Dataset.withToolUses("100k × 30 tool uses", 100_000, 30), TOOL_ROUNDS,
      Duration.ofMinutes(10), new ManyDatabasesSteps.Plan(50, Dataset.realistic("10k", 10_000), 3, Duration.ofSeconds(1),
          15, Duration.ofSeconds(5), Duration.ofMillis(250), Duration.ofMinutes(2)));

  /** The same steps on small files, for CI: shows the harness works, says nothing about speed. */
  static final Config SMOKE = new Config("smoke",
      List.of(Dataset.realistic("1k", 1_000), Dataset.realistic("5k", 5_000), Dataset.lean("10k lean", 10_000)),
      Dataset.realistic("5k", 5_000), Dataset.realistic("1k", 1_000), 2, 1, 5, List.of(0, 100, 1_000), List.of(1, 8), Duration.ofSeconds(1),
      Duration.ofSeconds(5), 2, 2, 2, 20, Dataset.withToolUses("1k × 30 tool uses", 1_000, 30), TOOL_ROUNDS,
      Duration.ofSeconds(5), new ManyDatabasesSteps.Plan(3, Dataset.realistic("1k", 1_000), 2, Duration.ofSeconds(1),
          3, Duration.ofSeconds(2), Duration.ofMillis(250), Duration.ofSeconds(5)));

  private static final Pattern PORT = Pattern.compile("serving http://127\\.0\\.0\\.1:(\\d+)/metrics");

  private Benchmark() {}

  public static void main(String[] args) throws Exception {
    String mode = args.length > 0 ? args[0] : "full";
    Config config = mode.endsWith("smoke") ? SMOKE : FULL;
    Path dataDir = Path.of(args.length > 1 ? args[1] : "bench-data");
    if (args.length > 0 && args[0].equals("generate-tool-uses")) {
      // Only the file with tool uses, generated ahead of a full run (or timed on its own).
      double seconds = Datasets.ensure(dataDir, List.of(FULL.toolUses())).get(0);
      System.out.printf("%s: %s, %,d MiB%n", FULL.toolUses().name(), seconds == 0 ? "reused" : "generated in %.0f s"
          .formatted(seconds), Files.size(FULL.toolUses().file(dataDir)) >> 20);
      return;
    }
    System.setProperty("exporter.jar",
        Path.of(System.getProperty("exporter.jar", "target/exporter.jar")).toAbsolutePath().toString());
    if (mode.equals("tools")) {
      // Only issue 14's part, on the full run's file with tool uses: printed, not written into docs/performance.md.
      long started = System.nanoTime();
      Report report = new Report(config, mode);
      double generated = Datasets.ensure(dataDir, List.of(config.toolUses())).get(0);
      report.generated(config.toolUses(), generated, Files.size(config.toolUses().file(dataDir)));
      try {
        report.toolUses(ToolUseSteps.run(config, dataDir, Files.createDirectories(dataDir.resolve("run"))));
      } finally {
        Datasets.restore(config.toolUses().file(dataDir));
      }
      report.finished((System.nanoTime() - started) / 1e9);
      System.out.println(report.toolsMarkdown());
      return;
    }
    if (mode.equals("custom") || mode.equals("custom-smoke")) {
      // Only issue 18's part, on the full run's 1M file: printed, not written into docs/performance.md.
      Dataset dataset = config.soaked();
      Datasets.ensure(dataDir, List.of(dataset));
      Report report = new Report(config, mode);
      long started = System.nanoTime();
      try {
        report.custom(CustomMetricsSteps.run(config, dataset, dataset.file(dataDir)));
      } finally {
        Datasets.restore(dataset.file(dataDir));
      }
      report.finished((System.nanoTime() - started) / 1e9);
      System.out.println(report.customMarkdown());
      return;
    }
    if (mode.equals("store") || mode.equals("store-smoke")) {
      // Only issue 17's part, the team's PostgreSQL store: printed, not written into docs/performance.md.
      StoreSteps.Plan plan = mode.equals("store") ? StoreSteps.FULL : StoreSteps.SMOKE;
      long started = System.nanoTime();
      Report report = new Report(config, mode);
      Datasets.ensure(dataDir, List.of(plan.dataset()));
      report.store(StoreSteps.run(plan, dataDir, Files.createDirectories(dataDir.resolve("run"))));
      report.finished((System.nanoTime() - started) / 1e9);
      System.out.println(report.storeMarkdown());
      return;
    }
    if (mode.startsWith("many")) {
      // Only issue 16's part: printed, not written into docs/performance.md (a full run writes its table there).
      System.out.println(runMany(config, mode, dataDir).manyMarkdown());
      return;
    }
    Report report = run(config, dataDir);
    String table = report.markdown();
    System.out.println(table);
    if (config == FULL) {
      Report.writeInto(Path.of("docs/performance.md"), table);
      System.err.println("written into docs/performance.md");
    }
  }

  static Report run(Config config, Path dataDir) throws Exception {
    // The JDK keeps 5 idle keep-alive connections per host by default: too few for 32 clients.
    System.setProperty("http.maxConnections", "64");
    long started = System.nanoTime();
    Report report = new Report(config);
    List<Dataset> all = config.allDatasets();
    List<Double> generated = Datasets.ensure(dataDir, all);
    for (int i = 0; i < generated.size(); i++) {
      report.generated(all.get(i), generated.get(i), Files.size(all.get(i).file(dataDir)));
    }
    Path workDir = Files.createDirectories(dataDir.resolve("run"));
    ExporterProcess soaked = null;
    ExporterProcess scraped = null;
    long soakStarted = 0;
    try {
      for (Dataset dataset : config.datasets()) {
        Running running = firstLoad(config, dataset, dataDir, workDir, report);
        if (dataset.equals(config.soaked())) {
          soaked = running.process();
          soakStarted = running.startedNanos();
        } else if (dataset.equals(config.scraped())) {
          scraped = running.process();
        } else {
          running.process().close();
        }
      }
      for (Dataset dataset : config.datasets()) {
        steadyPolls(config, dataset, dataset.file(dataDir), report);
      }
      // issue 18's: the same kind of steady polls, with and without the example custom metrics
      report.custom(CustomMetricsSteps.run(config, config.soaked(), config.soaked().file(dataDir)));
      // Not the soaked service: its memory is to show steady polling, not a scrape storm.
      for (int clients : config.clients()) {
        report.scrape(ScrapeLoad.run(report.load(config.scraped()).port(), clients, config.scrapeEach()));
      }
      scraped.close();
      soak(config, soaked, soakStarted, dataDir, report);
      soaked.close();
      // After the others, alone: its first loads are timed, and its service soaks for its own memory figure.
      report.toolUses(ToolUseSteps.run(config, dataDir, workDir));
      // Last, alone too: its two services' first loads are timed against each other.
      many(config, dataDir, workDir, report);
    } finally {
      for (ExporterProcess process : new ExporterProcess[] {soaked, scraped}) {
        if (process != null) {
          process.close();
        }
      }
      for (Dataset dataset : all) {
        Datasets.restore(dataset.file(dataDir));
      }
    }
    report.finished((System.nanoTime() - started) / 1e9);
    return report;
  }

  /** Only the many projects' part (issue 16): {@code Benchmark many}. */
  static Report runMany(Config config, String mode, Path dataDir) throws Exception {
    long started = System.nanoTime();
    Report report = new Report(config, mode);
    many(config, dataDir, Files.createDirectories(dataDir.resolve("run")), report);
    report.finished((System.nanoTime() - started) / 1e9);
    return report;
  }

  /** Its figures, or why a service stopped before they were taken: the rest of the report stands either way. */
  private static void many(Config config, Path dataDir, Path workDir, Report report) throws Exception {
    try {
      report.many(ManyDatabasesSteps.run(config.many(), dataDir, workDir));
    } catch (ManyDatabasesSteps.Stopped e) {
      report.manyStopped(e.getMessage());
    }
  }

  /**
   * Bare scans and the service's first loads, taken in turns (scan, service, scan, service, scan)
   * so that a slower minute of the machine or of its page cache weighs on both alike; the report
   * compares their medians. Each service starts with a state file that does not exist yet (so it
   * counts from scratch, and writes the state as a newly deployed service does); right after the
   * first one, the state steps use the state it wrote ({@link StateSteps}). The last service is
   * left running for the caller.
   */
  private static Running firstLoad(Config config, Dataset dataset, Path dataDir, Path workDir, Report report)
      throws Exception {
    Path file = dataset.file(dataDir);
    long[] rows = new long[1];
    List<Double> scans = new ArrayList<>();
    List<Double> services = new ArrayList<>();
    boolean withoutState = true;
    // Untimed: the steps before this one (another file's load, its state steps) leave this file's
    // pages cold or half evicted, and the first timed scan then measured the disk (30.9 s against
    // 7.6 and 6.9 s for the two after it, on the 1M file): both sides are timed on a warm cache.
    BareScan.seconds(file, new long[1]);
    scans.add(BareScan.seconds(file, rows));
    ExporterProcess process = null;
    long started = 0;
    long peakKib = 0;
    for (int i = 0; i < config.serviceLoads(); i++) {
      if (process != null) {
        process.close();
      }
      Path state = freshStateFile(workDir, file, i);
      started = System.nanoTime();
      process = startService(file, state, workDir);
      int port = awaitPort(process);
      String metrics = awaitFirstCompleteScrape(process, port);
      services.add((System.nanoTime() - started) / 1e9);
      long residentKib = process.residentKib();
      peakKib = Math.max(peakKib, process.peakResidentKib());
      withoutState &= value(metrics, "agent_workflow_exporter_state_restored") == 0;
      if (i == 0) {
        report.state(dataset, StateSteps.run(config, dataset, file, process, metrics, state, workDir));
      }
      scans.add(BareScan.seconds(file, new long[1]));
      report.firstLoad(dataset, rows[0], scans, services, value(metrics, "agent_workflow_exporter_poll_duration_seconds"),
          value(metrics, "agent_workflow_exporter_longest_read_seconds"), residentKib, peakKib, port, withoutState);
    }
    return new Running(process, started);
  }

  /** A state file path of its own for the {@code n}th first load of {@code file}, with nothing there yet. */
  static Path freshStateFile(Path workDir, Path file, int n) throws IOException {
    Path state = Files.createDirectories(workDir.resolve("state")).resolve(file.getFileName() + "-" + n + ".state");
    Files.deleteIfExists(state);
    return state;
  }

  /**
   * The packaged jar, started as the README and the service files start it: by the launcher,
   * {@code bin/agent-workflow-exporter}, with its JVM options; on {@code file} with {@code state}.
   */
  static ExporterProcess startService(Path file, Path state, Path workDir) throws IOException {
    return ExporterProcess.launch(workDir,
        "--db", file.toAbsolutePath().toString(), "--bind", "127.0.0.1", "--port", "0", "--interval", "15",
        "--state-file", state.toAbsolutePath().toString());
  }

  /** The port the service says it serves on, looked for every 5 ms (a restart's figure is about a second). */
  static int awaitPort(ExporterProcess process) throws Exception {
    long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < end) {
      Matcher m = PORT.matcher(process.stderr() + process.stdout());
      if (m.find()) {
        return Integer.parseInt(m.group(1));
      }
      if (!process.isAlive()) {
        break;
      }
      Thread.sleep(5);
    }
    throw new IllegalStateException("the exporter did not say its port: " + process.stderr() + process.stdout());
  }

  /** A service left running, and when it was started. */
  private record Running(ExporterProcess process, long startedNanos) {}

  /**
   * The first scrape that shows {@code agent_workflow_database_up 1}: the first poll publishes only
   * when complete (also when it went on from a state file: until then the database is not up).
   */
  static String awaitFirstCompleteScrape(ExporterProcess process, int port) throws Exception {
    while (true) {
      String metrics = scrape(port);
      if (metrics.contains("\nagent_workflow_database_up 1.0")) {
        return metrics;
      }
      if (!process.isAlive()) {
        // stdout too: -XX:+ExitOnOutOfMemoryError says "Terminating due to java.lang.OutOfMemoryError" there
        throw new IllegalStateException("the exporter stopped: " + process.stderr() + process.stdout());
      }
      Thread.sleep(10);
    }
  }

  /** In process: one poller on the file; before each timed poll, the writer changes that many rows. */
  private static void steadyPolls(Config config, Dataset dataset, Path file, Report report) throws Exception {
    Clock clock = Clock.systemUTC();
    try (Poller poller = Exporter.newPoller(inProcessSettings(file), clock); SteadyWriter writer = new SteadyWriter(file, dataset, clock)) {
      long started = System.nanoTime();
      check(poller.poll());
      report.inProcessLoad(dataset, (System.nanoTime() - started) / 1e9);
      for (int changed : config.changedRows()) {
        for (int i = 0; i < config.warmupPolls(); i++) {
          writer.round(changed);
          check(poller.poll());
        }
        double[] millis = new double[config.polls()];
        for (int i = 0; i < config.polls(); i++) {
          writer.round(changed);
          long t = System.nanoTime();
          check(poller.poll());
          millis[i] = (System.nanoTime() - t) / 1e6;
        }
        report.steady(dataset, changed, Distribution.of(millis));
      }
    }
  }

  /** The defaults of the service, for a poller in process that keeps no state file. */
  static ExporterSettings inProcessSettings(Path file) {
    return new ExporterSettings(file, new InetSocketAddress("127.0.0.1", 0),
        ExporterSettings.DEFAULT_TELEMETRY_PATH, Duration.ofSeconds(15), Duration.ofHours(6), ZoneOffset.UTC, 500, 2000,
        TestSettings.build("bench"), WebConfig.NONE, java.util.Optional.empty());
  }

  /**
   * Keeps the service polling a database that the hooks keep writing (100 rows every 5 s) and
   * scraped as Prometheus would (every 15 s), until the soak time since its start is up, noting
   * its resident memory every 30 s.
   */
  private static void soak(Config config, ExporterProcess process, long started, Path dataDir, Report report)
      throws Exception {
    Path file = config.soaked().file(dataDir);
    int port = report.load(config.soaked()).port();
    long end = started + config.soak().toNanos();
    long nextScrape = 0;
    long nextSample = 0;
    List<Long> residentKib = new ArrayList<>();
    try (SteadyWriter writer = new SteadyWriter(file, config.soaked(), Clock.systemUTC())) {
      while (System.nanoTime() < end) {
        writer.round(100);
        long now = System.nanoTime();
        if (now >= nextScrape) {
          scrape(port);
          nextScrape = now + 15_000_000_000L;
        }
        if (now >= nextSample) {
          residentKib.add(process.residentKib());
          nextSample = now + 30_000_000_000L;
        }
        Thread.sleep(Math.max(0, Math.min(5_000, (end - System.nanoTime()) / 1_000_000)));
      }
    }
    residentKib.add(process.residentKib());
    String metrics = scrape(port);
    report.soaked(residentKib, process.peakResidentKib(), (System.nanoTime() - started) / 1e9,
        value(metrics, "agent_workflow_database_up"), value(metrics, "agent_workflow_exporter_state_writes_total"));
  }

  private static void check(PollResult result) {
    if (!result.database().up()) {
      throw new IllegalStateException("a poll failed: " + result.database().problem().orElse(""));
    }
  }

  /** A full scrape as Prometheus asks for it (gzip), as text; empty while the service does not answer. */
  static String scrape(int port) throws IOException {
    return receive(port).text();
  }

  /**
   * A full scrape's answer as it came (gzipped, as Prometheus asks), and when its last byte was in:
   * inflating and decoding 30 MB of text is the client's work, not the service's.
   */
  record Answer(byte[] body, boolean gzipped, long receivedNanos) {
    static final Answer NONE = new Answer(new byte[0], false, 0);

    String text() throws IOException {
      if (body.length == 0) {
        return "";
      }
      byte[] plain = body;
      if (gzipped) {
        try (var in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(body))) {
          plain = in.readAllBytes();
        }
      }
      return "\n" + new String(plain, StandardCharsets.UTF_8);
    }
  }

  static Answer receive(int port) throws IOException {
    HttpURLConnection connection = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + "/metrics").toURL()
        .openConnection();
    connection.setConnectTimeout(10_000);
    connection.setReadTimeout(30_000);
    connection.setRequestProperty("Accept-Encoding", "gzip");
    try (var body = connection.getInputStream()) {
      byte[] bytes = body.readAllBytes();
      return new Answer(bytes, "gzip".equals(connection.getContentEncoding()), System.nanoTime());
    } catch (IOException notYet) {
      return Answer.NONE;
    }
  }

  static double value(String metrics, String name) {
    Matcher m = Pattern.compile("\n" + Pattern.quote(name) + " (\\S+)").matcher(metrics);
    return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
  }

  private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\\{.*\\})?) (\\S+)$",
      Pattern.MULTILINE);

  /**
   * The workflow's own samples, by name and labels: what a restart must show as the run it went
   * on from. Not the exporter's own (timings, rows read, state) nor the database's (up, size), nor
   * the process's and the JVM's, and not {@code parallel_executions_current}, which follows the clock
   * (--stale-after).
   */
  static Map<String, Double> counts(String metrics) {
    Map<String, Double> counts = new TreeMap<>();
    Matcher m = SAMPLE.matcher(metrics);
    while (m.find()) {
      String sample = m.group(1);
      if (!sample.startsWith("agent_workflow_") && !sample.startsWith("parallel_executions_current")
          && !sample.startsWith("process_") && !sample.startsWith("jvm_")) {
        counts.put(sample, Double.parseDouble(m.group(2)));
      }
    }
    return counts;
  }
}
