package dev.agentworkflow.exporter.state;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutput;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HexFormat;
import java.security.SecureRandom;
import java.util.zip.CRC32;
import java.util.zip.CheckedOutputStream;

/**
 * One state file: its bytes framed (a magic word, the format, the length, a CRC32), written
 * atomically (a new file beside it, written, fsynced, renamed over it, the folder fsynced: a reader
 * or a crash sees the old file or the new one, never half of one), and locked for as long as the
 * exporter keeps it open ({@code NAME.lock} beside it), so that two exporters never write one.
 * Written and read as streams: the file is never whole in memory.
 */
public final class StateFile implements AutoCloseable {
  private static final byte[] MAGIC = "AWXSTATE".getBytes(StandardCharsets.US_ASCII);
  /**
   * Bumped whenever what the trackers write changes; a file of another format is not read. 2 added
   * tool uses and what agents report: a state of format 1 knows nothing of them.
   */
  static final int FORMAT = 2;
  private static final int HEADER = MAGIC.length + 4 + 4;
  private static final int TRAILER = 8;
  private static final int BUFFER = 64 * 1024;

  private final Path path;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private final SecureRandom random = new SecureRandom();

  private StateFile(Path path, FileChannel lockChannel, FileLock lock) {
    this.path = path;
    this.lockChannel = lockChannel;
    this.lock = lock;
  }

  /** What became of an attempt to open the state file. */
  public sealed interface Opened permits Usable, InUse {}

  /** Opened; {@code locked} is false when its folder could not be written (reads may work, writes will not). */
  public record Usable(StateFile file, boolean locked, String problem) implements Opened {}

  /** Another exporter holds it: this one goes on without state. */
  public record InUse(Path lockFile) implements Opened {}

  /** Creates the folder if need be and takes the lock. */
  public static Opened open(Path path) {
    Path lockFile = path.resolveSibling(path.getFileName() + ".lock");
    try {
      Files.createDirectories(path.toAbsolutePath().getParent());
      FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException sameProcess) {
        lock = null; // another exporter in this JVM holds it
      }
      if (lock == null) {
        channel.close();
        return new InUse(lockFile);
      }
      return new Usable(new StateFile(path, channel, lock), true, null);
    } catch (IOException e) {
      return new Usable(new StateFile(path, null, null), false, describe(e));
    }
  }

  public Path path() {
    return path;
  }

  /** Writes a state to a stream. It is called twice, to measure the state and to write it: it must write the same bytes. */
  @FunctionalInterface
  public interface Payload {
    void writeTo(DataOutput out) throws IOException;
  }

  /** Reads a state from a stream that ends where the state ends. */
  @FunctionalInterface
  public interface Reader<T> {
    T readFrom(DataInputStream in) throws IOException;
  }

  /** What a read found. */
  public sealed interface Read<T> permits Found, Absent, Unusable {}

  public record Found<T>(T value, long sizeBytes) implements Read<T> {}

  public record Absent<T>() implements Read<T> {}

  /**
   * There, but not a state this exporter wrote, or not readable: counted from scratch.
   *
   * @param cannotRead the file could not be read at all (rather than read and found not to be a state)
   */
  public record Unusable<T>(String why, boolean cannotRead) implements Read<T> {}

  /**
   * Reads the state back: checks its frame and checksum, then hands its bytes to {@code reader} as
   * a stream. Neither pass holds the file in memory: the state of a tracker following hundreds of
   * thousands of rows is tens of MB, and the heap has to hold the tracker read from it. Whatever
   * {@code reader} throws is thrown.
   */
  public <T> Read<T> read(Reader<T> reader) throws IOException {
    FileChannel channel;
    try {
      channel = FileChannel.open(path, StandardOpenOption.READ);
    } catch (NoSuchFileException e) {
      return new Absent<>();
    } catch (IOException e) {
      return new Unusable<>("cannot read it: " + describe(e), true);
    }
    try (channel) {
      long size;
      ByteBuffer header = ByteBuffer.allocate(HEADER);
      try {
        size = channel.size();
        if (size >= HEADER + TRAILER) {
          readFully(channel, header, 0);
        }
      } catch (IOException e) {
        return new Unusable<>("cannot read it: " + describe(e), true);
      }
      if (size < HEADER + TRAILER || !Arrays.equals(header.array(), 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
        return new Unusable<>("it is not a state file of this exporter", false);
      }
      int format = header.getInt(MAGIC.length);
      if (format != FORMAT) {
        return new Unusable<>("it was written in format " + format + " by another version; this one reads format "
            + FORMAT, false);
      }
      int length = header.getInt(MAGIC.length + 4);
      if (length < 0 || length != size - HEADER - TRAILER) {
        return new Unusable<>("it is cut short or has bytes past its end", false);
      }
      try {
        if (checksum(channel, HEADER + (long) length) != readFully(channel, ByteBuffer.allocate(TRAILER),
            HEADER + (long) length).getLong(0)) {
          return new Unusable<>("its checksum does not match: it is damaged", false);
        }
      } catch (EOFException e) {
        return new Unusable<>("it is cut short or has bytes past its end", false);
      } catch (IOException e) {
        return new Unusable<>("cannot read it: " + describe(e), true);
      }
      InputStream payload = new BufferedInputStream(new Slice(channel, HEADER, length), BUFFER);
      return new Found<>(reader.readFrom(new DataInputStream(payload)), size);
    }
  }

  /**
   * Replaces the file atomically with the state {@code payload} writes; returns the file's size.
   * The state goes to the file as it is written, never whole in memory: {@code payload} is called
   * once to measure it (the length comes first in the file) and once to write it.
   */
  public long write(Payload payload) throws IOException {
    Counter counter = new Counter();
    try (DataOutputStream measure = new DataOutputStream(counter)) {
      payload.writeTo(measure);
    }
    if (counter.bytes > Integer.MAX_VALUE - HEADER - TRAILER) {
      throw new IOException("the state is too large: " + counter.bytes + " bytes");
    }
    int length = (int) counter.bytes;
    Path folder = path.toAbsolutePath().getParent();
    Path temporary = folder.resolve("." + path.getFileName() + "." + HexFormat.of().toHexDigits(random.nextLong()) + ".tmp");
    try {
      try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        CRC32 crc = new CRC32();
        OutputStream file = new BufferedOutputStream(Channels.newOutputStream(channel), BUFFER);
        DataOutputStream out = new DataOutputStream(new CheckedOutputStream(file, crc));
        out.write(MAGIC);
        out.writeInt(FORMAT);
        out.writeInt(length);
        payload.writeTo(out);
        out.flush();
        if (out.size() != HEADER + length) {
          throw new IOException("the state changed while it was written");
        }
        DataOutputStream trailer = new DataOutputStream(file);
        trailer.writeLong(crc.getValue());
        trailer.flush();
        channel.force(true);
      }
      Files.move(temporary, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(temporary);
    }
    syncFolder(folder);
    return HEADER + (long) length + TRAILER;
  }

  private static long checksum(FileChannel channel, long end) throws IOException {
    CRC32 crc = new CRC32();
    ByteBuffer buffer = ByteBuffer.allocate(BUFFER);
    for (long position = 0; position < end; ) {
      buffer.clear().limit((int) Math.min(BUFFER, end - position));
      int n = channel.read(buffer, position);
      if (n < 0) {
        throw new EOFException();
      }
      buffer.flip();
      crc.update(buffer);
      position += n;
    }
    return crc.getValue();
  }

  private static ByteBuffer readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
    while (buffer.hasRemaining()) {
      int n = channel.read(buffer, position + buffer.position());
      if (n < 0) {
        throw new EOFException();
      }
    }
    return buffer;
  }

  /** {@code length} bytes of a channel from {@code start} on, as a stream (the channel's position is not used). */
  private static final class Slice extends InputStream {
    private final FileChannel channel;
    private long position;
    private final long end;

    Slice(FileChannel channel, long start, long length) {
      this.channel = channel;
      this.position = start;
      this.end = start + length;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] bytes, int offset, int length) throws IOException {
      if (length == 0) {
        return 0;
      }
      if (position >= end) {
        return -1;
      }
      int n = channel.read(ByteBuffer.wrap(bytes, offset, (int) Math.min(length, end - position)), position);
      if (n < 0) {
        throw new EOFException("the state file was cut short while it was read");
      }
      position += n;
      return n;
    }
  }

  /** Counts the bytes written to it, and keeps none. */
  private static final class Counter extends OutputStream {
    long bytes;

    @Override
    public void write(int b) {
      bytes++;
    }

    @Override
    public void write(byte[] b, int offset, int length) {
      bytes += length;
    }
  }

  /** The rename is durable only once the folder is: fsync it (where the platform lets a folder be opened). */
  private static void syncFolder(Path folder) {
    try (FileChannel channel = FileChannel.open(folder, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException e) {
      // not every platform can open a folder; the file itself is already on disk
    }
  }

  static String describe(IOException e) {
    if (e instanceof AccessDeniedException) {
      return "permission denied (" + e.getMessage() + ")";
    }
    if (e instanceof FileAlreadyExistsException || e instanceof NoSuchFileException) {
      return e.getClass().getSimpleName() + " " + e.getMessage();
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  /** Whether this process holds the lock (and so may write). */
  public boolean locked() {
    return lock != null;
  }

  @Override
  public void close() {
    try {
      if (lock != null) {
        lock.release();
      }
      if (lockChannel != null) {
        lockChannel.close();
      }
    } catch (IOException ignored) {
      // the lock goes with the process anyway
    }
  }
}
