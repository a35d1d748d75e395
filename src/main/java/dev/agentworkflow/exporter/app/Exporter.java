package dev.agentworkflow.exporter.app;

import dev.agentworkflow.exporter.custom.CustomMetrics;
import dev.agentworkflow.exporter.custom.CustomMetricsException;
import dev.agentworkflow.exporter.custom.CustomMetricsFile;
import dev.agentworkflow.exporter.custom.LiveCustomMetrics;
import dev.agentworkflow.exporter.db.CustomMetricsCheck;
import dev.agentworkflow.exporter.db.StoreAddress;
import dev.agentworkflow.exporter.db.StoreReader;
import dev.agentworkflow.exporter.db.TimestampParser;
import dev.agentworkflow.exporter.db.WorkflowDatabase;
import dev.agentworkflow.exporter.http.MetricsServer;
import dev.agentworkflow.exporter.http.ServerLimits;
import dev.agentworkflow.exporter.metrics.CustomMetricsConfigCollector;
import dev.agentworkflow.exporter.metrics.RuntimeCollectors;
import dev.agentworkflow.exporter.metrics.SnapshotCollector;
import dev.agentworkflow.exporter.metrics.WebConfigCollector;
import dev.agentworkflow.exporter.metrics.WorkflowCollector;
import dev.agentworkflow.exporter.model.CustomResult;
import dev.agentworkflow.exporter.model.DatabaseStatus;
import dev.agentworkflow.exporter.model.PollHistory;
import dev.agentworkflow.exporter.model.PollResult;
import dev.agentworkflow.exporter.model.ProjectPoll;
import dev.agentworkflow.exporter.model.StateStatus;
import dev.agentworkflow.exporter.model.PublishedPolls;
import dev.agentworkflow.exporter.model.Reads;
import dev.agentworkflow.exporter.project.ProjectPolling;
import dev.agentworkflow.exporter.project.StorePolling;
import dev.agentworkflow.exporter.project.StoreSource;
import dev.agentworkflow.exporter.project.WorkflowPolling;
import dev.agentworkflow.exporter.poll.CustomPolling;
import dev.agentworkflow.exporter.poll.LoadTurns;
import dev.agentworkflow.exporter.poll.Poller;
import dev.agentworkflow.exporter.poll.StorePoller;
import dev.agentworkflow.exporter.project.NamedDatabase;
import dev.agentworkflow.exporter.state.StateKeeper;
import dev.agentworkflow.exporter.track.TrackerLimits;
import dev.agentworkflow.exporter.track.WorkflowTracker;
import dev.agentworkflow.exporter.webconfig.LiveWebConfig;
import io.prometheus.client.Collector;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Supplier;

/**
 * A running exporter: HTTP server bound, each database's polls scheduled. Each instance has its own
 * registries (the workflow's, and the process's and JVM's read at each scrape), so many can run in
 * one JVM.
 *
 * <pre>{@code
 * try (Exporter exporter = Exporter.start(settings, Clock.systemUTC())) {
 *   System.out.println("serving on port " + exporter.port());
 * }
 * }</pre>
 */
public final class Exporter implements AutoCloseable {
  /** How long a poll waits for a writer's lock; the writers never wait for us. */
  private static final Duration BUSY_TIMEOUT = Duration.ofSeconds(1);
  /** How long one statement against the PostgreSQL store may run before the server cancels it (the poll fails). */
  private static final Duration STORE_STATEMENT_TIMEOUT = Duration.ofSeconds(60);

  private final WorkflowPolling polling;
  private final MetricsServer server;
  private final LiveWebConfig web;
  private final Optional<LiveCustomMetrics> custom;

  private Exporter(WorkflowPolling polling, MetricsServer server, LiveWebConfig web, Optional<LiveCustomMetrics> custom) {
    this.polling = polling;
    this.server = server;
    this.web = web;
    this.custom = custom;
  }

  /** Binds the port (failing with {@link java.net.BindException} if taken), then starts polling. */
  public static Exporter start(ExporterSettings settings, Clock clock) throws IOException {
    Optional<LiveCustomMetrics> custom = settings.customMetrics().file().map(file -> new LiveCustomMetrics(
        Path.of(file), settings.customMetrics(), changed -> readCustomMetrics(changed, settings), clock));
    Supplier<CustomMetrics> customInForce = custom.<Supplier<CustomMetrics>>map(live -> live::current)
        .orElse(settings::customMetrics);
    WorkflowPolling polling = newPolling(settings, customInForce, clock);
    List<SnapshotCollector<?>> collectors = new ArrayList<>();
    collectors.add(new WorkflowCollector(polling::latest, settings.build()));
    LiveWebConfig web = new LiveWebConfig(settings.web(), clock);
    if (web.fromFile()) {
      collectors.add(new WebConfigCollector(web::status));
    }
    custom.ifPresent(live -> collectors.add(new CustomMetricsConfigCollector(live::status)));
    // Bind first: a port in use is said at once, before a state file is locked or read.
    MetricsServer server = new MetricsServer(settings.listen(), settings.telemetryPath(), collectors,
        RuntimeCollectors.newRegistry(), polling::latest, polling::ready, settings.version(), web, clock,
        ServerLimits.DEFAULT);
    // Opened before the server answers, so that its first scrape already has every database's
    // agent_workflow_database_up (0 until its first poll): one database is served as it always was.
    // The price: a first --db-glob look over a large tree delays the first answer (docs/design.md).
    try {
      polling.open();
    } catch (RuntimeException e) {
      server.close();
      throw e;
    }
    server.start();
    polling.start();
    return new Exporter(polling, server, web, custom);
  }

  /**
   * Reads --metrics-config and checks it against the databases named: at start (where a problem
   * stops the exporter with exit code 2) and at each reload (where it keeps the previous one in force).
   */
  public static CustomMetrics readCustomMetrics(Path file, ExporterSettings settings) throws CustomMetricsException {
    CustomMetrics metrics = CustomMetricsFile.read(file, takenNames(settings));
    for (NamedDatabase database : settings.databases().named()) {
      CustomMetricsCheck.check(metrics, database.path());
    }
    return metrics;
  }

  /**
   * The family and sample names the exporter renders itself, which a user-defined metric may not
   * take: the workflow's (as an exporter of several databases renders them) and the process's.
   */
  static Set<String> takenNames(ExporterSettings settings) {
    // a size, so that the size's family is rendered and its name taken too
    DatabaseStatus sized = new DatabaseStatus(false, OptionalLong.of(0), Optional.empty());
    PollResult nothingYet = new PollResult(newTracker(settings).snapshot(java.time.Instant.EPOCH), sized,
        new PollHistory(0, 0, Optional.empty()), new Reads(Map.of(), 0, Map.of()), StateStatus.OFF, CustomResult.NONE);
    PublishedPolls polls = new PublishedPolls(List.of(new ProjectPoll("p", "p", nothingYet)), true, 0);
    List<Collector.MetricFamilySamples> families = new ArrayList<>(
        new WorkflowCollector(() -> polls, settings.build()).collect());
    RuntimeCollectors.newRegistry().metricFamilySamples().asIterator().forEachRemaining(families::add);
    Set<String> names = new HashSet<>();
    for (Collector.MetricFamilySamples family : families) {
      for (String suffix : List.of("", "_total", "_created", "_bucket", "_count", "_sum", "_info")) {
        names.add(family.name + suffix);
      }
    }
    return names;
  }

  /** The pollers of every database of these settings, not yet opened: for a running exporter and one-shot runs. */
  static WorkflowPolling newPolling(ExporterSettings settings, Supplier<CustomMetrics> custom, Clock clock) {
    if (settings.databases().store().isPresent()) {
      StoreSource store = settings.databases().store().get();
      StoreReader reader = new StoreReader(StoreAddress.parse(store.uri()), store.password(),
          new TimestampParser(settings.timezone()), STORE_STATEMENT_TIMEOUT);
      return new StorePolling(new StorePoller(reader, () -> newTracker(settings, 1, CustomMetrics.NONE), clock),
          settings.interval());
    }
    LoadTurns turns = LoadTurns.perCore(Runtime.getRuntime().availableProcessors());
    return new ProjectPolling(settings.databases(),
        (database, databases) -> newPoller(settings.forDatabase(database.path()), databases, turns, custom, clock),
        settings.interval());
  }

  /** A poller of one database, wired as a running exporter wires it (also for tests and one-shot runs). */
  public static Poller newPoller(ExporterSettings settings, Clock clock) {
    return newPoller(settings, 1, LoadTurns.NONE, settings::customMetrics, clock);
  }

  /**
   * @param databases how many databases the exporter reads: they share the heap's room for followed rows
   * @param turns the turns at large reads of every database's poller: taken when the databases read
   *     their rows on their polling threads ({@link Poller.Intake#HERE})
   */
  static Poller newPoller(ExporterSettings settings, int databases, LoadTurns turns, Supplier<CustomMetrics> custom,
      Clock clock) {
    Poller.Intake intake = intake(databases, Runtime.getRuntime().availableProcessors());
    return newPoller(settings, databases, intake, intake == Poller.Intake.HERE ? turns : LoadTurns.NONE, custom, clock);
  }

  static Poller newPoller(ExporterSettings settings, int databases, Poller.Intake intake, LoadTurns turns,
      Supplier<CustomMetrics> custom, Clock clock) {
    TimestampParser timestamps = new TimestampParser(settings.timezone());
    return new Poller(
        new WorkflowDatabase(settings.databasePath(), BUSY_TIMEOUT, cacheKib(databases), timestamps),
        () -> newTracker(settings, databases, custom.get()),
        settings.stateFile().map(file -> StateKeeper.open(file, countingSettings(settings), clock))
            .orElseGet(StateKeeper::none),
        intake,
        turns,
        clock,
        custom,
        settings.interval(),
        settings.maxLabelValues());
  }

  /**
   * A second thread per database while it loads, as long as every database can have two cores.
   * Beyond that the databases' own threads keep the cores busy: on 2 cores, 50 databases loaded
   * with 50 threads rather than 100 took no longer, and held fewer rows waiting in the heap
   * (docs/performance.md, the many-databases rows).
   */
  static Poller.Intake intake(int databases, int cores) {
    return databases == 1 || 2 * databases <= cores ? Poller.Intake.ALONGSIDE : Poller.Intake.HERE;
  }

  /**
   * SQLite's page cache per connection: its default for one database; shared by several, at least
   * {@value #MIN_CACHE_KIB} KiB each, so that 50 databases keep 3 MB of native memory in page caches
   * rather than 100 MB. A writer's commit empties it anyway, and a first load read with 64 KiB was
   * as fast as with 2,000 (docs/performance.md, the many-databases rows).
   */
  static int cacheKib(int databases) {
    return Math.max(MIN_CACHE_KIB, WorkflowDatabase.DEFAULT_CACHE_KIB / Math.max(1, databases));
  }

  private static final int MIN_CACHE_KIB = 64;

  /**
   * An empty tracker, as a poller of these settings counts with. Public, with {@link
   * #countingSettings}, for what reads a state file back outside a poller (the benchmark times
   * state writes on a {@link StateKeeper} of its own).
   */
  public static WorkflowTracker newTracker(ExporterSettings settings) {
    return newTracker(settings, 1, settings.customMetrics());
  }

  private static WorkflowTracker newTracker(ExporterSettings settings, int databases, CustomMetrics custom) {
    return new WorkflowTracker(WorkflowCollector.histogramBuckets(), settings.staleAfter(), limits(settings, databases),
        CustomPolling.definitions(custom));
  }

  /**
   * Everything that decides how a row is counted, as one text: a state file written with other
   * settings would go on counting differently, so it is not used. Not --stale-after (it decides a
   * gauge, not a count) and not the followed capacity (a restored row past it is still followed).
   */
  public static String countingSettings(ExporterSettings settings) {
    return "timezone=" + settings.timezone().getId()
        + " max-label-values=" + settings.maxLabelValues()
        + " max-series=" + settings.maxSeries()
        + " " + WorkflowCollector.histogramBuckets().describe();
  }

  /**
   * The tracker's bounds: the label and series limits as set, and as many running invocations and
   * watched sessions as this JVM's heap holds with room for the rest (docs/design.md has the bytes
   * per row), shared equally by the databases read when the tracker is made. A database found later
   * by --db-glob takes its share of a larger count; those read already keep theirs, so the sum may
   * pass the heap's room by a few shares: a bound for a pathological database, not for the usual one.
   */
  static TrackerLimits limits(ExporterSettings settings, int databases) {
    int followed = Math.max(1_000, followedRows(Runtime.getRuntime().maxMemory()) / Math.max(1, databases));
    // A tool use runs for seconds: the ones running at once are few, and those a crashed session
    // left behind add up slowly; a quarter of the rows keeps their 45 bytes each within the heap's margin.
    return new TrackerLimits(settings.maxLabelValues(), settings.maxSeries(), followed, followed, followed / 4);
  }

  /**
   * Running invocations (and, as many again, watched sessions) followed at once for a heap of
   * {@code maxHeapBytes}: one per {@value #HEAP_BYTES_PER_FOLLOWED_ROW} bytes of heap. A running
   * invocation in a session of its own, active, takes up to 150 bytes in five flat tables (itself,
   * its session, its session's watched row, run and agents, at up to 30 bytes each); this keeps
   * them under about 70% of the heap. -Xmx64m (the systemd unit; 61.9 MB usable) follows 300,373
   * of each.
   */
  static int followedRows(long maxHeapBytes) {
    return (int) Math.max(1_000, Math.min(50_000_000, maxHeapBytes / HEAP_BYTES_PER_FOLLOWED_ROW));
  }

  private static final long HEAP_BYTES_PER_FOLLOWED_ROW = 216;

  /** Reads the configuration files again now if they changed (SIGHUP); a file that cannot be used keeps the one in force. */
  public void reloadConfiguration() {
    web.checkNow();
    custom.ifPresent(LiveCustomMetrics::checkNow);
  }

  public int port() {
    return server.port();
  }

  /** {@code https} when the web configuration has TLS, else {@code http}. */
  public String scheme() {
    return server.scheme();
  }

  /**
   * Waits until the first poll of every database read since start has been published (the HTTP
   * server answers before that, with {@code agent_workflow_database_up 0} and no workflow series).
   * Returns false on timeout.
   */
  public boolean awaitFirstPoll(Duration timeout) throws InterruptedException {
    return polling.awaitFirstPolls(timeout);
  }

  /**
   * Polls the only database now and waits for it; the result is published as a scheduled poll's
   * would be. For an exporter of several databases, {@link #pollAll()}.
   */
  public PollResult pollNow() throws InterruptedException {
    return polling.pollAll().only();
  }

  /** Polls every database now, one after the other, and waits for it; published as scheduled polls are. */
  public PublishedPolls pollAll() throws InterruptedException {
    return polling.pollAll();
  }

  /** Looks for the --db-glob patterns' files now, as the scheduled looks do. */
  public void lookForDatabasesNow() throws InterruptedException {
    polling.lookNow();
  }

  @Override
  public void close() {
    server.close();
    polling.close();
  }
}
