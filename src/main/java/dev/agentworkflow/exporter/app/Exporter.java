package dev.agentworkflow.exporter.app;

import dev.agentworkflow.exporter.db.InvocationRows;
import dev.agentworkflow.exporter.db.SessionRows;
import dev.agentworkflow.exporter.db.TimestampParser;
import dev.agentworkflow.exporter.db.ToolUseRows;
import dev.agentworkflow.exporter.db.WorkflowDatabase;
import dev.agentworkflow.exporter.http.MetricsServer;
import dev.agentworkflow.exporter.http.ServerLimits;
import dev.agentworkflow.exporter.metrics.HttpServerCollector;
import dev.agentworkflow.exporter.metrics.RuntimeCollectors;
import dev.agentworkflow.exporter.metrics.WebConfigCollector;
import dev.agentworkflow.exporter.metrics.WorkflowCollector;
import dev.agentworkflow.exporter.model.PollResult;
import dev.agentworkflow.exporter.poll.PollScheduler;
import dev.agentworkflow.exporter.poll.Poller;
import dev.agentworkflow.exporter.state.StateKeeper;
import dev.agentworkflow.exporter.track.TrackerLimits;
import dev.agentworkflow.exporter.track.WorkflowTracker;
import dev.agentworkflow.exporter.webconfig.LiveWebConfig;
import io.prometheus.client.CollectorRegistry;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * A running exporter: HTTP server bound, polls scheduled. Each instance has its own registries (the
 * workflow's, and the process's and JVM's read at each scrape), so many can run in one JVM.
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

  private final AtomicReference<PollResult> latest;
  private final CountDownLatch firstPoll;
  private final MetricsServer server;
  private final PollScheduler scheduler;
  private final LiveWebConfig web;

  private Exporter(AtomicReference<PollResult> latest, CountDownLatch firstPoll, MetricsServer server,
      PollScheduler scheduler, LiveWebConfig web) {
    this.latest = latest;
    this.firstPoll = firstPoll;
    this.server = server;
    this.scheduler = scheduler;
    this.web = web;
  }

  /** Binds the port (failing with {@link java.net.BindException} if taken), then starts polling. */
  public static Exporter start(ExporterSettings settings, Clock clock) throws IOException {
    AtomicReference<PollResult> latest = new AtomicReference<>();
    CollectorRegistry registry = new CollectorRegistry();
    String path = settings.databasePath().toString();
    registry.register(new WorkflowCollector(latest::get, settings.build(), path));
    LiveWebConfig web = new LiveWebConfig(settings.web(), clock);
    if (web.fromFile()) {
      registry.register(new WebConfigCollector(web::status));
    }
    // Counted down once the first poll is published (after latest is set, so a count of 0 means
    // latest holds a poll): /-/ready, and the figures of the status page.
    CountDownLatch firstPoll = new CountDownLatch(1);
    Supplier<Optional<PollResult>> published =
        () -> firstPoll.getCount() == 0 ? Optional.of(latest.get()) : Optional.empty();
    // Bind first: a port in use is said at once, before a state file is locked or read.
    MetricsServer server = new MetricsServer(settings.listen(), settings.telemetryPath(), registry,
        () -> List.of(latest.get(), web.status()), RuntimeCollectors.newRegistry(), published, settings.version(),
        path, web, clock, ServerLimits.DEFAULT);
    Poller poller;
    try {
      poller = newPoller(settings, clock);
    } catch (RuntimeException e) {
      server.close();
      throw e;
    }
    latest.set(poller.initialResult());
    registry.register(new HttpServerCollector(server::status));
    server.start();
    PollScheduler scheduler = new PollScheduler(poller, settings.interval(), result -> {
      latest.set(result);
      firstPoll.countDown();
    });
    scheduler.start();
    return new Exporter(latest, firstPoll, server, scheduler, web);
  }

  /** A poller of one database, wired as a running exporter wires it (also for tests and one-shot runs). */
  public static Poller newPoller(ExporterSettings settings, Clock clock) {
    TimestampParser timestamps = new TimestampParser(settings.timezone());
    return new Poller(
        new WorkflowDatabase(settings.databasePath(), BUSY_TIMEOUT),
        InvocationRows.reader(timestamps),
        ToolUseRows.reader(timestamps),
        SessionRows.reader(timestamps),
        () -> newTracker(settings),
        settings.stateFile().map(file -> StateKeeper.open(file, countingSettings(settings), clock))
            .orElseGet(StateKeeper::none),
        clock);
  }

  /**
   * An empty tracker, as a poller of these settings counts with. Public, with {@link
   * #countingSettings}, for what reads a state file back outside a poller (the benchmark times
   * state writes on a {@link StateKeeper} of its own).
   */
  public static WorkflowTracker newTracker(ExporterSettings settings) {
    return new WorkflowTracker(WorkflowCollector.histogramBuckets(), settings.staleAfter(), limits(settings));
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
   * per row).
   */
  static TrackerLimits limits(ExporterSettings settings) {
    int followed = followedRows(Runtime.getRuntime().maxMemory());
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
  }

  public int port() {
    return server.port();
  }

  /** {@code https} when the web configuration has TLS, else {@code http}. */
  public String scheme() {
    return server.scheme();
  }

  /**
   * Waits until the first poll has been published (the HTTP server answers before that, with
   * {@code agent_workflow_database_up 0} and no workflow series). Returns false on timeout.
   */
  public boolean awaitFirstPoll(Duration timeout) throws InterruptedException {
    return firstPoll.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Polls now and waits for it; the result is published as a scheduled poll's would be. */
  public PollResult pollNow() throws InterruptedException {
    scheduler.pollNow();
    return latest.get();
  }

  @Override
  public void close() {
    server.close();
    scheduler.close();
  }
}
