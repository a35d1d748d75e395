package dev.agentworkflow.exporter.bench;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Clients scraping {@code /metrics} back to back, as Prometheus does (its Accept header, gzip,
 * keep-alive), each timing every request from sending it to the last byte of the answer.
 */
final class ScrapeLoad {
  static final String PROMETHEUS_ACCEPT = "application/openmetrics-text;version=1.0.0,"
      + "application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

  /** Latencies of all clients' requests, and the size of one answer, gzipped and not. */
  record Result(int clients, Distribution latency, long gzipBytes, long plainBytes, long series) {}

  private ScrapeLoad() {}

  static Result run(int port, int clients, Duration duration) throws Exception {
    URL url = URI.create("http://127.0.0.1:" + port + "/metrics").toURL();
    byte[] plain = fetch(url, false);
    long series = new String(plain, java.nio.charset.StandardCharsets.UTF_8).lines()
        .filter(line -> !line.startsWith("#") && !line.isBlank()).count();
    long gzipBytes = fetch(url, true).length;
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    try {
      long end = System.nanoTime() + duration.toNanos();
      List<Future<List<Double>>> results = new ArrayList<>();
      for (int i = 0; i < clients; i++) {
        Callable<List<Double>> client = () -> {
          List<Double> millis = new ArrayList<>();
          while (System.nanoTime() < end) {
            long started = System.nanoTime();
            fetch(url, true);
            millis.add((System.nanoTime() - started) / 1e6);
          }
          return millis;
        };
        results.add(pool.submit(client));
      }
      List<Double> all = new ArrayList<>();
      for (Future<List<Double>> result : results) {
        all.addAll(result.get());
      }
      return new Result(clients, Distribution.of(all.stream().mapToDouble(Double::doubleValue).toArray()),
          gzipBytes, plain.length, series);
    } finally {
      pool.shutdownNow();
    }
  }

  private static byte[] fetch(URL url, boolean gzip) throws IOException {
    HttpURLConnection connection = (HttpURLConnection) url.openConnection();
    connection.setRequestProperty("Accept", PROMETHEUS_ACCEPT);
    if (gzip) {
      connection.setRequestProperty("Accept-Encoding", "gzip");
    }
    try (InputStream body = connection.getInputStream()) {
      if (connection.getResponseCode() != 200) {
        throw new IOException("/metrics answered " + connection.getResponseCode());
      }
      return body.readAllBytes();
    }
  }
}
