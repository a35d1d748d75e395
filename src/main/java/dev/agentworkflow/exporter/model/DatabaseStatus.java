package dev.agentworkflow.exporter.model;

import java.util.Optional;
import java.util.OptionalLong;

/**
 * What the last poll found of the database file.
 *
 * @param up the poll read it
 * @param sizeBytes the file's size; empty when the poll found no regular file there
 * @param problem why the poll did not read it, one line; empty when it did
 */
public record DatabaseStatus(boolean up, OptionalLong sizeBytes, Optional<String> problem) {
  public DatabaseStatus {
    if (up && problem.isPresent()) {
      throw new IllegalArgumentException("a database read has no problem: " + problem.get());
    }
  }
}
