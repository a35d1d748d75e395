package dev.agentworkflow.exporter.http;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;

/**
 * TLS over a non-blocking channel with the JDK's {@link SSLEngine}: the handshake and the records
 * are driven by the connection loop as bytes come and go, so a client that sends its handshake a
 * byte at a time holds no thread, only its connection (closed by the loop's deadline).
 *
 * <p>Buffers start small and grow to the engine's record size only when a client sends a record
 * that large, so hundreds of idle or slow TLS connections cost little memory. The engine's
 * delegated tasks (certificate checks, key agreement: about a millisecond) run on the loop thread.
 */
final class TlsTransport implements Transport {
  private static final int SMALL = 4096;
  private static final ByteBuffer[] NOTHING = {ByteBuffer.allocate(0)};

  private final SocketChannel channel;
  private final SSLEngine engine;
  /** Bytes read from the socket not yet decrypted; write mode. */
  private ByteBuffer netIn = ByteBuffer.allocate(SMALL);
  /** Encrypted bytes not yet written; read mode; {@code null} when there are none. */
  private ByteBuffer netOut;
  private int readRoomNeeded = 1;

  TlsTransport(SocketChannel channel, SSLEngine engine) throws SSLException {
    this.channel = channel;
    this.engine = engine;
    engine.beginHandshake();
  }

  @Override
  public int read(ByteBuffer dst) throws IOException {
    int produced = 0;
    while (true) {
      if (!flush()) {
        return produced; // a handshake message must go out before anything more comes in
      }
      HandshakeStatus handshake = engine.getHandshakeStatus();
      if (handshake == HandshakeStatus.NEED_TASK) {
        runTasks();
        continue;
      }
      if (handshake == HandshakeStatus.NEED_WRAP) {
        wrap(NOTHING);
        continue;
      }
      netIn.flip();
      SSLEngineResult result;
      try {
        result = engine.unwrap(netIn, dst);
      } finally {
        netIn.compact();
      }
      produced += result.bytesProduced();
      switch (result.getStatus()) {
        case OK -> {
          boolean stalled = result.bytesConsumed() == 0 && result.bytesProduced() == 0
              && engine.getHandshakeStatus() != HandshakeStatus.NEED_TASK
              && engine.getHandshakeStatus() != HandshakeStatus.NEED_WRAP;
          if (stalled) {
            int fill = readMore();
            if (fill <= 0) {
              return produced > 0 || fill == 0 ? produced : -1;
            }
          }
        }
        case BUFFER_UNDERFLOW -> {
          int fill = readMore();
          if (fill < 0) {
            return produced > 0 ? produced : -1;
          }
          if (fill == 0) {
            return produced;
          }
        }
        case BUFFER_OVERFLOW -> {
          readRoomNeeded = engine.getSession().getApplicationBufferSize();
          return produced;
        }
        case CLOSED -> {
          return produced > 0 ? produced : -1;
        }
        default -> throw new SSLException("unexpected result " + result.getStatus());
      }
    }
  }

  /** Reads more bytes into {@link #netIn}, growing it to a whole record if it is full; -1 at end of stream. */
  private int readMore() throws IOException {
    if (!netIn.hasRemaining()) {
      int packet = engine.getSession().getPacketBufferSize();
      if (netIn.capacity() >= packet) {
        throw new SSLException("TLS record larger than " + packet + " bytes");
      }
      ByteBuffer bigger = ByteBuffer.allocate(packet);
      netIn.flip();
      bigger.put(netIn);
      netIn = bigger;
    }
    return channel.read(netIn);
  }

  @Override
  public int readRoomNeeded() {
    return readRoomNeeded;
  }

  @Override
  public boolean write(ByteBuffer[] srcs) throws IOException {
    while (true) {
      if (!flush()) {
        return false;
      }
      HandshakeStatus handshake = engine.getHandshakeStatus();
      if (handshake == HandshakeStatus.NEED_TASK) {
        runTasks();
        continue;
      }
      if (!hasRemaining(srcs)) {
        netOut = null; // nothing more to send: keep an idle connection small
        return true;
      }
      SSLEngineResult result = wrap(srcs);
      if (result.bytesConsumed() == 0 && result.bytesProduced() == 0
          && result.getStatus() != SSLEngineResult.Status.BUFFER_OVERFLOW
          && engine.getHandshakeStatus() != HandshakeStatus.NEED_TASK) {
        // the engine wants to read first (a renegotiation asked for mid-answer): not worth the trouble
        throw new SSLException("TLS cannot write: the engine waits for " + engine.getHandshakeStatus());
      }
    }
  }

  private SSLEngineResult wrap(ByteBuffer[] srcs) throws IOException {
    if (netOut == null) {
      netOut = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
    } else {
      netOut.compact();
    }
    SSLEngineResult result = engine.wrap(srcs, netOut);
    netOut.flip();
    switch (result.getStatus()) {
      case OK -> { }
      case BUFFER_OVERFLOW -> {
        ByteBuffer bigger = ByteBuffer.allocate(netOut.capacity() + engine.getSession().getPacketBufferSize());
        bigger.put(netOut);
        bigger.flip();
        netOut = bigger;
      }
      case CLOSED -> {
        if (result.bytesProduced() == 0 && hasRemaining(srcs)) {
          throw new SSLException("the TLS connection is closed");
        }
      }
      default -> throw new SSLException("unexpected result " + result.getStatus());
    }
    if (result.getHandshakeStatus() == HandshakeStatus.NEED_TASK) {
      runTasks();
    }
    return result;
  }

  /** Writes pending encrypted bytes; true when none are left. */
  private boolean flush() throws IOException {
    if (netOut == null || !netOut.hasRemaining()) {
      return true;
    }
    channel.write(netOut);
    return !netOut.hasRemaining();
  }

  private void runTasks() {
    Runnable task;
    while ((task = engine.getDelegatedTask()) != null) {
      task.run();
    }
  }

  @Override
  public boolean wantsWrite() {
    return netOut != null && netOut.hasRemaining();
  }

  /** close_notify, then the TCP half-close, so that a client waiting for either sees the end of the answer. */
  @Override
  public void closeOutbound() {
    try {
      engine.closeOutbound();
      wrap(NOTHING);
      if (flush()) {
        channel.shutdownOutput();
      }
    } catch (IOException ignored) {
      // best effort: the connection is being closed anyway
    }
  }

  private static boolean hasRemaining(ByteBuffer[] buffers) {
    for (ByteBuffer buffer : buffers) {
      if (buffer.hasRemaining()) {
        return true;
      }
    }
    return false;
  }
}
