package dev.agentworkflow.exporter.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Random;
import java.util.UUID;

/**
 * A demo database: created fresh with a day of history, or reopened if the demo made it. The
 * demo marks its files with SQLite's {@code application_id} header field and refuses to write into
 * any other existing file, so it can never touch a real workflow log.
 */
public final class DemoDatabase {
  /** "AWXD": agent workflow exporter demo. */
  static final int APPLICATION_ID = 0x41575844;
  private static final String READ_APPLICATION_ID = "PRAGMA application_id";
  private static final String WRITE_APPLICATION_ID = "PRAGMA application_id = " + APPLICATION_ID;

  /**
   * How much history a new demo database gets: {@code sessions} whole sessions started evenly over
   * {@code span}, with prompts of about {@code promptChars} characters and raw JSON outputs of about
   * {@code outputChars} (0: the demo's short ones; {@link #NO_PAYLOAD}: none, NULL), agents from
   * {@code catalog}. About 12 agent invocations per session, plus the hooks' subagent_stop row for each.
   * With {@code toolUses}, the tool-operations hook's rows too (some 25 per invocation), and each
   * finished invocation's {@code raw_output} is the agent's report (its tool calls, its context);
   * without, no tool uses and the older hooks' short output.
   */
  public record History(Duration span, int sessions, int promptChars, int outputChars, AgentCatalog catalog,
      boolean toolUses) {
    /** For {@code promptChars} or {@code outputChars}: write NULL. */
    public static final int NO_PAYLOAD = SessionPlan.NONE;

    /** The demo's: a day, a session every half hour, with tool uses. */
    public static final History DAY = new History(Duration.ofHours(24), 48, 0).withToolUses();

    /** Without tool uses, as written before the tool-operations hook (the benchmark's datasets). */
    public History(Duration span, int sessions, int promptChars, int outputChars, AgentCatalog catalog) {
      this(span, sessions, promptChars, outputChars, catalog, false);
    }

    /** The demo's agents and short outputs, without tool uses. */
    public History(Duration span, int sessions, int promptChars) {
      this(span, sessions, promptChars, 0, AgentCatalog.DEMO);
    }

    /** The same history with the tool-operations hook's rows and the agents' reports. */
    public History withToolUses() {
      return new History(span, sessions, promptChars, outputChars, catalog, true);
    }
  }

  private final Path path;
  private final HookWriter hooks;
  private final Random random;
  private final Clock clock;
  /** The sessions of a sparse history just written, the last one still running: live goes on with them. */
  private SessionStream unfinishedHistory;

  public DemoDatabase(Path path, ZoneId zone, Random random, Clock clock) {
    this.path = path;
    this.hooks = new HookWriter(zone);
    this.random = random;
    this.clock = clock;
  }

  public Path path() {
    return path;
  }

  /**
   * Creates the database with {@code history} up to now, or keeps one the demo made before.
   * Returns false when it was kept.
   *
   * @throws IllegalStateException when the file exists and the demo did not make it
   */
  public boolean createOrReuse(History history) throws IOException, SQLException {
    return createOrReuse(c -> writeHistory(c, clock.instant().minus(history.span()), history));
  }

  /**
   * Creates the database with a day of history at {@code pace} up to now, or keeps one the demo
   * made before. Busy: {@link History#DAY}. Sparse: sessions one after another at that pace, and
   * the one still running at the end goes on in {@link #liveWriter}. Returns false when it was kept.
   *
   * @throws IllegalStateException when the file exists and the demo did not make it
   */
  public boolean createOrReuse(Pace pace) throws IOException, SQLException {
    if (pace == Pace.BUSY) {
      return createOrReuse(History.DAY);
    }
    return createOrReuse(c -> {
      SessionStream sessions = new SessionStream(pace, random, clock.instant().minus(History.DAY.span()), 0);
      c.setAutoCommit(false);
      try (HookWriter.Batch batch = hooks.on(c)) {
        sessions.writeDue(clock.instant(), (writer, event) -> writer.write(batch, event));
      }
      c.commit();
      c.setAutoCommit(true);
      unfinishedHistory = sessions;
    });
  }

  /** Writes a new database's rows through its one connection. */
  @FunctionalInterface
  private interface HistoryWriter {
    void write(Connection c) throws SQLException;
  }

  private boolean createOrReuse(HistoryWriter history) throws IOException, SQLException {
    if (Files.exists(path)) {
      if (!madeByDemo()) {
        throw new IllegalStateException("refusing to write into " + path
            + ": it exists and was not created by the demo; give --db a new path");
      }
      return false;
    }
    if (path.getParent() != null) {
      Files.createDirectories(path.getParent());
    }
    // Written beside, then renamed into place: an interrupted run never leaves a half-made file that
    // a later run would take for a finished one. That also makes it safe to write without a journal.
    Path partial = path.resolveSibling(path.getFileName() + ".partial");
    Files.deleteIfExists(partial);
    // sqlite-jdbc would run SELECT last_insert_rowid() after every INSERT, prepared anew each time;
    // HookWriter.Batch asks for it once per agent start instead.
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + partial + "?jdbc.get_generated_keys=false")) {
      try (Statement s = c.createStatement()) {
        s.execute(WRITE_APPLICATION_ID);
        s.execute("PRAGMA journal_mode = OFF");
        s.execute("PRAGMA synchronous = OFF");
        s.execute("PRAGMA cache_size = -65536");
      }
      hooks.createSchema(c);
      history.write(c);
      try (Statement s = c.createStatement()) {
        s.execute("PRAGMA journal_mode = DELETE"); // what the hooks' files have
      }
    }
    Files.move(partial, path, StandardCopyOption.ATOMIC_MOVE);
    return true;
  }

  private void writeHistory(Connection c, Instant from, History history) throws SQLException {
    int sessions = history.sessions();
    c.setAutoCommit(false);
    EventWriter writer = new EventWriter();
    Instant now = clock.instant();
    SessionPlan.Options options = new SessionPlan.Options(history.catalog(), 1.0, history.promptChars(),
        history.outputChars(), history.toolUses());
    try (HookWriter.Batch batch = hooks.on(c)) {
      for (int i = 0; i < sessions; i++) {
        Instant start = from.plus(history.span().multipliedBy(i).dividedBy(sessions));
        String id = new UUID(random.nextLong(), random.nextLong()).toString();
        for (SessionPlan.Event event : SessionPlan.create(random, id, start, i * 100, options)) {
          if (event.at().isBefore(now)) { // the last sessions are still running
            writer.write(batch, event);
          }
        }
        c.commit();
      }
    }
    c.setAutoCommit(true);
  }

  /** Starts writing busy live activity, one short connection per statement as the hooks do. */
  public LiveActivity startLiveActivity() {
    return startLiveActivity(Pace.BUSY);
  }

  /** Starts writing live activity at {@code pace}, every second, one short connection per statement. */
  public LiveActivity startLiveActivity(Pace pace) {
    return new LiveActivity(liveWriter(pace));
  }

  /**
   * The live activity at {@code pace}, written when asked ({@link LiveWriter#writeDue}): for a
   * caller that moves the clock itself. After a sparse history made by this object, it goes on
   * with the session that history left running.
   */
  public LiveWriter liveWriter(Pace pace) {
    SessionStream sessions;
    if (pace == Pace.SPARSE && unfinishedHistory != null) {
      sessions = unfinishedHistory;
      unfinishedHistory = null;
    } else {
      sessions = new SessionStream(pace, random, clock.instant(), 1_000_000);
    }
    return new LiveWriter(this::connect, hooks, sessions, clock);
  }

  private boolean madeByDemo() {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:file:" + path.toAbsolutePath() + "?mode=ro");
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(READ_APPLICATION_ID)) {
      return rs.next() && rs.getInt(1) == APPLICATION_ID;
    } catch (SQLException e) {
      return false;
    }
  }

  Connection connect() throws SQLException {
    Connection c = DriverManager.getConnection("jdbc:sqlite:" + path);
    try (Statement s = c.createStatement()) {
      s.execute("PRAGMA busy_timeout = 5000"); // Python's sqlite3 default, as the hooks use it
    }
    return c;
  }
}
