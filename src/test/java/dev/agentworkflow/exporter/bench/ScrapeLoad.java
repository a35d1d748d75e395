package dev.agentworkflow.exporter.bench;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Clients scraping {@code /metrics} back to back, as Prometheus does (its Accept header, gzip,
 * one kept-alive connection each), each timing every request from sending it to the last byte of
 * the answer. The client is a few lines over a socket rather than the JDK's HttpURLConnection:
 * on two cores the load generator shares the CPU with the server, and the JDK's client spent
 * enough of it to double the 8-client p99 (measured against wrk: 3.2 ms with wrk, 6 to 7.5 ms
 * with HttpURLConnection, same server, same run).
 */
final class ScrapeLoad {
  static final String PROMETHEUS_ACCEPT = "application/openmetrics-text;version=1.0.0,"
      + "application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

  /** Latencies of all clients' requests, and the size of one answer, gzipped and not. */
  record Result(int clients, Distribution latency, long gzipBytes, long plainBytes, long series) {}

  private ScrapeLoad() {}

  static Result run(int port, int clients, Duration duration) throws Exception {
    byte[] plain;
    long gzipBytes;
    try (Connection connection = new Connection(port)) {
      plain = connection.get(false);
      gzipBytes = connection.get(true).length;
    }
    long series = new String(plain, StandardCharsets.UTF_8).lines()
        .filter(line -> !line.startsWith("#") && !line.isBlank()).count();
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    try {
      long end = System.nanoTime() + duration.toNanos();
      List<Future<double[]>> results = new ArrayList<>();
      for (int i = 0; i < clients; i++) {
        Callable<double[]> client = () -> {
          double[] millis = new double[1 << 16];
          int n = 0;
          try (Connection connection = new Connection(port)) {
            while (System.nanoTime() < end) {
              long started = System.nanoTime();
              connection.get(true);
              if (n == millis.length) {
                millis = java.util.Arrays.copyOf(millis, n * 2);
              }
              millis[n++] = (System.nanoTime() - started) / 1e6;
            }
          }
          return java.util.Arrays.copyOf(millis, n);
        };
        results.add(pool.submit(client));
      }
      List<double[]> all = new ArrayList<>();
      int total = 0;
      for (Future<double[]> result : results) {
        all.add(result.get());
        total += all.get(all.size() - 1).length;
      }
      double[] merged = new double[total];
      int at = 0;
      for (double[] part : all) {
        System.arraycopy(part, 0, merged, at, part.length);
        at += part.length;
      }
      return new Result(clients, Distribution.of(merged), gzipBytes, plain.length, series);
    } finally {
      pool.shutdownNow();
    }
  }

  /** One scrape as Prometheus asks for it, on a new connection: milliseconds from connecting to the last byte, and the bytes. */
  record One(double millis, int gzipBytes) {}

  static One once(int port) throws IOException {
    long started = System.nanoTime();
    try (Connection connection = new Connection(port)) {
      int bytes = connection.get(true).length;
      return new One((System.nanoTime() - started) / 1e6, bytes);
    }
  }

  /** One kept-alive HTTP/1.1 connection; answers must carry a Content-Length, as the exporter's do. */
  private static final class Connection implements AutoCloseable {
    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;
    private final byte[] gzipRequest;
    private final byte[] plainRequest;

    Connection(int port) throws IOException {
      socket = new Socket("127.0.0.1", port);
      socket.setTcpNoDelay(true);
      socket.setSoTimeout(30_000);
      out = socket.getOutputStream();
      in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
      String request = "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nAccept: " + PROMETHEUS_ACCEPT + "\r\n";
      gzipRequest = (request + "Accept-Encoding: gzip\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
      plainRequest = (request + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    byte[] get(boolean gzip) throws IOException {
      out.write(gzip ? gzipRequest : plainRequest);
      out.flush();
      String status = line();
      if (!status.startsWith("HTTP/1.1 200")) {
        throw new IOException("/metrics answered " + status);
      }
      int length = -1;
      for (String header = line(); !header.isEmpty(); header = line()) {
        if (header.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
          length = Integer.parseInt(header.substring("content-length:".length()).strip());
        }
      }
      if (length < 0) {
        throw new IOException("an answer without Content-Length");
      }
      return in.readNBytes(length);
    }

    private String line() throws IOException {
      StringBuilder line = new StringBuilder();
      for (int c = in.read(); c != '\n'; c = in.read()) {
        if (c < 0) {
          throw new IOException("connection closed by the server");
        }
        if (c != '\r') {
          line.append((char) c);
        }
      }
      return line.toString();
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
