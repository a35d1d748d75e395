package dev.agentworkflow.exporter.http;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every connection of the server on one thread that never waits on a client: it accepts, reads the
 * bytes that have arrived, writes what a client takes, and closes connections whose deadline has
 * passed. A complete request goes to a worker, and its response comes back here to be written. So
 * a client that sends its request (or its TLS handshake) a byte at a time, or reads its answer a
 * byte at a time, holds a connection, never a thread; and at the cap of connections, the one that
 * has waited longest for a request is closed to make room.
 */
final class ConnectionLoop implements Runnable, HttpConnection.Loop {
  private static final Logger log = LoggerFactory.getLogger(ConnectionLoop.class);
  private static final long SWEEP_MILLIS = 100;
  private static final int ACCEPT_BATCH = 64;
  private static final DateTimeFormatter HTTP_DATE =
      DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", java.util.Locale.ENGLISH);

  /** Makes the transport of a new connection (plain, or TLS with the configuration in force). */
  @FunctionalInterface
  interface Transports {
    Transport of(SocketChannel channel) throws IOException;
  }

  private final ServerSocketChannel server;
  private final SelectionKey serverKey;
  private boolean acceptFailing;
  private final Selector selector;
  private final ServerLimits limits;
  private final Transports transports;
  private final Function<Request, Response> handler;
  private final ExecutorService workers;
  private final ServerCounters counters;
  private final Clock clock;
  private final Set<HttpConnection> connections = new HashSet<>();
  private final ConcurrentLinkedQueue<Runnable> answered = new ConcurrentLinkedQueue<>();
  private volatile boolean running = true;
  private long tickets;
  private long lastDateSecond = Long.MIN_VALUE;
  private String date = "";

  ConnectionLoop(ServerSocketChannel server, ServerLimits limits, Transports transports,
      Function<Request, Response> handler, ExecutorService workers, ServerCounters counters, Clock clock)
      throws IOException {
    this.server = server;
    this.selector = Selector.open();
    this.limits = limits;
    this.transports = transports;
    this.handler = handler;
    this.workers = workers;
    this.counters = counters;
    this.clock = clock;
    server.configureBlocking(false);
    this.serverKey = server.register(selector, SelectionKey.OP_ACCEPT);
  }

  @Override
  public void run() {
    long nextSweep = System.nanoTime();
    while (running) {
      try {
        selector.select(SWEEP_MILLIS);
        long now = System.nanoTime();
        Runnable task;
        while ((task = answered.poll()) != null) {
          task.run();
        }
        for (SelectionKey key : selector.selectedKeys()) {
          handle(key, now);
        }
        selector.selectedKeys().clear();
        if (now - nextSweep >= 0) {
          sweep(now);
          nextSweep = now + SWEEP_MILLIS * 1_000_000;
        }
      } catch (ClosedSelectorException e) {
        return;
      } catch (IOException | RuntimeException e) {
        log.error("HTTP connection loop: unexpected failure; it goes on", e);
      }
    }
  }

  private void handle(SelectionKey key, long now) {
    if (!key.isValid()) {
      return;
    }
    if (key.isAcceptable()) {
      acceptAll(now);
      return;
    }
    handle(key, now, false);
  }

  /** Moves a connection's bytes; {@code justAccepted}: read what may be there already, unasked. */
  private void handle(SelectionKey key, long now, boolean justAccepted) {
    HttpConnection connection = (HttpConnection) key.attachment();
    try {
      if (justAccepted || key.isReadable()) {
        connection.readable(now);
      }
      if (!justAccepted && connection.isOpen() && key.isValid() && key.isWritable()) {
        connection.writable(now);
      }
    } catch (IOException e) {
      // a reset, a broken TLS handshake, a client gone: its connection ends, nothing else does
      log.debug("HTTP connection closed: {}", e.toString());
      connection.close(null);
    } catch (RuntimeException e) {
      log.warn("HTTP connection closed after an unexpected failure", e);
      connection.close(null);
    }
  }

  /**
   * Accepts what is waiting, a batch at a time so that reads come between batches. A new connection
   * is read at once: a real client's request is usually there already, and so it is being answered
   * before the next connection at the cap picks the longest-waiting one to close.
   */
  private void acceptAll(long now) {
    for (int batch = 0; batch < ACCEPT_BATCH; batch++) {
      SocketChannel channel;
      try {
        channel = server.accept();
      } catch (IOException e) {
        // e.g. out of file descriptors: the connection stays in the backlog, and the selector would
        // report it again at once; wait for the next sweep instead of spinning, and say so once
        if (!acceptFailing) {
          log.warn("cannot accept connections: {}; trying again every {} ms", e.getMessage(), SWEEP_MILLIS);
          acceptFailing = true;
        }
        serverKey.interestOps(0);
        return;
      }
      if (channel == null) {
        return;
      }
      if (acceptFailing) {
        log.info("accepting connections again");
        acceptFailing = false;
      }
      if (connections.size() >= limits.maxConnections() && !evictOldestWaiting()) {
        counters.closed(ServerCounters.Closed.REFUSED);
        closeQuietly(channel);
        continue;
      }
      try {
        channel.configureBlocking(false);
        channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        SelectionKey key = channel.register(selector, SelectionKey.OP_READ);
        HttpConnection connection = new HttpConnection(channel, key, transports.of(channel), limits, this, now);
        key.attach(connection);
        connections.add(connection);
        handle(key, now, true);
      } catch (IOException | RuntimeException e) {
        log.debug("cannot set up a connection: {}", e.toString());
        closeQuietly(channel);
      }
    }
  }

  /**
   * Closes a connection to make room: one already answered and only lingering to let its client
   * read the answer, else the one that has waited longest for a request; false when every
   * connection is being answered or written to.
   */
  private boolean evictOldestWaiting() {
    HttpConnection oldest = null;
    for (HttpConnection connection : connections) {
      if (connection.state() == HttpConnection.State.LINGERING) {
        connection.close(ServerCounters.Closed.EVICTED);
        return true;
      }
      if (connection.state() == HttpConnection.State.READING
          && (oldest == null || connection.waitingTicket() < oldest.waitingTicket())) {
        oldest = connection;
      }
    }
    if (oldest == null) {
      return false;
    }
    oldest.close(ServerCounters.Closed.EVICTED);
    return true;
  }

  private void sweep(long now) {
    if (serverKey.isValid() && serverKey.interestOps() == 0) {
      serverKey.interestOps(SelectionKey.OP_ACCEPT);
    }
    List<HttpConnection> expired = new ArrayList<>();
    for (HttpConnection connection : connections) {
      if (now - connection.deadlineNanos() >= 0) {
        expired.add(connection);
      }
    }
    for (HttpConnection connection : expired) {
      connection.close(connection.deadlineReason());
    }
  }

  @Override
  public void answer(HttpConnection connection, Request request) {
    try {
      workers.execute(() -> {
        Response response = answerSafely(request);
        answered.add(() -> respond(connection, request, response, false));
        selector.wakeup();
      });
    } catch (RejectedExecutionException e) {
      counters.refused(ServerCounters.Refused.OVERLOADED);
      respond(connection, request, Response.text(503, "Service Unavailable: too many requests at once\n"), true);
    }
  }

  private Response answerSafely(Request request) {
    try {
      return handler.apply(request);
    } catch (RuntimeException e) {
      log.error("answering {} {} failed", request.method(), request.path(), e);
      return Response.text(500, "Internal Server Error\n");
    }
  }

  private void respond(HttpConnection connection, Request request, Response response, boolean close) {
    if (!connection.isOpen()) {
      return;
    }
    try {
      connection.respond(request, response, close, System.nanoTime());
    } catch (IOException | RuntimeException e) {
      log.debug("HTTP connection closed while answering: {}", e.toString());
      connection.close(null);
    }
  }

  @Override
  public void closed(HttpConnection connection, ServerCounters.Closed reason) {
    connections.remove(connection);
    if (reason != null) {
      counters.closed(reason);
    }
  }

  @Override
  public void closing(ServerCounters.Closed reason) {
    counters.closed(reason);
  }

  @Override
  public long ticket() {
    return ++tickets;
  }

  /** The Date header's value, made once a second. */
  @Override
  public String date() {
    long second = clock.millis() / 1000;
    if (second != lastDateSecond) {
      lastDateSecond = second;
      date = HTTP_DATE.format(java.time.Instant.ofEpochSecond(second).atOffset(ZoneOffset.UTC));
    }
    return date;
  }

  /** Stops the loop and closes every connection and the listening socket. */
  void stop() {
    running = false;
    selector.wakeup();
  }

  /** After the loop's thread has ended: releases what it held. */
  void release() {
    for (HttpConnection connection : new ArrayList<>(connections)) {
      connection.close(null);
    }
    closeQuietly(server);
    try {
      selector.close();
    } catch (IOException ignored) {
      // nothing left to release
    }
  }

  private static void closeQuietly(java.io.Closeable closeable) {
    try {
      closeable.close();
    } catch (IOException ignored) {
      // nothing to do about it
    }
  }
}
