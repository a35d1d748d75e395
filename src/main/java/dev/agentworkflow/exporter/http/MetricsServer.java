package dev.agentworkflow.exporter.http;

import dev.agentworkflow.exporter.model.HttpServerStatus;
import dev.agentworkflow.exporter.model.PublishedPolls;
import dev.agentworkflow.exporter.webconfig.LiveWebConfig;
import dev.agentworkflow.exporter.metrics.HttpServerCollector;
import dev.agentworkflow.exporter.metrics.SnapshotCollector;
import io.prometheus.client.CollectorRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;

/**
 * The HTTP endpoint: the metrics ({@code /metrics}, or the path given), {@code /-/healthy},
 * {@code /-/ready}, and a status page on {@code /}.
 *
 * <p>Our own small server on non-blocking sockets, because a server that reads requests on worker
 * threads can be taken by as many slow clients as it has workers: simpleclient's five workers by
 * thirty, the JDK's server with 256 workers by 280 (measured; docs/reliability.md). Here one thread
 * ({@link ConnectionLoop}) moves the bytes of every connection and enforces {@link ServerLimits}: a
 * deadline for each request and TLS handshake, a cap on connections that closes the one waiting
 * longest; a few workers answer complete requests only. The web configuration decides the rest:
 * with TLS every connection is TLS; basic auth, the rate limit and extra headers apply as {@link
 * AccessControl} says; {@code /-/healthy} and {@code /-/ready} are open to probes.
 *
 * <pre>{@code
 * MetricsServer server = new MetricsServer(address, "/metrics", collectors, runtime, polling::latest, polling::ready, "1.0",
 *     web, clock, ServerLimits.DEFAULT);
 * server.start();
 * }</pre>
 */
public final class MetricsServer implements AutoCloseable {
  private static final String ALLOW = "GET, HEAD";

  private final ServerSocketChannel channel;
  private final ServerCounters counters = new ServerCounters();
  private final ThreadPoolExecutor workers;
  private final ConnectionLoop loop;
  private final Thread loopThread;
  private final AccessControl access;
  private final MetricsHandler metrics;
  private final LandingPage landing;
  private final BooleanSupplier ready;
  private final String telemetryPath;
  private final String scheme;

  /**
   * Binds the port (throwing {@link java.net.BindException} when it cannot); serves after {@link #start()}.
   *
   * @param telemetryPath the path of the metrics, e.g. {@code /metrics}: not {@code /}, not under {@code /-/}
   * @param polled the collectors of the polled part, rendered again when one's snapshot is replaced
   *     (see {@link ExpositionCache}); this server's own counters are rendered after them
   * @param runtime collected again when older than {@link ServerLimits#runtimeMetricsMaxAge()} ({@code process_*},
   *     {@code jvm_*}), served after the registry's
   * @param latest the polls the registry renders, for the status page on {@code /}
   * @param ready whether every database's first poll has finished: {@code /-/ready} answers 503 until
   *     then, and the status page shows no figures
   */
  public MetricsServer(InetSocketAddress address, String telemetryPath, List<SnapshotCollector<?>> polled,
      CollectorRegistry runtime, Supplier<PublishedPolls> latest,
      BooleanSupplier ready, String version, LiveWebConfig web, Clock clock, ServerLimits limits) throws IOException {
    this.channel = ServerSocketChannel.open();
    try {
      channel.bind(address, limits.maxConnections());
    } catch (IOException e) {
      channel.close();
      throw e;
    }
    AtomicInteger count = new AtomicInteger();
    this.workers = new ThreadPoolExecutor(limits.workers(), limits.workers(), 30, TimeUnit.SECONDS,
        new ArrayBlockingQueue<>(limits.maxConnections()), runnable -> {
          Thread thread = new Thread(runnable, "http-worker-" + count.incrementAndGet());
          thread.setDaemon(true);
          return thread;
        });
    workers.allowCoreThreadTimeOut(true);
    this.access = new AccessControl(web, clock, counters);
    List<SnapshotCollector<?>> collectors = new ArrayList<>(polled);
    collectors.add(new HttpServerCollector(counters::status));
    this.metrics = new MetricsHandler(new ExpositionCache(collectors, runtime, limits.runtimeMetricsMaxAge(),
        System::nanoTime));
    this.ready = ready;
    this.telemetryPath = telemetryPath;
    this.landing = new LandingPage(version, telemetryPath, latest, ready);
    this.scheme = web.sslContext().isPresent() ? "https" : "http";
    ConnectionLoop.Transports transports = web.sslContext().isPresent()
        ? socket -> new TlsTransport(socket, engine(web.sslContext().get(), web))
        : PlainTransport::new;
    this.loop = new ConnectionLoop(channel, limits, transports, this::answer, workers, counters, clock);
    this.loopThread = new Thread(loop, "http-connections");
    loopThread.setDaemon(true);
  }

  public void start() {
    loopThread.start();
  }

  /** Each new connection takes the TLS parameters (versions, suites, client certificates) in force. */
  private static SSLEngine engine(SSLContext context, LiveWebConfig web) {
    SSLEngine engine = context.createSSLEngine();
    engine.setUseClientMode(false);
    engine.setSSLParameters(web.current().tls().orElseThrow().parameters());
    return engine;
  }

  private Response answer(Request request) {
    if (request.path().equals(telemetryPath)) {
      return access.guarded(request, allowGetAndHead(metrics::answer));
    }
    return switch (request.path()) {
      case "/-/healthy" -> access.open(request, allowGetAndHead(r -> Response.text(200, "Healthy.\n")));
      case "/-/ready" -> access.open(request, allowGetAndHead(this::readiness));
      case "/" -> access.guarded(request, allowGetAndHead(landing::answer));
      default -> access.guarded(request, r -> Response.notFound(telemetryPath));
    };
  }

  /**
   * Ready once the first poll has finished, whatever it found, and from then on: a database that
   * cannot be read is {@code agent_workflow_database_up 0}, served like every other figure.
   */
  private Response readiness(Request request) {
    return ready.getAsBoolean() ? Response.text(200, "Ready.\n")
        : Response.text(503, "Not ready: the first poll of the database has not finished.\n");
  }

  private static Function<Request, Response> allowGetAndHead(Function<Request, Response> handler) {
    return request -> request.method().equals("GET") || request.isHead()
        ? handler.apply(request)
        : new Response(405, Map.of("Content-Type", Response.TEXT, "Allow", ALLOW),
            ("Method Not Allowed: use " + ALLOW + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  /** What the server refused or cut short since start. */
  public HttpServerStatus status() {
    return counters.status();
  }

  /** {@code https} with TLS, else {@code http}. */
  public String scheme() {
    return scheme;
  }

  /** The port actually bound: the one asked for, or the one the system chose for port 0. */
  public int port() {
    return channel.socket().getLocalPort();
  }

  @Override
  public void close() {
    loop.stop();
    try {
      loopThread.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    loop.release();
    workers.shutdownNow();
  }
}
