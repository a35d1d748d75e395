package dev.agentworkflow.exporter.db;

import dev.agentworkflow.exporter.db.TableReader.Column;
import dev.agentworkflow.exporter.db.TableReader.RowMapper;
import dev.agentworkflow.exporter.model.InvocationRow;
import dev.agentworkflow.exporter.model.SessionRow;
import dev.agentworkflow.exporter.model.ToolUseRow;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.StringJoiner;

/**
 * The exporter's side of the team's PostgreSQL store: one read-only connection, kept between polls,
 * and a {@link Read} per poll, one {@code REPEATABLE READ READ ONLY} transaction in which every
 * statement sees the same snapshot. What changed since the last read is found by transaction, not
 * by id (docs/design.md, "PostgreSQL"): the cursor is the last read's snapshot, a row changed when
 * that snapshot did not see the transaction that last wrote it, and is new when it did not see the
 * one that inserted it either. Exact whatever order writers commit in; no row comes twice.
 */
public final class StoreReader implements AutoCloseable {
  private static final String SNAPSHOT = """
      SELECT pg_current_snapshot()::text""";
  private static final String SOURCES = """
      SELECT source_id, project FROM agent_workflow_sources ORDER BY source_id""";
  private static final String CHANGED = """
      SELECT source_id, %2$s AS row_key, %3$s, NOT pg_visible_in_snapshot(inserted_xid, ?::pg_snapshot) AS is_new
        FROM %1$s
       WHERE changed_xid >= pg_snapshot_xmin(?::pg_snapshot)
         AND NOT pg_visible_in_snapshot(changed_xid, ?::pg_snapshot)
       ORDER BY source_id, %2$s""";
  private static final String EVERY = """
      SELECT source_id, %2$s AS row_key, %3$s, true AS is_new FROM %1$s ORDER BY source_id, %2$s""";
  /** Rows fetched per round trip: a first load streams rather than arriving whole. */
  private static final int FETCH = 2_000;

  private final StoreConnection connection;
  private final TimestampParser timestamps;

  /**
   * @param statementTimeout how long one statement may run before the server cancels it (a poll
   *     fails, and the next one tries again)
   */
  public StoreReader(StoreAddress address, Optional<String> password, TimestampParser timestamps,
      Duration statementTimeout) {
    this.timestamps = timestamps;
    this.connection = new StoreConnection(address, password, "agent-workflow-exporter", c -> {
      try (Statement s = c.createStatement()) {
        // read-only twice over: every transaction of this session, whatever the role may do
        s.execute("SET SESSION default_transaction_read_only = on");
        s.execute("SET SESSION statement_timeout = " + statementTimeout.toMillis());
      }
      c.setAutoCommit(false);
      c.setReadOnly(true);
      c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
    });
  }

  public String shown() {
    return connection.shown();
  }

  /** A source of rows: one project's SQLite file on one host ({@code agent_workflow_sources}), by its project. */
  public record Source(long id, String project) {}

  /** Which id a changed row goes on under, given by the caller, which follows the rows. */
  @FunctionalInterface
  public interface RowIds {
    /**
     * @param sourceId the row's source
     * @param fileId its id in the source's file (a session's rowid)
     * @param isNew the last read did not see it
     * @return the id the row goes on under, or -1: pass it over (neither new nor followed)
     */
    long rowId(long sourceId, long fileId, boolean isNew);
  }

  /** Takes a changed row, under the id {@link RowIds} gave it. */
  @FunctionalInterface
  public interface ChangedRows<R> {
    void accept(long sourceId, R row);
  }

  /** Starts a read: one transaction, whose snapshot is {@link Read#snapshot()}. */
  public Read read() throws StoreFailure {
    try {
      Connection c = connection.get();
      String snapshot;
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(SNAPSHOT)) {
        rs.next();
        snapshot = rs.getString(1);
      }
      return new Read(c, snapshot);
    } catch (SQLException e) {
      close();
      throw StoreFailure.of(e);
    }
  }

  @Override
  public void close() {
    connection.close();
  }

  /** One poll's transaction. Closing it ends it. */
  public final class Read implements AutoCloseable {
    private final Connection c;
    private final String snapshot;
    private boolean ended;

    private Read(Connection c, String snapshot) {
      this.c = c;
      this.snapshot = snapshot;
    }

    /** The cursor of the next read: this read's snapshot. */
    public String snapshot() {
      return snapshot;
    }

    public List<Source> sources() throws StoreFailure {
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(SOURCES)) {
        List<Source> sources = new ArrayList<>();
        while (rs.next()) {
          sources.add(new Source(rs.getLong(1), rs.getString(2)));
        }
        return sources;
      } catch (SQLException e) {
        throw fail(e);
      }
    }

    /** The invocations changed since {@code since} (every one when empty); returns how many were read. */
    public long invocations(Optional<String> since, RowIds ids, ChangedRows<InvocationRow> rows) throws StoreFailure {
      return changed(InvocationRows.TABLE, "id", InvocationRows.COLUMNS,
          (rs, id) -> InvocationRows.map(rs, id, timestamps), since, ids, rows);
    }

    public long toolUses(Optional<String> since, RowIds ids, ChangedRows<ToolUseRow> rows) throws StoreFailure {
      return changed(ToolUseRows.TABLE, "id", ToolUseRows.COLUMNS,
          (rs, id) -> ToolUseRows.map(rs, id, timestamps), since, ids, rows);
    }

    public long sessions(Optional<String> since, RowIds ids, ChangedRows<SessionRow> rows) throws StoreFailure {
      return changed(SessionRows.TABLE, "row_id", SessionRows.COLUMNS,
          (rs, id) -> SessionRows.map(rs, id, timestamps), since, ids, rows);
    }

    private <R> long changed(String table, String key, List<Column> columns, RowMapper<R> mapper,
        Optional<String> since, RowIds ids, ChangedRows<R> rows) throws StoreFailure {
      StringJoiner names = new StringJoiner(", ");
      columns.forEach(column -> names.add('"' + column.name() + '"'));
      String sql = (since.isPresent() ? CHANGED : EVERY).formatted(table, key, names);
      try (PreparedStatement s = c.prepareStatement(sql)) {
        if (since.isPresent()) {
          for (int i = 1; i <= 3; i++) {
            s.setString(i, since.get());
          }
        }
        s.setFetchSize(FETCH);
        long read = 0;
        int isNew = columns.size() + 3;
        try (ResultSet rs = s.executeQuery()) {
          while (rs.next()) {
            read++;
            long sourceId = rs.getLong(1);
            long rowId = ids.rowId(sourceId, rs.getLong(2), rs.getBoolean(isNew));
            if (rowId >= 0) {
              rows.accept(sourceId, mapper.map(rs, rowId));
            }
          }
        }
        return read;
      } catch (SQLException e) {
        throw fail(e);
      }
    }

    private StoreFailure fail(SQLException e) {
      ended = true;
      close();
      StoreReader.this.close();
      return StoreFailure.of(e);
    }

    /** Ends the transaction (it wrote nothing: a commit and a rollback are the same to the store). */
    @Override
    public void close() {
      if (!ended) {
        ended = true;
        try {
          c.commit();
        } catch (SQLException e) {
          StoreReader.this.close();
        }
      }
    }
  }
}
