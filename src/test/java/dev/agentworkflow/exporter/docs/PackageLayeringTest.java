package dev.agentworkflow.exporter.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The data flow docs/design.md draws, checked on the sources' imports: database rows → collector
 * state → metrics → HTTP, no class reaching back up the chain, and the driver's types kept in
 * {@code db} (issue 17: {@code poll} held a raw JDBC connection and passed it back down into every
 * read). A new import that breaks it fails here, naming the file.
 */
class PackageLayeringTest {
  private static final Path SOURCES = Path.of("src/main/java/dev/agentworkflow/exporter");
  private static final Pattern IMPORT = Pattern.compile(
      "^import (?:static )?(dev\\.agentworkflow\\.exporter\\.([a-z]+)|java\\.sql)\\.", Pattern.MULTILINE);

  /** What each package may import of ours (and whether it may use JDBC); a package not listed here fails. */
  private static final Map<String, Set<String>> ALLOWED = Map.ofEntries(
      Map.entry("model", Set.of()),
      Map.entry("log", Set.of()),
      Map.entry("custom", Set.of("webconfig")),
      Map.entry("webconfig", Set.of("model")),
      Map.entry("track", Set.of("model")),
      Map.entry("state", Set.of("model", "track")),
      Map.entry("db", Set.of("model", "custom", "java.sql")),
      Map.entry("demo", Set.of("java.sql")),
      Map.entry("poll", Set.of("model", "custom", "db", "track", "state")),
      Map.entry("ship", Set.of("model", "db")),
      Map.entry("project", Set.of("model", "poll")),
      Map.entry("metrics", Set.of("model", "custom")),
      Map.entry("http", Set.of("model", "metrics", "webconfig")),
      Map.entry("app", Set.of("model", "custom", "db", "track", "state", "poll", "project", "metrics", "http",
          "webconfig", "ship")),
      // db: a --to or --db URI of the PostgreSQL store is checked as it is parsed (StoreAddress)
      Map.entry("cli", Set.of("model", "custom", "state", "project", "webconfig", "demo", "log", "app", "db")));

  @Test
  void eachPackageImportsOnlyWhatIsBeforeItInTheChain() throws IOException {
    Map<String, Set<String>> found = new TreeMap<>();
    List<String> breaks = new ArrayList<>();
    try (Stream<Path> files = Files.walk(SOURCES)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
        String pkg = SOURCES.relativize(file).getName(0).toString();
        if (pkg.endsWith(".java")) {
          breaks.add(file + ": a class outside every package");
          continue;
        }
        Set<String> allowed = ALLOWED.get(pkg);
        if (allowed == null) {
          breaks.add(file + ": package " + pkg + " is not in this test's table; say what it may import");
          continue;
        }
        Matcher m = IMPORT.matcher(Files.readString(file));
        while (m.find()) {
          String imported = m.group(2) == null ? "java.sql" : m.group(2);
          if (imported.equals(pkg)) {
            continue;
          }
          found.computeIfAbsent(pkg, p -> new TreeSet<>()).add(imported);
          if (!allowed.contains(imported)) {
            breaks.add(file + " imports " + imported);
          }
        }
      }
    }
    assertEquals(List.of(), breaks);
    // the table is read: poll reads the database through db, and db is the one that uses JDBC
    assertTrue(found.get("poll").contains("db") && !found.get("poll").contains("java.sql"), found.toString());
    assertTrue(found.get("db").contains("java.sql"), found.toString());
  }
}
