package dev.agentworkflow.exporter.reliability;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * One scrape on a new connection, as a Prometheus that lost its kept-alive connection makes it,
 * with a deadline for the whole of it: connect, TLS handshake if any, request, the complete answer.
 */
final class TimedScrape {
  /** How a scrape went: its status (0 when it failed) and how long it took. */
  record Outcome(int status, long nanos, String failure, String body) {
    boolean ok() {
      return status == 200;
    }
  }

  private TimedScrape() {}

  static Outcome get(int port, SSLContext tls, String path, String authorization, int timeoutMillis) {
    long started = System.nanoTime();
    try (Socket plain = new Socket()) {
      plain.connect(new InetSocketAddress("127.0.0.1", port), timeoutMillis);
      plain.setSoTimeout(timeoutMillis);
      Socket socket = plain;
      if (tls != null) {
        SSLSocket secure = (SSLSocket) tls.getSocketFactory().createSocket(plain, "127.0.0.1", port, true);
        secure.setSoTimeout(timeoutMillis);
        secure.startHandshake();
        socket = secure;
      }
      String request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
          + (authorization == null ? "" : "Authorization: " + authorization + "\r\n") + "\r\n";
      socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      String answer = readAll(socket.getInputStream(), started + timeoutMillis * 1_000_000L);
      long took = System.nanoTime() - started;
      int status = answer.startsWith("HTTP/1.1 ") ? Integer.parseInt(answer.substring(9, 12)) : 0;
      int body = answer.indexOf("\r\n\r\n");
      return new Outcome(status, took, status == 0 ? "no status line" : null, body < 0 ? "" : answer.substring(body + 4));
    } catch (IOException e) {
      return new Outcome(0, System.nanoTime() - started, e.toString(), "");
    }
  }

  private static String readAll(InputStream in, long deadlineNanos) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[64 * 1024];
    while (true) {
      if (System.nanoTime() > deadlineNanos) {
        throw new SocketTimeoutException("the answer took longer than its deadline");
      }
      int n = in.read(buffer);
      if (n < 0) {
        return out.toString(StandardCharsets.UTF_8);
      }
      out.write(buffer, 0, n);
    }
  }
}
