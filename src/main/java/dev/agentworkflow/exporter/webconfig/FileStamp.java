package dev.agentworkflow.exporter.webconfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import java.util.Optional;

/**
 * Size, time of last write and identity (inode) of a configuration file: a rewrite, a rename over
 * it or a symlink swap all change it. A file is read again once its stamp changed and then stayed
 * the same a second later, so that an editor's save is not read half written.
 */
public record FileStamp(long size, long modifiedMillis, Object key) {
  /** The file's stamp now; empty when it cannot be looked at (missing, say). */
  public static Optional<FileStamp> of(Path file) {
    try {
      BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
      return Optional.of(new FileStamp(attributes.size(), attributes.lastModifiedTime().toMillis(),
          Objects.requireNonNullElse(attributes.fileKey(), "")));
    } catch (IOException e) {
      return Optional.empty();
    }
  }
}
