package dev.agentworkflow.exporter.project;

import java.io.IOException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.PatternSyntaxException;

/**
 * The databases a --db-glob pattern matches now. The pattern is Java's glob ({@code *} and {@code ?}
 * within a folder name, {@code [...]}, {@code {a,b}} within a name, {@code **} across folders).
 * Folder by folder: a part without wildcards is looked up, not listed, and only folders whose name
 * matches are entered, so {@code /home/*}{@code /src/*}{@code /logs/agent_workflow.db} lists {@code /home} and each
 * {@code src}, never the rest of a home. From a {@code **} on, the tree below is walked, symbolic
 * links followed; it visits every folder below, so {@code /home/**} costs a walk of every home at
 * each look. A folder that cannot be listed is reported, not taken for empty. (Patterns in these
 * comments are cut into several code tags because a star followed by a slash would end the comment.)
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

  /**
   * What a look found: the regular files that match, sorted (relative when the pattern is), and
   * the folders on the way that exist but could not be listed (a database below one may be there
   * still: it is not taken for gone).
   */
  public record Listing(List<Path> files, List<Path> unreadable) {
    public Listing {
      files = List.copyOf(files);
      unreadable = List.copyOf(unreadable);
    }
  }

  /** Lists what matches now. */
  public Listing list() {
    TreeSet<Path> found = new TreeSet<>();
    List<Path> unreadable = new ArrayList<>();
    collect(start, 0, found, unreadable);
    return new Listing(List.copyOf(found), unreadable);
  }

  /** The regular files that match now, sorted. */
  public List<Path> matches() {
    return list().files();
  }

  private void collect(Path folder, int index, TreeSet<Path> found, List<Path> unreadable) {
    String part = parts.get(index);
    boolean last = index == parts.size() - 1;
    if (part.contains("**")) {
      walk(folder, index, found, unreadable);
      return;
    }
    if (!hasWildcard(part)) {
      descend(folder.resolve(part), index, last, found, unreadable);
      return;
    }
    PathMatcher matcher = matcher(part);
    List<Path> entries = new ArrayList<>();
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(folder)) {
      for (Path entry : stream) {
        if (matcher.matches(entry.getFileName())) {
          entries.add(entry);
        }
      }
    } catch (NoSuchFileException | NotDirectoryException e) {
      return; // not there: nothing below it
    } catch (IOException | DirectoryIteratorException | SecurityException e) {
      unreadable.add(folder);
      return;
    }
    for (Path entry : entries) {
      descend(entry, index, last, found, unreadable);
    }
  }

  private void descend(Path entry, int index, boolean last, TreeSet<Path> found, List<Path> unreadable) {
    if (last) {
      if (Files.isRegularFile(entry)) {
        found.add(clean(entry));
      }
    } else if (Files.isDirectory(entry)) {
      collect(entry, index + 1, found, unreadable);
    }
  }

  /**
   * From a {@code **} on: the tree below {@code folder}, symbolic links followed (a loop is passed
   * over). When the rest of the pattern has no wildcard ({@code **}{@code /logs/agent_workflow.db}),
   * only folders are visited and the rest is looked up in each; else every file's path from
   * {@code folder} is matched against the rest.
   */
  private void walk(Path folder, int index, TreeSet<Path> found, List<Path> unreadable) {
    String tail = String.join("/", parts.subList(index, parts.size()));
    String fixedTail = tail.startsWith("**/") && !hasWildcard(tail.substring(3)) ? tail.substring(3) : null;
    PathMatcher rest = matcher(tail);
    // "**/x" must match "x" right in the folder too, as a shell's globstar does
    PathMatcher inFolder = tail.startsWith("**/") ? matcher(tail.substring(3)) : rest;
    try {
      Files.walkFileTree(folder, EnumSet.of(FileVisitOption.FOLLOW_LINKS), Integer.MAX_VALUE,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) {
              if (fixedTail != null && Files.isRegularFile(dir.resolve(fixedTail))) {
                found.add(clean(dir.resolve(fixedTail)));
              }
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
              Path relative = folder.relativize(file);
              if (fixedTail == null && attributes.isRegularFile()
                  && (rest.matches(relative) || inFolder.matches(relative))) {
                found.add(clean(file));
              }
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
              if (!(e instanceof FileSystemLoopException) && !(e instanceof NoSuchFileException)) {
                unreadable.add(file);
              }
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) {
              if (e != null) {
                unreadable.add(dir); // listed only in part: what it held past the failure is unknown
              }
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException | SecurityException e) {
      unreadable.add(folder);
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
