package dev.agentworkflow.exporter.poll;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentworkflow.exporter.app.Exporter;
import dev.agentworkflow.exporter.model.DurationLabels;
import dev.agentworkflow.exporter.model.ErrorLabels;
import dev.agentworkflow.exporter.model.InvocationLabels;
import dev.agentworkflow.exporter.model.PollResult;
import dev.agentworkflow.exporter.model.WorkflowSnapshot;
import dev.agentworkflow.exporter.support.HookDatabase;
import dev.agentworkflow.exporter.support.MutableClock;
import dev.agentworkflow.exporter.support.TestSettings;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The poller over real SQLite files written the way the hooks write them. */
class PollerTest {
  private static final Instant T0 = Instant.parse("2025-08-15T12:00:00Z");

  @TempDir
  Path dir;

  private Path file;
  private HookDatabase db;
  private final MutableClock clock = new MutableClock(T0.plusSeconds(3600));
  private Poller poller;

  @BeforeEach
  void setUp() throws Exception {
    file = dir.resolve("agent_workflow.db");
    db = HookDatabase.create(file);
    poller = newPoller();
  }

  @AfterEach
  void tearDown() {
    poller.close();
  }

  private Poller newPoller() {
    return Exporter.newPoller(TestSettings.of(file), clock);
  }

  private static Instant at(long seconds) {
    return T0.plusSeconds(seconds);
  }

  @Test
  void aStartedInvocationIsCountedOnceWhenItFinishesAndNeverAgain() throws Exception {
    long id = db.startAgent("s1", "planning", "architect", at(0));
    WorkflowSnapshot running = poller.poll().workflow();
    assertEquals(Map.of(), running.agents().invocations());
    assertEquals(1, running.agents().parallelExecutions());
    assertEquals(1, running.agents().uniqueAgents());
    assertEquals(Map.of("architect", (double) at(0).getEpochSecond()), running.agents().lastExecution());

    db.finishAgent(id, at(42), "completed", 41.5, "claude-opus-4-1");
    db.subagentStop("s1", at(42));
    for (int i = 0; i < 5; i++) {
      WorkflowSnapshot w = poller.poll().workflow();
      assertEquals(Map.of(new InvocationLabels("architect", "planning", "completed", "claude-opus-4-1"), 1L),
          w.agents().invocations());
      assertEquals(Map.of("planning", 1L), w.agents().phases());
      assertEquals(1,
          w.agents().durations().get(new DurationLabels("architect", "planning", "claude-opus-4-1")).count());
      assertEquals(41.5,
          w.agents().durations().get(new DurationLabels("architect", "planning", "claude-opus-4-1")).sum());
      assertEquals(0, w.agents().parallelExecutions());
      assertEquals(Map.of("architect", 100.0), w.agents().successRate());
    }
    // a second PostToolUse of the same row changes nothing already counted
    db.finishAgent(id, at(50), "failed", 49.0, "claude-sonnet-4-5");
    WorkflowSnapshot after = poller.poll().workflow();
    assertEquals(Map.of(new InvocationLabels("architect", "planning", "completed", "claude-opus-4-1"), 1L),
        after.agents().invocations());
    assertEquals(Map.of(), after.agents().errors());
  }

  @Test
  void aPollAfterNoWriteReadsNoRowsAndOneAfterAWriteReadsOnlyWhatChanged() throws Exception {
    for (int i = 0; i < 100; i++) {
      long id = db.startAgent("s1", "review", "test-validator", at(i));
      db.finishAgent(id, at(i + 1), "completed", 1.0, "m");
    }
    long open = db.startAgent("s1", "review", "security-reviewer", at(200));
    assertEquals(101, rowsRead(poller.poll()));
    assertEquals(101, rowsRead(poller.poll()), "nothing committed: no row read");
    assertEquals(101, rowsRead(poller.poll()));

    db.finishAgent(open, at(260), "completed", 60.0, "m");
    db.startAgent("s1", "review", "test-validator", at(300));
    // the one open row again, and the one new row
    assertEquals(103, rowsRead(poller.poll()));
  }

  @Test
  void abandonedInvocationsAreReadAgainOnceAMinuteNotOnEveryPoll() throws Exception {
    // the clock stands at T0 + 1 h; --stale-after is 6 h
    long abandoned = db.startAgent("s1", "planning", "architect", at(-8 * 3600));
    long running = db.startAgent("s1", "development", "backend-developer", at(3000));
    assertEquals(2, rowsRead(poller.poll()));

    db.finishAgent(abandoned, at(3590), "completed", 1.0, "m");
    db.finishAgent(running, at(3590), "completed", 1.0, "m");
    clock.advance(Duration.ofSeconds(10));
    PollResult soon = poller.poll();
    assertEquals(Map.of("development", 1L), soon.workflow().agents().phases(), "the running one is read again at once");
    assertEquals(3, rowsRead(soon), "the abandoned one was not read on this poll");

    clock.advance(Poller.STALE_REREAD);
    db.startAgent("s1", "review", "test-validator", at(3700)); // any write: the poll reads
    WorkflowSnapshot later = poller.poll().workflow();
    assertEquals(Map.of("development", 1L, "planning", 1L), later.agents().phases(), "counted a minute later, once");
  }

  @Test
  void aRestartedExporterCountsTheSameTotals() throws Exception {
    long a = db.startAgent("s1", "development", "backend-developer", at(0));
    long b = db.startAgent("s1", "development", "frontend-developer", at(1));
    poller.poll();
    db.finishAgent(a, at(600), "completed", 599.5, "sonnet");
    poller.poll();
    long c = db.startAgent("s2", "review", "security-reviewer", at(700));
    db.finishAgent(b, at(800), "failed", null, "opus");
    poller.poll();
    db.finishAgent(c, at(760), "timeout", 60.0, "haiku");
    db.startSession("s1", at(0));
    db.stopSession("s1", at(900));
    WorkflowSnapshot before = poller.poll().workflow();

    try (Poller restarted = newPoller()) {
      assertEquals(before, restarted.poll().workflow());
    }
    assertEquals(3L, before.agents().phases().values().stream().mapToLong(Long::longValue).sum());
    assertEquals(Map.of(new ErrorLabels("frontend-developer", "development"), 1L,
        new ErrorLabels("security-reviewer", "review"), 1L), before.agents().errors());
    // frontend-developer's duration came from end - start: 799 s
    assertEquals(799.0,
        before.agents().durations().get(new DurationLabels("frontend-developer", "development", "opus")).sum());
  }

  @Test
  void deletedRowsNeverLowerACounter() throws Exception {
    for (int i = 0; i < 3; i++) {
      long id = db.startAgent("s1", "planning", "task-planner", at(i));
      db.finishAgent(id, at(i + 10), "completed", 10.0, "m");
    }
    db.startAgent("s1", "planning", "architect", at(20));
    WorkflowSnapshot before = poller.poll().workflow();
    assertEquals(1, before.agents().parallelExecutions());

    db.execute("DELETE FROM agent_invocations WHERE agent_name = 'task-planner' AND id < 3");
    db.execute("DELETE FROM agent_invocations WHERE agent_name = 'architect'"); // the newest row
    WorkflowSnapshot after = poller.poll().workflow();
    assertEquals(before.agents().invocations(), after.agents().invocations());
    assertEquals(before.agents().durations(), after.agents().durations());
    assertEquals(0, after.agents().parallelExecutions(), "the vanished running row no longer runs");

    long id = db.startAgent("s1", "planning", "architect", at(30)); // AUTOINCREMENT: id 5, not 4 again
    db.finishAgent(id, at(40), "completed", 10.0, "m");
    assertEquals(4L, poller.poll().workflow().agents().phases().get("planning"));
  }

  @Test
  void aDatabaseDeletedAndCreatedAgainIsCountedFromScratch() throws Exception {
    finish("planning", "architect", 5);
    assertEquals(5L, poller.poll().workflow().agents().phases().get("planning"));

    Files.delete(file);
    db = HookDatabase.create(file);
    long id = db.startAgent("s9", "review", "test-validator", at(100));
    db.finishAgent(id, at(101), "completed", 1.0, "m");
    WorkflowSnapshot w = poller.poll().workflow();
    assertEquals(Map.of("review", 1L), w.agents().phases());
    assertEquals(Map.of(new InvocationLabels("test-validator", "review", "completed", "m"), 1L),
        w.agents().invocations());
    assertEquals(1, w.agents().uniqueAgents());
  }

  @Test
  void aDatabaseRecreatedWithMoreRowsWithinOneIntervalIsCountedFromScratch() throws Exception {
    long id = db.startAgent("s1", "planning", "architect", at(0));
    db.finishAgent(id, at(1), "completed", 1.0, "m");
    assertEquals(Map.of("planning", 1L), poller.poll().workflow().agents().phases());

    // deleted and created again between two polls: file systems often give it the same inode
    Files.delete(file);
    db = HookDatabase.create(file);
    finish("review", "test-validator", 3);
    assertEquals(Map.of("review", 3L), poller.poll().workflow().agents().phases());
  }

  @Test
  void aDatabaseThatVanishedAndCameBackIsCountedFromScratch() throws Exception {
    long id = db.startAgent("s1", "planning", "architect", at(0));
    db.finishAgent(id, at(1), "completed", 1.0, "m");
    poller.poll();
    Files.delete(file);
    assertFalse(poller.poll().database().up());

    db = HookDatabase.create(file);
    finish("review", "test-validator", 3);
    assertEquals(Map.of("review", 3L), poller.poll().workflow().agents().phases());
  }

  @Test
  void aFileTruncatedInPlaceIsCountedFromScratchBecauseItsHighestIdWentBackwards() throws Exception {
    finish("planning", "architect", 5);
    poller.poll();
    Object inode = Files.getAttribute(file, "unix:ino");
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
      channel.truncate(0);
    }
    db = HookDatabase.create(file);
    long id = db.startAgent("s2", "finalization", "pr-creator", at(100));
    db.finishAgent(id, at(130), "completed", 30.0, "m");
    assertEquals(inode, Files.getAttribute(file, "unix:ino"), "the same file, so only the id tells");

    WorkflowSnapshot w = poller.poll().workflow();
    assertEquals(Map.of("finalization", 1L), w.agents().phases());
  }

  @Test
  void malformedTimestampsNullsAndWrongTypesAreReadWithoutStoppingThePoll() throws Exception {
    db.execute("""
        INSERT INTO agent_invocations (session_id, phase, agent_name, model, start_time, end_time, duration_seconds, status)
        VALUES (NULL, NULL, 'architect', NULL, 'yesterday-ish', 'later', 'abc', 'completed'),
               ('s1', 'planning', 'architect', 'm', '2025-08-15T14:00:00', '2025-08-15 14:00:30', NULL, 'completed'),
               ('s1', 'planning', 'architect', 'm', 1755259200, 1755259260.5, NULL, 'completed'),
               ('s1', 'planning', 'architect', 'm', '2025-08-15T14:00:00', NULL, '12.5', 'Completed'),
               ('s1', 'planning', 'task-planner', 'm', 'garbage', NULL, NULL, 'started')
        """);
    PollResult result = poller.poll();
    assertTrue(result.database().up());
    WorkflowSnapshot w = result.workflow();
    assertEquals(Map.of(
            new InvocationLabels("architect", "unknown", "completed", "unknown"), 1L,
            new InvocationLabels("architect", "planning", "completed", "m"), 2L,
            new InvocationLabels("architect", "planning", "Completed", "m"), 1L),
        w.agents().invocations());
    // 30 s (text, Berlin), 60.5 s (epoch numbers), 12.5 s (numeric text in a REAL column)
    var h = w.agents().durations().get(new DurationLabels("architect", "planning", "m"));
    assertEquals(3, h.count());
    assertEquals(103.0, h.sum(), 1e-9);
    assertFalse(w.agents().durations().containsKey(new DurationLabels("architect", "unknown", "unknown")));
    // a running invocation with an unreadable start is running, but not known to be recent
    assertEquals(0, w.agents().parallelExecutions());
    assertEquals(Map.of("architect", 1755259260.0 - 60), w.agents().lastExecution());
    assertEquals(2, w.agents().uniqueAgents());
  }

  @Test
  void missingTablesAndColumnsReadAsEmptyAndNull() throws Exception {
    Files.delete(file);
    HookDatabase old = HookDatabase.createEmpty(file);
    old.execute("CREATE TABLE agent_invocations (id INTEGER PRIMARY KEY AUTOINCREMENT, agent_name TEXT, "
        + "phase TEXT, status TEXT, start_time TIMESTAMP, extra_column BLOB)");
    old.execute("INSERT INTO agent_invocations (agent_name, phase, status, start_time) "
        + "VALUES ('architect', 'planning', 'completed', '2025-08-15T14:00:00')");
    PollResult result = poller.poll();
    assertTrue(result.database().up());
    assertEquals(0, result.history().errors());
    assertEquals(Map.of(new InvocationLabels("architect", "planning", "completed", "unknown"), 1L),
        result.workflow().agents().invocations());
    assertEquals(0, result.workflow().sessions().total());

    // a newer hook version adds the columns and the sessions table
    old.execute("ALTER TABLE agent_invocations ADD COLUMN model TEXT");
    old.execute("ALTER TABLE agent_invocations ADD COLUMN duration_seconds REAL");
    old.execute("INSERT INTO agent_invocations (agent_name, phase, status, model, duration_seconds) "
        + "VALUES ('architect', 'planning', 'completed', 'opus', 5)");
    old.execute("CREATE TABLE sessions (session_id TEXT PRIMARY KEY, start_time TIMESTAMP, end_time TIMESTAMP, status TEXT)");
    old.execute("INSERT INTO sessions VALUES ('s1', '2025-08-15T14:00:00', NULL, 'active')");
    WorkflowSnapshot w = poller.poll().workflow();
    assertEquals(1L, w.agents().invocations().get(new InvocationLabels("architect", "planning", "completed", "opus")));
    assertEquals(1, w.sessions().total());
    assertEquals(1, w.sessions().active());
  }

  @Test
  void aDatabaseWithNoTablesIsUpAndEmpty() throws Exception {
    Files.delete(file);
    HookDatabase.createEmpty(file).execute("CREATE TABLE unrelated (x)");
    PollResult result = poller.poll();
    assertTrue(result.database().up());
    assertEquals(0, result.history().errors());
    assertEquals(Map.of(), result.workflow().agents().invocations());
  }

  @Test
  void aLockedDatabaseFailsThePollButIsStillTheSameFile() throws Exception {
    finish("planning", "architect", 3);
    poller.poll();
    db.execute("DELETE FROM agent_invocations WHERE id = 1");
    try (Connection writer = db.connect(); Statement lock = writer.createStatement()) {
      lock.execute("BEGIN EXCLUSIVE");
      PollResult locked = poller.poll(); // waits out its 1 s busy timeout
      assertFalse(locked.database().up());
      assertEquals(1, locked.history().errors());
      lock.execute("ROLLBACK");
    }
    PollResult after = poller.poll();
    assertTrue(after.database().up());
    assertEquals(Map.of("planning", 3L), after.workflow().agents().phases(),
        "not counted from scratch: the deleted row stays");
  }

  @Test
  void aFileThatIsNotADatabaseFailsThePollKeepsTheLastValuesAndRecovers() throws Exception {
    long id = db.startAgent("s1", "planning", "architect", at(0));
    db.finishAgent(id, at(5), "completed", 5.0, "m");
    WorkflowSnapshot good = poller.poll().workflow();

    Files.delete(file);
    Files.writeString(file, "this is a text file, not a database\n".repeat(200));
    PollResult bad = poller.poll();
    assertFalse(bad.database().up());
    assertEquals(1, bad.history().errors());
    assertEquals(good.agents().invocations(), bad.workflow().agents().invocations(), "last good values kept");
    assertEquals(2, poller.poll().history().errors(), "each failed poll counts");

    Files.delete(file);
    db = HookDatabase.create(file);
    id = db.startAgent("s2", "review", "test-validator", at(100));
    db.finishAgent(id, at(101), "completed", 1.0, "m");
    PollResult recovered = poller.poll();
    assertTrue(recovered.database().up());
    assertEquals(2, recovered.history().errors());
    assertEquals(Map.of("review", 1L), recovered.workflow().agents().phases(), "a new file: counted from scratch");
  }

  @Test
  void anEmptyFileIsAnEmptyDatabase() throws Exception {
    Files.delete(file);
    Files.createFile(file);
    PollResult result = poller.poll();
    assertTrue(result.database().up());
    assertEquals(Map.of(), result.workflow().agents().invocations());
  }

  @Test
  void aMissingFileIsWaitedForWithoutCountingErrors() throws Exception {
    Files.delete(file);
    PollResult waiting = poller.poll();
    assertFalse(waiting.database().up());
    assertEquals(0, waiting.history().errors());
    assertEquals(Optional.empty(), waiting.history().lastSuccess());
    assertFalse(Files.exists(file), "the exporter must not create the database");

    db = HookDatabase.create(file);
    long id = db.startAgent("s1", "planning", "architect", at(0));
    db.finishAgent(id, at(5), "completed", 5.0, "m");
    PollResult found = poller.poll();
    assertTrue(found.database().up());
    assertEquals(Map.of("planning", 1L), found.workflow().agents().phases());
    assertEquals(Optional.of(Instant.ofEpochSecond(clock.instant().getEpochSecond())),
        found.history().lastSuccess());
  }

  @Test
  void aDirectoryWhereTheFileShouldBeIsAnError() throws Exception {
    Files.delete(file);
    Files.createDirectory(file);
    PollResult result = poller.poll();
    assertFalse(result.database().up());
    assertEquals(1, result.history().errors());
  }

  @Test
  void aLargeBacklogIsReadCompletelyInChunks() throws Exception {
    try (Connection c = db.connect()) {
      c.setAutoCommit(false);
      try (PreparedStatement insert = c.prepareStatement("""
          INSERT INTO agent_invocations (session_id, phase, agent_name, model, start_time, end_time, duration_seconds, status)
          VALUES (?, 'development', ?, 'm', '2025-08-15T14:00:00', ?, 10, ?)
          """)) {
        for (int i = 0; i < 30_000; i++) {
          boolean running = i % 3 == 0;
          insert.setString(1, "s" + (i % 1000));
          insert.setString(2, "agent-" + (i % 7));
          insert.setString(3, running ? null : "2025-08-15T14:00:10");
          insert.setString(4, running ? "started" : "completed");
          insert.executeUpdate();
        }
      }
      c.commit();
    }
    WorkflowSnapshot w = poller.poll().workflow();
    assertEquals(20_000L, w.agents().phases().get("development"));
    assertEquals(7, w.agents().uniqueAgents());
    assertEquals(7.0, w.agents().avgAgentsPerSession(), 1e-12); // i % 1000 and i % 7 cover every pair
    assertEquals(10_000, w.agents().parallelExecutions(), "started 1 h before the clock: within --stale-after");
    clock.advance(Duration.ofHours(6));
    assertEquals(0, poller.poll().workflow().agents().parallelExecutions(), "7 h later they are stale");
  }

  @Test
  void sessionsAreFollowedThroughStartStopAndResume() throws Exception {
    db.startSession("s1", at(0));
    db.startSession("s2", at(10));
    WorkflowSnapshot w = poller.poll().workflow();
    assertEquals(2, w.sessions().total());
    assertEquals(2, w.sessions().active());

    db.stopSession("s1", at(120));
    poller.poll();
    db.stopSession("s1", at(400)); // another reply, same run: not observed again
    w = poller.poll().workflow();
    assertEquals(1, w.sessions().active());
    assertEquals(1, w.sessions().durations().count());
    assertEquals(120.0, w.sessions().durations().sum());

    db.startSession("s1", at(1000)); // resumed: a new run
    db.stopSession("s1", at(1700));
    w = poller.poll().workflow();
    assertEquals(2, w.sessions().total());
    assertEquals(1, w.sessions().active());
    assertEquals(2, w.sessions().durations().count());
    assertEquals(820.0, w.sessions().durations().sum());
    assertEquals(List.of(0L, 1L, 1L, 2L, 2L, 2L, 2L), w.sessions().durations().cumulativeCounts());
  }

  @Test
  void pollingNeverWritesToTheDatabaseOrItsFolder() throws Exception {
    long id = db.startAgent("s1", "planning", "architect", at(0));
    db.startSession("s1", at(0));
    db.finishAgent(id, at(5), "completed", 5.0, "m");
    String before = fingerprint();
    for (int i = 0; i < 3; i++) {
      assertTrue(poller.poll().database().up());
    }
    poller.close();
    assertEquals(before, fingerprint());
  }

  @Test
  void aWalDatabaseIsReadToo() throws Exception {
    db.execute("PRAGMA journal_mode = WAL");
    long id = db.startAgent("s1", "planning", "architect", at(0));
    assertEquals(1, poller.poll().workflow().agents().parallelExecutions());
    db.finishAgent(id, at(5), "completed", 5.0, "m");
    assertEquals(Map.of("planning", 1L), poller.poll().workflow().agents().phases());
  }

  /** {@code n} completed runs of {@code agent}, a second each, written as the hooks write them. */
  private void finish(String phase, String agent, int n) throws Exception {
    for (int i = 0; i < n; i++) {
      long id = db.startAgent("s1", phase, agent, at(i));
      db.finishAgent(id, at(i + 1), "completed", 1.0, "m");
    }
  }

  private long rowsRead(PollResult result) {
    return result.reads().rows().get("agent_invocations");
  }

  /** Names and contents of every file in the folder. */
  private String fingerprint() throws IOException {
    StringBuilder sb = new StringBuilder();
    try (Stream<Path> files = Files.list(dir).sorted()) {
      for (Path p : files.toList()) {
        sb.append(p.getFileName()).append(' ').append(sha256(p)).append('\n');
      }
    }
    return sb.toString();
  }

  private static String sha256(Path p) throws IOException {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
