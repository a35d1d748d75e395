package dev.agentworkflow.exporter.project;

import java.nio.file.Path;

/**
 * A database and the project it belongs to.
 *
 * @param project the {@code project} label of its series
 * @param path the file, as given (--db) or found (--db-glob)
 */
public record NamedDatabase(String project, Path path) {
  /** The file the path names, for telling whether two paths are one database. */
  Path file() {
    return path.toAbsolutePath().normalize();
  }
}
