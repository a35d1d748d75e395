package dev.agentworkflow.exporter.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * A reader's prepared statements, kept per connection between polls. Preparing the statements of a
 * busy poll (a dozen, with the cuts' expressions) took some 0.6 ms of it. A statement between two
 * runs is reset (its result set closed) and holds no lock; SQLite prepares it again by itself after
 * a schema change, and a connection that closes finalizes its statements, which are then dropped
 * here. Safe for the two threads of a split read, each on a connection of its own.
 */
final class StatementCache {
  private final Map<Connection, Map<String, PreparedStatement>> byConnection = new IdentityHashMap<>();

  /** The statement of {@code sql} on {@code connection}, prepared on first use. */
  synchronized PreparedStatement of(Connection connection, String sql) throws SQLException {
    byConnection.keySet().removeIf(StatementCache::isClosed);
    Map<String, PreparedStatement> statements = byConnection.computeIfAbsent(connection, c -> new HashMap<>());
    PreparedStatement statement = statements.get(sql);
    if (statement == null || statement.isClosed()) { // sqlite-jdbc finalizes one whose first step failed
      statement = connection.prepareStatement(sql);
      statements.put(sql, statement);
    }
    return statement;
  }

  /** Closes every statement kept: their text changed (the table's columns did). */
  synchronized void clear() {
    for (Map<String, PreparedStatement> statements : byConnection.values()) {
      for (PreparedStatement statement : statements.values()) {
        try {
          statement.close();
        } catch (SQLException e) {
          // a statement of a closed connection: nothing left to free
        }
      }
    }
    byConnection.clear();
  }

  private static boolean isClosed(Connection connection) {
    try {
      return connection.isClosed();
    } catch (SQLException e) {
      return true;
    }
  }
}
