package dev.agentworkflow.exporter.state;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;

/**
 * Where the state of a database lives. {@code --state-file PATH} names it; {@code none} turns it
 * off; by default it is a file of its own in {@code $STATE_DIRECTORY} (systemd's
 * {@code StateDirectory=}), else in {@code ${XDG_STATE_HOME:-$HOME/.local/state}/agent-workflow-exporter/},
 * named after the database file and a hash of its absolute path, so two databases never share one.
 *
 * <pre>{@code
 * Optional<Path> file = StateLocation.resolve(null, Path.of("logs/agent_workflow.db"), System.getenv());
 * }</pre>
 */
public final class StateLocation {
  /** The value of {@code --state-file} that turns the state off. */
  public static final String NONE = "none";
  static final String FOLDER = "agent-workflow-exporter";

  private StateLocation() {}

  /**
   * @param option the value of {@code --state-file}: {@code null} for the default, {@link #NONE}, or a path
   * @return the state file, or empty when there is none (turned off, or no folder to put it in)
   */
  public static Optional<Path> resolve(String option, Path database, Map<String, String> environment) {
    if (option != null) {
      return option.equals(NONE) ? Optional.empty() : Optional.of(Path.of(option));
    }
    return defaultFolder(environment).map(folder -> folder.resolve(fileName(database)));
  }

  /** The state file of {@code database} in {@code folder}, as the default puts it there. */
  public static Path inFolder(Path folder, Path database) {
    return folder.resolve(fileName(database));
  }

  /** {@code $STATE_DIRECTORY} (its first entry), else the XDG state folder; empty without either or a home. */
  public static Optional<Path> defaultFolder(Map<String, String> environment) {
    String systemd = environment.getOrDefault("STATE_DIRECTORY", "");
    if (!systemd.isBlank()) {
      return Optional.of(Path.of(systemd.split(":")[0]));
    }
    String xdg = environment.getOrDefault("XDG_STATE_HOME", "");
    if (!xdg.isBlank() && Path.of(xdg).isAbsolute()) { // the XDG specification ignores a relative one
      return Optional.of(Path.of(xdg, FOLDER));
    }
    String home = environment.getOrDefault("HOME", "");
    return home.isBlank() ? Optional.empty() : Optional.of(Path.of(home, ".local", "state", FOLDER));
  }

  /** The database's file name, made safe, and 16 hex digits of a SHA-256 of its absolute path. */
  static String fileName(Path database) {
    Path absolute = database.toAbsolutePath().normalize();
    Path name = absolute.getFileName();
    String stem = (name == null ? "database" : name.toString()).replaceAll("[^A-Za-z0-9._-]", "_");
    if (stem.length() > 64) {
      stem = stem.substring(0, 64);
    }
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(absolute.toString().getBytes(StandardCharsets.UTF_8));
      return stem + "-" + HexFormat.of().formatHex(digest, 0, 8) + ".state";
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
