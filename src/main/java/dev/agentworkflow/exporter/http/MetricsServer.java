package dev.agentworkflow.exporter.http;

import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import dev.agentworkflow.exporter.webconfig.LiveWebConfig;
import io.prometheus.client.CollectorRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The HTTP endpoint: {@code /metrics}, {@code /-/healthy}, and a landing page on {@code /}.
 *
 * <p>Built on the JDK's server rather than simpleclient's {@code HTTPServer}, because the JDK
 * server reads a request's headers on a worker thread, and simpleclient's fixed pool of five
 * workers (then the dispatcher thread itself) lets a handful of clients that never finish a request
 * block every scrape for a minute. Here workers are made on demand up to {@link #MAX_WORKERS}
 * and reclaimed when idle, so slow clients cannot starve a scrape; past that, new work is
 * dropped and the JDK closes the connection when the request time limit below runs out.
 *
 * <p>The web configuration decides the rest: with TLS every connection is TLS (plain HTTP fails
 * the handshake); basic auth, the rate limit and extra headers apply as {@link AccessFilter} says.
 */
public final class MetricsServer implements AutoCloseable {
  static final int MAX_WORKERS = 256;

  static {
    // JDK-wide settings of com.sun.net.httpserver, read once when it is first used: a request
    // must arrive within 10 s, a response be taken within 60 s, no Nagle delay. Kept if set on the
    // command line.
    if (System.getProperty("sun.net.httpserver.maxReqTime") == null) {
      System.setProperty("sun.net.httpserver.maxReqTime", "10");
    }
    if (System.getProperty("sun.net.httpserver.maxRspTime") == null) {
      System.setProperty("sun.net.httpserver.maxRspTime", "60");
    }
    // Without TCP_NODELAY the last segment of an answer waits for the client's delayed ACK: every
    // scrape took 40 ms more (measured with the benchmark, one client, a 25 KiB answer).
    if (System.getProperty("sun.net.httpserver.nodelay") == null) {
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
  }

  private final HttpServer http;
  private final ThreadPoolExecutor workers;

  /** Binds and starts serving; throws {@link java.net.BindException} when the port is taken. */
  /**
   * @param expositionInputs the objects the registry renders; {@code /metrics} renders again when one is
   *     replaced (see {@link ExpositionCache})
   */
  public MetricsServer(InetSocketAddress address, CollectorRegistry registry, Supplier<List<Object>> expositionInputs,
      String version, String databasePath, LiveWebConfig web, Clock clock) throws IOException {
    this.http = web.sslContext().isPresent() ? https(address, web) : HttpServer.create(address, 128);
    AtomicInteger count = new AtomicInteger();
    this.workers = new ThreadPoolExecutor(0, MAX_WORKERS, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), runnable -> {
      Thread thread = new Thread(runnable, "http-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    }, new ThreadPoolExecutor.DiscardPolicy());
    http.setExecutor(workers);
    AccessFilter guarded = AccessFilter.guarded(web, clock);
    AccessFilter open = AccessFilter.open(web, clock);
    HttpContext landing = http.createContext("/", new LandingPage(version, databasePath));
    landing.getFilters().add(guarded);
    HttpContext metrics = http.createContext("/metrics", new MetricsHandler(registry, new ExpositionCache(registry, expositionInputs)));
    metrics.getFilters().add(guarded);
    HttpContext healthy = http.createContext("/-/healthy", exchange -> {
      try (exchange) {
        Responses.text(exchange, 200, "text/plain; charset=utf-8", "Healthy.\n");
      }
    });
    healthy.getFilters().add(open);
    http.start();
  }

  private static HttpsServer https(InetSocketAddress address, LiveWebConfig web) throws IOException {
    HttpsServer server = HttpsServer.create(address, 128);
    server.setHttpsConfigurator(new HttpsConfigurator(web.sslContext().orElseThrow()) {
      @Override
      public void configure(HttpsParameters connection) {
        // Each new connection takes the parameters (versions, suites, client certificates) in force.
        connection.setSSLParameters(web.current().tls().orElseThrow().parameters());
      }
    });
    return server;
  }

  /** {@code https} with TLS, else {@code http}. */
  public String scheme() {
    return http instanceof HttpsServer ? "https" : "http";
  }

  /** The port actually bound: the one asked for, or the one the system chose for port 0. */
  public int port() {
    return http.getAddress().getPort();
  }

  @Override
  public void close() {
    http.stop(0);
    workers.shutdownNow();
  }
}
