package dev.agentworkflow.exporter.cli;

import dev.agentworkflow.exporter.db.StoreAddress;
import dev.agentworkflow.exporter.project.DatabaseGlob;
import dev.agentworkflow.exporter.project.DatabaseSources;
import dev.agentworkflow.exporter.project.NamedDatabase;
import dev.agentworkflow.exporter.project.ProjectName;
import dev.agentworkflow.exporter.project.StoreSource;
import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Which databases to read: {@code --db [NAME=]PATH} as often as needed, {@code --db-glob PATTERN}
 * looked at again every {@code --db-glob-interval}. Each option's variable holds several values
 * separated by {@code :}, as {@code PATH} and systemd's {@code STATE_DIRECTORY} do; on the command
 * line each value is one database or pattern, whatever it holds.
 */
final class DatabaseOptions {
  static final String DEFAULT_DATABASE = "logs/agent_workflow.db";
  private static final Pattern LIST_SEPARATOR = Pattern.compile(Pattern.quote(File.pathSeparator));

  @Spec(Spec.Target.MIXEE)
  CommandSpec spec;

  @Option(names = "--db", paramLabel = "[NAME=]PATH",
      description = "A SQLite database, relative to the working directory; it need not exist yet; or the team's "
          + "PostgreSQL store, postgresql://[user@]host[:port]/dbname[?sslmode=…] (docs/postgresql.md), read alone, "
          + "each series with project=\"its project\". Repeat it to read "
          + "several: each series then carries project=\"NAME\", by default the project's folder (the one holding "
          + "logs/) (env AGENT_WORKFLOW_EXPORTER_DB, several separated by ':'; default " + DEFAULT_DATABASE
          + " unless --db-glob is given).")
  List<String> databases;

  @Option(names = "--db-password-file", paramLabel = "FILE",
      description = "With --db postgresql://…: a file whose first line is the store's password; else the driver "
          + "looks in PGPASSWORD and ~/.pgpass (env AGENT_WORKFLOW_EXPORTER_DB_PASSWORD_FILE).")
  Path passwordFile;

  @Option(names = "--db-glob", paramLabel = "PATTERN",
      description = "Read every database this glob matches, e.g. '/home/*/src/*/logs/agent_workflow.db' (quoted, so "
          + "that the shell leaves it alone), each as project=\"its project folder\"; looked at again every "
          + "--db-glob-interval, so that a new project is read and a removed one disappears. Repeatable "
          + "(env AGENT_WORKFLOW_EXPORTER_DB_GLOB, several separated by ':').")
  List<String> globs;

  @Option(names = "--db-glob-interval", paramLabel = "DURATION", defaultValue = "1m",
      converter = DurationConverter.class,
      description = "Time between two looks for what --db-glob matches, at least 1s "
          + "(env AGENT_WORKFLOW_EXPORTER_DB_GLOB_INTERVAL, default ${DEFAULT-VALUE}).")
  Duration globInterval;

  /** The databases given; with several, the state folder is the serving options' to say. */
  DatabaseSources sources() {
    List<String> given = values("--db", databases);
    List<String> patterns = values("--db-glob", globs);
    if (given.stream().anyMatch(StoreAddress::isStore)) {
      if (given.size() > 1 || !patterns.isEmpty()) {
        throw error("--db postgresql://… is read alone: give no other --db or --db-glob (ship the files to the "
            + "store instead: docs/postgresql.md)");
      }
      return DatabaseSources.store(store(given.get(0)));
    }
    if (passwordFile != null) {
      throw error("--db-password-file is for --db postgresql://…; a SQLite file has no password");
    }
    if (given.isEmpty() && patterns.isEmpty()) {
      given = List.of(DEFAULT_DATABASE);
    }
    if (globInterval.compareTo(Duration.ofSeconds(1)) < 0) {
      throw error("--db-glob-interval must be at least 1s, got " + globInterval.toMillis() + "ms");
    }
    List<NamedDatabase> named = new ArrayList<>();
    Map<String, NamedDatabase> byName = new HashMap<>();
    Map<Path, NamedDatabase> byFile = new HashMap<>();
    for (String value : given) {
      NamedDatabase database = named(value);
      Path file = database.path().toAbsolutePath().normalize();
      NamedDatabase sameFile = byFile.putIfAbsent(file, database);
      if (sameFile != null) {
        throw error("--db " + database.path() + " is given twice (as " + sameFile.project() + " and "
            + database.project() + "); give each database once");
      }
      NamedDatabase sameName = byName.putIfAbsent(database.project(), database);
      if (sameName != null) {
        throw error("--db: " + sameName.path() + " and " + database.path() + " are both named " + database.project()
            + "; name them apart with NAME=PATH");
      }
      named.add(database);
    }
    List<DatabaseGlob> found = new ArrayList<>();
    for (String pattern : patterns) {
      try {
        found.add(DatabaseGlob.of(pattern));
      } catch (IllegalArgumentException e) {
        throw error("--db-glob " + e.getMessage());
      }
    }
    return new DatabaseSources(named, found, globInterval, Optional.empty());
  }

  private StoreSource store(String uri) {
    try {
      StoreAddress.parse(uri);
    } catch (IllegalArgumentException e) {
      throw error("--db: " + e.getMessage());
    }
    return new StoreSource(uri, PasswordFile.read(passwordFile, "--db-password-file", this::error));
  }

  /**
   * {@code NAME=PATH}, or a plain path named after its project folder. The text before the first
   * {@code =} is a name unless it holds a {@code /} (then all of it is a path).
   */
  private NamedDatabase named(String value) {
    int equals = value.indexOf('=');
    String name = equals < 0 ? null : value.substring(0, equals);
    if (name != null && name.contains("/")) {
      name = null;
    }
    String pathText = name == null ? value : value.substring(equals + 1);
    if (name != null && !ProjectName.isValid(name)) {
      throw error("--db " + value + ": '" + name + "' cannot be a project name: use " + ProjectName.rule()
          + " (a path with '=' in its first part: write it as ./" + value + ")");
    }
    Path path;
    try {
      path = new PathConverter().convert(pathText);
    } catch (picocli.CommandLine.TypeConversionException e) {
      throw error("Invalid value for option '--db': " + e.getMessage()); // as picocli words a path's problem
    }
    return new NamedDatabase(name != null ? name : ProjectName.of(path), path);
  }

  /**
   * The option's values: as given on the command line, or its variable's, split at {@code :}. An
   * empty value is refused, as an empty flag is.
   */
  private List<String> values(String option, List<String> values) {
    if (values == null) {
      return List.of();
    }
    List<String> all = new ArrayList<>();
    boolean fromVariable = !spec.commandLine().getParseResult().hasMatchedOption(option);
    for (String value : values) {
      if (fromVariable && StoreAddress.isStore(value)) {
        all.add(value); // a URI holds ':' of its own
      } else if (fromVariable) {
        for (String part : LIST_SEPARATOR.split(value, -1)) {
          if (part.isEmpty()) {
            throw error(EnvironmentDefaults.variableFor(option) + " holds an empty entry ('" + value
                + "'); separate the entries with a single ':'");
          }
          all.add(part);
        }
      } else if (value.isEmpty()) {
        // worded as picocli words the other options' empty values
        throw error("Invalid value for option '" + option + "': the " + (option.equals("--db") ? "path" : "pattern")
            + " is empty");
      } else {
        all.add(value);
      }
    }
    return all;
  }

  private ParameterException error(String message) {
    return new ParameterException(spec.commandLine(), message);
  }
}
