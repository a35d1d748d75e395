package dev.agentworkflow.exporter.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import picocli.CommandLine.Help;
import picocli.CommandLine.IHelpSectionRenderer;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The options of {@code --help}, each description wrapped at spaces only. picocli's own table
 * wraps with the JDK's line {@code BreakIterator}, which also breaks after a full stop inside a
 * word: users read "docs/security." at the end of one line and "md" on the next, and could not
 * paste the path.
 */
final class OptionList implements IHelpSectionRenderer {
  private static final int INDENT = 2;
  /** Names longer than this put their description on the next line. */
  private static final int MAX_NAMES = 28;
  private static final int CONTINUATION = 2;

  @Override
  public String render(Help help) {
    List<OptionSpec> options = help.commandSpec().options().stream().filter(o -> !o.hidden()).toList();
    int namesWidth = options.stream().mapToInt(o -> names(o).length()).filter(n -> n <= MAX_NAMES).max().orElse(0);
    int descriptionColumn = INDENT + namesWidth + 2;
    int width = Math.max(descriptionColumn + 20, help.commandSpec().usageMessage().width());
    StringBuilder out = new StringBuilder();
    for (OptionSpec option : options) {
      String names = names(option);
      StringBuilder line = new StringBuilder(" ".repeat(INDENT)).append(names);
      if (names.length() > namesWidth) {
        out.append(line).append(System.lineSeparator());
        line = new StringBuilder();
      }
      line.append(" ".repeat(descriptionColumn - line.length()));
      String description = String.join(" ", option.renderedDescription());
      for (String text : wrap(description, width - descriptionColumn, width - descriptionColumn - CONTINUATION)) {
        out.append(line).append(text).append(System.lineSeparator());
        line = new StringBuilder(" ".repeat(descriptionColumn + CONTINUATION));
      }
    }
    return out.toString();
  }

  /** {@code -h, --help} or {@code --db=PATH}, as picocli names them. */
  private static String names(OptionSpec option) {
    String names = List.of(option.names()).stream().sorted((a, b) -> Integer.compare(a.length(), b.length()))
        .collect(Collectors.joining(", "));
    return option.arity().max() > 0 ? names + "=" + option.paramLabel() : names;
  }

  /** Lines of at most {@code first} (then {@code rest}) characters, broken at spaces; a longer word stays whole. */
  static List<String> wrap(String text, int first, int rest) {
    List<String> lines = new ArrayList<>();
    StringBuilder line = new StringBuilder();
    for (String word : text.strip().split("\\s+")) {
      int limit = lines.isEmpty() ? first : rest;
      if (!line.isEmpty() && line.length() + 1 + word.length() > limit) {
        lines.add(line.toString());
        line.setLength(0);
      }
      if (!line.isEmpty()) {
        line.append(' ');
      }
      line.append(word);
    }
    lines.add(line.toString());
    return lines;
  }
}
