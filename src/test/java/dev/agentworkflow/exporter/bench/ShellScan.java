package dev.agentworkflow.exporter.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Issue 14's floor for a first load: the {@code sqlite3} command-line shell (Debian's {@code
 * sqlite3} package) reading the columns the exporter reads, from the three tables, in one process
 * on the same file, read-only, its output to /dev/null:
 *
 * <pre>
 * sqlite3 -readonly FILE "SELECT … FROM agent_invocations; SELECT … FROM sessions; SELECT … FROM agent_tool_uses" &gt; /dev/null
 * </pre>
 *
 * The columns mirror the exporter's SELECTs ({@code db.InvocationRows}, {@code db.SessionRows},
 * {@code db.ToolUseRows}) as plain columns, without the exporter's cuts; raw_output is read as the
 * exporter reads it, as the two numbers its JSON expressions take from it. Keep them in step when
 * the exporter reads other columns.
 */
final class ShellScan {
  /** The two numbers of an agent's response, extracted in SQL as the exporter extracts them. */
  static final String TOOL_USE_COUNT = json("totalToolUseCount");
  static final String TOTAL_TOKENS = json("totalTokens");

  static final String INVOCATIONS = "SELECT rowid, session_id, phase, agent_name, model, status, start_time, "
      + "end_time, duration_seconds, " + TOOL_USE_COUNT + ", " + TOTAL_TOKENS + " FROM agent_invocations;";
  static final String SESSIONS = "SELECT rowid, session_id, start_time, end_time, status FROM sessions;";
  static final String TOOL_USES = "SELECT rowid, session_id, agent_name, tool_name, status, start_time, end_time, "
      + "duration_seconds, sequence_number FROM agent_tool_uses;";
  private static final String COUNTS = "SELECT (SELECT count(*) FROM agent_invocations), "
      + "(SELECT count(*) FROM sessions), (SELECT count(*) FROM agent_tool_uses);";

  /** Rows of each table, as the shell counted them. */
  record Rows(long invocations, long sessions, long toolUses) {
    long total() {
      return invocations + sessions + toolUses;
    }
  }

  private ShellScan() {}

  /** Seconds from starting the shell to its exit, having read and printed every row of the three SELECTs. */
  static double seconds(Path file) throws IOException, InterruptedException {
    long started = System.nanoTime();
    run(file, INVOCATIONS + " " + SESSIONS + " " + TOOL_USES, true);
    return (System.nanoTime() - started) / 1e9;
  }

  /** The rows of the three tables, counted by the shell (untimed). */
  static Rows rows(Path file) throws IOException, InterruptedException {
    String[] counts = run(file, COUNTS, false).strip().split("\\|");
    return new Rows(Long.parseLong(counts[0]), Long.parseLong(counts[1]), Long.parseLong(counts[2]));
  }

  /** What {@code sqlite3 --version} says: it is not the SQLite inside sqlite-jdbc. */
  static String version() throws IOException, InterruptedException {
    Process p = new ProcessBuilder("sqlite3", "--version").redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    p.waitFor();
    String[] words = out.split(" ");
    return words.length > 1 ? words[0] + " " + words[1] : out;
  }

  private static String run(Path file, String sql, boolean discard) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("sqlite3", "-readonly", file.toAbsolutePath().toString(), sql));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.redirectOutput(discard ? ProcessBuilder.Redirect.DISCARD : ProcessBuilder.Redirect.PIPE);
    Process p = builder.start();
    String out = discard ? "" : new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0 || !err.isBlank()) {
      throw new IllegalStateException("sqlite3 failed on " + file + ": " + err);
    }
    return out;
  }

  /**
   * A number of the response, as the exporter takes it ({@code TableReader.Cut.JSON_NUMBER}, word
   * for word): only from text that is valid JSON, and only when it is a JSON number.
   */
  private static String json(String field) {
    return ("CASE WHEN typeof(\"raw_output\") = 'text' THEN CASE WHEN json_valid(\"raw_output\") THEN "
        + "CASE json_type(\"raw_output\", '$.%1$s') WHEN 'integer' THEN \"raw_output\" ->> '$.%1$s' "
        + "WHEN 'real' THEN \"raw_output\" ->> '$.%1$s' END END END").formatted(field);
  }
}
