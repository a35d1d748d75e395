package dev.agentworkflow.exporter.demo;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.Map;

/**
 * The statements the workflow's logging hooks run, as {@code database.md} lists them, with the
 * timestamps they write: Python's {@code datetime.now().isoformat()}, local time without offset.
 * The caller owns the connection and its transactions, as each hook process does.
 */
public final class HookWriter {
  private static final String CREATE_SESSIONS = """
      CREATE TABLE IF NOT EXISTS sessions (
          session_id TEXT PRIMARY KEY,
          start_time TIMESTAMP,
          end_time   TIMESTAMP,
          status     TEXT,
          cwd        TEXT,
          metadata   JSON
      )
      """;
  private static final String CREATE_INVOCATIONS = """
      CREATE TABLE IF NOT EXISTS agent_invocations (
          id               INTEGER PRIMARY KEY AUTOINCREMENT,
          timestamp        TIMESTAMP,
          session_id       TEXT,
          event_type       TEXT,
          phase            TEXT,
          agent_name       TEXT,
          agent_type       TEXT,
          model            TEXT,
          prompt           TEXT,
          parent_agent     TEXT,
          ticket_id        TEXT,
          start_time       TIMESTAMP,
          end_time         TIMESTAMP,
          duration_seconds REAL,
          status           TEXT,
          error            TEXT,
          result_summary   TEXT,
          raw_input        JSON,
          raw_output       JSON,
          FOREIGN KEY (session_id) REFERENCES sessions(session_id)
      )
      """;
  private static final String CREATE_TOOL_USES = """
      CREATE TABLE IF NOT EXISTS agent_tool_uses (
          id                  INTEGER PRIMARY KEY AUTOINCREMENT,
          timestamp           TIMESTAMP,
          session_id          TEXT,
          agent_name          TEXT,
          agent_invocation_id INTEGER,
          tool_name           TEXT,
          tool_input          JSON,
          tool_output         JSON,
          duration_seconds    REAL,
          status              TEXT,
          error               TEXT,
          sequence_number     INTEGER,
          start_time          TIMESTAMP,
          end_time            TIMESTAMP
      )
      """;
  private static final String SESSION_START = """
      INSERT OR REPLACE INTO sessions (session_id, start_time, status, cwd, metadata)
      VALUES (?, ?, 'active', ?, ?)
      """;
  private static final String INVOCATION_START = """
      INSERT INTO agent_invocations
          (timestamp, session_id, event_type, phase, agent_name, agent_type, prompt, start_time, status, raw_input)
      VALUES (?, ?, 'pre_invocation', ?, ?, ?, ?, ?, 'started', ?)
      """;
  // The hooks write 'completed'; other writers write failed, error or timeout and an error text.
  private static final String INVOCATION_END = """
      UPDATE agent_invocations
         SET end_time = ?, status = ?, error = ?, raw_output = ?, duration_seconds = ?, model = ?
       WHERE id = ?
      """;
  private static final String SUBAGENT_STOP = """
      INSERT INTO agent_invocations (timestamp, session_id, event_type, status)
      VALUES (?, ?, 'subagent_stop', 'completed')
      """;
  private static final String SESSION_STOP = """
      UPDATE sessions SET end_time = ?, status = 'completed', metadata = ? WHERE session_id = ?
      """;

  // The tool-operations hook, for every tool other than the Agent (Task) tool.
  private static final String TOOL_START = """
      INSERT INTO agent_tool_uses
          (timestamp, session_id, agent_name, agent_invocation_id, tool_name, tool_input, start_time, status,
           sequence_number)
      VALUES (?, ?, ?, ?, ?, ?, ?, 'started', ?)
      """;
  private static final String TOOL_END = """
      UPDATE agent_tool_uses SET end_time = ?, status = ?, tool_output = ?, error = ?, duration_seconds = ? WHERE id = ?
      """;

  private static final String LAST_INSERT_ROWID = "SELECT last_insert_rowid()";

  private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss");

  private final ZoneId zone;

  /** @param zone the zone of the machine the hooks run on: their timestamps are its local time */
  public HookWriter(ZoneId zone) {
    this.zone = zone;
  }

  public void createSchema(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(CREATE_SESSIONS);
      s.execute(CREATE_INVOCATIONS);
      s.execute(CREATE_TOOL_USES);
    }
  }

  /** SessionStart: a resumed session replaces its row (new row id, end time back to NULL). */
  public void startSession(Connection c, String sessionId, Instant at, String cwd, String metadata) throws SQLException {
    try (Batch b = on(c)) {
      b.startSession(sessionId, at, cwd, metadata);
    }
  }

  /** PreToolUse of the Task tool: returns the new row's id. */
  public long startInvocation(Connection c, String sessionId, String phase, String agentName, Instant at,
      String prompt, String rawInput) throws SQLException {
    try (Batch b = on(c)) {
      return b.startInvocation(sessionId, phase, agentName, at, prompt, rawInput);
    }
  }

  /** PostToolUse of the Task tool; {@code durationSeconds} may be null, as some writers leave it. */
  public void endInvocation(Connection c, long id, Instant at, String status, String error, Double durationSeconds,
      String model, String rawOutput) throws SQLException {
    try (Batch b = on(c)) {
      b.endInvocation(id, at, status, error, durationSeconds, model, rawOutput);
    }
  }

  /** SubagentStop: a row without an agent name, which is not an invocation. */
  public void subagentStop(Connection c, String sessionId, Instant at) throws SQLException {
    try (Batch b = on(c)) {
      b.subagentStop(sessionId, at);
    }
  }

  /**
   * PreToolUse of any tool but the Agent tool (the tool-operations hook): {@code agentName} is the
   * agent running at the time, or {@code direct} for the main session; {@code invocationId} may be
   * null. Returns the new row's id.
   */
  public long startToolUse(Connection c, String sessionId, String agentName, Long invocationId, String toolName,
      Instant at, String toolInput, int sequenceNumber) throws SQLException {
    try (Batch b = on(c)) {
      return b.startToolUse(sessionId, agentName, invocationId, toolName, at, toolInput, sequenceNumber);
    }
  }

  /**
   * PostToolUse of that tool: status {@code completed}, or {@code error} when the tool failed;
   * {@code durationSeconds} is end minus start as the hook computed it, null when it could not.
   */
  public void endToolUse(Connection c, long id, Instant at, String status, String toolOutput, String error,
      Double durationSeconds) throws SQLException {
    try (Batch b = on(c)) {
      b.endToolUse(id, at, status, toolOutput, error, durationSeconds);
    }
  }

  /** Stop, after every reply of the main session: may run many times per session. */
  public void stopSession(Connection c, String sessionId, Instant at, String metadata) throws SQLException {
    try (Batch b = on(c)) {
      b.stopSession(sessionId, at, metadata);
    }
  }

  /**
   * The same statements, each prepared once on {@code c} and kept until the batch is closed: for
   * writing many events on one connection (the demo's history, the benchmark), where preparing
   * each statement again would cost more than running it.
   */
  public Batch on(Connection c) {
    return new Batch(c);
  }

  /** Hook statements prepared on one connection; see {@link #on(Connection)}. */
  public final class Batch implements AutoCloseable {
    private final Connection c;
    private final Map<String, PreparedStatement> prepared = new HashMap<>();

    private Batch(Connection c) {
      this.c = c;
    }

    private PreparedStatement statement(String sql) throws SQLException {
      PreparedStatement statement = prepared.get(sql);
      if (statement == null) {
        statement = c.prepareStatement(sql);
        prepared.put(sql, statement);
      }
      return statement;
    }

    public void startSession(String sessionId, Instant at, String cwd, String metadata) throws SQLException {
      PreparedStatement s = statement(SESSION_START);
      s.setString(1, sessionId);
      s.setString(2, isoformat(at));
      s.setString(3, cwd);
      s.setString(4, metadata);
      s.executeUpdate();
    }

    public long startInvocation(String sessionId, String phase, String agentName, Instant at, String prompt,
        String rawInput) throws SQLException {
      PreparedStatement s = statement(INVOCATION_START);
      String now = isoformat(at);
      s.setString(1, now);
      s.setString(2, sessionId);
      s.setString(3, phase);
      s.setString(4, agentName);
      s.setString(5, agentName);
      s.setString(6, prompt);
      s.setString(7, now);
      s.setString(8, rawInput);
      s.executeUpdate();
      return lastInsertRowId();
    }

    /**
     * What Python's cursor.lastrowid reads; prepared once here, where getGeneratedKeys() would
     * prepare it again for every row.
     */
    private long lastInsertRowId() throws SQLException {
      try (ResultSet id = statement(LAST_INSERT_ROWID).executeQuery()) {
        id.next();
        return id.getLong(1);
      }
    }

    public void endInvocation(long id, Instant at, String status, String error, Double durationSeconds, String model,
        String rawOutput) throws SQLException {
      PreparedStatement s = statement(INVOCATION_END);
      s.setString(1, isoformat(at));
      s.setString(2, status);
      s.setString(3, error);
      s.setString(4, rawOutput);
      if (durationSeconds == null) {
        s.setNull(5, java.sql.Types.REAL);
      } else {
        s.setDouble(5, durationSeconds);
      }
      s.setString(6, model);
      s.setLong(7, id);
      s.executeUpdate();
    }

    public long startToolUse(String sessionId, String agentName, Long invocationId, String toolName, Instant at,
        String toolInput, int sequenceNumber) throws SQLException {
      PreparedStatement s = statement(TOOL_START);
      String now = isoformat(at);
      s.setString(1, now);
      s.setString(2, sessionId);
      s.setString(3, agentName);
      if (invocationId == null) {
        s.setNull(4, java.sql.Types.INTEGER);
      } else {
        s.setLong(4, invocationId);
      }
      s.setString(5, toolName);
      s.setString(6, toolInput);
      s.setString(7, now);
      s.setInt(8, sequenceNumber);
      s.executeUpdate();
      return lastInsertRowId();
    }

    public void endToolUse(long id, Instant at, String status, String toolOutput, String error,
        Double durationSeconds) throws SQLException {
      PreparedStatement s = statement(TOOL_END);
      s.setString(1, isoformat(at));
      s.setString(2, status);
      s.setString(3, toolOutput);
      s.setString(4, error);
      if (durationSeconds == null) {
        s.setNull(5, java.sql.Types.REAL);
      } else {
        s.setDouble(5, durationSeconds);
      }
      s.setLong(6, id);
      s.executeUpdate();
    }

    public void subagentStop(String sessionId, Instant at) throws SQLException {
      PreparedStatement s = statement(SUBAGENT_STOP);
      s.setString(1, isoformat(at));
      s.setString(2, sessionId);
      s.executeUpdate();
    }

    public void stopSession(String sessionId, Instant at, String metadata) throws SQLException {
      PreparedStatement s = statement(SESSION_STOP);
      s.setString(1, isoformat(at));
      s.setString(2, metadata);
      s.setString(3, sessionId);
      s.executeUpdate();
    }

    @Override
    public void close() throws SQLException {
      for (PreparedStatement statement : prepared.values()) {
        statement.close();
      }
    }
  }

  /** Python's {@code isoformat()}: microseconds only when not zero. */
  public String isoformat(Instant at) {
    LocalDateTime local = LocalDateTime.ofInstant(at, zone);
    int micros = local.getNano() / 1000;
    String seconds = SECONDS.format(local);
    if (micros == 0) {
      return seconds;
    }
    String digits = Integer.toString(micros);
    return seconds + ".000000".substring(0, 7 - digits.length()) + digits;
  }
}
