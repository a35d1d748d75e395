package dev.agentworkflow.exporter.reliability;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Clients that never finish: each opens a connection, starts a request (or a TLS handshake), and
 * then sends one more line (or byte) every {@code drip} milliseconds, for ever. A connection the
 * server closes is opened again at once, so the server faces the same number all along. On
 * loopback, with a fixed number of sockets, stopped by {@link #close()}.
 */
final class SlowClients implements AutoCloseable {
  /** What each client trickles. */
  enum Kind {
    /** A request head one header line at a time. */
    HEADERS("GET /metrics HTTP/1.1\r\nHost: x\r\n", "X-Slow: y\r\n"),
    /** A complete head announcing a body, then the body a line at a time. */
    BODY("POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 60000\r\n\r\n", "aaaaaaaaaaaaaaaaaaaa\n"),
    /** A TLS record header announcing a 512-byte ClientHello, then its bytes one at a time. */
    TLS_RECORD("\u0016\u0003\u0001\u0002\u0000", "\u0001"),
    /** Connected, and nothing else. */
    SILENT("", "");

    private final byte[] start;
    private final byte[] drip;

    Kind(String start, String drip) {
      this.start = start.getBytes(StandardCharsets.ISO_8859_1);
      this.drip = drip.getBytes(StandardCharsets.ISO_8859_1);
    }
  }

  private final Kind kind;
  private final InetSocketAddress server;
  private final List<Socket> sockets = new ArrayList<>();
  private final AtomicLong reopened = new AtomicLong();
  private final Thread dripper;
  private volatile boolean running = true;

  private SlowClients(Kind kind, int port, int count, long dripMillis) throws IOException {
    this.kind = kind;
    this.server = new InetSocketAddress("127.0.0.1", port);
    for (int i = 0; i < count; i++) {
      sockets.add(open());
    }
    this.dripper = new Thread(() -> drip(dripMillis), "slow-clients-" + kind);
    dripper.setDaemon(true);
    dripper.start();
  }

  static SlowClients start(Kind kind, int port, int count, long dripMillis) throws IOException {
    return new SlowClients(kind, port, count, dripMillis);
  }

  /** Connections the server closed and that were opened again. */
  long reopened() {
    return reopened.get();
  }

  private Socket open() throws IOException {
    Socket socket = new Socket();
    socket.connect(server, 5000);
    socket.getOutputStream().write(kind.start);
    return socket;
  }

  private void drip(long dripMillis) {
    while (running) {
      for (int i = 0; i < sockets.size() && running; i++) {
        Socket socket = sockets.get(i);
        try {
          OutputStream out = socket.getOutputStream();
          out.write(kind.drip);
          if (kind == Kind.SILENT && socket.getInputStream().available() == 0 && isClosedByPeer(socket)) {
            throw new IOException("closed by the server");
          }
        } catch (IOException closed) {
          try {
            socket.close();
            sockets.set(i, open());
            reopened.incrementAndGet();
          } catch (IOException e) {
            // the server refused the new connection: try again next round
          }
        }
      }
      try {
        Thread.sleep(dripMillis);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** A silent client learns of a close only by reading: an end of stream, without waiting. */
  private static boolean isClosedByPeer(Socket socket) throws IOException {
    socket.setSoTimeout(1);
    try {
      return socket.getInputStream().read() < 0;
    } catch (java.net.SocketTimeoutException stillOpen) {
      return false;
    }
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    dripper.interrupt();
    dripper.join(5000);
    for (Socket socket : sockets) {
      try {
        socket.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
  }
}
