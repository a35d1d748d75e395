package dev.agentworkflow.exporter.support;

import dev.agentworkflow.exporter.demo.HookWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.ZoneId;

/**
 * A real SQLite file written the way the hooks write it: each call opens a connection, runs the
 * hook's statement, commits and closes, as a hook process does.
 */
public final class HookDatabase {
  public static final ZoneId ZONE = ZoneId.of("Europe/Berlin");

  private final Path path;
  private final HookWriter hooks = new HookWriter(ZONE);

  private HookDatabase(Path path) {
    this.path = path;
  }

  /** Creates the hooks' schema at {@code path}. */
  public static HookDatabase create(Path path) throws SQLException {
    HookDatabase db = new HookDatabase(path);
    try (Connection c = db.connect()) {
      db.hooks.createSchema(c);
    }
    return db;
  }

  /** A database that exists already (made by the demo, say), to write to as the hooks do. */
  public static HookDatabase open(Path path) {
    return new HookDatabase(path);
  }

  /** A database file with no tables, for other writers' schemas. */
  public static HookDatabase createEmpty(Path path) throws SQLException {
    HookDatabase db = new HookDatabase(path);
    db.execute("PRAGMA user_version = 1"); // makes SQLite write the file
    return db;
  }

  public Path path() {
    return path;
  }

  public HookWriter hooks() {
    return hooks;
  }

  public long startAgent(String session, String phase, String agent, Instant at) throws SQLException {
    try (Connection c = connect()) {
      return hooks.startInvocation(c, session, phase, agent, at, "prompt", "{}");
    }
  }

  public void finishAgent(long id, Instant at, String status, Double duration, String model) throws SQLException {
    try (Connection c = connect()) {
      hooks.endInvocation(c, id, at, status, null, duration, model, "{}");
    }
  }

  /** PostToolUse of the Agent tool with the agent's response as {@code raw_output}. */
  public void finishAgent(long id, Instant at, String status, Double duration, String model, String rawOutput)
      throws SQLException {
    try (Connection c = connect()) {
      hooks.endInvocation(c, id, at, status, null, duration, model, rawOutput);
    }
  }

  /** PreToolUse of a tool other than the Agent tool: the tool-operations hook's row. */
  public long startTool(String session, String agent, Long invocationId, String tool, Instant at, int sequence)
      throws SQLException {
    try (Connection c = connect()) {
      return hooks.startToolUse(c, session, agent, invocationId, tool, at, "{\"command\": \"ls\"}", sequence);
    }
  }

  /** PostToolUse of that tool. */
  public void finishTool(long id, Instant at, String status, Double duration) throws SQLException {
    try (Connection c = connect()) {
      hooks.endToolUse(c, id, at, status, "{\"output\": \"ok\"}", "error".equals(status) ? "failed" : null,
          duration);
    }
  }

  public void subagentStop(String session, Instant at) throws SQLException {
    try (Connection c = connect()) {
      hooks.subagentStop(c, session, at);
    }
  }

  public void startSession(String session, Instant at) throws SQLException {
    try (Connection c = connect()) {
      hooks.startSession(c, session, at, "/work", "{}");
    }
  }

  public void stopSession(String session, Instant at) throws SQLException {
    try (Connection c = connect()) {
      hooks.stopSession(c, session, at, "{}");
    }
  }

  /** Any other statement, for writers other than the hooks (and for vandalism). */
  public void execute(String sql) throws SQLException {
    try (Connection c = connect(); Statement s = c.createStatement()) {
      s.executeUpdate(sql);
    }
  }

  public Connection connect() throws SQLException {
    Connection c = DriverManager.getConnection("jdbc:sqlite:" + path);
    try (Statement s = c.createStatement()) {
      s.execute("PRAGMA busy_timeout = 5000");
    }
    return c;
  }
}
