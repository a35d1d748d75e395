package dev.agentworkflow.exporter.bench;

import dev.agentworkflow.exporter.app.Exporter;
import dev.agentworkflow.exporter.app.ExporterSettings;
import dev.agentworkflow.exporter.db.ShippedTable;
import dev.agentworkflow.exporter.db.StoreAddress;
import dev.agentworkflow.exporter.db.StoreReader;
import dev.agentworkflow.exporter.db.TableReader;
import dev.agentworkflow.exporter.db.TimestampParser;
import dev.agentworkflow.exporter.metrics.WorkflowCollector;
import dev.agentworkflow.exporter.model.ProjectPoll;
import dev.agentworkflow.exporter.model.PublishedPolls;
import dev.agentworkflow.exporter.poll.StorePoller;
import dev.agentworkflow.exporter.project.StoreSource;
import dev.agentworkflow.exporter.ship.Shipper;
import dev.agentworkflow.exporter.support.Exposition;
import dev.agentworkflow.exporter.support.HookDatabase;
import dev.agentworkflow.exporter.support.Scraper;
import dev.agentworkflow.exporter.support.TeamStore;
import dev.agentworkflow.exporter.support.TestSettings;
import io.prometheus.client.exporter.common.TextFormat;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Issue 17's targets, the team's PostgreSQL store, on a real PostgreSQL started by the tests'
 * harness ({@link TeamStore}: the schema, grants and roles of deploy/postgresql/, over TCP with
 * passwords):
 *
 * <ol>
 *   <li><b>ship</b>: {@link Shipper#ship()} of the benchmark's 1M-invocation file into an empty
 *       store, next to {@code psql}'s {@code \copy} of the same columns, exported beforehand
 *       (untimed) by the {@code sqlite3} shell to CSV, into an empty second database made from the
 *       same schema.sql; in turns ({@code \copy}, ship; ship, {@code \copy}; …), each side emptied by
 *       TRUNCATE and a CHECKPOINT before each run. The file has sessions as well as invocations
 *       (no tool uses): the baseline copies both tables;
 *   <li><b>steady poll</b>: with those rows in the store, a {@link StorePoller} wired as the
 *       exporter wires it; its first poll (the whole store), then before each timed poll the hooks
 *       change rows in the file ({@link SteadyWriter}, as the SQLite steady polls) and the shipper
 *       ships them, untimed;
 *   <li><b>concurrent shippers</b>: an emptied store with a deferred constraint trigger that sleeps
 *       a random time at COMMIT (so shipping transactions commit late and out of the order of
 *       their transaction ids); files written by hook-like writers, each shipped by a thread of its
 *       own, the store polled all along; then the writers stop, a last ship, a last poll, and each
 *       project's counters and histograms against exporters of its files alone.
 * </ol>
 */
final class StoreSteps {
  /**
   * What this part measures.
   *
   * @param dataset the file shipped and polled (steps 1 and 2)
   * @param shipRuns runs of each side of step 1
   * @param warmupPolls untimed steady polls before the timed ones
   * @param polls timed steady polls
   * @param changedRows rows the hooks change before each steady poll
   * @param projects projects of step 3
   * @param hostsPerProject files of each project in step 3, each from a host of its own
   * @param concurrentFor how long the writers, shippers and poller of step 3 run
   * @param writerPause each writer's pause between two hook statements, about (0 to twice this)
   * @param shipEvery each shipper's pause between two ships, about (±50%)
   * @param pollEvery the poller's interval
   * @param maxCommitDelaySeconds the trigger sleeps a uniform random time up to this at COMMIT
   */
  record Plan(String name, Dataset dataset, int shipRuns, int warmupPolls, int polls, int changedRows, int projects,
      int hostsPerProject, Duration concurrentFor, Duration writerPause, Duration shipEvery, Duration pollEvery,
      double maxCommitDelaySeconds) {
    int files() {
      return projects * hostsPerProject;
    }
  }

  static final Plan FULL = new Plan("store", Dataset.realistic("1M", 1_000_000), 3, 5, 50, 100, 4, 2,
      Duration.ofSeconds(60), Duration.ofMillis(10), Duration.ofMillis(200), Duration.ofMillis(500), 0.3);
  /** Small, to show the harness works: says nothing about speed. */
  static final Plan SMOKE = new Plan("store-smoke", Dataset.realistic("20k", 20_000), 3, 1, 5, 100, 2, 2,
      Duration.ofSeconds(5), Duration.ofMillis(10), Duration.ofMillis(200), Duration.ofMillis(500), 0.3);

  /** One run of each side of step 1; the {@code \copy} of each table timed apart (psql start to exit). */
  record ShipRun(double shipSeconds, long rowsShipped, int rounds, double copySessionsSeconds,
      double copyInvocationsSeconds) {
    double copySeconds() {
      return copySessionsSeconds + copyInvocationsSeconds;
    }

    double ratio() {
      return shipSeconds / copySeconds();
    }
  }

  /**
   * Step 1's figures.
   *
   * @param fileRows the file's rows by table
   * @param storeRows the store's after the last ship
   * @param copyRows the baseline database's after the last {@code \copy}
   * @param sameContent the store's rows and the baseline's hash the same (every shipped column)
   * @param csvBytes the two CSV files' size
   */
  record Ship(List<ShipRun> runs, Map<String, Long> fileRows, Map<String, Long> storeRows,
      Map<String, Long> copyRows, Map<String, String> sameContent, long csvBytes, double exportSeconds) {
    double medianRatio() {
      return Report.Load.median(runs.stream().map(ShipRun::ratio).toList());
    }
  }

  /**
   * Step 2's figures.
   *
   * @param rowsPerPoll the fewest and most rows a timed poll read
   * @param shipMillis the untimed ships before the timed polls, for the record
   */
  record Steady(double firstPollSeconds, long firstPollRows, Distribution millis, long fewestRows, long mostRows,
      Distribution shipMillis) {}

  /**
   * Step 3's figures.
   *
   * @param statements hook statements the writers ran (each inserts or updates a row)
   * @param fileRows rows of every file together, by table, at the end
   * @param storeRows the store's, by table
   * @param rowMismatches sources whose row counts differ from their file's
   * @param pollMillis the poller's polls while the rest ran
   * @param pollFailures polls that failed, with the first problem
   * @param ships calls of ship() by the shipper threads, those that shipped rows, and those that failed
   * @param commits delayed shipping transactions, and those that committed after one with a higher id
   * @param compared series compared (counters and histograms of the workflow, total_sessions)
   * @param mismatches series whose store value differs from the sum of its project's files alone
   * @param restartMismatches the same for a new store poller's first poll, after the last one (a restart)
   */
  record Concurrent(int files, int projects, double seconds, long statements, Map<String, Long> fileRows,
      Map<String, Long> storeRows, List<String> rowMismatches, Distribution pollMillis, long pollFailures,
      String firstPollProblem, long ships, long shipsWithRows, long shipFailures, String firstShipProblem,
      long commits, long outOfOrder, int compared, List<String> mismatches, List<String> restartMismatches) {
    boolean exactlyOnce() {
      return rowMismatches.isEmpty() && mismatches.isEmpty() && restartMismatches.isEmpty() && compared > 0
          && pollFailures == 0;
    }
  }

  /** @param loads the machine's load averages (1, 5, 15 min) at the start of each step and at the end */
  record Figures(Plan plan, String postgres, String psql, Map<String, String> settings, Ship ship, Steady steady,
      Concurrent concurrent, List<String> loads) {}

  private static final List<String> TABLES = List.of("sessions", "agent_invocations", "agent_tool_uses");
  private static final String COPY_DATABASE = "store_copy";
  private static final String PROJECT = "bench";
  private static final String HOST = "bench-host";

  private StoreSteps() {}

  static Figures run(Plan plan, Path dataDir, Path workDir) throws Exception {
    Path file = plan.dataset().file(dataDir);
    Path dir = Files.createTempDirectory(workDir, "store-");
    List<String> loads = new ArrayList<>();
    loads.add(loadAverage());
    try (TeamStore store = TeamStore.start(dir)) {
      String postgres = superuserText(store, "SELECT version()");
      Map<String, String> settings = new LinkedHashMap<>();
      for (String name : List.of("fsync", "synchronous_commit", "full_page_writes", "wal_level", "shared_buffers",
          "max_wal_size", "checkpoint_timeout")) {
        settings.put(name, superuserText(store, "SHOW " + name));
      }
      Ship ship;
      Steady steady;
      Shipper shipper = null;
      try {
        ShipOutcome outcome = ship(plan, store, file, dir);
        ship = outcome.figures();
        shipper = outcome.lastShipper();
        loads.add(loadAverage());
        steady = steady(plan, store, file, shipper);
      } finally {
        if (shipper != null) {
          shipper.close();
        }
        Datasets.restore(file);
      }
      loads.add(loadAverage());
      Concurrent concurrent = concurrent(plan, store, dir);
      loads.add(loadAverage());
      return new Figures(plan, postgres, psqlVersion(), settings, ship, steady, concurrent, loads);
    } finally {
      deleteTree(dir);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Step 1: ship against \copy

  private record ShipOutcome(Ship figures, Shipper lastShipper) {}

  private static ShipOutcome ship(Plan plan, TeamStore store, Path file, Path dir) throws Exception {
    store.server().createDatabase(COPY_DATABASE);
    store.server().execute(COPY_DATABASE, Files.readString(Path.of("deploy/postgresql/schema.sql")));
    store.server().execute(COPY_DATABASE,
        "INSERT INTO agent_workflow_sources (project, host, epoch) VALUES ('" + PROJECT + "', 'psql', 1)");
    long copySource = number(store, COPY_DATABASE, "SELECT source_id FROM agent_workflow_sources");

    long exportStarted = System.nanoTime();
    Path sessionsCsv = dir.resolve("sessions.csv");
    Path invocationsCsv = dir.resolve("agent_invocations.csv");
    export(file, sessionsCsv, ShippedTable.sessions(false), "rowid", copySource);
    export(file, invocationsCsv, ShippedTable.invocations(false), "id", copySource);
    double exportSeconds = (System.nanoTime() - exportStarted) / 1e9;
    long csvBytes = Files.size(sessionsCsv) + Files.size(invocationsCsv);
    System.err.printf("store: exported %s to CSV (%,d MB) in %.0f s%n", file, csvBytes >> 20, exportSeconds);

    List<ShipRun> runs = new ArrayList<>();
    Shipper last = null;
    for (int run = 0; run < plan.shipRuns(); run++) {
      double[] copied = null;
      double shipSeconds = 0;
      Shipper.Shipped shipped = null;
      for (int side = 0; side < 2; side++) {
        boolean copyNow = (side == 0) == (run % 2 == 0); // \copy first in even runs, ship first in odd ones
        if (copyNow) {
          store.server().execute(COPY_DATABASE, "TRUNCATE sessions, agent_invocations, agent_tool_uses", "CHECKPOINT");
          copied = new double[] {
              copy(store, ShippedTable.sessions(false), sessionsCsv),
              copy(store, ShippedTable.invocations(false), invocationsCsv)};
        } else {
          if (last != null) {
            last.close();
          }
          store.execute("TRUNCATE agent_workflow_sources, sessions, agent_invocations, agent_tool_uses RESTART IDENTITY",
              "CHECKPOINT");
          last = store.shipper(file, PROJECT, HOST, false);
          long started = System.nanoTime();
          shipped = last.ship();
          shipSeconds = (System.nanoTime() - started) / 1e9;
          if (shipped.problem().isPresent()) {
            throw new IllegalStateException("the ship failed: " + shipped.problem().get());
          }
        }
      }
      ShipRun r = new ShipRun(shipSeconds, shipped.rows(), shipped.rounds(), copied[0], copied[1]);
      System.err.printf("store: run %d: ship %.2f s (%,d rows, %d rounds), \\copy %.2f + %.2f s%n", run + 1,
          r.shipSeconds(), r.rowsShipped(), r.rounds(), r.copySessionsSeconds(), r.copyInvocationsSeconds());
      runs.add(r);
    }
    Map<String, Long> fileRows = fileRows(file);
    Map<String, Long> storeRows = new LinkedHashMap<>();
    Map<String, Long> copyRows = new LinkedHashMap<>();
    for (String table : TABLES) {
      storeRows.put(table, store.number("SELECT count(*) FROM " + table));
      copyRows.put(table, number(store, COPY_DATABASE, "SELECT count(*) FROM " + table));
    }
    Map<String, String> same = new LinkedHashMap<>();
    for (ShippedTable table : List.of(ShippedTable.sessions(false), ShippedTable.invocations(false))) {
      String hash = contentHash(table);
      String inStore = superuserText(store, hash);
      String inCopy = text(store, COPY_DATABASE, hash);
      same.put(table.name(), inStore.equals(inCopy) ? "same" : "store " + inStore + " vs \\copy " + inCopy);
    }
    store.server().execute("postgres", "DROP DATABASE " + COPY_DATABASE);
    Files.delete(sessionsCsv);
    Files.delete(invocationsCsv);
    return new ShipOutcome(new Ship(runs, fileRows, storeRows, copyRows, same, csvBytes, exportSeconds), last);
  }

  /** The shipped columns of {@code table}, as the shipper selects them, to CSV by the sqlite3 shell. */
  private static void export(Path file, Path csv, ShippedTable table, String key, long source) throws Exception {
    StringJoiner select = new StringJoiner(", ");
    select.add(Long.toString(source));
    select.add(key);
    for (TableReader.Column column : table.columns()) {
      select.add(column.cut() == TableReader.Cut.JSON_NUMBER ? jsonNumber(column.source(), column.field())
          : '"' + column.source() + '"');
    }
    String sql = "SELECT " + select + " FROM " + table.name() + " ORDER BY " + key;
    ProcessBuilder builder = new ProcessBuilder("sqlite3", "-readonly", "-csv", file.toAbsolutePath().toString(), sql)
        .redirectOutput(csv.toFile());
    Process p = builder.start();
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0 || !err.isBlank()) {
      throw new IllegalStateException("sqlite3 failed on " + file + ": " + err);
    }
  }

  /** {@code TableReader.Cut.JSON_NUMBER}'s expression, word for word (as {@link ShellScan}'s). */
  private static String jsonNumber(String source, String field) {
    return ("CASE WHEN typeof(\"%1$s\") = 'text' THEN CASE WHEN json_valid(\"%1$s\") THEN "
        + "CASE json_type(\"%1$s\", '$.%2$s') WHEN 'integer' THEN \"%1$s\" ->> '$.%2$s' "
        + "WHEN 'real' THEN \"%1$s\" ->> '$.%2$s' END END END").formatted(source, field);
  }

  /** Seconds from starting psql to its exit, having copied {@code csv} into the baseline database. */
  private static double copy(TeamStore store, ShippedTable table, Path csv) throws Exception {
    StringJoiner columns = new StringJoiner(", ");
    columns.add("source_id").add(table.key());
    table.columns().forEach(column -> columns.add('"' + column.name() + '"'));
    String command = "\\copy " + table.name() + " (" + columns + ") FROM '" + csv.toAbsolutePath()
        + "' WITH (FORMAT csv)";
    ProcessBuilder builder = new ProcessBuilder("psql", "-X", "-q", "-v", "ON_ERROR_STOP=1",
        "host=127.0.0.1 port=" + store.server().port() + " user=postgres dbname=" + COPY_DATABASE, "-c", command)
        .redirectErrorStream(true);
    builder.environment().keySet().removeIf(name -> name.startsWith("PG"));
    builder.environment().put("PGPASSWORD", store.server().superuserPassword());
    long started = System.nanoTime();
    Process p = builder.start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    int exit = p.waitFor();
    double seconds = (System.nanoTime() - started) / 1e9;
    if (exit != 0) {
      throw new IllegalStateException("psql failed (" + exit + "): " + out);
    }
    return seconds;
  }

  /** Rows, and a hash of every shipped column of every row (not the transaction ids, not the source). */
  private static String contentHash(ShippedTable table) {
    StringJoiner columns = new StringJoiner(", ");
    columns.add(table.key());
    table.columns().forEach(column -> columns.add('"' + column.name() + '"'));
    return "SELECT count(*) || ' rows, ' || coalesce(sum(hashtext(r::text)::bigint), 0) FROM (SELECT " + columns
        + " FROM " + table.name() + ") r";
  }

  /** /proc/loadavg's three averages: the machine's cores are shared with other work. */
  private static String loadAverage() throws IOException {
    Path loadavg = Path.of("/proc/loadavg");
    if (!Files.exists(loadavg)) {
      return "?";
    }
    String[] parts = Files.readString(loadavg).split(" ");
    return parts[0] + " " + parts[1] + " " + parts[2];
  }

  private static String psqlVersion() throws IOException, InterruptedException {
    Process p = new ProcessBuilder("psql", "--version").redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    p.waitFor();
    return out;
  }

  // ---------------------------------------------------------------------------------------------
  // Step 2: steady polls

  private static Steady steady(Plan plan, TeamStore store, Path file, Shipper shipper) throws Exception {
    Clock clock = Clock.systemUTC();
    ExporterSettings settings = Benchmark.inProcessSettings(file); // the dataset's zone, the service's defaults
    StoreSource source = store.forExporter();
    StorePoller poller = new StorePoller(new StoreReader(StoreAddress.parse(source.uri()), source.password(),
        new TimestampParser(settings.timezone()), Duration.ofSeconds(60)), () -> Exporter.newTracker(settings), clock);
    try (poller; SteadyWriter writer = new SteadyWriter(file, plan.dataset(), clock)) {
      long started = System.nanoTime();
      long rows = rowsRead(check(poller.poll()));
      double firstPoll = (System.nanoTime() - started) / 1e9;
      System.err.printf("store: first poll of the store %.2f s, %,d rows%n", firstPoll, rows);
      double[] millis = new double[plan.polls()];
      double[] shipMillis = new double[plan.polls()];
      long fewest = Long.MAX_VALUE;
      long most = 0;
      for (int i = -plan.warmupPolls(); i < plan.polls(); i++) {
        writer.round(plan.changedRows());
        long shipStarted = System.nanoTime();
        Shipper.Shipped shipped = shipper.ship();
        double shipMs = (System.nanoTime() - shipStarted) / 1e6;
        if (shipped.problem().isPresent()) {
          throw new IllegalStateException("a ship failed: " + shipped.problem().get());
        }
        long t = System.nanoTime();
        PublishedPolls polls = check(poller.poll());
        double ms = (System.nanoTime() - t) / 1e6;
        long now = rowsRead(polls);
        if (i >= 0) {
          millis[i] = ms;
          shipMillis[i] = shipMs;
          fewest = Math.min(fewest, now - rows);
          most = Math.max(most, now - rows);
        }
        rows = now;
      }
      return new Steady(firstPoll, rowsRead(check(poller.poll())), Distribution.of(millis), fewest, most,
          Distribution.of(shipMillis));
    }
  }

  private static long rowsRead(PublishedPolls polls) {
    return polls.projects().stream().flatMap(p -> p.poll().reads().rows().values().stream()).mapToLong(Long::longValue)
        .sum();
  }

  private static PublishedPolls check(PublishedPolls polls) {
    for (ProjectPoll project : polls.projects()) {
      if (!project.poll().database().up()) {
        throw new IllegalStateException("a poll of the store failed: " + project.poll().database().problem().orElse(""));
      }
    }
    return polls;
  }

  // ---------------------------------------------------------------------------------------------
  // Step 3: concurrent shippers, commits delayed at random

  private static final String DELAY_FUNCTION = """
      CREATE FUNCTION bench_commit_delay() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        -- once per transaction: the first deferred row's trigger sleeps, the others pass
        IF current_setting('bench.delayed', true) IS DISTINCT FROM 'yes' THEN
          PERFORM set_config('bench.delayed', 'yes', true);
          PERFORM pg_sleep(random() * %s);
          INSERT INTO bench_commits VALUES (pg_current_xact_id(), clock_timestamp());
        END IF;
        RETURN NULL;
      END $$""";
  private static final String DELAY_TRIGGER = """
      CREATE CONSTRAINT TRIGGER bench_commit_delay AFTER INSERT OR UPDATE ON %s
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bench_commit_delay()""";
  /** Commits that came after one with a higher transaction id, by the moment each left its delay. */
  private static final String OUT_OF_ORDER = """
      SELECT count(*) FILTER (WHERE xid < previous) FROM (
        SELECT xid, lag(xid) OVER (ORDER BY at, xid) AS previous FROM bench_commits) c""";

  /** One file, its writer, its shipper. */
  private static final class Source {
    final String project;
    final String host;
    final HookDatabase db;
    final Shipper shipper;
    final AtomicLong statements = new AtomicLong();

    Source(String project, String host, HookDatabase db, Shipper shipper) {
      this.project = project;
      this.host = host;
      this.db = db;
      this.shipper = shipper;
    }
  }

  private static Concurrent concurrent(Plan plan, TeamStore store, Path dir) throws Exception {
    store.execute("TRUNCATE agent_workflow_sources, sessions, agent_invocations, agent_tool_uses RESTART IDENTITY",
        "VACUUM ANALYZE", "CHECKPOINT",
        "CREATE UNLOGGED TABLE bench_commits (xid xid8, at timestamptz)",
        "GRANT INSERT ON bench_commits TO " + TeamStore.SHIPPER,
        DELAY_FUNCTION.formatted(Double.toString(plan.maxCommitDelaySeconds())),
        DELAY_TRIGGER.formatted("agent_invocations"), DELAY_TRIGGER.formatted("agent_tool_uses"));
    List<Source> sources = new ArrayList<>();
    for (int p = 1; p <= plan.projects(); p++) {
      for (int h = 1; h <= plan.hostsPerProject(); h++) {
        String project = "proj-" + p;
        String host = "host-" + h;
        Path path = dir.resolve(host).resolve(project).resolve("logs").resolve("agent_workflow.db");
        Files.createDirectories(path.getParent());
        HookDatabase db = HookDatabase.create(path);
        sources.add(new Source(project, host, db, store.shipper(path, project, host, false)));
      }
    }
    Clock clock = Clock.systemUTC();
    ExporterSettings settings = TestSettings.of(dir.resolve("unused.db")); // the hooks' zone, as the files alone
    StoreSource exporterSide = store.forExporter();
    StorePoller poller = new StorePoller(new StoreReader(StoreAddress.parse(exporterSide.uri()),
        exporterSide.password(), new TimestampParser(settings.timezone()), Duration.ofSeconds(60)),
        () -> Exporter.newTracker(settings), clock);

    AtomicBoolean writing = new AtomicBoolean(true);
    AtomicBoolean shipping = new AtomicBoolean(true);
    AtomicBoolean polling = new AtomicBoolean(true);
    ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
    AtomicLong ships = new AtomicLong();
    AtomicLong shipsWithRows = new AtomicLong();
    AtomicLong shipFailures = new AtomicLong();
    List<Double> pollMillis = Collections.synchronizedList(new ArrayList<>());
    AtomicLong pollFailures = new AtomicLong();
    List<String> pollProblems = Collections.synchronizedList(new ArrayList<>());
    List<Thread> writers = new ArrayList<>();
    List<Thread> shippers = new ArrayList<>();
    long started = System.nanoTime();
    int n = 0;
    for (Source source : sources) {
      long seed = 17_000L + n++;
      writers.add(started("writer " + source.project + "@" + source.host, () -> {
        try {
          write(source, new Random(seed), writing, plan.writerPause());
        } catch (Exception e) {
          problems.add("writer of " + source.project + "@" + source.host + ": " + e);
        }
      }));
      shippers.add(started("shipper " + source.project + "@" + source.host, () -> {
        Random random = new Random(seed);
        while (shipping.get()) {
          Shipper.Shipped shipped = source.shipper.ship();
          ships.incrementAndGet();
          if (shipped.rows() > 0) {
            shipsWithRows.incrementAndGet();
          }
          if (shipped.problem().isPresent()) {
            shipFailures.incrementAndGet();
            problems.add("ship of " + source.project + "@" + source.host + ": " + shipped.problem().get());
          }
          sleep(plan.shipEvery().toMillis() / 2 + random.nextInt((int) plan.shipEvery().toMillis() + 1));
        }
      }));
    }
    Thread pollerThread = started("store poller", () -> {
      while (polling.get()) {
        long t = System.nanoTime();
        try {
          PublishedPolls polls = poller.poll();
          for (ProjectPoll project : polls.projects()) {
            if (!project.poll().database().up()) {
              pollFailures.incrementAndGet();
              pollProblems.add(project.poll().database().problem().orElse(""));
              break;
            }
          }
        } catch (RuntimeException e) {
          pollFailures.incrementAndGet();
          pollProblems.add(e.toString());
        }
        double ms = (System.nanoTime() - t) / 1e6;
        pollMillis.add(ms);
        sleep(Math.max(0, plan.pollEvery().toMillis() - (long) ms));
      }
    });
    Thread.sleep(plan.concurrentFor().toMillis());
    writing.set(false);
    for (Thread t : writers) {
      t.join();
    }
    shipping.set(false);
    for (Thread t : shippers) {
      t.join();
    }
    for (Source source : sources) {
      Shipper.Shipped shipped = source.shipper.ship(); // the last ship, after the writers stopped
      if (shipped.problem().isPresent()) {
        shipFailures.incrementAndGet();
        problems.add("last ship of " + source.project + "@" + source.host + ": " + shipped.problem().get());
      }
    }
    polling.set(false);
    pollerThread.join();
    double seconds = (System.nanoTime() - started) / 1e9;
    PublishedPolls last;
    try (poller) {
      last = poller.poll();
    }
    for (ProjectPoll project : last.projects()) {
      if (!project.poll().database().up()) {
        pollFailures.incrementAndGet();
        pollProblems.add("last poll: " + project.poll().database().problem().orElse(""));
      }
    }
    for (Source source : sources) {
      source.shipper.close();
    }
    long commits = store.number("SELECT count(*) FROM bench_commits");
    long outOfOrder = store.number(OUT_OF_ORDER);

    // rows: each source's in the store against its file's, by key and state
    List<String> rowMismatches = new ArrayList<>();
    Map<String, Long> fileRows = new LinkedHashMap<>();
    Map<String, Long> storeRows = new LinkedHashMap<>();
    for (String table : TABLES) {
      storeRows.put(table, store.number("SELECT count(*) FROM " + table));
    }
    for (Source source : sources) {
      fileRows(source.db.path()).forEach((table, count) -> fileRows.merge(table, count, Long::sum));
      long epochs = store.number("SELECT count(*) FROM agent_workflow_sources WHERE project = '" + source.project
          + "' AND host = '" + source.host + "'");
      if (epochs != 1) {
        rowMismatches.add("%s@%s: %d sources (epochs) in the store, 1 expected".formatted(source.project, source.host,
            epochs));
      }
      for (String table : TABLES) {
        rowMismatches.addAll(rowDifferences(store, source, table));
      }
    }

    // series: each project's in the store against the sum of its files' exporters alone, but for
    // the session histogram: an exporter of a file started now no longer sees a run whose row a
    // resume replaced, which the store keeps (as an exporter of the file that read it keeps it in
    // its state); its count is that of the files alone plus those runs, checked below
    Map<String, Double> expected = new TreeMap<>();
    for (Source source : sources) {
      alone(source).forEach((key, value) -> expected.merge(key, value, Double::sum));
    }
    Map<String, Double> sessionCounts = new TreeMap<>();
    expected.forEach((key, value) -> {
      if (key.startsWith("session_duration_seconds_count{")) {
        sessionCounts.put(key, value);
      }
    });
    expected.keySet().removeIf(key -> key.startsWith("session_duration_seconds_"));
    for (Source source : sources) {
      String key = "session_duration_seconds_count{project=\"" + source.project + "\"}";
      sessionCounts.merge(key, (double) keptRuns(store, source), Double::sum);
    }
    Exposition polledAlong = render(last);
    List<String> mismatches = differences(expected, withoutSessionHistogram(polledAlong, sessionCounts));
    // and a new exporter's first poll of the store (a restart), against the same
    Exposition restarted;
    try (StorePoller fresh = new StorePoller(new StoreReader(StoreAddress.parse(exporterSide.uri()),
        exporterSide.password(), new TimestampParser(settings.timezone()), Duration.ofSeconds(60)),
        () -> Exporter.newTracker(settings), clock)) {
      restarted = render(check(fresh.poll()));
    }
    List<String> restartMismatches = differences(expected, withoutSessionHistogram(restarted, sessionCounts));
    long statements = sources.stream().mapToLong(s -> s.statements.get()).sum();
    List<String> shipProblems = problems.stream().toList();
    System.err.printf("store: concurrent: %,d statements, %d polls, %d ships (%d failed), %d of %d commits out of "
        + "order, %d series compared, %d mismatches (%d after a restart), %d row mismatches%n", statements,
        pollMillis.size(), ships.get(), shipFailures.get(), outOfOrder, commits, expected.size(), mismatches.size(),
        restartMismatches.size(), rowMismatches.size());
    shipProblems.forEach(p -> System.err.println("store: problem: " + p));
    mismatches.forEach(m -> System.err.println("store: mismatch: " + m));
    restartMismatches.forEach(m -> System.err.println("store: mismatch after a restart: " + m));
    rowMismatches.forEach(m -> System.err.println("store: row mismatch: " + m));
    return new Concurrent(sources.size(), plan.projects(), seconds, statements, fileRows, storeRows, rowMismatches,
        Distribution.of(pollMillis.stream().mapToDouble(Double::doubleValue).toArray()), pollFailures.get(),
        pollProblems.isEmpty() ? null : pollProblems.get(0), ships.get(), shipsWithRows.get(), shipFailures.get(),
        shipProblems.isEmpty() ? null : shipProblems.get(0), commits, outOfOrder, expected.size(), mismatches,
        restartMismatches);
  }

  /**
   * The store's series to compare, without the session histogram, whose counts are checked against
   * {@code sessionCounts} here: a differing count is returned as a series of its own, which no
   * expected series has, and so is a mismatch.
   */
  private static Map<String, Double> withoutSessionHistogram(Exposition exposition, Map<String, Double> sessionCounts) {
    Map<String, Double> series = new TreeMap<>(compared(exposition, exposition.all()));
    sessionCounts.forEach((key, count) -> {
      Double got = series.get(key);
      if (got == null || got.doubleValue() != count.doubleValue()) {
        series.put(key + " (files alone with the runs the store keeps: " + count + ")", got == null ? -1 : got);
      }
    });
    series.keySet().removeIf(key -> key.startsWith("session_duration_seconds_") && !key.contains(" (files alone"));
    return series;
  }

  /**
   * The runs of {@code source} the store keeps that its file replaced: a row of a session the file
   * holds under a newer row, which had ended after it started (the same timestamp format on both,
   * so text orders as time does).
   */
  private static long keptRuns(TeamStore store, Source source) throws SQLException {
    return store.number("SELECT count(*) FROM sessions_by_project WHERE project = '" + source.project
        + "' AND host = '" + source.host + "' AND NOT current AND end_time > start_time");
  }

  /** The series that differ between the files alone and the store. */
  private static List<String> differences(Map<String, Double> expected, Map<String, Double> actual) {
    List<String> differ = new ArrayList<>();
    expected.forEach((key, value) -> {
      Double got = actual.get(key);
      if (got == null || !close(value, got)) {
        differ.add("%s: files alone %s, store %s".formatted(key, value, got));
      }
    });
    actual.forEach((key, value) -> {
      if (!expected.containsKey(key)) {
        differ.add("%s: not in the files alone, store %s".formatted(key, value));
      }
    });
    return differ;
  }

  /**
   * How {@code table}'s rows of {@code source} in the store differ from its file's: rows only in
   * the store, rows only in the file, rows in both whose status or end time differ. Empty: the same.
   */
  private static List<String> rowDifferences(TeamStore store, Source source, String table) throws SQLException {
    String key = table.equals("sessions") ? "row_id" : "id";
    Map<Long, String> inFile = new TreeMap<>();
    try (Connection c = source.db.connect(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT " + (table.equals("sessions") ? "rowid" : "id")
            + ", session_id, status, end_time FROM " + table)) {
      while (rs.next()) {
        inFile.put(rs.getLong(1), rs.getString(2) + "|" + rs.getString(3) + "|" + rs.getString(4));
      }
    }
    Map<Long, String> inStore = new TreeMap<>();
    try (Connection c = store.connect(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT t." + key + ", t.session_id, t.status, t.end_time FROM " + table
            + " t JOIN agent_workflow_sources s USING (source_id) WHERE s.project = '" + source.project
            + "' AND s.host = '" + source.host + "'")) {
      while (rs.next()) {
        inStore.put(rs.getLong(1), rs.getString(2) + "|" + rs.getString(3) + "|" + rs.getString(4));
      }
    }
    List<String> onlyStore = new ArrayList<>();
    List<String> onlyFile = new ArrayList<>();
    List<String> otherState = new ArrayList<>();
    java.util.Set<String> sessionsInFile = new java.util.HashSet<>();
    inFile.values().forEach(row -> sessionsInFile.add(row.substring(0, row.indexOf('|'))));
    long[] kept = {0};
    inStore.forEach((id, row) -> {
      boolean keptRun = table.equals("sessions") && !row.endsWith("|null")
          && sessionsInFile.contains(row.substring(0, row.indexOf('|')));
      if (!inFile.containsKey(id) && keptRun) {
        kept[0]++; // the run before a resume, which ended: the store keeps it
      } else if (!inFile.containsKey(id)) {
        onlyStore.add(id + " (" + row + ")");
      } else if (!inFile.get(id).equals(row)) {
        otherState.add(id + " (store " + row + ", file " + inFile.get(id) + ")");
      }
    });
    inFile.forEach((id, row) -> {
      if (!inStore.containsKey(id)) {
        onlyFile.add(id + " (" + row + ")");
      }
    });
    List<String> out = new ArrayList<>();
    String where = source.project + "@" + source.host + " " + table;
    if (kept[0] > 0) {
      System.err.printf("store: %s: %d runs before a resume kept in the store%n", where, kept[0]);
    }
    if (!onlyStore.isEmpty()) {
      out.add("%s: %d rows (of %d) in the store only, e.g. %s".formatted(where, onlyStore.size(), inStore.size(),
          String.join(", ", onlyStore.subList(0, Math.min(3, onlyStore.size())))));
    }
    if (!onlyFile.isEmpty()) {
      out.add("%s: %d rows (of %d) in the file only, e.g. %s".formatted(where, onlyFile.size(), inFile.size(),
          String.join(", ", onlyFile.subList(0, Math.min(3, onlyFile.size())))));
    }
    if (!otherState.isEmpty()) {
      out.add("%s: %d rows whose status or end time differ, e.g. %s".formatted(where, otherState.size(),
          String.join(", ", otherState.subList(0, Math.min(3, otherState.size())))));
    }
    return out;
  }

  /** Equal, or (a histogram's sum, added up in another order) within rounding. */
  private static boolean close(double a, double b) {
    return a == b || Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
  }

  /**
   * Hook statements on {@code source}'s file until {@code writing} ends, one connection and commit
   * each, as the hooks run them: up to three sessions at once, each running one agent at a time
   * with tool uses under it (and now and then a tool of the main session), agents finishing as
   * completed or failed with their response, sessions stopping and some resumed (a new row for the
   * same session id). Stopped mid-way: some rows are left running.
   */
  private static void write(Source source, Random random, AtomicBoolean writing, Duration pause) throws Exception {
    HookDatabase db = source.db;
    String prefix = source.project + "-" + source.host + "-s";
    String[] phases = {"requirements", "planning", "development", "review", "finalization"};
    List<long[]> sessions = new ArrayList<>(); // {number, running invocation or -1, its tools to go}
    List<List<Long>> runningTools = new ArrayList<>();
    List<Long> stopped = new ArrayList<>();
    long next = 0;
    int pauseMillis = (int) pause.toMillis();
    while (writing.get()) {
      sleep(random.nextInt(2 * pauseMillis + 1));
      Instant now = Instant.now();
      if (sessions.size() < 3) {
        long number;
        if (!stopped.isEmpty() && random.nextInt(4) == 0) {
          number = stopped.remove(random.nextInt(stopped.size())); // resumed: the hooks replace its row
        } else {
          number = next++;
        }
        db.startSession(prefix + number, now);
        source.statements.incrementAndGet();
        sessions.add(new long[] {number, -1, 0});
        runningTools.add(new ArrayList<>());
        continue;
      }
      int i = random.nextInt(sessions.size());
      long[] s = sessions.get(i);
      List<Long> tools = runningTools.get(i);
      String session = prefix + s[0];
      String agent = "agent-" + (s[0] % 7);
      if (!tools.isEmpty() && random.nextBoolean()) {
        long tool = tools.remove(random.nextInt(tools.size()));
        boolean failed = random.nextInt(10) == 0;
        db.finishTool(tool, now, failed ? "error" : "completed", 0.05 + random.nextInt(3000) / 1000.0);
      } else if (s[1] < 0) {
        int what = random.nextInt(10);
        if (what < 2 && tools.isEmpty()) {
          db.stopSession(session, now);
          sessions.remove(i);
          runningTools.remove(i);
          stopped.add(s[0]);
        } else if (what < 4) {
          tools.add(db.startTool(session, "direct", null, "Read", now, (int) s[2]++));
        } else {
          s[1] = db.startAgent(session, phases[random.nextInt(phases.length)], agent, now);
          s[2] = random.nextInt(6);
        }
      } else if (s[2] > 0) {
        tools.add(db.startTool(session, agent, s[1], random.nextBoolean() ? "Bash" : "Edit", now, (int) s[2]--));
      } else if (!tools.isEmpty()) {
        long tool = tools.remove(0);
        db.finishTool(tool, now, "completed", 0.5);
      } else {
        int outcome = random.nextInt(20);
        String status = outcome == 0 ? "error" : outcome < 3 ? "failed" : "completed";
        db.finishAgent(s[1], now, status, 1.0 + random.nextInt(600_000) / 1000.0,
            random.nextBoolean() ? "claude-opus-4-1" : "claude-sonnet-4-5",
            "{\"totalToolUseCount\": " + random.nextInt(40) + ", \"totalTokens\": " + random.nextInt(200_000) + "}");
        source.statements.incrementAndGet();
        db.subagentStop(session, now);
        s[1] = -1;
      }
      source.statements.incrementAndGet();
    }
  }

  /** What an exporter of {@code source}'s file alone shows, its series with {@code project} added. */
  private static Map<String, Double> alone(Source source) throws Exception {
    try (Exporter exporter = Exporter.start(TestSettings.of(source.db.path()), Clock.systemUTC())) {
      exporter.pollNow();
      Exposition exposition = Exposition.parse(new Scraper(exporter.port()).get("/metrics").body(),
          Map.of("project", source.project));
      return compared(exposition, exposition.all());
    }
  }

  /** The workflow's counters and histograms, and total_sessions: what adds up over a project's files. */
  private static Map<String, Double> compared(Exposition exposition, Map<String, Double> series) {
    Map<String, Double> kept = new TreeMap<>();
    series.forEach((key, value) -> {
      int brace = key.indexOf('{');
      String name = brace < 0 ? key : key.substring(0, brace);
      if (name.startsWith("agent_workflow_") || name.startsWith("process_") || name.startsWith("jvm_")) {
        return;
      }
      String type = typeOf(exposition, name);
      if (name.equals("total_sessions") || "counter".equals(type) || "histogram".equals(type)) {
        kept.put(key, value);
      }
    });
    return kept;
  }

  private static String typeOf(Exposition exposition, String name) {
    if (exposition.type(name) != null) {
      return exposition.type(name);
    }
    for (String suffix : List.of("_total", "_bucket", "_count", "_sum", "_created")) {
      if (name.endsWith(suffix)) {
        String type = exposition.type(name.substring(0, name.length() - suffix.length()));
        if (type != null) {
          return type;
        }
      }
    }
    return null;
  }

  /** The store poller's last poll as the exporter renders it. */
  private static Exposition render(PublishedPolls polls) throws IOException {
    StringWriter text = new StringWriter();
    TextFormat.write004(text, Collections.enumeration(
        new WorkflowCollector(() -> polls, TestSettings.build("bench")).collect()));
    return Exposition.parse(text.toString());
  }

  // ---------------------------------------------------------------------------------------------

  private static Map<String, Long> fileRows(Path file) throws SQLException {
    Map<String, Long> rows = new LinkedHashMap<>();
    try (Connection c = Datasets.connect(file); Statement s = c.createStatement()) {
      for (String table : TABLES) {
        try (ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
          rows.put(table, rs.getLong(1));
        }
      }
    }
    return rows;
  }

  private static long number(TeamStore store, String database, String sql) throws SQLException {
    return Long.parseLong(text(store, database, sql));
  }

  private static String superuserText(TeamStore store, String sql) throws SQLException {
    return text(store, TeamStore.DATABASE, sql);
  }

  private static String text(TeamStore store, String database, String sql) throws SQLException {
    try (Connection c = store.server().connect(database); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static Thread started(String name, Runnable body) {
    Thread thread = new Thread(body, name);
    thread.start();
    return thread;
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (var walk = Files.walk(root)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // The report

  /** The rows of the targets' table. */
  static void targets(Figures f, StringBuilder md) {
    Ship ship = f.ship();
    double ratio = ship.medianRatio();
    md.append("| ship %s (%,d invocation rows, %,d sessions) into an empty store | ≤ 2× psql `\\copy` of the same "
        .formatted(f.plan().dataset().name(), ship.storeRows().get("agent_invocations"),
            ship.storeRows().get("sessions"))
        + "columns (median of the runs' ratios) | %s | %s |%n".formatted(
            "%.2f× (runs: %s)".formatted(ratio, String.join(", ", ship.runs().stream()
                .map(r -> fmt("%.1f s / %.1f s", r.shipSeconds(), r.copySeconds())).toList())),
            ratio <= 2 ? "yes" : "**no**"));
    Steady s = f.steady();
    boolean steadyMet = s.millis().median() <= 20;
    md.append("| steady poll of the store, %d changed rows, %s shipped | ≤ 20 ms | median %s, p90 %s, max %s | %s |%n"
        .formatted(f.plan().changedRows(), f.plan().dataset().name(), ms(s.millis().median()),
            ms(s.millis().percentile(90)), ms(s.millis().percentile(100)), steadyMet ? "yes" : "**no**"));
    Concurrent c = f.concurrent();
    md.append("| %d shippers, commits delayed at random, %.0f s | every row counted exactly once | %s | %s |%n"
        .formatted(c.files(), f.plan().concurrentFor().toMillis() / 1000.0,
            c.exactlyOnce() ? "%d series of %d projects equal; every source's rows equal its file's".formatted(
                c.compared(), c.projects())
                : "**%d series differ (%d after a restart), %d row differences, %d polls failed**".formatted(
                    c.mismatches().size(), c.restartMismatches().size(), c.rowMismatches().size(), c.pollFailures()),
            c.exactlyOnce() ? "yes" : "**no**"));
  }

  static String markdown(Figures f) {
    StringBuilder md = new StringBuilder();
    Plan plan = f.plan();
    md.append("\n**PostgreSQL store** (issue 17): %s; the tests' harness (`TeamStore`), with %s; %s.\n\n".formatted(
        f.postgres().replaceAll(" on .*", ""), String.join(", ", f.settings().entrySet().stream()
            .map(e -> "`" + e.getKey() + "=" + e.getValue() + "`").toList()), f.psql()));
    md.append("The machine's load averages (1, 5, 15 min) before the ship runs, the steady polls, the concurrent "
        + "shippers and at the end: " + String.join("; ", f.loads()) + " (its 2 cores are shared with other "
        + "work).\n\n");

    Ship ship = f.ship();
    md.append("*Ship against `\\copy`*: `Shipper.ship()` of %s (the file's rows: %s) into an empty store, against ".formatted(
        plan.dataset().name(), rows(ship.fileRows())));
    md.append("psql's `\\copy` of the same columns (CSV of %s, exported by the sqlite3 shell in %.0f s, untimed) of "
        .formatted(mibText(ship.csvBytes()), ship.exportSeconds()));
    md.append("both tables into an empty database made by the same schema.sql, each timed from psql's start to its "
        + "exit; in turns, each side emptied by TRUNCATE and a CHECKPOINT first. Afterwards the store held %s, the "
        .formatted(rows(ship.storeRows())));
    md.append("copy %s; content of the shipped columns: %s.\n\n".formatted(rows(ship.copyRows()),
        String.join(", ", ship.sameContent().entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).toList())));
    md.append("| run | ship | rows shipped, rounds | `\\copy` sessions + invocations | ratio |\n"
        + "| ---: | ---: | ---: | ---: | ---: |\n");
    for (int i = 0; i < ship.runs().size(); i++) {
      ShipRun r = ship.runs().get(i);
      md.append(fmt("| %d | %.2f s | %,d, %d | %.2f + %.2f = %.2f s | %.2f× |%n", i + 1, r.shipSeconds(),
          r.rowsShipped(), r.rounds(), r.copySessionsSeconds(), r.copyInvocationsSeconds(), r.copySeconds(),
          r.ratio()));
    }
    md.append(fmt("%nMedian ratio %.2f×.%n%n", ship.medianRatio()));

    Steady s = f.steady();
    md.append(fmt("*Steady polls*: a `StorePoller` wired as the exporter wires it, on the store the last ship filled: "
        + "first poll %.2f s (%,d rows: the whole store). Then %d times (after %d untimed): %d rows changed in the file "
        + "by the hooks' statements (`SteadyWriter`, as the SQLite steady polls), shipped (untimed: median %s, p90 %s), "
        + "then one poll timed: median %s, p90 %s, max %s; each poll read %,d to %,d rows.%n%n", s.firstPollSeconds(),
        s.firstPollRows(), plan.polls(), plan.warmupPolls(), plan.changedRows(), ms(s.shipMillis().median()),
        ms(s.shipMillis().percentile(90)), ms(s.millis().median()), ms(s.millis().percentile(90)),
        ms(s.millis().percentile(100)), s.fewestRows(), s.mostRows()));

    Concurrent c = f.concurrent();
    md.append(fmt("*Concurrent shippers*: %d files (%d projects × %d hosts), each written by a thread running the hooks' "
        + "statements (a connection and a commit each: sessions started, stopped, some resumed; agents started and "
        + "finished; tool uses) and shipped by a thread of its own about every %d ms; a `StorePoller` polling every %d ms; "
        + "a deferred constraint trigger on agent_invocations and agent_tool_uses sleeping `random() * %.1f` s at each "
        + "shipping transaction's COMMIT. After %.0f s: writers stopped, a last ship of each file, a last poll.%n%n",
        c.files(), c.projects(), plan.hostsPerProject(), plan.shipEvery().toMillis(), plan.pollEvery().toMillis(),
        plan.maxCommitDelaySeconds(), plan.concurrentFor().toMillis() / 1000.0));
    md.append(fmt("- %,d hook statements; the files then held %s, the store %s.%n", c.statements(), rows(c.fileRows()),
        rows(c.storeRows())));
    md.append(fmt("- %,d ships (%,d with rows, %,d failed%s); %,d shipping transactions delayed, %,d of them committed "
        + "after one with a higher transaction id.%n", c.ships(), c.shipsWithRows(), c.shipFailures(),
        c.firstShipProblem() == null ? "" : ": " + c.firstShipProblem(), c.commits(), c.outOfOrder()));
    md.append(fmt("- %,d polls meanwhile (median %s, p90 %s, max %s), %,d failed%s.%n", c.pollMillis().count(),
        ms(c.pollMillis().median()), ms(c.pollMillis().percentile(90)), ms(c.pollMillis().percentile(100)),
        c.pollFailures(), c.firstPollProblem() == null ? "" : ": " + c.firstPollProblem()));
    md.append(fmt("- Exactly once: %d series compared (every counter and histogram sample of the workflow, and "
        + "`total_sessions`, of each project: the store's against the sum of exporters of its files alone, each a "
        + "new exporter polled once at the end). The poller that polled all along: %s. A new store poller's first "
        + "poll (a restart): %s. Rows per source and table, by key, status and end time: %s.%n", c.compared(),
        listed(c.mismatches()), listed(c.restartMismatches()), c.rowMismatches().isEmpty() ? "all equal"
            : "**" + String.join("; ", c.rowMismatches()) + "**"));
    return md.toString();
  }

  private static String listed(List<String> mismatches) {
    return mismatches.isEmpty() ? "all equal" : "**%d differ**: %s".formatted(mismatches.size(),
        String.join("; ", mismatches.subList(0, Math.min(6, mismatches.size()))) + (mismatches.size() > 6 ? "; …" : ""));
  }

  private static String rows(Map<String, Long> rows) {
    return String.join(", ", rows.entrySet().stream().map(e -> fmt("%,d %s", e.getValue(), e.getKey())).toList());
  }

  private static String ms(double millis) {
    return millis < 10 ? fmt("%.2f ms", millis) : fmt("%.1f ms", millis);
  }

  private static String mibText(long bytes) {
    return fmt("%,d MiB", bytes >> 20);
  }

  private static String fmt(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }
}
