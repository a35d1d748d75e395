package dev.agentworkflow.exporter.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Function;
import picocli.CommandLine.ParameterException;

/** A password kept in a file (a systemd credential, a Kubernetes secret): its first line, read once at start. */
final class PasswordFile {
  private PasswordFile() {}

  static Optional<String> read(Path file, String option, Function<String, ParameterException> error) {
    if (file == null) {
      return Optional.empty();
    }
    try {
      String first = Files.readString(file, StandardCharsets.UTF_8).lines().findFirst().orElse("");
      if (first.isEmpty()) {
        throw error.apply(option + " " + file + " is empty; its first line is the password");
      }
      return Optional.of(first);
    } catch (IOException e) {
      throw error.apply(option + " " + file + " cannot be read: " + e.getMessage());
    }
  }
}
