package dev.agentworkflow.exporter.project;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * One look for the databases to read: the named ones, and what the patterns match now, each named
 * after its project folder. A file that is named already is that database, not another. A file
 * whose name another database has is not read (a clash): named databases keep their names, and a
 * database read already keeps its name against one found later, so a new project never takes the
 * series of one being read; among new ones, the first path in sorted order wins.
 *
 * <pre>{@code
 * DatabaseSearch.Found found = new DatabaseSearch(sources).look(List.of());
 * }</pre>
 */
public final class DatabaseSearch {
  private final DatabaseSources sources;

  public DatabaseSearch(DatabaseSources sources) {
    this.sources = sources;
  }

  /** A file a pattern found and that is not read, because {@code takenBy} has its name. */
  public record Clash(Path path, String project, Path takenBy) {}

  /**
   * What a look found: every database to read now, named first, the clashes, and the folders that
   * could not be listed (absolute).
   */
  public record Found(List<NamedDatabase> databases, List<Clash> clashes, List<Path> unreadable) {
    public Found {
      databases = List.copyOf(databases);
      clashes = List.copyOf(clashes);
      unreadable = List.copyOf(unreadable);
    }
  }

  /**
   * @param reading the databases found by an earlier look and read now: they keep their names, and
   *     one below a folder that could not be listed this time is kept (not found is not gone: an
   *     automount's hiccup must not drop a project's series)
   */
  public Found look(Collection<NamedDatabase> reading) {
    Map<Path, NamedDatabase> readingByFile = new HashMap<>();
    reading.forEach(db -> readingByFile.put(db.file(), db));
    Map<String, Path> owners = new HashMap<>();
    Set<Path> namedFiles = new HashSet<>();
    List<NamedDatabase> databases = new ArrayList<>(sources.named());
    for (NamedDatabase db : sources.named()) {
      owners.put(db.project(), db.path());
      namedFiles.add(db.file());
    }
    Map<Path, Path> matches = new TreeMap<>(); // file → path as found, sorted by file
    List<Path> unreadable = new ArrayList<>();
    for (DatabaseGlob glob : sources.globs()) {
      DatabaseGlob.Listing listing = glob.list();
      listing.unreadable().forEach(folder -> unreadable.add(folder.toAbsolutePath().normalize()));
      for (Path match : listing.files()) {
        Path file = match.toAbsolutePath().normalize();
        if (!namedFiles.contains(file)) {
          matches.putIfAbsent(file, match);
        }
      }
    }
    readingByFile.forEach((file, db) -> {
      if (!matches.containsKey(file) && unreadable.stream().anyMatch(file::startsWith)) {
        matches.put(file, db.path());
      }
    });
    Map<Path, NamedDatabase> found = new LinkedHashMap<>();
    List<Clash> clashes = new ArrayList<>();
    for (boolean readAlready : new boolean[] {true, false}) {
      matches.forEach((file, match) -> {
        if (readingByFile.containsKey(file) != readAlready) {
          return;
        }
        String project = ProjectName.of(match);
        Path owner = owners.putIfAbsent(project, match);
        if (owner == null) {
          found.put(file, new NamedDatabase(project, match));
        } else {
          clashes.add(new Clash(match, project, owner));
        }
      });
    }
    databases.addAll(found.values());
    return new Found(databases, clashes, unreadable);
  }
}
