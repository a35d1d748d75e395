package dev.agentworkflow.exporter.db;

import dev.agentworkflow.exporter.db.TableReader.Column;
import dev.agentworkflow.exporter.model.ShippedRow;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.StringJoiner;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * The shipper's side of the team's PostgreSQL store ({@code deploy/postgresql/schema.sql}): one
 * connection, opened on first use and again after a failure, and a {@link Round} per shipping
 * transaction. Every round takes a lock for its project and host first, so that two shippers of
 * one file (a service and a CI step) write one after the other: the later one read the file later,
 * and a row's newer state is never overwritten by an older one. What was shipped (the cursor) is
 * read from the store inside that transaction: it commits with the rows it describes.
 */
public final class StoreWriter implements AutoCloseable {
  /** Same key for a project and host in every shipper: two ints, each a hash of one of them. */
  private static final String LOCK = """
      SELECT pg_advisory_xact_lock(hashtext(?), hashtext(?))""";
  private static final String SOURCES = """
      SELECT source_id, epoch FROM agent_workflow_sources
       WHERE project = ? AND host = ? ORDER BY epoch DESC""";
  private static final String NEW_SOURCE = """
      INSERT INTO agent_workflow_sources (project, host, epoch) VALUES (?, ?, ?) RETURNING source_id""";
  private static final String TOUCH_SOURCE = """
      UPDATE agent_workflow_sources SET last_shipped_at = now() WHERE source_id = ?""";
  /** The exporter's counting rules: a row is open until it has an end time or a finished status. */
  private static final String OPEN_ROWS = """
      SELECT id FROM %s
       WHERE source_id = ? AND end_time IS NULL
         AND (status IS NULL OR lower(status) IN ('', 'started', 'running', 'pending', 'in_progress'))
       ORDER BY id""";
  /** A session stays open while it has no end time or says it is active. */
  private static final String OPEN_SESSIONS = """
      SELECT row_id FROM sessions
       WHERE source_id = ? AND (end_time IS NULL OR lower(status) = 'active')
       ORDER BY row_id""";
  private static final String NEWEST = """
      SELECT %2$s, %3$s FROM %1$s WHERE source_id = ? ORDER BY %2$s DESC LIMIT ?""";
  /** A run (session and start) the file now holds under another row id: VACUUM renumbered the table. */
  private static final String RENUMBERED_SESSIONS = """
      DELETE FROM sessions s
       WHERE s.source_id = ? AND NOT (s.row_id = ANY (?))
         AND EXISTS (SELECT 1 FROM sessions n
                      WHERE n.source_id = s.source_id AND n.row_id = ANY (?)
                        AND n.session_id IS NOT DISTINCT FROM s.session_id
                        AND n.start_time IS NOT DISTINCT FROM s.start_time)""";
  private static final String DELETE = """
      DELETE FROM %1$s WHERE source_id = ? AND %2$s = ANY (?)""";

  private final StoreConnection connection;
  /** The temporary tables made on this connection, by store table. */
  private final Set<String> stagingMade = new HashSet<>();

  public StoreWriter(StoreAddress address, Optional<String> password, String applicationName) {
    this.connection = new StoreConnection(address, password, applicationName, c -> {
      c.setAutoCommit(false);
      stagingMade.clear(); // a new session: its temporary tables are gone
    });
  }

  public String shown() {
    return connection.shown();
  }

  /** One project's file on one host, as the store knows it; a file made again there is the next epoch. */
  public record Source(long id, String project, String host, int epoch) {}

  /** A row shipped, by the values that know it again in the file ({@link ShippedTable#identityColumns}). */
  public record Anchor(long id, List<String> identity) {}

  /**
   * The values of a row read from the file that {@link Anchor#identity} holds of a shipped one, as
   * the store holds them: equal when the file still has the row that was shipped.
   */
  public static List<String> anchorIdentity(ShippedTable table, ShippedRow row) {
    List<String> identity = new ArrayList<>();
    for (String name : table.identityColumns()) {
      int i = 0;
      while (!table.columns().get(i).name().equals(name)) {
        i++;
      }
      identity.add(StoreText.of(row.value(i)));
    }
    return identity;
  }

  /** Starts a shipping transaction for {@code project} on {@code host}: waits for the lock of that pair. */
  public Round begin(String project, String host) throws StoreFailure {
    try {
      Connection c = connection.get();
      try (PreparedStatement lock = c.prepareStatement(LOCK)) {
        lock.setString(1, project);
        lock.setString(2, host);
        lock.execute();
      }
      return new Round(c, project, host);
    } catch (SQLException e) {
      failed();
      throw StoreFailure.of(e);
    }
  }

  /** A failed statement may have left the connection broken or in a failed transaction: the next round opens another. */
  private void failed() {
    close();
  }

  @Override
  public void close() {
    connection.close();
  }

  /** One transaction: read what was shipped, write what changed, commit; closing it uncommitted rolls it back. */
  public final class Round implements AutoCloseable {
    private final Connection c;
    private final String project;
    private final String host;
    private boolean ended;

    private Round(Connection c, String project, String host) {
      this.c = c;
      this.project = project;
      this.host = host;
    }

    /** The epochs of this project and host, newest first; empty when nothing was shipped yet. */
    public List<Source> sources() throws StoreFailure {
      try (PreparedStatement s = c.prepareStatement(SOURCES)) {
        s.setString(1, project);
        s.setString(2, host);
        List<Source> sources = new ArrayList<>();
        try (ResultSet rs = s.executeQuery()) {
          while (rs.next()) {
            sources.add(new Source(rs.getLong(1), project, host, rs.getInt(2)));
          }
        }
        return sources;
      } catch (SQLException e) {
        throw fail(e);
      }
    }

    /** Starts the next epoch (the first when {@code after} is empty). */
    public Source newSource(Optional<Source> after) throws StoreFailure {
      int epoch = after.map(s -> s.epoch() + 1).orElse(1);
      try (PreparedStatement s = c.prepareStatement(NEW_SOURCE)) {
        s.setString(1, project);
        s.setString(2, host);
        s.setInt(3, epoch);
        try (ResultSet rs = s.executeQuery()) {
          rs.next();
          return new Source(rs.getLong(1), project, host, epoch);
        }
      } catch (SQLException e) {
        throw fail(e);
      }
    }

    /** The newest {@code n} rows of {@code table} shipped from {@code source}, newest first. */
    public List<Anchor> newest(Source source, ShippedTable table, int n) throws StoreFailure {
      StringJoiner columns = new StringJoiner(", ");
      table.identityColumns().forEach(columns::add);
      try (PreparedStatement s = c.prepareStatement(NEWEST.formatted(table.name(), table.key(), columns))) {
        s.setLong(1, source.id());
        s.setInt(2, n);
        List<Anchor> anchors = new ArrayList<>();
        try (ResultSet rs = s.executeQuery()) {
          while (rs.next()) {
            List<String> identity = new ArrayList<>();
            for (int i = 0; i < table.identityColumns().size(); i++) {
              identity.add(rs.getString(i + 2));
            }
            anchors.add(new Anchor(rs.getLong(1), identity));
          }
        }
        return anchors;
      } catch (SQLException e) {
        throw fail(e);
      }
    }

    /**
     * The rows of {@code table} from {@code source} still open in the store, to be read again from
     * the file until they finish. (Where the new rows start is the newest row shipped: {@link #newest}.)
     */
    public long[] openRows(Source source, ShippedTable table) throws StoreFailure {
      String open = table.key().equals("row_id") ? OPEN_SESSIONS : OPEN_ROWS.formatted(table.name());
      try (PreparedStatement s = c.prepareStatement(open)) {
        s.setLong(1, source.id());
        List<Long> ids = new ArrayList<>();
        try (ResultSet rs = s.executeQuery()) {
          while (rs.next()) {
            ids.add(rs.getLong(1));
          }
        }
        return ids.stream().mapToLong(Long::longValue).toArray();
      } catch (SQLException e) {
        throw fail(e);
      }
    }

    /**
     * Writes {@code rows} of {@code table} from {@code source}: new ones inserted, known ones
     * updated where a column changed (only then does the row's {@code changed_xid} move, which is
     * what the exporter reads by). Copied into a temporary table first, then upserted in one
     * statement: safe to run twice. For the rows read again (open ones, the sessions read whole);
     * new rows go by {@link #newRows}.
     */
    public void write(Source source, ShippedTable table, List<ShippedRow> rows) throws StoreFailure {
      if (rows.isEmpty()) {
        return;
      }
      Map<Long, ShippedRow> byId = new LinkedHashMap<>();
      rows.forEach(row -> byId.put(row.rowId(), row)); // one row once per statement: the later read wins
      try {
        String staging = staging(table);
        StringJoiner names = new StringJoiner(", ");
        table.columns().forEach(column -> names.add(quoted(column.name())));
        StringBuilder csv = new StringBuilder(byId.size() * 128);
        byId.values().forEach(row -> appendCsv(csv, table, row));
        c.unwrap(PGConnection.class).getCopyAPI().copyIn(
            "COPY " + staging + " (row_key, " + names + ") FROM STDIN WITH (FORMAT csv)", new StringReader(csv.toString()));
        try (PreparedStatement s = c.prepareStatement(upsert(table, staging))) {
          s.setLong(1, source.id());
          s.executeUpdate();
        }
        try (Statement s = c.createStatement()) {
          s.execute("TRUNCATE " + staging);
        }
      } catch (SQLException e) {
        throw fail(e);
      } catch (IOException e) {
        throw fail(new SQLException(e.getMessage(), "08006", e));
      }
    }

    /**
     * Streams rows new to the store (read above its highest id of {@code table} from {@code
     * source}, under this round's lock) straight into the table with one {@code COPY}: the server
     * inserts a chunk while the next one is read from the file, and no staging or upsert is needed
     * for rows it cannot have. Should one be there after all, {@link NewRows#finish()} says so, the
     * round is as before the copy, and the caller writes them with {@link #write}.
     */
    public NewRows newRows(Source source, ShippedTable table) throws StoreFailure {
      try (Statement s = c.createStatement()) {
        s.execute("SAVEPOINT new_rows");
        StringJoiner names = new StringJoiner(", ");
        table.columns().forEach(column -> names.add(quoted(column.name())));
        CopyIn copy = c.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY " + table.name() + " (source_id, "
            + table.key() + ", " + names + ") FROM STDIN WITH (FORMAT csv)");
        return new NewRows(source, table, copy);
      } catch (SQLException e) {
        throw fail(e);
      }
    }

    /** The rows of one {@link #newRows} copy, handed in as they are read. */
    public final class NewRows {
      private final String prefix;
      private final ShippedTable table;
      private final CopyIn copy;
      private long rows;
      private SQLException failure;

      private NewRows(Source source, ShippedTable table, CopyIn copy) {
        this.prefix = source.id() + ",";
        this.table = table;
        this.copy = copy;
      }

      /** Sends {@code chunk}; a failure is kept for {@link #finish()}, and what follows is dropped. */
      public void add(List<ShippedRow> chunk) {
        if (failure != null || chunk.isEmpty()) {
          return;
        }
        StringBuilder csv = new StringBuilder(chunk.size() * 160);
        for (ShippedRow row : chunk) {
          csv.append(prefix);
          appendCsv(csv, table, row);
        }
        byte[] bytes = csv.toString().getBytes(StandardCharsets.UTF_8);
        try {
          copy.writeToCopy(bytes, 0, bytes.length);
          rows += chunk.size();
        } catch (SQLException e) {
          failure = e;
        }
      }

      /**
       * Ends the copy: true when every row was inserted; false when one was in the store already
       * (a unique violation: nothing of this copy stays, the round goes on); a failure of any other
       * kind ends the round.
       */
      public boolean finish() throws StoreFailure {
        try {
          if (failure == null) {
            copy.endCopy();
          } else if (copy.isActive()) {
            copy.cancelCopy();
          }
        } catch (SQLException e) {
          failure = failure == null ? e : failure;
        }
        try (Statement s = c.createStatement()) {
          if (failure == null) {
            s.execute("RELEASE SAVEPOINT new_rows");
            return true;
          }
          if ("23505".equals(failure.getSQLState())) {
            s.execute("ROLLBACK TO SAVEPOINT new_rows");
            return false;
          }
        } catch (SQLException e) {
          throw fail(e);
        }
        throw fail(failure);
      }

      /** Stops the copy when the file could not be read to the end: the round is then rolled back. */
      public void abandon() {
        try {
          if (copy.isActive()) {
            copy.cancelCopy();
          }
        } catch (SQLException e) {
          failed(); // a connection left inside a copy is of no further use
        }
      }
    }

    /** Deletes rows of {@code table} the file no longer has (a session replaced while it ran). */
    public void delete(Source source, ShippedTable table, long[] rowIds) throws StoreFailure {
      if (rowIds.length == 0) {
        return;
      }
      try (PreparedStatement s = c.prepareStatement(DELETE.formatted(table.name(), table.key()))) {
        s.setLong(1, source.id());
        s.setArray(2, c.createArrayOf("bigint", java.util.Arrays.stream(rowIds).boxed().toArray()));
        s.executeUpdate();
      } catch (SQLException e) {
        throw fail(e);
      }
    }

    /**
     * After the sessions were shipped whole ({@code inFile}: the row ids the file holds now): drops
     * the rows of a run the file holds under another row id now (VACUUM renumbers a table whose key
     * is text), so that a run is one row. A resumed
     * session's earlier runs have other starts and stay.
     */
    public void dropRenumberedSessions(Source source, long[] inFile) throws StoreFailure {
      try (PreparedStatement s = c.prepareStatement(RENUMBERED_SESSIONS)) {
        java.sql.Array ids = c.createArrayOf("bigint", java.util.Arrays.stream(inFile).boxed().toArray());
        s.setLong(1, source.id());
        s.setArray(2, ids);
        s.setArray(3, ids);
        s.executeUpdate();
      } catch (SQLException e) {
        throw fail(e);
      }
    }

    /** Notes that {@code source} shipped now ({@code last_shipped_at}). */
    public void touch(Source source) throws StoreFailure {
      try (PreparedStatement s = c.prepareStatement(TOUCH_SOURCE)) {
        s.setLong(1, source.id());
        s.executeUpdate();
      } catch (SQLException e) {
        throw fail(e);
      }
    }

    public void commit() throws StoreFailure {
      try {
        c.commit();
        ended = true;
      } catch (SQLException e) {
        throw fail(e);
      }
    }

    @Override
    public void close() {
      if (!ended) {
        ended = true;
        stagingMade.clear(); // made in this transaction, gone with it
        try {
          c.rollback();
        } catch (SQLException e) {
          failed();
        }
      }
    }

    private StoreFailure fail(SQLException e) {
      ended = true;
      failed();
      return StoreFailure.of(e);
    }

    private String staging(ShippedTable table) throws SQLException {
      String name = "pg_temp.ship_" + table.name();
      if (stagingMade.add(table.name() + "/" + table.columns().size())) {
        StringJoiner columns = new StringJoiner(", ");
        columns.add("row_key bigint");
        table.columns().forEach(column -> columns.add(quoted(column.name()) + " " + sqlType(column)));
        try (Statement s = c.createStatement()) {
          s.execute("DROP TABLE IF EXISTS " + name);
          s.execute("CREATE TEMP TABLE " + name.substring("pg_temp.".length()) + " (" + columns + ")");
        }
      }
      return name;
    }
  }

  private static String upsert(ShippedTable table, String staging) {
    StringJoiner names = new StringJoiner(", ");
    StringJoiner set = new StringJoiner(", ");
    StringJoiner mine = new StringJoiner(", ");
    StringJoiner theirs = new StringJoiner(", ");
    for (Column column : table.columns()) {
      String name = quoted(column.name());
      names.add(name);
      set.add(name + " = excluded." + name);
      mine.add("t." + name);
      theirs.add("excluded." + name);
    }
    if (table.name().equals(SessionRows.TABLE)) {
      // another run under the same row id (a table rebuilt, its ids given again): new to the exporter
      set.add("inserted_xid = CASE WHEN (t.session_id, t.start_time) IS NOT DISTINCT FROM "
          + "(excluded.session_id, excluded.start_time) THEN t.inserted_xid ELSE pg_current_xact_id() END");
    }
    return """
        INSERT INTO %1$s AS t (source_id, %2$s, %3$s)
        SELECT ?, row_key, %3$s FROM %4$s
        ON CONFLICT (source_id, %2$s) DO UPDATE SET %5$s, changed_xid = pg_current_xact_id()
        WHERE (%6$s) IS DISTINCT FROM (%7$s)""".formatted(table.name(), table.key(), names, staging, set, mine, theirs);
  }

  private static String sqlType(Column column) {
    return column.cut() == TableReader.Cut.JSON_NUMBER ? "double precision" : "text";
  }

  private static String quoted(String name) {
    return '"' + name + '"';
  }

  /** One CSV line: the row's id in the file, then its shipped columns. */
  private static void appendCsv(StringBuilder csv, ShippedTable table, ShippedRow row) {
    csv.append(row.rowId());
    for (int i = 0; i < table.columns().size(); i++) {
      csv.append(',');
      appendCsv(csv, table.columns().get(i), row.value(i));
    }
    csv.append('\n');
  }

  private static void appendCsv(StringBuilder csv, Column column, Object value) {
    if (value == null) {
      return; // unquoted empty: NULL
    }
    if (column.cut() == TableReader.Cut.JSON_NUMBER) {
      csv.append(value instanceof Number n ? Double.toString(n.doubleValue()) : "");
      return;
    }
    String text = StoreText.of(value);
    csv.append('"');
    for (int i = 0; i < text.length(); i++) {
      char ch = text.charAt(i);
      if (ch == '"') {
        csv.append('"');
      }
      csv.append(ch);
    }
    csv.append('"');
  }
}
