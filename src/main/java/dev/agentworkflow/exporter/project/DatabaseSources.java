package dev.agentworkflow.exporter.project;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Which databases an exporter reads: those named (--db), and those --db-glob patterns find, looked
 * for again every {@code lookEvery}.
 *
 * @param named in the order given; names and files distinct
 * @param globs the patterns; a file one of them finds that is named already is that database
 * @param lookEvery time between two looks for what the patterns match
 * @param stateFolder where each database's state file goes when there are several (named by a hash
 *     of its path); empty: no state files. One database has its own --state-file instead.
 * @param store the team's PostgreSQL store, when --db names one: then it is all that is read
 */
public record DatabaseSources(List<NamedDatabase> named, List<DatabaseGlob> globs, Duration lookEvery,
    Optional<Path> stateFolder, Optional<StoreSource> store) {
  /** SQLite files only. */
  public DatabaseSources(List<NamedDatabase> named, List<DatabaseGlob> globs, Duration lookEvery,
      Optional<Path> stateFolder) {
    this(named, globs, lookEvery, stateFolder, Optional.empty());
  }

  /** The team's PostgreSQL store, read alone. */
  public static DatabaseSources store(StoreSource store) {
    return new DatabaseSources(List.of(), List.of(), DEFAULT_LOOK_EVERY, Optional.empty(), Optional.of(store));
  }

  /** How often --db-glob patterns are looked at again unless --db-glob-interval says otherwise. */
  public static final Duration DEFAULT_LOOK_EVERY = Duration.ofMinutes(1);

  public DatabaseSources {
    named = List.copyOf(named);
    globs = List.copyOf(globs);
  }

  /** The one database of an exporter started with a single --db, or none. */
  public static DatabaseSources one(Path database) {
    return new DatabaseSources(List.of(new NamedDatabase(ProjectName.of(database), database)), List.of(),
        DEFAULT_LOOK_EVERY, Optional.empty());
  }

  /**
   * Whether series carry {@code project}: with more than one database named, or any pattern, even
   * one that finds a single file now (it may find more later, and a series' labels must not change).
   */
  public boolean labelled() {
    return named.size() > 1 || !globs.isEmpty() || store.isPresent();
  }

  /** What is read, for the log line at start: the path, or each database and pattern. */
  public String describe() {
    if (store.isPresent()) {
      return "every project of the store " + store.get().shown();
    }
    if (!labelled()) {
      return named.get(0).path().toString();
    }
    List<String> parts = new java.util.ArrayList<>();
    named.forEach(db -> parts.add(db.project() + "=" + db.path()));
    globs.forEach(glob -> parts.add("what " + glob.pattern() + " matches (looked at every " + lookEvery.toSeconds()
        + "s)"));
    return String.join(", ", parts);
  }
}
