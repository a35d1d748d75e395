package dev.agentworkflow.exporter.ship;

import dev.agentworkflow.exporter.db.DatabaseFile;
import dev.agentworkflow.exporter.db.DatabaseTable;
import dev.agentworkflow.exporter.db.ReadFailure;
import dev.agentworkflow.exporter.db.ShippedTable;
import dev.agentworkflow.exporter.db.StoreFailure;
import dev.agentworkflow.exporter.db.StoreWriter;
import dev.agentworkflow.exporter.db.StoreWriter.Anchor;
import dev.agentworkflow.exporter.db.StoreWriter.Cursor;
import dev.agentworkflow.exporter.db.StoreWriter.Source;
import dev.agentworkflow.exporter.db.WorkflowDatabase;
import dev.agentworkflow.exporter.model.ShippedRow;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ships one SQLite file to the team's PostgreSQL store: the rows written since the last round and
 * the updates of the rows still open, read as the exporter reads them (short read transactions,
 * chunks of about 10 ms, so the hooks never wait long), upserted in one store transaction per round.
 * The store holds the cursor (what was shipped, which rows are open), so a shipper that crashed,
 * was run twice, or lost its disk resumes exactly, and a store that cannot be reached loses
 * nothing: the rows wait in the file. A file unchanged since the last round costs one {@code PRAGMA}
 * and no contact with the store. Not thread-safe: one thread ships.
 */
public final class Shipper implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Shipper.class);
  /** Newest invocations shipped that tell whether the file is still the one shipped. */
  static final int ANCHORS = 8;
  /** Rows of a table per round, about: a first load of a large file is shipped in many short transactions. */
  static final int ROWS_PER_ROUND = 50_000;

  private final WorkflowDatabase file;
  private final StoreWriter store;
  private final String project;
  private final String host;
  private final List<ShippedTable> tables;
  private final List<DatabaseTable<ShippedRow>> readers = new ArrayList<>();
  /** The invocations' reader, whose newest rows tell whether the file is still the one shipped. */
  private final DatabaseTable<ShippedRow> invocations;
  private final ShippedTable sessions;
  private final int rowsPerRound;
  /** The file the source was chosen for, by device and inode; null: choose it at the next round. */
  private Object fileIdentity;
  private Source source;
  private Long schemaVersion;
  /**
   * Read the sessions whole at the next round: at the first, and after a schema change. VACUUM may
   * renumber a table whose key is text, and the rows written after it may then take ids below
   * those shipped, which a read above the highest id shipped would miss. A session is few bytes
   * and a file holds few of them; unchanged ones are not written.
   */
  private boolean sessionsWhole = true;
  private String problemKind;

  /**
   * @param file the SQLite file, read-only
   * @param project the project its rows belong to (the {@code project} label of their series)
   * @param host the machine it is on
   * @param payloads ship the payload columns too ({@code --ship-payloads})
   */
  public Shipper(WorkflowDatabase file, StoreWriter store, String project, String host, boolean payloads) {
    this(file, store, project, host, payloads, ROWS_PER_ROUND);
  }

  Shipper(WorkflowDatabase file, StoreWriter store, String project, String host, boolean payloads, int rowsPerRound) {
    this.file = file;
    this.store = store;
    this.project = project;
    this.host = host;
    this.tables = ShippedTable.all(payloads);
    this.tables.forEach(table -> readers.add(file.shipped(table)));
    this.invocations = readers.get(tables.indexOf(ShippedTable.invocations(payloads)));
    this.sessions = ShippedTable.sessions(payloads);
    this.rowsPerRound = rowsPerRound;
  }

  /** What a call of {@link #ship} did: rows shipped, rounds (store transactions), and why it stopped short, if it did. */
  public record Shipped(long rows, int rounds, Optional<String> problem) {}

  /**
   * Ships what changed since the last call, in as many rounds as it takes; stops at the first
   * failure, which it logs once per kind and returns (the next call tries again).
   */
  public Shipped ship() {
    long rows = 0;
    int rounds = 0;
    try {
      while (true) {
        Round round = round();
        if (round.rounds() == 0) {
          break;
        }
        rows += round.rows();
        rounds++;
        if (!round.more()) {
          break;
        }
      }
      if (problemKind != null) {
        log.info("shipping {} to {} works again", file.path(), store.shown());
        problemKind = null;
      }
      return new Shipped(rows, rounds, Optional.empty());
    } catch (ReadFailure e) {
      if (!e.busy()) {
        file.close();
      }
      return failed("cannot read " + file.path() + ": " + e.getMessage(), "file " + e.kind(), rows, rounds);
    } catch (StoreFailure e) {
      return failed("cannot ship to " + store.shown() + ": " + e.getMessage(), "store " + e.kind(), rows, rounds);
    } catch (IOException e) {
      file.close();
      return failed(e.getMessage(), "file", rows, rounds);
    }
  }

  private Shipped failed(String problem, String kind, long rows, int rounds) {
    if (!kind.equals(problemKind)) {
      log.warn("{}; the rows wait in the file, and are shipped once it works again", problem);
      problemKind = kind;
    }
    return new Shipped(rows, rounds, Optional.of(problem));
  }

  private record Round(long rows, int rounds, boolean more) {
    static final Round NOTHING = new Round(0, 0, false);
  }

  private Round round() throws ReadFailure, StoreFailure, IOException {
    DatabaseFile found = file.inspect();
    if (found.kind() != DatabaseFile.Kind.REGULAR_FILE) {
      throw new IOException(file.path() + (found.kind() == DatabaseFile.Kind.MISSING ? " does not exist"
          : " is not a regular file"));
    }
    if (fileIdentity != null && !fileIdentity.equals(found.identity())) {
      file.close(); // an open connection would still read the old file
      fileIdentity = null;
    }
    WorkflowDatabase.Look look = file.look();
    if (!look.changed() && fileIdentity != null) {
      return Round.NOTHING;
    }
    if (!look.sameConnection() || schemaVersion == null || schemaVersion != look.schemaVersion()) {
      for (DatabaseTable<ShippedRow> reader : readers) {
        reader.refreshSchema();
      }
      sessionsWhole |= schemaVersion == null || schemaVersion != look.schemaVersion();
      schemaVersion = look.schemaVersion();
    }
    long rows = 0;
    boolean more = false;
    try (StoreWriter.Round round = store.begin(project, host)) {
      if (fileIdentity == null) {
        source = chooseSource(round);
      }
      for (int i = 0; i < tables.size(); i++) {
        ShippedTable table = tables.get(i);
        DatabaseTable<ShippedRow> reader = readers.get(i);
        Cursor cursor = round.cursor(source, table);
        List<ShippedRow> batch = new ArrayList<>();
        boolean whole = sessionsWhole && table.equals(sessions);
        long read;
        if (whole) {
          read = reader.readRowsAfter(OptionalLong.empty(), Long.MAX_VALUE, batch::addAll);
        } else {
          // new to the store: copied in as they are read, the server inserting while the file is read
          StoreWriter.Round.NewRows direct = round.newRows(source, table);
          try {
            read = reader.readRowsAfter(cursor.highest(), rowsPerRound, direct::add);
          } catch (ReadFailure e) {
            direct.abandon();
            throw e;
          }
          if (!direct.finish()) {
            log.info("{}: rows of {} above the highest id shipped were in the store already; written one by one",
                file.path(), table.name());
            read = reader.readRowsAfter(cursor.highest(), rowsPerRound, batch::addAll);
          } else {
            rows += read;
          }
          more |= read >= rowsPerRound;
        }
        List<Long> gone = new ArrayList<>();
        reader.readRows(cursor.open(), batch::add, gone::add);
        round.write(source, table, batch);
        if (table.equals(sessions)) {
          // The hooks replace a resumed session's row. One replaced while it ran never ended: the
          // store drops it too. One that had ended stays, a run as real as the next (an exporter of
          // the file that read it ended counted it too), and is never read again here.
          round.delete(source, table, gone.stream().mapToLong(Long::longValue).toArray());
          if (whole) {
            round.dropRenumberedSessions(source, batch.stream().mapToLong(ShippedRow::rowId).toArray());
          }
        }
        rows += batch.size();
      }
      if (rows > 0) {
        round.touch(source);
      }
      round.commit();
    }
    sessionsWhole = false;
    fileIdentity = found.identity();
    if (!more) {
      file.readThrough(look);
    }
    return new Round(rows, 1, more);
  }

  /**
   * The source this file's rows go to: the newest epoch of this project and host, unless the file
   * no longer holds the invocations shipped to it (deleted and made again, so its ids start over):
   * then the next epoch, so that its rows never overwrite those of the file before.
   */
  private Source chooseSource(StoreWriter.Round round) throws StoreFailure, ReadFailure {
    Optional<Source> latest = round.latestSource();
    if (latest.isEmpty()) {
      Source first = round.newSource(Optional.empty());
      log.info("shipping {} to {} as project {} from host {}", file.path(), store.shown(), project, host);
      return first;
    }
    List<Anchor> anchors = round.newestInvocations(latest.get(), ANCHORS);
    if (anchors.isEmpty()) {
      return latest.get();
    }
    Map<Long, List<String>> inFile = new HashMap<>();
    invocations.readRows(anchors.stream().mapToLong(Anchor::id).sorted().toArray(),
        row -> inFile.put(row.rowId(), StoreWriter.anchorIdentity(row)), gone -> { });
    boolean same = anchors.stream().anyMatch(a -> a.identity().equals(inFile.get(a.id())));
    boolean other = anchors.stream().anyMatch(a -> inFile.containsKey(a.id()) && !a.identity().equals(inFile.get(a.id())));
    OptionalLong highest = invocations.highestRowId();
    boolean lower = highest.isEmpty() || highest.getAsLong() < anchors.get(0).id();
    if (!same && (other || lower)) {
      Source next = round.newSource(latest);
      log.info("{} no longer holds the invocations shipped from it (made again: its ids start over); its rows are "
          + "shipped as epoch {} of project {} on host {}", file.path(), next.epoch(), project, host);
      return next;
    }
    return latest.get();
  }

  @Override
  public void close() {
    store.close();
    file.close();
  }
}
