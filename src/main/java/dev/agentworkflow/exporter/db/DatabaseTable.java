package dev.agentworkflow.exporter.db;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ExecutorService;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * One table of a {@link WorkflowDatabase}, read on that database's connection: what the poller
 * asks of a table, with the connection, its second one and the driver's exceptions kept in here.
 * The reads are those of {@link TableReader}, which says what each one does.
 *
 * @param <R> the row the table reads as
 */
public final class DatabaseTable<R> {
  private final WorkflowDatabase database;
  private final TableReader<R> reader;

  DatabaseTable(WorkflowDatabase database, TableReader<R> reader) {
    this.database = database;
    this.reader = reader;
  }

  public String name() {
    return reader.table();
  }

  /** The table was there when its columns were last read ({@link WorkflowDatabase#refreshSchema}). */
  public boolean exists() {
    return reader.exists();
  }

  /** {@link TableReader#highestRowId}. */
  public OptionalLong highestRowId() throws ReadFailure {
    try {
      return reader.highestRowId(database.connection());
    } catch (SQLException e) {
      throw ReadFailure.of(e);
    }
  }

  /** {@link TableReader#lowestRowId}. */
  public OptionalLong lowestRowId() throws ReadFailure {
    try {
      return reader.lowestRowId(database.connection());
    } catch (SQLException e) {
      throw ReadFailure.of(e);
    }
  }

  /**
   * {@link TableReader#readRowsAfter}, running {@code betweenChunks} between two chunks, when no
   * row of the one before is held here any more.
   */
  public long readRowsAfter(OptionalLong rowId, Consumer<List<R>> chunks, Runnable betweenChunks) throws ReadFailure {
    try {
      return reader.readRowsAfter(database.connection(), rowId, Long.MAX_VALUE, chunks, betweenChunks);
    } catch (SQLException e) {
      throw ReadFailure.of(e);
    }
  }

  /** {@link TableReader#readRowsAfter}, stopping after the chunk that reaches {@code atLeast} rows. */
  public long readRowsAfter(OptionalLong rowId, long atLeast, Consumer<List<R>> chunks) throws ReadFailure {
    try {
      return reader.readRowsAfter(database.connection(), rowId, atLeast, chunks);
    } catch (SQLException e) {
      throw ReadFailure.of(e);
    }
  }

  /** {@link TableReader#readRowsAfterEach}. */
  public long readRowsAfterEach(OptionalLong rowId, Consumer<R> sink) throws ReadFailure {
    try {
      return reader.readRowsAfterEach(database.connection(), rowId, sink);
    } catch (SQLException e) {
      throw ReadFailure.of(e);
    }
  }

  /**
   * {@link TableReader#readRowsAfterSplit}, with the database's second connection read on {@code
   * otherThread}; empty, having read nothing, when that connection could not be had because {@code
   * stillTheFile} said the path names another file ({@link WorkflowDatabase#secondConnection}).
   */
  public Optional<TableReader.SplitRead> readRowsAfterSplit(BooleanSupplier stillTheFile,
      ExecutorService otherThread, OptionalLong rowId, long through, Consumer<List<R>> chunks) throws ReadFailure {
    try {
      Connection other = database.secondConnection(stillTheFile);
      if (other == null) {
        return Optional.empty();
      }
      return Optional.of(reader.readRowsAfterSplit(database.connection(), other, otherThread, rowId,
          through, chunks));
    } catch (SQLException e) {
      throw ReadFailure.of(e);
    }
  }

  /** {@link TableReader#readRows}. */
  public long readRows(long[] rowIds, Consumer<R> found, LongConsumer missing) throws ReadFailure {
    try {
      return reader.readRows(database.connection(), rowIds, found, missing);
    } catch (SQLException e) {
      throw ReadFailure.of(e);
    }
  }

  /** {@link TableReader#longestLockNanos}. */
  public long longestLockNanos() {
    return reader.longestLockNanos();
  }

  /** Reads the table's columns again; {@link WorkflowDatabase#refreshSchema} does it for the workflow's tables. */
  public void refreshSchema() throws ReadFailure {
    try {
      reader.refreshSchema(database.connection());
    } catch (SQLException e) {
      throw ReadFailure.of(e);
    }
  }
}
