package dev.agentworkflow.exporter.http;

import com.sun.net.httpserver.HttpServer;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.exporter.HTTPServer;
import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * The HTTP endpoint. We bind the {@link HttpServer} ourselves so that a port in use fails here,
 * before anything else starts, and so that {@code /} can be the landing page instead of a second
 * copy of the metrics.
 */
public final class MetricsServer implements AutoCloseable {
  private final HttpServer http;
  private final HTTPServer prometheus;

  /** Binds and starts serving; throws {@link java.net.BindException} when the port is taken. */
  public MetricsServer(InetSocketAddress address, CollectorRegistry registry, String version, String databasePath)
      throws IOException {
    this.http = HttpServer.create(address, 64);
    this.prometheus = new HTTPServer.Builder()
        .withHttpServer(http)
        .withRegistry(registry)
        .withDaemonThreads(true)
        .build();
    http.removeContext("/");
    http.createContext("/", new LandingPage(version, databasePath));
  }

  /** The port actually bound: the one asked for, or the one the system chose for port 0. */
  public int port() {
    return http.getAddress().getPort();
  }

  @Override
  public void close() {
    prometheus.close();
  }
}
