package dev.agentworkflow.exporter.http;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * One client connection, from accept to close: reads requests as their bytes arrive, hands each
 * complete one to the loop to be answered, writes the answer as the client takes it, and keeps the
 * deadline that applies now. Only the connection loop's thread touches it.
 */
final class HttpConnection {
  /** Where the connection is. */
  enum State {
    /** Waiting for a request or receiving one (for TLS, the handshake first). */
    READING,
    /** A worker is answering its request; nothing more is read meanwhile. */
    ANSWERING,
    /** Its response is being written. */
    WRITING,
    /** After an error response: the client's remaining bytes are read and dropped, briefly, so that it sees the answer. */
    LINGERING
  }

  /** What the connection asks of the loop. */
  interface Loop {
    void answer(HttpConnection connection, Request request);

    void closed(HttpConnection connection, ServerCounters.Closed reason);

    /** Counts a connection the server has decided to close, though it may linger a moment first. */
    void closing(ServerCounters.Closed reason);

    String date();

    /** A number larger than every one given before: the order in which connections began to wait. */
    long ticket();
  }

  private static final long LINGER_NANOS = 2_000_000_000L;
  private static final int SMALL = 2048;

  private final SocketChannel channel;
  private final SelectionKey key;
  private final Transport transport;
  private final ServerLimits limits;
  private final Loop loop;
  private final RequestParser parser;
  /** Bytes received and not yet parsed; write mode. */
  private ByteBuffer in = ByteBuffer.allocate(SMALL);
  private State state = State.READING;
  private long waitingTicket;
  private long deadlineNanos;
  private boolean requestStarted;
  private boolean answeredOnce;
  private ByteBuffer[] out;
  private boolean closeAfterWriting;
  private boolean open = true;

  HttpConnection(SocketChannel channel, SelectionKey key, Transport transport, ServerLimits limits, Loop loop,
      long nowNanos) {
    this.channel = channel;
    this.key = key;
    this.transport = transport;
    this.limits = limits;
    this.loop = loop;
    this.parser = new RequestParser(limits.maxHeadBytes(), limits.maxBodyBytes());
    this.waitingTicket = loop.ticket();
    this.deadlineNanos = nowNanos + limits.requestTimeout().toNanos();
  }

  State state() {
    return state;
  }

  boolean isOpen() {
    return open;
  }

  /** When it began to wait for its current request, as an order: at the cap, the earliest waiting is closed first. */
  long waitingTicket() {
    return waitingTicket;
  }

  long deadlineNanos() {
    return deadlineNanos;
  }

  /** Why the deadline that has passed closes it (none for the short linger after an error). */
  ServerCounters.Closed deadlineReason() {
    return switch (state) {
      case READING -> requestStarted || !answeredOnce
          ? ServerCounters.Closed.REQUEST_TIMEOUT : ServerCounters.Closed.IDLE_TIMEOUT;
      case WRITING -> ServerCounters.Closed.RESPONSE_TIMEOUT;
      case ANSWERING, LINGERING -> null;
    };
  }

  void readable(long nowNanos) throws IOException {
    if (state == State.LINGERING) {
      in.clear();
      if (transport.read(in) < 0) {
        close(null);
      }
      return;
    }
    if (state != State.READING) {
      return;
    }
    makeRoom();
    int read = transport.read(in);
    if (read < 0) {
      close(null);
      return;
    }
    parse(nowNanos);
  }

  void writable(long nowNanos) throws IOException {
    if (state == State.READING) {
      readable(nowNanos); // a TLS handshake message went out: go on with the handshake
      return;
    }
    if (state != State.WRITING) {
      interest();
      return;
    }
    if (!transport.write(out)) {
      interest();
      return;
    }
    out = null;
    answeredOnce = true;
    if (closeAfterWriting) {
      transport.closeOutbound();
      state = State.LINGERING;
      deadlineNanos = nowNanos + LINGER_NANOS;
      interest();
      return;
    }
    state = State.READING;
    requestStarted = false;
    waitingTicket = loop.ticket();
    deadlineNanos = nowNanos + limits.idleTimeout().toNanos();
    if (in.capacity() > SMALL && in.position() == 0) {
      in = ByteBuffer.allocate(SMALL); // an idle connection keeps a small buffer
    }
    parse(nowNanos); // a pipelined request may be there already
  }

  /** Starts writing {@code response} to the request read last. */
  void respond(Request request, Response response, boolean close, long nowNanos) throws IOException {
    boolean head = request != null && request.isHead();
    closeAfterWriting = close || request == null || !request.keepAlive();
    byte[] headBytes = head(response, closeAfterWriting);
    out = head || response.body().length == 0
        ? new ByteBuffer[] {ByteBuffer.wrap(headBytes)}
        : new ByteBuffer[] {ByteBuffer.wrap(headBytes), ByteBuffer.wrap(response.body())};
    state = State.WRITING;
    deadlineNanos = nowNanos + limits.responseTimeout().toNanos();
    writable(nowNanos);
  }

  void close(ServerCounters.Closed reason) {
    if (!open) {
      return;
    }
    open = false;
    loop.closed(this, reason); // counted before the client can see the close
    key.cancel();
    try {
      channel.close();
    } catch (IOException ignored) {
      // closing a socket cannot fail in a way that matters
    }
  }

  private void parse(long nowNanos) throws IOException {
    in.flip();
    RequestParser.Result result;
    boolean started;
    try {
      result = parser.parse(in);
      started = parser.inProgress(in);
    } finally {
      in.compact();
    }
    if (started && !requestStarted) {
      requestStarted = true;
      deadlineNanos = Math.min(deadlineNanos, nowNanos + limits.requestTimeout().toNanos());
    }
    if (result instanceof RequestParser.Complete complete) {
      state = State.ANSWERING;
      deadlineNanos = Long.MAX_VALUE;
      interest();
      loop.answer(this, complete.request());
    } else if (result instanceof RequestParser.Malformed malformed) {
      loop.closing(ServerCounters.Closed.BAD_REQUEST);
      respond(null, Response.text(malformed.status(), malformed.reason() + "\n"), true, nowNanos);
    } else {
      interest();
    }
  }

  /** Grows the input buffer when the transport needs more room, up to a head's worth and one TLS record. */
  private void makeRoom() {
    int needed = Math.max(1, transport.readRoomNeeded());
    if (in.remaining() >= needed) {
      return;
    }
    int limit = limits.maxHeadBytes() + Math.max(needed, SMALL);
    int capacity = Math.min(limit, Math.max(in.capacity() * 2, in.position() + needed));
    if (capacity > in.capacity()) {
      ByteBuffer bigger = ByteBuffer.allocate(capacity);
      in.flip();
      bigger.put(in);
      in = bigger;
    }
  }

  private void interest() {
    if (!key.isValid()) {
      return;
    }
    int ops = switch (state) {
      case READING -> SelectionKey.OP_READ | (transport.wantsWrite() ? SelectionKey.OP_WRITE : 0);
      case ANSWERING -> 0;
      case WRITING -> SelectionKey.OP_WRITE;
      case LINGERING -> SelectionKey.OP_READ;
    };
    key.interestOps(ops);
  }

  private byte[] head(Response response, boolean close) {
    StringBuilder head = new StringBuilder(256);
    head.append("HTTP/1.1 ").append(response.status()).append(' ').append(reason(response.status())).append("\r\n");
    for (Map.Entry<String, String> header : response.headers().entrySet()) {
      head.append(header.getKey()).append(": ").append(header.getValue()).append("\r\n");
    }
    head.append("Content-Length: ").append(response.body().length).append("\r\n");
    head.append("Date: ").append(loop.date()).append("\r\n");
    if (close) {
      head.append("Connection: close\r\n");
    }
    head.append("\r\n");
    return head.toString().getBytes(StandardCharsets.ISO_8859_1);
  }

  private static String reason(int status) {
    return switch (status) {
      case 200 -> "OK";
      case 400 -> "Bad Request";
      case 401 -> "Unauthorized";
      case 404 -> "Not Found";
      case 405 -> "Method Not Allowed";
      case 411 -> "Length Required";
      case 413 -> "Content Too Large";
      case 429 -> "Too Many Requests";
      case 431 -> "Request Header Fields Too Large";
      case 500 -> "Internal Server Error";
      case 503 -> "Service Unavailable";
      case 505 -> "HTTP Version Not Supported";
      default -> "Status " + status;
    };
  }
}
