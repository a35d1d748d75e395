package dev.agentworkflow.exporter.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The code blocks of a Markdown document that name themselves on their first line, such as
 * {@code # web-config.yml: TLS and basic auth}, so that tests run exactly what the docs show.
 */
public final class DocBlocks {
  private DocBlocks() {}

  /** Blocks whose first line starts with {@code "# " + prefix}, by that first line (without "# "). */
  public static Map<String, String> named(Path markdown, String prefix) throws IOException {
    Map<String, String> blocks = new LinkedHashMap<>();
    startingWith(markdown, "# " + prefix).forEach((first, block) -> blocks.put(first.substring(2), block));
    return blocks;
  }

  /**
   * Blocks whose first line starts with {@code prefix}, by that first line: for blocks that name
   * themselves in a comment of another syntax ({@code <!-- … -->}).
   */
  public static Map<String, String> startingWith(Path markdown, String prefix) throws IOException {
    Map<String, String> blocks = new LinkedHashMap<>();
    List<String> current = null;
    for (String line : Files.readAllLines(markdown)) {
      if (line.startsWith("```")) {
        if (current == null) {
          current = new ArrayList<>();
        } else {
          if (!current.isEmpty() && current.get(0).startsWith(prefix)) {
            blocks.put(current.get(0), String.join("\n", current) + "\n");
          }
          current = null;
        }
      } else if (current != null) {
        current.add(line);
      }
    }
    return blocks;
  }
}
