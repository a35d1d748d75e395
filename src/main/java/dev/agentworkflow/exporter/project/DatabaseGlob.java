package dev.agentworkflow.exporter.project;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.PatternSyntaxException;

/**
 * The databases a --db-glob pattern matches now. The pattern is Java's glob ({@code *} and {@code ?}
 * within a folder name, {@code [...]}, {@code {a,b}} within a name, {@code **} across folders).
 * Folder by folder: a part without wildcards is looked up, not listed, and only folders whose name
 * matches are entered, so {@code /home/*}{@code /src/*}{@code /logs/agent_workflow.db} lists {@code /home} and each
 * {@code src}, never the rest of a home. From a {@code **} on, the tree below is walked (symbolic
 * links to folders are not followed there). A folder that cannot be listed is passed over.
 *
 * <pre>{@code
 * DatabaseGlob glob = DatabaseGlob.of("/home/*}{@code /src/*}{@code /logs/agent_workflow.db");
 * List<Path> found = glob.matches(); // sorted
 * }</pre>
 */
public final class DatabaseGlob {
  private final String pattern;
  private final Path start;
  private final List<String> parts;

  private DatabaseGlob(String pattern, Path start, List<String> parts) {
    this.pattern = pattern;
    this.start = start;
    this.parts = parts;
  }

  /**
   * @throws IllegalArgumentException with the reason in one line, for a pattern that is empty, has no
   *     file name part or is not a glob
   */
  public static DatabaseGlob of(String pattern) {
    if (pattern.isBlank()) {
      throw new IllegalArgumentException("the pattern is empty");
    }
    List<String> parts = new ArrayList<>(List.of(pattern.split("/+")));
    String root = pattern.startsWith("/") ? "/" : "";
    if (root.equals("/") && !parts.isEmpty()) {
      parts.remove(0); // the empty text before the first '/'
    }
    if (parts.isEmpty() || pattern.endsWith("/")) {
      throw new IllegalArgumentException("'" + pattern + "' names a folder; end it with the database's file name");
    }
    StringBuilder fixed = new StringBuilder(root);
    while (parts.size() > 1 && !hasWildcard(parts.get(0))) {
      fixed.append(parts.remove(0)).append('/');
    }
    for (String part : parts) {
      try {
        matcher(part);
      } catch (PatternSyntaxException e) {
        // the JDK's description ends the line: it quotes unevenly ("Missing ']")
        throw new IllegalArgumentException("'" + pattern + "' is not a glob, in its part '" + part + "': "
            + e.getDescription());
      }
    }
    Path start = Path.of(fixed.length() == 0 ? "." : fixed.toString());
    return new DatabaseGlob(pattern, start, List.copyOf(parts));
  }

  public String pattern() {
    return pattern;
  }

  /** The regular files that match now, sorted; relative when the pattern is. */
  public List<Path> matches() {
    TreeSet<Path> found = new TreeSet<>();
    collect(start, 0, found);
    return List.copyOf(found);
  }

  private void collect(Path folder, int index, TreeSet<Path> found) {
    String part = parts.get(index);
    boolean last = index == parts.size() - 1;
    if (part.contains("**")) {
      walk(folder, index, found);
      return;
    }
    if (!hasWildcard(part)) {
      descend(folder.resolve(part), index, last, found);
      return;
    }
    PathMatcher matcher = matcher(part);
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(folder)) {
      for (Path entry : entries) {
        if (matcher.matches(entry.getFileName())) {
          descend(entry, index, last, found);
        }
      }
    } catch (IOException | UncheckedIOException | SecurityException e) {
      // not there, or not ours to list: it holds no database we can read
    }
  }

  private void descend(Path entry, int index, boolean last, TreeSet<Path> found) {
    if (last) {
      if (Files.isRegularFile(entry)) {
        found.add(clean(entry));
      }
    } else if (Files.isDirectory(entry)) {
      collect(entry, index + 1, found);
    }
  }

  /** From a {@code **} on: every file below {@code folder} whose path from there matches the rest. */
  private void walk(Path folder, int index, TreeSet<Path> found) {
    PathMatcher rest = matcher(String.join("/", parts.subList(index, parts.size())));
    // "**/x" must match "x" right in the folder too, as a shell's globstar does
    String tail = String.join("/", parts.subList(index, parts.size()));
    PathMatcher inFolder = tail.startsWith("**/") ? matcher(tail.substring(3)) : rest;
    try {
      Files.walkFileTree(folder, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
          Path relative = folder.relativize(file);
          if (attributes.isRegularFile() && (rest.matches(relative) || inFolder.matches(relative))) {
            found.add(clean(file));
          }
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFileFailed(Path file, IOException e) {
          return FileVisitResult.CONTINUE; // not ours to list: it holds no database we can read
        }
      });
    } catch (IOException | SecurityException e) {
      // the folder itself is gone or closed to us: nothing below it is found
    }
  }

  private static Path clean(Path file) {
    return file.startsWith(".") && !file.isAbsolute() ? Path.of(".").relativize(file) : file;
  }

  private static PathMatcher matcher(String glob) {
    return FileSystems.getDefault().getPathMatcher("glob:" + glob);
  }

  private static boolean hasWildcard(String part) {
    for (char c : part.toCharArray()) {
      if ("*?[{\\".indexOf(c) >= 0) {
        return true;
      }
    }
    return false;
  }
}
