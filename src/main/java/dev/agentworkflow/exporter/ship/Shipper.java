package dev.agentworkflow.exporter.ship;

import dev.agentworkflow.exporter.db.DatabaseFile;
import dev.agentworkflow.exporter.db.DatabaseTable;
import dev.agentworkflow.exporter.db.ReadFailure;
import dev.agentworkflow.exporter.db.ShippedTable;
import dev.agentworkflow.exporter.db.StoreFailure;
import dev.agentworkflow.exporter.db.StoreWriter;
import dev.agentworkflow.exporter.db.StoreWriter.Anchor;
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
import java.util.function.BooleanSupplier;
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
  private final ShippedTable sessions;
  /** The tables whose newest rows shipped tell whether the file is still the one shipped, in that order. */
  private final List<ShippedTable> toldBy;
  private final int rowsPerRound;
  /** The file the source was chosen for, by device and inode; null: choose it at the next round. */
  private Object fileIdentity;
  private Source source;
  private Long schemaVersion;
  /**
   * The highest session row id read from the file, or empty: read them whole at the next round (at
   * the first, after the file was let go of or its schema changed, when its highest went below
   * this). VACUUM may renumber a table whose key is text, and a file whose newest sessions were
   * deleted gives their ids again: a read above the store's highest id would miss those rows. A
   * session is few bytes and a file holds few; unchanged ones are not written.
   */
  private OptionalLong sessionsAfter = OptionalLong.empty();
  /** What {@link #sessionsAfter} becomes once the round that read the sessions commits, if it moves. */
  private Optional<OptionalLong> nextSessionsAfter = Optional.empty();
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
    this.sessions = ShippedTable.sessions(payloads);
    this.toldBy = List.of(ShippedTable.invocations(payloads), ShippedTable.toolUses(payloads), sessions);
    this.rowsPerRound = rowsPerRound;
  }

  /** What a call of {@link #ship} did: rows shipped, rounds (store transactions), and why it stopped short, if it did. */
  public record Shipped(long rows, int rounds, Optional<String> problem) {}

  /**
   * Ships what changed since the last call, in as many rounds as it takes; stops at the first
   * failure, which it logs once per kind and returns (the next call tries again).
   */
  public Shipped ship() {
    return ship(() -> true);
  }

  /** {@link #ship()}, stopping between two rounds once {@code keepGoing} says no (the service is stopping). */
  public Shipped ship(BooleanSupplier keepGoing) {
    long rows = 0;
    int rounds = 0;
    try {
      while (keepGoing.getAsBoolean()) {
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
        closeFile();
      }
      return failed("cannot read " + file.path() + ": " + e.getMessage(), "file " + e.kind(), rows, rounds);
    } catch (StoreFailure e) {
      return failed("cannot ship to " + store.shown() + ": " + e.getMessage(), "store " + e.kind(), rows, rounds);
    } catch (IOException e) {
      closeFile();
      return failed(e.getMessage(), "file", rows, rounds);
    }
  }

  /**
   * Lets go of the file. A file found at the path later may be another one, even with the same
   * inode number: its source is chosen again, and its sessions read whole.
   */
  private void closeFile() {
    file.close();
    fileIdentity = null;
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
      closeFile(); // an open connection would still read the old file
    }
    WorkflowDatabase.Look look = file.look();
    if (!look.changed() && fileIdentity != null) {
      return Round.NOTHING;
    }
    if (!look.sameConnection() || schemaVersion == null || schemaVersion != look.schemaVersion()) {
      for (DatabaseTable<ShippedRow> reader : readers) {
        reader.refreshSchema();
      }
      if (schemaVersion != null && schemaVersion != look.schemaVersion()) {
        fileIdentity = null; // rebuilt, or made again in place: is it still the file shipped?
      }
      schemaVersion = look.schemaVersion();
    }
    long rows = 0;
    boolean more = false;
    nextSessionsAfter = Optional.empty(); // not what a round that failed read
    try (StoreWriter.Round round = store.begin(project, host)) {
      Map<ShippedTable, OptionalLong> shipped = fileIdentity == null ? Map.of() : shippedUpTo(round);
      if (fileIdentity == null || idsWentBelow(shipped)) {
        source = chooseSource(round);
        sessionsAfter = OptionalLong.empty(); // read the sessions whole: their ids may have been given again
        shipped = shippedUpTo(round);
      }
      for (int i = 0; i < tables.size(); i++) {
        ShippedTable table = tables.get(i);
        DatabaseTable<ShippedRow> reader = readers.get(i);
        long[] open = round.openRows(source, table); // before this round's rows are written: those are not read again
        List<ShippedRow> batch = new ArrayList<>();
        boolean whole = table.equals(sessions) && sessionsWholeNow(reader);
        long read;
        if (table.equals(sessions)) {
          // sessions by this shipper's own cursor: the store's highest row id may be a run kept
          // before a resume, and a file whose newest sessions were deleted gives their ids again
          read = reader.readRowsAfter(whole ? OptionalLong.empty() : sessionsAfter, Long.MAX_VALUE, batch::addAll);
          OptionalLong highest = batch.stream().mapToLong(ShippedRow::rowId).max();
          if (whole || (highest.isPresent() && highest.getAsLong() > sessionsAfter.getAsLong())) {
            nextSessionsAfter = Optional.of(highest); // read whole: the file's highest now, lower or not
          }
        } else {
          // new to the store: copied in as they are read, the server inserting while the file is read
          StoreWriter.Round.NewRows direct = round.newRows(source, table);
          boolean copied = false;
          try {
            read = reader.readRowsAfter(shipped.get(table), rowsPerRound, direct::add);
            copied = true;
          } finally {
            if (!copied) {
              direct.abandon(); // a connection left inside a copy would hang the rollback
            }
          }
          if (!direct.finish()) {
            log.info("{}: rows of {} above the highest id shipped were in the store already; written one by one",
                file.path(), table.name());
            read = reader.readRowsAfter(shipped.get(table), rowsPerRound, batch::addAll);
          } else {
            rows += read;
          }
          more |= read >= rowsPerRound;
        }
        List<Long> gone = new ArrayList<>();
        reader.readRows(open, batch::add, gone::add);
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
    nextSessionsAfter.ifPresent(after -> sessionsAfter = after);
    nextSessionsAfter = Optional.empty();
    fileIdentity = found.identity();
    if (!more) {
      file.readThrough(look);
    }
    return new Round(rows, 1, more);
  }

  /** Whether the sessions are read whole this round: no cursor yet, or the file's highest id went below it. */
  private boolean sessionsWholeNow(DatabaseTable<ShippedRow> reader) throws ReadFailure {
    if (sessionsAfter.isEmpty()) {
      return true;
    }
    OptionalLong highest = reader.highestRowId();
    return highest.isEmpty() || highest.getAsLong() < sessionsAfter.getAsLong();
  }

  /**
   * The highest id the store has of each table but the sessions from this source: new rows are
   * read above it. (The store keeps sessions' earlier runs; its highest says nothing of the file's.)
   */
  private Map<ShippedTable, OptionalLong> shippedUpTo(StoreWriter.Round round) throws StoreFailure {
    Map<ShippedTable, OptionalLong> highest = new HashMap<>();
    for (ShippedTable table : tables) {
      if (!table.equals(sessions)) {
        List<Anchor> newest = round.newest(source, table, 1);
        highest.put(table, newest.isEmpty() ? OptionalLong.empty() : OptionalLong.of(newest.get(0).id()));
      }
    }
    return highest;
  }

  /**
   * Whether the file's invocation or tool use ids went below the highest the store has of this
   * source: the file was emptied or made again in place (the same inode), and its source must be
   * chosen again before its rows are taken for the old ones'.
   */
  private boolean idsWentBelow(Map<ShippedTable, OptionalLong> shipped) throws ReadFailure {
    for (Map.Entry<ShippedTable, OptionalLong> table : shipped.entrySet()) {
      OptionalLong inFile = readers.get(tables.indexOf(table.getKey())).highestRowId();
      if (table.getValue().isPresent() && (inFile.isEmpty() || inFile.getAsLong() < table.getValue().getAsLong())) {
        return true;
      }
    }
    return false;
  }

  /**
   * The source this file's rows go to: the newest epoch of this project and host whose newest rows
   * shipped are still in the file (an older one: another file ships as this project and host too,
   * which a warning says), the newest if none has rows it could be told by, else the next epoch: the file
   * was made again, its ids start over, and its rows must never overwrite those of the file before.
   * A file is told by the newest invocations shipped from it, or tool uses where there are none, or
   * sessions.
   */
  private Source chooseSource(StoreWriter.Round round) throws StoreFailure, ReadFailure {
    List<Source> sources = round.sources();
    if (sources.isEmpty()) {
      log.info("shipping {} to {} as project {} from host {}", file.path(), store.shown(), project, host);
      return round.newSource(Optional.empty());
    }
    boolean latestUntold = false;
    for (Source candidate : sources) {
      Match match = match(round, candidate);
      if (match == Match.SAME) {
        if (!candidate.equals(sources.get(0))) {
          log.warn("{} is shipped as epoch {} of project {} on host {}, but a later epoch exists: another file "
              + "ships as this project and host too; give each its own --host", file.path(), candidate.epoch(),
              project, host);
        }
        return candidate;
      }
      latestUntold |= candidate.equals(sources.get(0)) && match == Match.UNTOLD;
    }
    if (latestUntold) {
      return sources.get(0); // nothing shipped to it yet that could tell another file from this one
    }
    Source next = round.newSource(Optional.of(sources.get(0)));
    log.info("{} does not hold the rows shipped from it (made again: its ids start over); its rows are shipped as "
        + "epoch {} of project {} on host {}", file.path(), next.epoch(), project, host);
    return next;
  }

  private enum Match { SAME, OTHER, UNTOLD }

  /**
   * Whether the file holds the newest rows shipped to {@code candidate}: of its invocations, else its
   * tool uses, else its sessions. The same when one of them is at its id as shipped (a session: in
   * the file at all); another file when one is there different, or the file's ids end below them (a
   * session: none of them is in a file that has sessions); untold when nothing was shipped, or
   * every such row was deleted from a file whose ids go on.
   */
  private Match match(StoreWriter.Round round, Source candidate) throws StoreFailure, ReadFailure {
    for (ShippedTable table : toldBy) {
      List<Anchor> anchors = round.newest(candidate, table, ANCHORS);
      if (anchors.isEmpty()) {
        continue;
      }
      DatabaseTable<ShippedRow> reader = readers.get(tables.indexOf(table));
      if (table.equals(sessions)) {
        // a session is known by its id in the file, whatever its row id (which a rebuild changes):
        // the table is small, and this is asked only when the source is chosen
        java.util.Set<List<String>> runs = new java.util.HashSet<>();
        reader.readRowsAfterEach(OptionalLong.empty(), row -> runs.add(StoreWriter.anchorIdentity(table, row)));
        return anchors.stream().anyMatch(a -> runs.contains(a.identity())) ? Match.SAME
            : runs.isEmpty() ? Match.UNTOLD : Match.OTHER;
      }
      Map<Long, List<String>> inFile = new HashMap<>();
      reader.readRows(anchors.stream().mapToLong(Anchor::id).sorted().toArray(),
          row -> inFile.put(row.rowId(), StoreWriter.anchorIdentity(table, row)), gone -> { });
      if (anchors.stream().anyMatch(a -> a.identity().equals(inFile.get(a.id())))) {
        return Match.SAME;
      }
      boolean other = anchors.stream().anyMatch(a -> inFile.containsKey(a.id()));
      OptionalLong highest = reader.highestRowId();
      boolean lower = highest.isEmpty() || highest.getAsLong() < anchors.get(0).id();
      return other || lower ? Match.OTHER : Match.UNTOLD;
    }
    return Match.UNTOLD;
  }

  @Override
  public void close() {
    store.close();
    file.close();
  }
}
