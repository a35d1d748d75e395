package dev.agentworkflow.exporter.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentworkflow.exporter.model.CustomResult;
import dev.agentworkflow.exporter.model.DatabaseStatus;
import dev.agentworkflow.exporter.model.HistogramSnapshot;
import dev.agentworkflow.exporter.model.HttpServerStatus;
import dev.agentworkflow.exporter.model.PollHistory;
import dev.agentworkflow.exporter.model.PollResult;
import dev.agentworkflow.exporter.model.PublishedPolls;
import dev.agentworkflow.exporter.model.Reads;
import dev.agentworkflow.exporter.model.StateStatus;
import dev.agentworkflow.exporter.model.WorkflowSnapshot;
import dev.agentworkflow.exporter.webconfig.LiveWebConfig;
import dev.agentworkflow.exporter.webconfig.WebConfig;
import dev.agentworkflow.exporter.metrics.SnapshotCollector;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.GaugeMetricFamily;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The HTTP server itself, spoken to over raw sockets so that every byte is ours: methods, content
 * negotiation, malformed and oversized requests, keep-alive and pipelining, the deadlines and the
 * connection cap (with limits small enough to be reached in a test).
 */
class HttpServerTest {
  private static final ServerLimits TIGHT = new ServerLimits(4, Duration.ofMillis(400), Duration.ofMillis(700),
      Duration.ofMillis(500), 1024, 4096, 2, Duration.ofSeconds(1));

  private final AtomicInteger collections = new AtomicInteger();
  private final List<MetricsServer> servers = new ArrayList<>();
  private static final PollResult NOTHING_YET = new PollResult(
      WorkflowSnapshot.empty(new HistogramSnapshot(List.of(), List.of(), 0, 0)),
      new DatabaseStatus(false, OptionalLong.empty(), Optional.of("no poll yet")),
      new PollHistory(0, 0, Optional.empty()), new Reads(Map.of(), 0, Map.of()), StateStatus.OFF, CustomResult.NONE);

  /** What the servers are told was published: nothing until a test publishes a poll. */
  private final AtomicReference<Optional<PollResult>> published = new AtomicReference<>(Optional.empty());

  @AfterEach
  void stop() {
    servers.forEach(MetricsServer::close);
  }

  /** A server whose registry holds {@code series} gauges, counting how often it is collected. */
  private MetricsServer start(ServerLimits limits, int series) throws IOException {
    Object input = new Object();
    SnapshotCollector<Object> collector = new SnapshotCollector<>() {
      @Override
      public Object snapshot() {
        return input;
      }

      @Override
      public List<MetricFamilySamples> families(Object snapshot, io.prometheus.client.Predicate<String> filter) {
        collections.incrementAndGet();
        GaugeMetricFamily gauge = new GaugeMetricFamily("test_gauge", "help", List.of("n"));
        for (int i = 0; i < series; i++) {
          gauge.addMetric(List.of("series-number-" + i), i);
        }
        return List.of(gauge, new GaugeMetricFamily("test_other", "help", 1));
      }
    };
    MetricsServer server = new MetricsServer(new InetSocketAddress("127.0.0.1", 0), "/metrics", List.of(collector),
        new CollectorRegistry(),
        () -> PublishedPolls.one("db", published.get().orElse(NOTHING_YET)), () -> published.get().isPresent(), "test",
        new LiveWebConfig(WebConfig.NONE, Clock.systemUTC()), Clock.systemUTC(), limits);
    server.start();
    servers.add(server);
    return server;
  }

  private MetricsServer start() throws IOException {
    return start(ServerLimits.DEFAULT, 3);
  }

  @Test
  void methodsOtherThanGetAndHeadAre405WithAllow() throws Exception {
    MetricsServer server = start();
    for (String method : new String[] {"POST", "PUT", "DELETE", "OPTIONS", "PATCH"}) {
      String answer = exchange(server, method + " /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
      assertTrue(answer.startsWith("HTTP/1.1 405 Method Not Allowed\r\n"), method + ": " + answer);
      assertTrue(answer.contains("\r\nAllow: GET, HEAD\r\n"), answer);
    }
    String head = exchange(server, "HEAD /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assertTrue(head.startsWith("HTTP/1.1 200 OK\r\n"), head);
    assertTrue(head.endsWith("\r\n\r\n"), "no body after the head: " + head);
    assertFalse(head.contains("\r\nContent-Length: 0\r\n"), "the length a GET would have: " + head);
  }

  @Test
  void anyAcceptHeaderIsAnsweredAndOpenMetricsOnlyWhenAskedFor() throws Exception {
    MetricsServer server = start();
    for (String accept : new String[] {";", "", ",,,", "*/*", "text/plain;q=", "application/openmetrics-text;q=0"}) {
      String answer = get(server, "/metrics", "Accept: " + accept);
      assertTrue(answer.startsWith("HTTP/1.1 200 OK\r\n"), accept + ": " + answer);
      assertTrue(answer.contains("Content-Type: text/plain; version=0.0.4"), accept + ": " + answer);
    }
    String openMetrics = get(server, "/metrics", "Accept: application/openmetrics-text; version=1.0.0; charset=utf-8");
    assertTrue(openMetrics.contains("Content-Type: application/openmetrics-text; version=1.0.0"), openMetrics);
    assertTrue(openMetrics.endsWith("# EOF\n"), openMetrics);
  }

  @Test
  void gzipOnlyWhereAcceptEncodingAllowsIt() throws Exception {
    MetricsServer server = start();
    for (String refused : new String[] {"gzip;q=0", "identity", "gzip;q=0, *", "*;q=0", "br", "gzip; q=0.000"}) {
      String answer = get(server, "/metrics", "Accept-Encoding: " + refused);
      assertFalse(answer.contains("Content-Encoding"), refused + ": " + answer);
      assertTrue(answer.contains("test_other 1.0"), refused);
    }
    for (String accepted : new String[] {"gzip", "GZIP;q=0.5", "deflate, gzip;q=1.0", "*", "x-gzip"}) {
      byte[] answer = getBytes(server, "/metrics", "Accept-Encoding: " + accepted);
      String head = new String(answer, StandardCharsets.ISO_8859_1);
      assertTrue(head.contains("Content-Encoding: gzip"), accepted + ": " + head);
      int body = head.indexOf("\r\n\r\n") + 4;
      String unzipped = new String(new GZIPInputStream(new java.io.ByteArrayInputStream(answer, body,
          answer.length - body)).readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(unzipped.contains("test_other 1.0"), accepted);
    }
  }

  @Test
  void filteredScrapesComeFromOneCollectionPerQuestion() throws Exception {
    MetricsServer server = start();
    get(server, "/metrics", "");
    for (int i = 0; i < 5; i++) {
      String filtered = get(server, "/metrics?name[]=test_other", "");
      assertTrue(filtered.contains("test_other 1.0"), filtered);
      assertFalse(filtered.contains("test_gauge"), filtered);
      assertTrue(get(server, "/metrics?name%5B%5D=test_gauge&name[]=nope", "").contains("series-number-2"));
    }
    assertEquals(3, collections.get(), "collected once per question (all, test_other, test_gauge), not per scrape");
    assertTrue(get(server, "/metrics?name[]=%zz", "").startsWith("HTTP/1.1 200 OK"), "a malformed escape names nothing");
  }

  @Test
  void malformedAndOversizedRequestsAreRefusedAndClosed() throws Exception {
    MetricsServer server = start(TIGHT, 3);
    assertTrue(exchange(server, "GARBAGE\r\n\r\n").startsWith("HTTP/1.1 400 "));
    assertTrue(exchange(server, "GET /metrics HTTP/2.0\r\n\r\n").startsWith("HTTP/1.1 505 "));
    assertTrue(exchange(server, "GET metrics HTTP/1.1\r\n\r\n").startsWith("HTTP/1.1 400 "));
    assertTrue(exchange(server, "GET /metrics HTTP/1.1\r\nBad Header: x\r\n\r\n").startsWith("HTTP/1.1 400 "));
    assertTrue(exchange(server, "GET /metrics HTTP/1.1\r\nX: a\u0001b\r\n\r\n").startsWith("HTTP/1.1 400 "));
    assertTrue(exchange(server, "GET /metrics HTTP/1.1\r\nX-Big: " + "a".repeat(2000) + "\r\n\r\n")
        .startsWith("HTTP/1.1 431 "));
    assertTrue(exchange(server, "POST /metrics HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
        .startsWith("HTTP/1.1 411 "));
    assertTrue(exchange(server, "POST /metrics HTTP/1.1\r\nContent-Length: 5000\r\n\r\n").startsWith("HTTP/1.1 413 "));
    assertTrue(exchange(server, "GET /metrics HTTP/1.1\r\nContent-Length: 1, 2\r\n\r\n").startsWith("HTTP/1.1 400 "));
    String refused = exchange(server, "GARBAGE\r\n\r\n");
    assertTrue(refused.contains("\r\nConnection: close\r\n"), refused);
    assertEquals(10, closed(server, "bad_request"));
  }

  @Test
  void readyOnlyOnceThePollerHasPublishedAPoll() throws Exception {
    MetricsServer server = start();
    for (int i = 0; i < 2; i++) {
      String waiting = get(server, "/-/ready", "");
      assertTrue(waiting.startsWith("HTTP/1.1 503 Service Unavailable\r\n"), waiting);
      assertTrue(waiting.contains("\r\nContent-Type: text/plain; charset=utf-8\r\n"), waiting);
      assertTrue(waiting.endsWith("\r\n\r\nNot ready: the first poll of the database has not finished.\n"), waiting);
    }
    assertTrue(get(server, "/metrics", "").startsWith("HTTP/1.1 200 "), "the metrics are served meanwhile");
    String head = exchange(server, "HEAD /-/ready HTTP/1.1\r\nConnection: close\r\n\r\n");
    assertTrue(head.startsWith("HTTP/1.1 503 ") && head.endsWith("\r\n\r\n"), head);

    // a poll that could not read the database is a finished poll: ready, the database's state is a metric
    published.set(Optional.of(new PollResult(WorkflowSnapshot.empty(new HistogramSnapshot(List.of(), List.of(), 0, 0)),
        new DatabaseStatus(false, OptionalLong.empty(), Optional.of("the database file db does not exist")),
        new PollHistory(0.001, 1, Optional.empty()), new Reads(Map.of(), 0, Map.of()), StateStatus.OFF,
        CustomResult.NONE)));
    String ready = get(server, "/-/ready", "");
    assertTrue(ready.startsWith("HTTP/1.1 200 OK\r\n"), ready);
    assertTrue(ready.endsWith("\r\n\r\nReady.\n"), ready);
    String post = exchange(server, "POST /-/ready HTTP/1.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    assertTrue(post.startsWith("HTTP/1.1 405 ") && post.contains("\r\nAllow: GET, HEAD\r\n"), post);
  }

  @Test
  void keepAlivePipeliningAndBodiesThatAreReadAndDropped() throws Exception {
    MetricsServer server = start();
    String answers = exchange(server, "POST /nope HTTP/1.1\r\nContent-Length: 11\r\n\r\nhello world"
        + "GET /-/healthy HTTP/1.1\r\n\r\n"
        + "GET /-/healthy HTTP/1.0\r\n\r\n"
        + "GET /-/healthy HTTP/1.1\r\n\r\n");
    String[] responses = answers.split("(?=HTTP/1\\.1 )");
    assertEquals(3, responses.length, answers);
    assertTrue(responses[0].startsWith("HTTP/1.1 404 "), answers);
    assertTrue(responses[1].startsWith("HTTP/1.1 200 ") && responses[1].endsWith("Healthy.\n"), answers);
    assertTrue(responses[2].startsWith("HTTP/1.1 200 ") && responses[2].contains("Connection: close"),
        "HTTP/1.0 closes after its answer; the request after it is never read: " + answers);
  }

  @Test
  void requestsThatDoNotArriveInTimeAreClosed() throws Exception {
    MetricsServer server = start(TIGHT, 3);
    try (Socket slow = connect(server); Socket silent = connect(server)) {
      slow.getOutputStream().write("GET /metrics HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
      assertEquals(-1, slow.getInputStream().read(), "closed without an answer");
      assertEquals(-1, silent.getInputStream().read());
    }
    assertEquals(2, closed(server, "request_timeout"));
  }

  @Test
  void keptAliveConnectionsAreClosedWhenIdle() throws Exception {
    MetricsServer server = start(TIGHT, 3);
    try (Socket socket = connect(server)) {
      socket.getOutputStream().write("GET /-/healthy HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      String answer = readUntilClosed(socket);
      assertTrue(answer.startsWith("HTTP/1.1 200 "), answer);
    }
    assertEquals(1, closed(server, "idle_timeout"));
  }

  @Test
  void aClientThatDoesNotReadItsAnswerIsClosed() throws Exception {
    MetricsServer server = start(TIGHT, 300_000); // an answer far larger than the sockets' buffers
    try (Socket socket = connect(server)) {
      socket.setReceiveBufferSize(4096);
      socket.getOutputStream().write("GET /metrics HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (closed(server, "response_timeout") == 0 && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
    }
    assertEquals(1, closed(server, "response_timeout"));
  }

  @Test
  void atTheCapTheConnectionWaitingLongestMakesRoom() throws Exception {
    MetricsServer server = start(new ServerLimits(3, Duration.ofSeconds(30), Duration.ofSeconds(30),
        Duration.ofSeconds(30), 1024, 4096, 2, Duration.ofSeconds(1)), 3);
    try (Socket first = connect(server); Socket second = connect(server); Socket third = connect(server)) {
      Thread.sleep(100); // accepted in this order
      String answer = get(server, "/-/healthy", "");
      assertTrue(answer.startsWith("HTTP/1.1 200 "), answer);
      first.setSoTimeout(5000);
      assertEquals(-1, first.getInputStream().read(), "the oldest waiting connection was closed");
      second.setSoTimeout(200);
      try {
        second.getInputStream().read();
        throw new AssertionError("the second connection should still be open");
      } catch (SocketTimeoutException stillOpen) {
        // as it should be
      }
    }
    assertEquals(1, closed(server, "evicted"));
  }

  private static long closed(MetricsServer server, String reason) {
    HttpServerStatus status = server.status();
    return status.connectionsClosed().get(reason);
  }

  private static Socket connect(MetricsServer server) throws IOException {
    Socket socket = new Socket();
    socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 2000);
    socket.setSoTimeout(10_000);
    return socket;
  }

  private static String get(MetricsServer server, String path, String header) throws IOException {
    return new String(getBytes(server, path, header), StandardCharsets.UTF_8);
  }

  private static byte[] getBytes(MetricsServer server, String path, String header) throws IOException {
    try (Socket socket = connect(server)) {
      socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
          + (header.isEmpty() ? "" : header + "\r\n") + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
      return readAllBytes(socket.getInputStream());
    }
  }

  /** Sends raw bytes, returns everything the server says until it closes. */
  private static String exchange(MetricsServer server, String raw) throws IOException {
    try (Socket socket = connect(server)) {
      socket.getOutputStream().write(raw.getBytes(StandardCharsets.ISO_8859_1));
      socket.shutdownOutput();
      return readUntilClosed(socket);
    }
  }

  private static String readUntilClosed(Socket socket) throws IOException {
    return new String(readAllBytes(socket.getInputStream()), StandardCharsets.UTF_8);
  }

  private static byte[] readAllBytes(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    in.transferTo(out);
    return out.toByteArray();
  }
}
