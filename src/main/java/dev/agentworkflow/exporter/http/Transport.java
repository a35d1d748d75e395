package dev.agentworkflow.exporter.http;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The bytes of one connection, plain or TLS, on a non-blocking channel: neither call ever waits.
 * Only the connection loop's thread calls it.
 */
interface Transport {
  /**
   * Moves what has arrived into {@code dst} (write mode), decrypted if need be; returns the bytes
   * added, 0 when nothing more can be read now, -1 once the client has closed its side.
   */
  int read(ByteBuffer dst) throws IOException;

  /**
   * Room {@code dst} must have for the next {@link #read} to make progress: a TLS record is
   * decrypted whole, so it needs room for the largest one once a client sends one that big.
   */
  int readRoomNeeded();

  /** Writes what the socket takes of {@code srcs}; true when all of it is on the wire. */
  boolean write(ByteBuffer[] srcs) throws IOException;

  /** Bytes are waiting for the socket to take them (a TLS handshake message, the rest of a response). */
  boolean wantsWrite();

  /** Says goodbye where the protocol has a way to (TLS close_notify), without waiting. */
  void closeOutbound();
}
