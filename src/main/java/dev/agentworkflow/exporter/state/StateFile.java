package dev.agentworkflow.exporter.state;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
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

/**
 * One state file: its bytes framed (a magic word, the format, the length, a CRC32), written
 * atomically (a new file beside it, written, fsynced, renamed over it, the folder fsynced: a reader
 * or a crash sees the old file or the new one, never half of one), and locked for as long as the
 * exporter keeps it open ({@code NAME.lock} beside it), so that two exporters never write one.
 */
public final class StateFile implements AutoCloseable {
  private static final byte[] MAGIC = "AWXSTATE".getBytes(StandardCharsets.US_ASCII);
  /** Bumped whenever what the trackers write changes; a file of another format is not read. */
  static final int FORMAT = 1;
  private static final int HEADER = MAGIC.length + 4 + 4;
  private static final int TRAILER = 8;

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

  /** What a read found. */
  public sealed interface Read permits Found, Absent, Unusable {}

  public record Found(byte[] payload, long sizeBytes) implements Read {}

  public record Absent() implements Read {}

  /** There, but not a state this exporter wrote, or not readable: counted from scratch. */
  public record Unusable(String why) implements Read {}

  public Read read() {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(path);
    } catch (NoSuchFileException e) {
      return new Absent();
    } catch (IOException | OutOfMemoryError e) {
      return new Unusable("cannot read it: " + (e instanceof IOException io ? describe(io) : "too large"));
    }
    if (bytes.length < HEADER + TRAILER || !Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
      return new Unusable("it is not a state file of this exporter");
    }
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    int format = buffer.getInt(MAGIC.length);
    if (format != FORMAT) {
      return new Unusable("it was written in format " + format + " by another version; this one reads format " + FORMAT);
    }
    int length = buffer.getInt(MAGIC.length + 4);
    if (length < 0 || length != bytes.length - HEADER - TRAILER) {
      return new Unusable("it is cut short or has bytes past its end");
    }
    CRC32 crc = new CRC32();
    crc.update(bytes, 0, HEADER + length);
    if (crc.getValue() != buffer.getLong(HEADER + length)) {
      return new Unusable("its checksum does not match: it is damaged");
    }
    return new Found(Arrays.copyOfRange(bytes, HEADER, HEADER + length), bytes.length);
  }

  /** Replaces the file atomically with {@code payload}; returns the file's size. */
  public long write(byte[] payload) throws IOException {
    ByteArrayOutputStream framed = new ByteArrayOutputStream(payload.length + HEADER + TRAILER);
    try (DataOutputStream out = new DataOutputStream(framed)) {
      out.write(MAGIC);
      out.writeInt(FORMAT);
      out.writeInt(payload.length);
      out.write(payload);
      CRC32 crc = new CRC32();
      crc.update(framed.toByteArray(), 0, framed.size());
      out.writeLong(crc.getValue());
    }
    byte[] bytes = framed.toByteArray();
    Path folder = path.toAbsolutePath().getParent();
    Path temporary = folder.resolve("." + path.getFileName() + "." + HexFormat.of().toHexDigits(random.nextLong()) + ".tmp");
    try {
      try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
        channel.force(true);
      }
      Files.move(temporary, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(temporary);
    }
    syncFolder(folder);
    return bytes.length;
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
