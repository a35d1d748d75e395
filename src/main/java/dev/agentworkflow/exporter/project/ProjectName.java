package dev.agentworkflow.exporter.project;

import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * What a database is called when no name is given: its project's folder, the one that holds
 * {@code logs/}, as the hooks put the database in {@code <project>/logs/agent_workflow.db}.
 *
 * <pre>{@code
 * ProjectName.of(Path.of("/home/ann/src/alpha/logs/agent_workflow.db")); // "alpha"
 * }</pre>
 */
public final class ProjectName {
  /** A name given on the command line: short, and safe in a label, a file name and a URL. */
  private static final Pattern GIVEN = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

  private ProjectName() {}

  /**
   * The folder above {@code logs/}; for a file that is not in a folder named {@code logs}, its own
   * folder. A relative path is taken from the working directory, whose name it may then be.
   */
  public static String of(Path database) {
    Path folder = database.toAbsolutePath().normalize().getParent();
    if (folder == null || folder.getFileName() == null) {
      return "/";
    }
    Path above = folder.getParent();
    boolean inLogs = folder.getFileName().toString().equals("logs") && above != null && above.getFileName() != null;
    return (inLogs ? above : folder).getFileName().toString();
  }

  /** Whether {@code name} may be given as {@code NAME=PATH}. */
  public static boolean isValid(String name) {
    return GIVEN.matcher(name).matches();
  }

  /** What a name given must look like, for the error that refuses one. */
  public static String rule() {
    return "letters, digits, '_', '.' and '-', starting with a letter or digit, at most 64 characters";
  }
}
