package dev.agentworkflow.exporter.http;

import java.time.Duration;

/**
 * How much a client may take of the server, so that slow or hostile clients cannot keep a scrape
 * from being answered. The defaults are {@link #DEFAULT}.
 *
 * @param maxConnections open connections at most; a new one past it closes the connection that has
 *     waited longest for a request (a slow client's, or an idle keep-alive one)
 * @param requestTimeout a request's head and body (and, for a new connection, the TLS handshake)
 *     must have arrived this long after its first byte (after the connection was accepted)
 * @param idleTimeout how long a kept-alive connection may wait for its next request
 * @param responseTimeout how long a client may take to read a response
 * @param maxHeadBytes request line and header fields at most
 * @param maxBodyBytes a request body at most (no path takes one; it is read and dropped)
 * @param workers threads that answer requests; slow clients hold none
 * @param runtimeMetricsMaxAge how old the process's and the JVM's figures ({@code process_*},
 *     {@code jvm_*}) may be when served: scrapes within it share one reading, so that clients
 *     scraping back to back cannot make the server read and render them for each (zero: every scrape)
 */
public record ServerLimits(int maxConnections, Duration requestTimeout, Duration idleTimeout, Duration responseTimeout,
    int maxHeadBytes, long maxBodyBytes, int workers, Duration runtimeMetricsMaxAge) {

  /**
   * As Prometheus serves its own web: 512 connections; plus Go's usual request deadlines. The JVM's
   * figures at most a second old: a Prometheus scraping every 15 s always gets them fresh.
   */
  public static final ServerLimits DEFAULT = new ServerLimits(512, Duration.ofSeconds(10), Duration.ofMinutes(2),
      Duration.ofSeconds(60), 16 * 1024, 64 * 1024, 4, Duration.ofSeconds(1));
}
