package dev.agentworkflow.exporter.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every document the docs name is in the repository: a link's target, or a file named in the
 * text ({@code database.md}), found beside the naming file, at the repository's root or in
 * {@code docs/}. Issue 15: docs/metrics.md and docs/design.md named a database.md that users did
 * not have.
 */
class DocReferencesTest {
  /** A link target or a bare name ending in .md; not part of a URL. */
  private static final Pattern NAMED = Pattern.compile("(?<![\\w/:.-])((?:[\\w.-]+/)*[\\w-]+\\.md)(?:#[\\w-]*)?\\b");
  private static final Pattern URL = Pattern.compile("https?://\\S+");

  @Test
  void everyDocumentTheDocsNameIsInTheRepository() throws IOException {
    List<Path> documents = new ArrayList<>(List.of(Path.of("README.md"), Path.of("deploy/README.md")));
    try (Stream<Path> docs = Files.list(Path.of("docs"))) {
      docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(documents::add);
    }
    assertTrue(documents.size() > 5, "the docs were found: " + documents);
    List<String> missing = new ArrayList<>();
    int named = 0;
    for (Path document : documents) {
      String text = URL.matcher(Files.readString(document)).replaceAll("");
      Matcher m = NAMED.matcher(text);
      while (m.find()) {
        named++;
        String name = m.group(1);
        Path folder = document.toAbsolutePath().getParent();
        boolean found = Stream.of(folder.resolve(name), Path.of(name).toAbsolutePath(), Path.of("docs", name).toAbsolutePath())
            .anyMatch(Files::isRegularFile);
        if (!found) {
          missing.add(document + " names " + name);
        }
      }
    }
    assertTrue(named > 20, "the pattern finds the docs' references: " + named);
    assertEquals(List.of(), missing);
  }
}
