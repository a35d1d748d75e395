package dev.agentworkflow.exporter.custom;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Checks that SQL from the file can only read: a query is one SELECT, an expression stays inside
 * the parentheses it is put in. Words are looked at outside string literals, quoted names and
 * comments, so a label {@code 'DROP'} is fine and {@code ATTACH} is not. The connection is opened
 * read-only as well; this check says at start, with the line, what SQLite would only refuse at
 * run time, and refuses what read-only alone would let through (ATTACH, PRAGMA settings).
 */
final class SqlText {
  /** Words that start a statement other than a SELECT, or change the connection. */
  private static final Set<String> REFUSED = Set.of("INSERT", "UPDATE", "DELETE", "CREATE", "DROP", "ALTER",
      "ATTACH", "DETACH", "PRAGMA", "VACUUM", "REINDEX", "ANALYZE", "BEGIN", "COMMIT", "ROLLBACK",
      "SAVEPOINT", "RELEASE", "LOAD_EXTENSION");

  private final List<String> words;
  private final List<Character> marks;
  /** Words or marks follow a {@code ;}: a second statement. */
  private final boolean moreAfterSemicolon;

  private SqlText(List<String> words, List<Character> marks, boolean moreAfterSemicolon) {
    this.words = words;
    this.marks = marks;
    this.moreAfterSemicolon = moreAfterSemicolon;
  }

  /** Why {@code sql} is not one read-only SELECT, or empty when it is. */
  static Optional<String> queryProblem(String sql) {
    SqlText text;
    try {
      text = scan(sql, true);
    } catch (IllegalArgumentException e) {
      return Optional.of(e.getMessage());
    }
    if (text.words.isEmpty()) {
      return Optional.of("the query is empty");
    }
    String first = text.words.get(0);
    if (!first.equals("SELECT") && !first.equals("WITH")) {
      return Optional.of("the query must be one SELECT (or WITH … SELECT), not " + first);
    }
    if (text.moreAfterSemicolon) {
      return Optional.of("the query holds more than one statement; give one SELECT per metric");
    }
    return text.refusedWord().or(text::parenthesesProblem);
  }

  /** Why {@code sql} is not an expression that only reads and stays within its parentheses, or empty. */
  static Optional<String> expressionProblem(String sql) {
    SqlText text;
    try {
      text = scan(sql, false);
    } catch (IllegalArgumentException e) {
      return Optional.of(e.getMessage());
    }
    if (text.words.isEmpty() && text.marks.isEmpty() && sql.strip().isEmpty()) {
      return Optional.of("the expression is empty");
    }
    if (text.marks.contains(';')) {
      return Optional.of("an expression cannot hold ';'");
    }
    return text.refusedWord().or(text::parenthesesProblem);
  }

  private Optional<String> refusedWord() {
    for (int i = 0; i < words.size(); i++) {
      String word = words.get(i);
      boolean replaceInto = word.equals("REPLACE") && i + 1 < words.size() && words.get(i + 1).equals("INTO");
      if (REFUSED.contains(word) || replaceInto) {
        return Optional.of(word + " is refused: a metric only reads (one SELECT, no statement that writes, "
            + "attaches or changes settings)");
      }
    }
    return Optional.empty();
  }

  private Optional<String> parenthesesProblem() {
    int depth = 0;
    for (char mark : marks) {
      depth += mark == '(' ? 1 : mark == ')' ? -1 : 0;
      if (depth < 0) {
        return Optional.of("a ')' closes more than was opened");
      }
    }
    return depth == 0 ? Optional.empty() : Optional.of("a '(' is not closed");
  }

  /** Words (upper case) and the marks {@code ( ) ;} outside literals, quoted names and comments. */
  private static SqlText scan(String sql, boolean commentsAllowed) {
    List<String> words = new ArrayList<>();
    List<Character> marks = new ArrayList<>();
    boolean semicolon = false;
    boolean more = false;
    int i = 0;
    int n = sql.length();
    while (i < n) {
      char c = sql.charAt(i);
      if (c == '\'' || c == '"' || c == '`' || c == '[') {
        char close = c == '[' ? ']' : c;
        int end = i + 1;
        while (true) {
          if (end >= n) {
            throw new IllegalArgumentException("a " + c + " is not closed");
          }
          if (sql.charAt(end) == close) {
            if (close != ']' && end + 1 < n && sql.charAt(end + 1) == close) {
              end += 2; // a doubled quote stands for itself
              continue;
            }
            break;
          }
          end++;
        }
        more |= semicolon;
        i = end + 1;
      } else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-' || c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
        if (!commentsAllowed) {
          throw new IllegalArgumentException("an expression cannot hold a comment");
        }
        if (c == '-') {
          int end = sql.indexOf('\n', i);
          i = end < 0 ? n : end + 1;
        } else {
          int end = sql.indexOf("*/", i + 2);
          if (end < 0) {
            throw new IllegalArgumentException("a /* comment is not closed");
          }
          i = end + 2;
        }
      } else if (c == '?' || ((c == ':' || c == '@' || c == '$') && i + 1 < n
          && (Character.isLetterOrDigit(sql.charAt(i + 1)) || sql.charAt(i + 1) == '_'))) {
        throw new IllegalArgumentException("a bind parameter (" + (c == '?' ? "?" : c + "name")
            + ") is refused: nothing would bind it");
      } else if (Character.isLetter(c) || c == '_') {
        int end = i;
        while (end < n && (Character.isLetterOrDigit(sql.charAt(end)) || sql.charAt(end) == '_'
            || sql.charAt(end) == '$')) {
          end++;
        }
        words.add(sql.substring(i, end).toUpperCase(Locale.ROOT));
        more |= semicolon;
        i = end;
      } else {
        if (c == '(' || c == ')' || c == ';') {
          marks.add(c);
        }
        more |= semicolon && !Character.isWhitespace(c);
        semicolon |= c == ';';
        i++;
      }
    }
    return new SqlText(words, marks, more);
  }
}
