package dev.agentworkflow.exporter.bench;

import dev.agentworkflow.exporter.demo.DemoDatabase;
import dev.agentworkflow.exporter.demo.HookWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Makes the datasets that are missing (two at a time: one per core), and puts back the ones that
 * exist as they were generated. A generated file records its last generated row id in {@code
 * PRAGMA user_version}; the benchmark's own writes come after it and are deleted before a run.
 * The benchmark's own tool uses are those at the end of the table in its own sessions.
 */
final class Datasets {
  static final String BENCH_SESSION_PREFIX = "bench-";
  private static final String BASE_ROW_ID = "PRAGMA user_version";
  private static final String HIGHEST_ROW_ID = "SELECT coalesce(max(id), 0) FROM agent_invocations";
  private static final String DELETE_LATER_ROWS = "DELETE FROM agent_invocations WHERE id > ?";
  private static final String DELETE_BENCH_SESSIONS = "DELETE FROM sessions WHERE session_id LIKE 'bench-%'";
  private static final String HAS_TOOL_USES =
      "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'agent_tool_uses'";
  // Newest first, up to the first row the benchmark did not write: reads only the benchmark's rows
  // (session_id lies before the payloads, so no overflow page is read), where a DELETE by session
  // would read all 3M rows and their payloads.
  private static final String TOOL_USES_NEWEST_FIRST = "SELECT id, session_id FROM agent_tool_uses ORDER BY id DESC";
  private static final String DELETE_LATER_TOOL_USES = "DELETE FROM agent_tool_uses WHERE id > ?";

  private Datasets() {}

  /** Each dataset's file, generated if missing; returns the seconds spent generating, per dataset (0: reused). */
  static List<Double> ensure(Path dataDir, List<Dataset> datasets) throws Exception {
    Files.createDirectories(dataDir);
    ExecutorService workers = Executors.newFixedThreadPool(2);
    try {
      List<Future<Double>> made = new ArrayList<>();
      for (Dataset dataset : datasets) {
        made.add(workers.submit(() -> ensure(dataDir, dataset)));
      }
      List<Double> seconds = new ArrayList<>();
      for (Future<Double> f : made) {
        seconds.add(f.get());
      }
      return seconds;
    } finally {
      workers.shutdownNow();
    }
  }

  private static double ensure(Path dataDir, Dataset dataset) throws Exception {
    Path file = dataset.file(dataDir);
    if (Files.exists(file)) {
      restore(file);
      return 0;
    }
    long started = System.nanoTime();
    System.err.printf("generating %s (%,d invocations) into %s%n", dataset.name(), dataset.invocations(), file);
    if (dataset.hasToolUses()) {
      ToolUseHistory.generate(file, dataset, Clock.systemUTC());
    } else {
      new DemoDatabase(file, ZoneOffset.UTC, new Random(dataset.seed()), Clock.systemUTC())
          .createOrReuse(dataset.history());
    }
    try (Connection c = connect(file); Statement s = c.createStatement()) {
      long highest;
      try (ResultSet rs = s.executeQuery(HIGHEST_ROW_ID)) {
        highest = rs.getLong(1);
      }
      s.execute(BASE_ROW_ID + " = " + highest);
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    System.err.printf("generated %s: %,d MB in %.0f s%n", dataset.name(), Files.size(file) >> 20, seconds);
    return seconds;
  }

  /**
   * One file with every row of {@code parts} (generated files, put back as generated), made if
   * missing: their sessions and invocations, file after file, each in its order, under new row
   * ids. Written beside its place and renamed when complete, as a generated file is. Returns the
   * seconds spent making it (0: reused).
   */
  static double ensureUnion(Path file, List<Path> parts) throws Exception {
    if (Files.exists(file)) {
      restore(file);
      return 0;
    }
    long started = System.nanoTime();
    System.err.printf("making %s from %d files%n", file, parts.size());
    Path partial = file.resolveSibling(file.getFileName() + ".partial");
    Files.deleteIfExists(partial);
    try (Connection c = connect(partial); Statement s = c.createStatement()) {
      s.execute("PRAGMA journal_mode = OFF"); // written beside, renamed when complete: nothing half made is kept
      s.execute("PRAGMA synchronous = OFF");
      new HookWriter(ZoneOffset.UTC).createSchema(c);
      String columns = String.join(", ", columnsButId(c, "agent_invocations"));
      for (Path part : parts) {
        try (PreparedStatement attach = c.prepareStatement(ATTACH_PART)) {
          attach.setString(1, part.toString());
          attach.execute();
        }
        c.setAutoCommit(false);
        s.executeUpdate(COPY_SESSIONS);
        s.executeUpdate(COPY_INVOCATIONS.formatted(columns, columns));
        c.commit();
        c.setAutoCommit(true);
        s.execute(DETACH_PART);
      }
      long highest;
      try (ResultSet rs = s.executeQuery(HIGHEST_ROW_ID)) {
        highest = rs.getLong(1);
      }
      s.execute(BASE_ROW_ID + " = " + highest);
      s.execute("PRAGMA journal_mode = DELETE"); // what the hooks' files have
    }
    Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE);
    double seconds = (System.nanoTime() - started) / 1e9;
    System.err.printf("made %s: %,d MB in %.0f s%n", file, Files.size(file) >> 20, seconds);
    return seconds;
  }

  private static final String ATTACH_PART = "ATTACH DATABASE ? AS part";
  private static final String DETACH_PART = "DETACH DATABASE part";
  private static final String COPY_SESSIONS = "INSERT INTO main.sessions SELECT * FROM part.sessions ORDER BY rowid";
  private static final String COPY_INVOCATIONS =
      "INSERT INTO main.agent_invocations (%s) SELECT %s FROM part.agent_invocations ORDER BY id";
  private static final String COLUMNS = "SELECT name FROM pragma_table_info(?) WHERE name <> 'id' ORDER BY cid";

  /** A table's columns in their order, but its row id, which the union numbers anew. */
  private static List<String> columnsButId(Connection c, String table) throws SQLException {
    List<String> columns = new ArrayList<>();
    try (PreparedStatement statement = c.prepareStatement(COLUMNS)) {
      statement.setString(1, table);
      try (ResultSet rs = statement.executeQuery()) {
        while (rs.next()) {
          columns.add('"' + rs.getString(1) + '"');
        }
      }
    }
    return columns;
  }

  /** Deletes what an earlier run of the benchmark wrote (also one that was interrupted). */
  static void restore(Path file) throws SQLException {
    try (Connection c = connect(file)) {
      long base;
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(BASE_ROW_ID)) {
        base = rs.getLong(1);
      }
      try (var delete = c.prepareStatement(DELETE_LATER_ROWS); Statement s = c.createStatement()) {
        delete.setLong(1, base);
        delete.executeUpdate();
        s.executeUpdate(DELETE_BENCH_SESSIONS);
      }
      deleteBenchToolUses(c);
    }
  }

  private static void deleteBenchToolUses(Connection c) throws SQLException {
    long lastGenerated = 0;
    try (Statement s = c.createStatement()) {
      try (ResultSet rs = s.executeQuery(HAS_TOOL_USES)) {
        if (rs.getInt(1) == 0) {
          return;
        }
      }
      try (ResultSet rs = s.executeQuery(TOOL_USES_NEWEST_FIRST)) {
        while (rs.next()) {
          String session = rs.getString(2);
          if (session == null || !session.startsWith(BENCH_SESSION_PREFIX)) {
            lastGenerated = rs.getLong(1);
            break;
          }
        }
      }
    }
    try (var delete = c.prepareStatement(DELETE_LATER_TOOL_USES)) {
      delete.setLong(1, lastGenerated);
      delete.executeUpdate();
    }
  }

  static Connection connect(Path file) throws SQLException {
    return DriverManager.getConnection("jdbc:sqlite:" + file);
  }
}
