package dev.agentworkflow.exporter.bench;

import dev.agentworkflow.exporter.demo.HookWriter;
import dev.agentworkflow.exporter.it.ExporterProcess;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

/**
 * Issue 16's targets: many projects' databases read by one service. The project files are
 * generated as the other files are ({@link Datasets}, a seed each, {@code pNN/logs/agent_workflow.db}
 * in one folder), and their union, the same rows in one file, made from them. Then:
 *
 * <ul>
 *   <li><b>first load</b>: the service reading every project ({@code --db pNN=PATH} each) and the
 *       service reading their union, both started by the launcher with fresh state, taken in turns
 *       (union, projects, union, projects, …) after every file was read once untimed; each timed
 *       from process start to the first complete scrape ({@code /-/ready} 200 and a full scrape with
 *       every project's {@code agent_workflow_database_up 1}), compared by their medians;
 *   <li>then one more service on the projects, polling every {@link Plan#interval()}: its resident
 *       memory after its first load; its polls after no change (the sum over projects of {@code
 *       agent_workflow_exporter_poll_duration_seconds}, from scrapes a few polls apart); one project locked by a writer ({@code BEGIN EXCLUSIVE}, held) while the others'
 *       {@code agent_workflow_exporter_last_poll_success_timestamp_seconds} are watched, next to the
 *       same watch without a lock; then a soak with the hooks writing, and its memory again.
 * </ul>
 */
final class ManyDatabasesSteps {
  /**
   * What this part measures.
   *
   * @param databases how many projects one service reads
   * @param each what each project's file holds; generated with a seed of its own
   * @param loads first loads of each of the two services, taken in turns
   * @param interval the polling interval of the service whose idle polls, lock and memory are measured
   * @param idleSamples scrapes after polls with nothing changed, each after every project polled again
   * @param lock how long the writer holds one project's database locked
   * @param margin how much later than its interval another project's poll may come while one is locked
   * @param soak how long that service then polls while the hooks write, before its memory is read again
   */
  record Plan(int databases, Dataset each, int loads, Duration interval, int idleSamples, Duration lock,
      Duration margin, Duration soak) {
    List<Dataset> parts() {
      return IntStream.rangeClosed(1, databases).mapToObj(each::ofProject).toList();
    }

    /** The file with every project's rows. */
    Path union(Path dataDir) {
      return dataDir.resolve(each.projectsFolder(dataDir).getFileName() + "-union%d.db".formatted(databases));
    }

    String label() {
      return "%d × %s".formatted(databases, each.name());
    }

    /** The project the writer locks: one in the middle. */
    String lockedProject() {
      return Dataset.projectName((databases + 1) / 2);
    }
  }

  /**
   * One first load, from process start to the first complete scrape.
   *
   * @param readySeconds from process start to {@code /-/ready} answering 200: every database's first poll done
   * @param invocations finished invocations its first complete scrape counted (the sum of {@code agent_invocation_total})
   * @param fromScratch every database said {@code agent_workflow_exporter_state_restored 0}
   */
  record Load(double seconds, double readySeconds, long residentKib, long peakKib, double invocations,
      boolean fromScratch) {}

  /**
   * Polls after no change.
   *
   * @param sumsMillis per scrape, the sum over the projects of their last poll's duration
   * @param eachMillis every project's poll duration in every scrape
   * @param rowsRead rows read by all projects between the first and the last scrape
   */
  record Idle(Distribution sumsMillis, Distribution eachMillis, double rowsRead) {}

  /**
   * Gaps between two successive successful polls of the same project, from {@code
   * agent_workflow_exporter_last_poll_success_timestamp_seconds} seen in scrapes every {@link #WATCH_EVERY}.
   *
   * @param longestSeconds the longest gap of any project watched
   * @param worst the project that had it
   * @param gaps how many gaps were seen
   */
  record Gaps(double longestSeconds, String worst, Distribution millis, int gaps) {}

  /**
   * One project locked by a writer, the others watched.
   *
   * @param heldSeconds from the writer's {@code BEGIN EXCLUSIVE} returning to its {@code COMMIT} returning
   * @param without the other projects' gaps in a watch of the same length without a lock, just before
   * @param others the other projects' gaps while watched from a second before the lock to two after it
   * @param lockedErrors the locked project's poll errors during the watch (0: the lock did not bite)
   * @param lockedGapSeconds the locked project's longest gap between successful polls in that watch
   */
  record Lock(String project, double heldSeconds, Gaps without, Gaps others, double lockedErrors,
      double lockedGapSeconds) {}

  /**
   * The watched service's memory: after its first load, every 30 s of the soak, at its end.
   *
   * @param threads the JVM's threads at the end
   * @param allUp every project {@code agent_workflow_database_up 1} at the end
   * @param scrapesMillis the soak's scrapes, each as Prometheus asks (gzip), timed from connecting to the last byte
   * @param gzipBytes the last one's size
   */
  record Memory(long afterLoadKib, long afterLoadPeakKib, List<Long> soakKib, long peakKib, double soakSeconds,
      int threads, boolean allUp, Distribution scrapesMillis, int gzipBytes) {
    long lastKib() {
      return soakKib.get(soakKib.size() - 1);
    }
  }

  /**
   * @param invocationRows rows of agent_invocations in all projects (with subagent_stop)
   * @param invocations of them, agents' invocations (not subagent_stop)
   * @param finished of those, the ones ended, as the generator wrote them
   * @param series samples in a full scrape of the service on the projects
   * @param scrapeBytes bytes of that scrape, plain text
   */
  record Figures(Plan plan, long invocationRows, long invocations, long finished, long sessions, long partsBytes, long unionBytes,
      double generatedSeconds, List<Load> union, List<Load> projects, long series, long scrapeBytes, Load watched,
      Idle idle, Lock lock, Memory memory) {
    double ratio() {
      return median(projects) / median(union);
    }

    static double median(List<Load> loads) {
      return Report.Load.median(loads.stream().map(Load::seconds).toList());
    }

    /** Every load counted from scratch, and the same finished invocations on both sides. */
    boolean countsRight() {
      double expected = union.get(0).invocations();
      return expected > 0 && java.util.stream.Stream.concat(union.stream(), projects.stream())
          .allMatch(l -> l.fromScratch() && l.invocations() == expected);
    }
  }

  /**
   * A service stopped before its figures were taken (its JVM out of memory, say): this part's
   * figures are not there, and the report says why instead.
   */
  static final class Stopped extends Exception {
    private static final long serialVersionUID = 1L;

    Stopped(String what, ExporterProcess process) throws IOException {
      super(what + " stopped: " + reason(process));
      // the whole output for whoever looks into it; the report keeps the one line that says why
      System.err.println(what + " stopped; its output:\n" + process.stdout() + process.stderr());
    }

    private Stopped(String message) {
      super(message);
    }

    /** The same, with what was measured before it. */
    Stopped and(String measured) {
      return new Stopped(getMessage() + "; " + measured);
    }

    /** -XX:+ExitOnOutOfMemoryError's line (on stdout) if there is one, else the last line of the log. */
    private static String reason(ExporterProcess process) throws IOException {
      String out = process.stdout() + process.stderr();
      String line = out.lines().filter(l -> l.contains("Terminating due to")).findFirst()
          .orElse(out.lines().filter(l -> !l.isBlank()).reduce((a, b) -> b).orElse("no output"));
      return line.length() > 300 ? line.substring(0, 300) + "…" : line;
    }
  }

  /** How often the lock's watch scrapes: well inside the polling interval, so that no poll goes unseen. */
  private static final Duration WATCH_EVERY = Duration.ofMillis(200);
  private static final String UP = "agent_workflow_database_up";
  private static final String RESTORED = "agent_workflow_exporter_state_restored";
  private static final String POLL_DURATION = "agent_workflow_exporter_poll_duration_seconds";
  private static final String LAST_SUCCESS = "agent_workflow_exporter_last_poll_success_timestamp_seconds";
  private static final String POLL_ERRORS = "agent_workflow_exporter_poll_errors_total";
  private static final String ROWS_READ = "agent_workflow_exporter_rows_read_total";
  private static final Pattern PROJECT_SAMPLE = Pattern.compile(
      "^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{project=\"([^\"]*)\"[^}]*\\}|\\{\\}|) (\\S+)$", Pattern.MULTILINE);
  private static final Pattern THREADS = Pattern.compile("^Threads:\\s+(\\d+)$", Pattern.MULTILINE);

  private ManyDatabasesSteps() {}

  static Figures run(Plan plan, Path dataDir, Path workDir) throws Exception {
    List<Dataset> parts = plan.parts();
    List<Path> files = parts.stream().map(d -> d.file(dataDir)).toList();
    Path union = plan.union(dataDir);
    double generated = Datasets.ensure(dataDir, parts).stream().mapToDouble(Double::doubleValue).sum();
    generated += Datasets.ensureUnion(union, files);
    long partsBytes = 0;
    for (Path file : files) {
      partsBytes += Files.size(file);
    }
    long[] rows = rows(union);
    try {
      // Untimed, as before the other first loads: every page of both sides in the page cache.
      for (Path file : files) {
        readThrough(file);
      }
      readThrough(union);
      List<Load> unionLoads = new ArrayList<>();
      List<Load> projectLoads = new ArrayList<>();
      String metrics = "";
      for (int i = 0; i < plan.loads(); i++) {
        unionLoads.add(loadUnion(union, workDir, i).load());
        try {
          Loaded loaded = loadProjects(plan, files, workDir, Duration.ofSeconds(15), "load-" + i);
          loaded.process().close();
          projectLoads.add(loaded.load());
          metrics = loaded.metrics();
        } catch (Stopped e) {
          throw e.and("the service on the union had its first complete scrape %.2f s after its start (/-/ready: %.2f s)"
              .formatted(unionLoads.get(i).seconds(), unionLoads.get(i).readySeconds()));
        }
      }
      long series = metrics.lines().filter(l -> !l.startsWith("#") && !l.isBlank()).count();
      long scrapeBytes = metrics.length() - 1L; // Benchmark.scrape puts a newline before it; the rest is ASCII
      Watched watched = watched(plan, parts, files, workDir);
      return new Figures(plan, rows[0], rows[1], rows[2], rows[3], partsBytes, Files.size(union), generated, unionLoads,
          projectLoads, series, scrapeBytes, watched.load(), watched.idle(), watched.lock(), watched.memory());
    } finally {
      for (Path file : files) {
        Datasets.restore(file);
      }
      Datasets.restore(union);
    }
  }

  /** A service and its first complete scrape. */
  private record Loaded(ExporterProcess process, int port, Load load, String metrics) {}

  /** The service on the union: the launcher, as the first loads of the other files are started. */
  private static Loaded loadUnion(Path union, Path workDir, int n) throws Exception {
    Path state = Benchmark.freshStateFile(workDir, union, n);
    long started = System.nanoTime();
    ExporterProcess process = Benchmark.startService(union, state, workDir);
    try {
      int port = Benchmark.awaitPort(process);
      Complete complete = awaitComplete(process, port, List.of(""), "the service on the union", started);
      String metrics = complete.metrics();
      Load load = new Load(complete.seconds(), complete.readySeconds(), process.residentKib(),
          process.peakResidentKib(), ToolUseSteps.sum(metrics, "agent_invocation_total"),
          Benchmark.value(metrics, RESTORED) == 0);
      return new Loaded(process, port, load, metrics);
    } finally {
      process.close();
    }
  }

  /**
   * The service on every project, by the launcher with a {@code --db pNN=PATH} each, polling every
   * {@code interval}, and its state files in a folder of their own where nothing is yet
   * ({@code STATE_DIRECTORY}, as systemd gives it). Left running for the caller.
   */
  private static Loaded loadProjects(Plan plan, List<Path> files, Path workDir, Duration interval, String name)
      throws Exception {
    Path stateFolder = workDir.resolve("state").resolve("projects-" + name);
    deleteTree(stateFolder);
    Files.createDirectories(stateFolder);
    List<String> args = new ArrayList<>();
    List<String> projects = new ArrayList<>();
    for (int i = 0; i < files.size(); i++) {
      String project = Dataset.projectName(i + 1);
      projects.add(project);
      args.addAll(List.of("--db", project + "=" + files.get(i).toAbsolutePath()));
    }
    args.addAll(List.of("--bind", "127.0.0.1", "--port", "0", "--interval", Long.toString(interval.toSeconds())));
    long started = System.nanoTime();
    ExporterProcess process = ExporterProcess.launch(ExporterProcess.LAUNCHER.toAbsolutePath(), workDir,
        Map.of("STATE_DIRECTORY", stateFolder.toAbsolutePath().toString()), args.toArray(String[]::new));
    try {
      int port = Benchmark.awaitPort(process);
      Complete complete = awaitComplete(process, port, projects,
          "the service on the %d projects (--interval %d)".formatted(files.size(), interval.toSeconds()), started);
      double seconds = complete.seconds();
      String metrics = complete.metrics();
      Map<String, Double> restored = perProject(metrics, RESTORED);
      boolean fromScratch = restored.size() == plan.databases() && restored.values().stream().allMatch(v -> v == 0);
      Load load = new Load(seconds, complete.readySeconds(), process.residentKib(), process.peakResidentKib(),
          ToolUseSteps.sum(metrics, "agent_invocation_total"), fromScratch);
      return new Loaded(process, port, load, metrics);
    } catch (Exception | Error e) {
      process.close();
      throw e;
    }
  }

  /**
   * The first complete scrape, when its answer was in, and when {@code /-/ready} first answered 200
   * (seconds from process start).
   */
  private record Complete(String metrics, double seconds, double readySeconds) {}

  /**
   * The first complete scrape: {@code /-/ready} answers 200 (looked at every 10 ms: it is cheap),
   * then a full scrape shows {@code agent_workflow_database_up 1} for every project ({@code ""}: the
   * one database of a service without the label).
   */
  private static Complete awaitComplete(ExporterProcess process, int port, List<String> projects, String what,
      long startedNanos) throws Exception {
    double ready = Double.NaN;
    while (true) {
      if (status(port, "/-/ready") == 200) {
        if (Double.isNaN(ready)) {
          ready = (System.nanoTime() - startedNanos) / 1e9;
        }
        Benchmark.Answer answer = Benchmark.receive(port);
        // the clock stops when the answer's last byte is in: inflating it (30 MB of text for 50
        // projects) and looking through it for every project's up (240,000 lines) is the
        // benchmark's work, not the service's
        double received = (answer.receivedNanos() - startedNanos) / 1e9;
        String metrics = answer.text();
        Map<String, Double> up = perProject(metrics, UP);
        if (projects.stream().allMatch(p -> up.getOrDefault(p, 0.0) == 1)) {
          return new Complete(metrics, received, ready);
        }
      }
      if (!process.isAlive()) {
        throw new Stopped(Double.isNaN(ready) ? what
            : "%s (its /-/ready answered 200 %.2f s after its start, then a full scrape was asked for)".formatted(what,
                ready), process);
      }
      Thread.sleep(10);
    }
  }

  /** What the service polling every {@link Plan#interval()} showed. */
  private record Watched(Load load, Idle idle, Lock lock, Memory memory) {}

  /** The service whose idle polls, lock and memory are measured, on the projects, polling every {@link Plan#interval()}. */
  private static Watched watched(Plan plan, List<Dataset> parts, List<Path> files, Path workDir) throws Exception {
    Loaded loaded = loadProjects(plan, files, workDir, plan.interval(), "watched");
    ExporterProcess process = loaded.process();
    long started = System.nanoTime();
    try {
      long afterLoadKib = process.residentKib();
      long afterLoadPeakKib = process.peakResidentKib();
      try {
        Idle idle = idle(plan, loaded.port());
        Lock lock = lock(plan, files, loaded.port());
        Memory memory = soak(plan, parts, files, loaded, afterLoadKib, afterLoadPeakKib, started);
        return new Watched(loaded.load(), idle, lock, memory);
      } catch (IOException e) {
        if (!process.isAlive()) {
          throw new Stopped("the service on the %d projects (--interval %d), after its first load"
              .formatted(files.size(), plan.interval().toSeconds()), process);
        }
        throw e;
      }
    } finally {
      process.close();
    }
  }

  /** Idle scrapes come this many polling intervals apart. */
  static final int IDLE_SPACING = 4;

  /**
   * Scrapes of the poll durations, each {@value #IDLE_SPACING} polling intervals after the one
   * before, once two intervals passed without a write. Even a scrape of a few families collects every
   * family again after a poll (ExpositionCache), which takes the CPU for a while with this many
   * series; so far apart, the polls a scrape shows ran after the last one's collecting was done.
   */
  private static Idle idle(Plan plan, int port) throws Exception {
    long every = plan.interval().toMillis() * IDLE_SPACING;
    Thread.sleep(2 * plan.interval().toMillis());
    double[] sums = new double[plan.idleSamples()];
    List<Double> each = new ArrayList<>();
    double rowsBefore = 0;
    double rowsAfter = 0;
    for (int i = 0; i < plan.idleSamples(); i++) {
      Thread.sleep(every);
      String metrics = scrape(port, POLL_DURATION, ROWS_READ);
      Map<String, Double> durations = perProject(metrics, POLL_DURATION);
      if (durations.size() != plan.databases()) {
        throw new IllegalStateException("a scrape showed the poll duration of " + durations.size() + " projects");
      }
      sums[i] = durations.values().stream().mapToDouble(Double::doubleValue).sum() * 1000;
      durations.values().forEach(seconds -> each.add(seconds * 1000));
      double rows = total(metrics, ROWS_READ);
      rowsBefore = i == 0 ? rows : rowsBefore;
      rowsAfter = rows;
    }
    return new Idle(Distribution.of(sums), Distribution.of(each.stream().mapToDouble(Double::doubleValue).toArray()),
        rowsAfter - rowsBefore);
  }

  /**
   * First a watch without a lock, as long as the one with it; then the writer takes one project's
   * database with {@code BEGIN EXCLUSIVE} (no reader gets in until it ends), starts a session there
   * with the hooks' statement, holds the lock for {@link Plan#lock()} and commits.
   */
  private static Lock lock(Plan plan, List<Path> files, int port) throws Exception {
    String locked = plan.lockedProject();
    Path file = files.get(Integer.parseInt(locked.substring(1)) - 1);
    long before = 1_000;
    long after = 2_000;
    long watchMillis = before + plan.lock().toMillis() + after;
    Map<String, List<Double>> quiet = watch(port, System.nanoTime() + watchMillis * 1_000_000, null);
    Gaps without = gaps(quiet, locked);

    Map<String, List<Double>> seen = new HashMap<>();
    Map<String, Double> errorsBefore = perProject(scrape(port, POLL_ERRORS), POLL_ERRORS);
    long watchStarted = System.nanoTime();
    watch(port, watchStarted + before * 1_000_000, seen);
    double held;
    try (Connection writer = Datasets.connect(file); Statement s = writer.createStatement()) {
      s.execute("PRAGMA busy_timeout = 5000"); // as the hooks' Python connections wait
      s.execute("BEGIN EXCLUSIVE");
      long lockedAt = System.nanoTime();
      try (HookWriter.Batch hooks = new HookWriter(ZoneOffset.UTC).on(writer)) {
        hooks.startSession(Datasets.BENCH_SESSION_PREFIX + "lock-" + Instant.now().toEpochMilli(),
            Clock.systemUTC().instant(), "/home/dev/bench", "{}");
      }
      watch(port, lockedAt + plan.lock().toNanos(), seen);
      s.execute("COMMIT");
      held = (System.nanoTime() - lockedAt) / 1e9;
    }
    watch(port, System.nanoTime() + after * 1_000_000, seen);
    Map<String, Double> errorsAfter = perProject(scrape(port, POLL_ERRORS), POLL_ERRORS);
    Gaps others = gaps(seen, locked);
    Gaps lockedGaps = gaps(Map.of(locked, seen.getOrDefault(locked, List.of())), null);
    return new Lock(locked, held, without, others, errorsAfter.get(locked) - errorsBefore.get(locked),
        lockedGaps.longestSeconds());
  }

  /**
   * Scrapes every {@link #WATCH_EVERY} until {@code endNanos}, adding each project's last successful
   * poll, when it changed, to {@code seen} (a new map when null); returns it.
   */
  private static Map<String, List<Double>> watch(int port, long endNanos, Map<String, List<Double>> seen)
      throws Exception {
    Map<String, List<Double>> times = seen == null ? new HashMap<>() : seen;
    while (System.nanoTime() < endNanos) {
      long next = System.nanoTime() + WATCH_EVERY.toNanos();
      perProject(scrape(port, LAST_SUCCESS), LAST_SUCCESS).forEach((project, at) -> {
        List<Double> list = times.computeIfAbsent(project, p -> new ArrayList<>());
        if (at > 0 && (list.isEmpty() || list.get(list.size() - 1) != at.doubleValue())) {
          list.add(at);
        }
      });
      Thread.sleep(Math.max(0, Math.min(next, endNanos) - System.nanoTime()) / 1_000_000);
    }
    return times;
  }

  /** The gaps between successive successful polls of each project but {@code except}. */
  private static Gaps gaps(Map<String, List<Double>> seen, String except) {
    List<Double> all = new ArrayList<>();
    double longest = 0;
    String worst = "";
    for (Map.Entry<String, List<Double>> e : new TreeMap<>(seen).entrySet()) {
      if (e.getKey().equals(except)) {
        continue;
      }
      List<Double> times = e.getValue();
      for (int i = 1; i < times.size(); i++) {
        double gap = times.get(i) - times.get(i - 1);
        all.add(gap * 1000);
        if (gap > longest) {
          longest = gap;
          worst = e.getKey();
        }
      }
    }
    return new Gaps(longest, worst, Distribution.of(all.stream().mapToDouble(Double::doubleValue).toArray()),
        all.size());
  }

  /**
   * Until the soak is up: every 5 s the hooks' statements change 100 rows in the next project in
   * turn, a full scrape every 15 s as Prometheus asks for it (timed), the resident memory every 30 s;
   * then the memory, the threads, and whether every project is up.
   */
  private static Memory soak(Plan plan, List<Dataset> parts, List<Path> files, Loaded loaded, long afterLoadKib,
      long afterLoadPeakKib, long started) throws Exception {
    ExporterProcess process = loaded.process();
    long end = System.nanoTime() + plan.soak().toNanos();
    long nextScrape = 0;
    long nextSample = 0;
    List<Long> residentKib = new ArrayList<>();
    List<Double> scrapes = new ArrayList<>();
    int gzipBytes = 0;
    Map<Integer, SteadyWriter> writers = new LinkedHashMap<>();
    try {
      for (int round = 0; System.nanoTime() < end; round++) {
        int n = round % files.size();
        SteadyWriter writer = writers.get(n);
        if (writer == null) {
          writer = new SteadyWriter(files.get(n), parts.get(n), Clock.systemUTC());
          writers.put(n, writer);
        }
        writer.round(100);
        long now = System.nanoTime();
        if (now >= nextScrape) {
          ScrapeLoad.One scrape = ScrapeLoad.once(loaded.port());
          scrapes.add(scrape.millis());
          gzipBytes = scrape.gzipBytes();
          nextScrape = now + 15_000_000_000L;
        }
        if (now >= nextSample) {
          residentKib.add(process.residentKib());
          nextSample = now + 30_000_000_000L;
        }
        Thread.sleep(Math.max(0, Math.min(5_000, (end - System.nanoTime()) / 1_000_000)));
      }
    } finally {
      for (SteadyWriter writer : writers.values()) {
        writer.close();
      }
    }
    Thread.sleep(plan.interval().toMillis() * 2); // the last round read
    residentKib.add(process.residentKib());
    Map<String, Double> up = perProject(scrape(loaded.port(), UP), UP);
    boolean allUp = up.size() == plan.databases() && up.values().stream().allMatch(v -> v == 1);
    Matcher threads = THREADS.matcher(Files.readString(Path.of("/proc", Long.toString(process.pid()), "status")));
    return new Memory(afterLoadKib, afterLoadPeakKib, residentKib, process.peakResidentKib(),
        (System.nanoTime() - started) / 1e9, threads.find() ? Integer.parseInt(threads.group(1)) : -1, allUp,
        Distribution.of(scrapes.stream().mapToDouble(Double::doubleValue).toArray()), gzipBytes);
  }

  /** Invocation rows, invocations (agent named), finished ones (agent named, ended), sessions. */
  private static long[] rows(Path file) throws SQLException {
    String[] queries = {"SELECT count(*) FROM agent_invocations",
        "SELECT count(*) FROM agent_invocations WHERE agent_name IS NOT NULL",
        "SELECT count(*) FROM agent_invocations WHERE agent_name IS NOT NULL AND status <> 'started'",
        "SELECT count(*) FROM sessions"};
    long[] counts = new long[queries.length];
    try (Connection c = Datasets.connect(file); Statement s = c.createStatement()) {
      for (int i = 0; i < queries.length; i++) {
        try (ResultSet rs = s.executeQuery(queries[i])) {
          counts[i] = rs.getLong(1);
        }
      }
    }
    return counts;
  }

  /** Reads the file from start to end, so that its pages are in the page cache. */
  private static void readThrough(Path file) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20);
    try (FileChannel channel = FileChannel.open(file)) {
      while (channel.read(buffer) >= 0) {
        buffer.clear();
      }
    }
  }

  /** Each project's value of a family with the {@code project} label; key {@code ""} for one without labels. */
  static Map<String, Double> perProject(String metrics, String name) {
    Map<String, Double> values = new TreeMap<>();
    Matcher m = PROJECT_SAMPLE.matcher(metrics);
    while (m.find()) {
      if (m.group(1).equals(name)) {
        values.put(m.group(2) == null ? "" : m.group(2), Double.parseDouble(m.group(3)));
      }
    }
    return values;
  }

  /** The sum of a family's samples, whatever their labels. */
  private static double total(String metrics, String name) {
    Matcher m = Pattern.compile("^" + Pattern.quote(name) + "(?:\\{[^}]*\\})? (\\S+)$", Pattern.MULTILINE)
        .matcher(metrics);
    double sum = 0;
    while (m.find()) {
      sum += Double.parseDouble(m.group(1));
    }
    return sum;
  }

  /** Only the families named ({@code ?name[]=}), as text. */
  private static String scrape(int port, String... names) throws IOException {
    StringBuilder query = new StringBuilder();
    for (String name : names) {
      query.append(query.length() == 0 ? "?" : "&").append("name[]=").append(name);
    }
    return get(port, "/metrics" + query);
  }

  private static String get(int port, String path) throws IOException {
    HttpURLConnection connection = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + path).toURL()
        .openConnection();
    connection.setConnectTimeout(10_000);
    connection.setReadTimeout(30_000);
    try (var body = connection.getInputStream()) {
      return "\n" + new String(body.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  private static int status(int port, String path) {
    try {
      HttpURLConnection connection = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + path).toURL()
          .openConnection();
      connection.setConnectTimeout(10_000);
      connection.setReadTimeout(30_000);
      int code = connection.getResponseCode();
      try (var body = code < 400 ? connection.getInputStream() : connection.getErrorStream()) {
        if (body != null) {
          body.readAllBytes(); // so that the connection is kept alive for the next look
        }
      }
      return code;
    } catch (IOException notYet) {
      return -1;
    }
  }

  private static void deleteTree(Path folder) throws IOException {
    if (Files.exists(folder)) {
      try (var paths = Files.walk(folder)) {
        for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
  }
}
