package dev.agentworkflow.exporter.db;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;

/**
 * What the file system says of the database path right now: whether it is there, whether it is
 * the same file as before (device and inode, so a file deleted and recreated is a new file), its
 * size and when it was last written.
 */
public record DatabaseFile(Kind kind, Object identity, long sizeBytes, FileTime lastModified) {
  public enum Kind { MISSING, REGULAR_FILE, NOT_A_FILE }

  /** The same size and time of last write as {@code other}. */
  public boolean unchangedSince(DatabaseFile other) {
    return other != null && sizeBytes == other.sizeBytes && java.util.Objects.equals(lastModified, other.lastModified);
  }

  public static DatabaseFile inspect(Path path) throws IOException {
    try {
      BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
      if (!attributes.isRegularFile()) {
        return new DatabaseFile(Kind.NOT_A_FILE, null, 0, null);
      }
      Object identity = attributes.fileKey() != null ? attributes.fileKey() : attributes.creationTime();
      return new DatabaseFile(Kind.REGULAR_FILE, identity, attributes.size(), attributes.lastModifiedTime());
    } catch (NoSuchFileException e) {
      return new DatabaseFile(Kind.MISSING, null, 0, null);
    }
  }
}
