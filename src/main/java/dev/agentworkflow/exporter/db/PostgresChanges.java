package dev.agentworkflow.exporter.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Which rows of a table of the shared PostgreSQL store ({@code deploy/postgresql/schema.sql})
 * changed since the last read, found by transaction rather than by id (docs/design.md,
 * "PostgreSQL"): the cursor is the snapshot of the last read, and a row changed since then when
 * that snapshot did not see the transaction that last wrote it. It is new when the snapshot did
 * not see the one that inserted it either. Exact whatever order writers commit in, and no row comes
 * twice. The exporter's PostgreSQL reader reads its rows' columns through this; for now it says
 * which rows.
 */
public final class PostgresChanges {
  private static final String SNAPSHOT = """
      SELECT pg_current_snapshot()::text""";
  /** The index on changed_xid serves the range; the visibility test drops what the last read saw. */
  private static final String CHANGED = """
      SELECT source_id, %s, NOT pg_visible_in_snapshot(inserted_xid, ?::pg_snapshot) AS is_new
      FROM %s
      WHERE changed_xid >= pg_snapshot_xmin(?::pg_snapshot)
        AND NOT pg_visible_in_snapshot(changed_xid, ?::pg_snapshot)
      ORDER BY changed_xid, source_id, %s""";
  private static final String EVERY = """
      SELECT source_id, %s, true AS is_new FROM %s ORDER BY source_id, %s""";

  /**
   * A row that changed: its source (one SQLite file of one project on one host), its key there
   * (the id, or a session's id), and whether it is new since the last read.
   */
  public record Change(long sourceId, String key, boolean isNew) {}

  /** What one read found: the changes of each table asked, and the cursor for the next read. */
  public record Read(String snapshot, List<List<Change>> tables) {}

  private PostgresChanges() {}

  /**
   * Reads, in one read-only transaction, the changes of each of {@code tables} (a table's name and
   * its key column) since {@code since}, the snapshot a previous read returned; every row when
   * empty. The transaction is REPEATABLE READ, so every statement of it sees the snapshot it hands
   * on as the next cursor, and READ ONLY.
   */
  public static Read read(Connection connection, Optional<String> since, List<String[]> tables) throws SQLException {
    connection.setAutoCommit(false);
    connection.setReadOnly(true);
    connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
    boolean done = false;
    try {
      String snapshot;
      try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery(SNAPSHOT)) {
        rs.next();
        snapshot = rs.getString(1);
      }
      List<List<Change>> changes = new ArrayList<>();
      for (String[] table : tables) {
        String name = table[0];
        String key = table[1];
        String sql = since.isPresent() ? CHANGED.formatted(key, name, key) : EVERY.formatted(key, name, key);
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
          if (since.isPresent()) {
            for (int i = 1; i <= 3; i++) {
              statement.setString(i, since.get());
            }
          }
          List<Change> found = new ArrayList<>();
          try (ResultSet rs = statement.executeQuery()) {
            while (rs.next()) {
              found.add(new Change(rs.getLong(1), rs.getString(2), rs.getBoolean(3)));
            }
          }
          changes.add(found);
        }
      }
      done = true;
      return new Read(snapshot, changes);
    } finally {
      if (done) {
        connection.commit();
      } else {
        connection.rollback();
      }
    }
  }
}
