package dev.agentworkflow.exporter.db;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * What the file system says of the database path right now: whether it is there, whether it is
 * the same file as before (device and inode, so a file deleted and recreated is a new file), and
 * its size.
 */
public record DatabaseFile(Kind kind, Object identity, long sizeBytes) {
  public enum Kind { MISSING, REGULAR_FILE, NOT_A_FILE }

  public static DatabaseFile inspect(Path path) throws IOException {
    try {
      BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
      if (!attributes.isRegularFile()) {
        return new DatabaseFile(Kind.NOT_A_FILE, null, 0);
      }
      Object identity = attributes.fileKey() != null ? attributes.fileKey() : attributes.creationTime();
      return new DatabaseFile(Kind.REGULAR_FILE, identity, attributes.size());
    } catch (NoSuchFileException e) {
      return new DatabaseFile(Kind.MISSING, null, 0);
    }
  }
}
