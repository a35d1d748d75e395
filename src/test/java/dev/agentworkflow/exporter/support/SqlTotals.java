package dev.agentworkflow.exporter.support;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;

/**
 * What the counters should say, computed by SQL from the database itself with the counting rules
 * of database.md: the independent check of the exporter's incremental arithmetic.
 */
public final class SqlTotals {
  private static final String FINISHED = """
      FROM agent_invocations
      WHERE agent_name IS NOT NULL AND agent_name NOT IN ('', 'unknown')
        AND (end_time IS NOT NULL
             OR (status IS NOT NULL AND lower(status) NOT IN ('', 'started', 'running', 'pending', 'in_progress')))
      """;
  private static final String RUNNING = """
      SELECT count(*) FROM agent_invocations
       WHERE agent_name IS NOT NULL AND agent_name NOT IN ('', 'unknown') AND end_time IS NULL
         AND (status IS NULL OR lower(status) IN ('', 'started', 'running', 'pending', 'in_progress'))
      """;

  private SqlTotals() {}

  /** Series key to value for agent_invocation_total, agent_error_total and phase_distribution_total. */
  public static Map<String, Double> counters(Connection c) throws Exception {
    Map<String, Double> expected = new HashMap<>();
    try (Statement s = c.createStatement()) {
      try (ResultSet rs = s.executeQuery("SELECT agent_name, coalesce(nullif(phase, ''), 'unknown'), "
          + "coalesce(nullif(status, ''), 'unknown'), coalesce(nullif(model, ''), 'unknown'), count(*) "
          + FINISHED + " GROUP BY 1, 2, 3, 4")) {
        while (rs.next()) {
          expected.put(Exposition.key("agent_invocation_total", "agent_name", rs.getString(1), "phase", rs.getString(2),
              "status", rs.getString(3), "model", rs.getString(4)), rs.getDouble(5));
        }
      }
      try (ResultSet rs = s.executeQuery("SELECT agent_name, coalesce(nullif(phase, ''), 'unknown'), count(*) "
          + FINISHED + " AND lower(status) IN ('failed', 'error', 'timeout') GROUP BY 1, 2")) {
        while (rs.next()) {
          expected.put(Exposition.key("agent_error_total", "agent_name", rs.getString(1), "phase", rs.getString(2)),
              rs.getDouble(3));
        }
      }
      try (ResultSet rs = s.executeQuery("SELECT coalesce(nullif(phase, ''), 'unknown'), count(*) " + FINISHED
          + " GROUP BY 1")) {
        while (rs.next()) {
          expected.put(Exposition.key("phase_distribution_total", "phase", rs.getString(1)), rs.getDouble(2));
        }
      }
    }
    return expected;
  }

  /** The same three counters as scraped. */
  public static Map<String, Double> scraped(Exposition m) {
    Map<String, Double> actual = new HashMap<>();
    for (String name : new String[] {"agent_invocation_total", "agent_error_total", "phase_distribution_total"}) {
      m.seriesOf(name).forEach(k -> actual.put(k, m.all().get(k)));
    }
    return actual;
  }

  /** Invocations not finished (all of them, stale or not). */
  public static long running(Connection c) throws Exception {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(RUNNING)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** Finished invocations whose status is failed, error or timeout (any case). */
  public static long errors(Connection c) throws Exception {
    return count(c, "SELECT count(*) " + FINISHED + " AND lower(status) IN ('failed', 'error', 'timeout')");
  }

  /** Rows of sessions: total_sessions. */
  public static long sessions(Connection c) throws Exception {
    return count(c, "SELECT count(*) FROM sessions");
  }

  /**
   * Sessions with no end time or with status active, and the sessions of the running invocations,
   * each once: active_sessions_count. All running invocations count here: those of the tests all
   * started within --stale-after.
   */
  public static long activeSessions(Connection c) throws Exception {
    return count(c, """
        SELECT count(*) FROM (
          SELECT coalesce(session_id, 'row ' || rowid) FROM sessions WHERE end_time IS NULL OR lower(status) = 'active'
          UNION
          SELECT session_id FROM agent_invocations
           WHERE agent_name IS NOT NULL AND agent_name NOT IN ('', 'unknown') AND end_time IS NULL
             AND (status IS NULL OR lower(status) IN ('', 'started', 'running', 'pending', 'in_progress'))
             AND session_id IS NOT NULL AND session_id <> '')
        """);
  }

  /** Distinct agent names of all invocations: total_unique_agents. */
  public static long uniqueAgents(Connection c) throws Exception {
    return count(c, "SELECT count(DISTINCT agent_name) FROM agent_invocations "
        + "WHERE agent_name IS NOT NULL AND agent_name NOT IN ('', 'unknown')");
  }

  private static long count(Connection c, String sql) throws Exception {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** Finished invocations. */
  public static long finished(Connection c) throws Exception {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) " + FINISHED)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
