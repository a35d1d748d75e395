package dev.agentworkflow.exporter.http;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/** HTTP without TLS: the socket's bytes as they are. */
final class PlainTransport implements Transport {
  private final SocketChannel channel;

  PlainTransport(SocketChannel channel) {
    this.channel = channel;
  }

  @Override
  public int read(ByteBuffer dst) throws IOException {
    return channel.read(dst);
  }

  @Override
  public int readRoomNeeded() {
    return 1;
  }

  @Override
  public boolean write(ByteBuffer[] srcs) throws IOException {
    channel.write(srcs);
    for (ByteBuffer src : srcs) {
      if (src.hasRemaining()) {
        return false;
      }
    }
    return true;
  }

  @Override
  public boolean wantsWrite() {
    return false;
  }

  @Override
  public void closeOutbound() {
    try {
      channel.shutdownOutput();
    } catch (IOException ignored) {
      // the connection is being closed anyway
    }
  }
}
