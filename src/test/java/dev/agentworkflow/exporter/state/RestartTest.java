package dev.agentworkflow.exporter.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentworkflow.exporter.app.Exporter;
import dev.agentworkflow.exporter.app.ExporterSettings;
import dev.agentworkflow.exporter.model.HistogramSnapshot;
import dev.agentworkflow.exporter.model.PollResult;
import dev.agentworkflow.exporter.model.ToolUseLabels;
import dev.agentworkflow.exporter.model.WorkflowSnapshot;
import dev.agentworkflow.exporter.poll.Poller;
import dev.agentworkflow.exporter.support.HookDatabase;
import dev.agentworkflow.exporter.support.LogLines;
import dev.agentworkflow.exporter.support.MutableClock;
import dev.agentworkflow.exporter.support.TestSettings;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A restart with the state file, in process: the poller closes (writing its state), another one
 * starts on the same database and state file. It goes on where the first stopped when the state
 * describes the very file, counted the same way; anything else is counted from scratch, and then
 * equals what a poller without state counts.
 */
class RestartTest {
  private static final Instant T0 = Instant.parse("2025-08-15T12:00:00Z");

  @TempDir
  Path dir;

  private final MutableClock clock = new MutableClock(T0.plusSeconds(7200));

  private Path db() {
    return dir.resolve("agent_workflow.db");
  }

  private Path stateFile() {
    return dir.resolve("state").resolve("db.state");
  }

  private ExporterSettings settings() {
    return TestSettings.withState(TestSettings.of(db()), stateFile());
  }

  /** Three sessions, finished and failed and running invocations. */
  private HookDatabase history() throws Exception {
    HookDatabase db = HookDatabase.create(db());
    db.startSession("s1", T0);
    long a = db.startAgent("s1", "planning", "architect", T0.plusSeconds(10));
    db.finishAgent(a, T0.plusSeconds(70), "completed", 60.0, "opus");
    long read = db.startTool("s1", "architect", a, "Read", T0.plusSeconds(20), 1);
    db.finishTool(read, T0.plusSeconds(21), "completed", 0.4);
    long b = db.startAgent("s1", "development", "backend", T0.plusSeconds(100));
    long bash = db.startTool("s1", "backend", b, "Bash", T0.plusSeconds(110), 1);
    db.finishTool(bash, T0.plusSeconds(140), "error", 30.0);
    db.startTool("s1", "backend", b, "Edit", T0.plusSeconds(150), 2); // still running when the exporter stops
    db.finishAgent(b, T0.plusSeconds(400), "failed", 300.0, "sonnet",
        "{\"totalToolUseCount\": 2, \"totalTokens\": 150000, \"content\": []}");
    db.stopSession("s1", T0.plusSeconds(500));
    db.startSession("s2", T0.plusSeconds(600));
    db.startAgent("s2", "review", "reviewer", T0.plusSeconds(610));
    return db;
  }

  /** Polls once with a new poller and closes it (which writes the state, when there is one). */
  private PollResult pollAndClose(ExporterSettings settings) {
    try (Poller poller = Exporter.newPoller(settings, clock)) {
      return poller.poll();
    }
  }

  /** What the scheduler does: a poll, published, then the state kept; returns the state's status after it. */
  private static dev.agentworkflow.exporter.model.StateStatus pollAndKeep(Poller poller) {
    poller.poll();
    return poller.keepState();
  }

  private PollResult withoutState() {
    return pollAndClose(TestSettings.of(db()));
  }

  @Test
  void aRestartGoesOnWhereTheLastRunStoppedAndReadsOnlyWhatChanged() throws Exception {
    HookDatabase db = history();
    PollResult first = pollAndClose(settings());
    assertTrue(Files.isRegularFile(stateFile()));
    assertFalse(first.state().restored());

    long c = db.startAgent("s2", "review", "security", T0.plusSeconds(700));
    db.finishAgent(c, T0.plusSeconds(760), "completed", 60.0, "opus");
    db.finishTool(3, T0.plusSeconds(160), "completed", 10.0); // the Edit running when the exporter stopped
    PollResult second = pollAndClose(settings());

    assertTrue(second.state().restored());
    assertEquals(withoutState().workflow(), second.workflow(), "the same figures as counting from scratch");
    assertEquals(Map.of(
            new ToolUseLabels("architect", "Read", "completed"), 1L,
            new ToolUseLabels("backend", "Bash", "error"), 1L,
            new ToolUseLabels("backend", "Edit", "completed"), 1L),
        second.workflow().tools().uses(), "the tool use running at the stop counted once it finished, while down");
    assertEquals(1, second.workflow().agents().contextTokens().get("backend").count());
    long readBefore = first.reads().rows().get("agent_invocations");
    assertEquals(readBefore + 2, second.reads().rows().get("agent_invocations"),
        "the counter goes on from the state, and the restart read only the new row and the one still running");
  }

  @Test
  void rowsDeletedAndASessionResumedWhileDownLowerNoCounter() throws Exception {
    HookDatabase db = history();
    PollResult before = pollAndClose(settings());
    db.execute("DELETE FROM agent_invocations WHERE agent_name IN ('architect', 'backend')");
    db.startSession("s1", T0.plusSeconds(1000)); // the hooks' INSERT OR REPLACE: the ended run leaves the table
    long d = db.startAgent("s1", "finalization", "writer", T0.plusSeconds(1010));
    db.finishAgent(d, T0.plusSeconds(1020), "completed", 10.0, "opus");
    PollResult after = pollAndClose(settings());

    assertTrue(after.state().restored());
    assertNoneLower(before.workflow(), after.workflow());
    assertEquals(before.workflow().sessions().durations().count(), after.workflow().sessions().durations().count());
    assertEquals(1L, counted(after) - counted(before), "the new row, once");
  }

  /**
   * The newest invocation counted deleted while the exporter was down (a user deleting a session's
   * rows): the file is the same, and older rows counted are still at their ids. Before: taken for
   * a file copied over in place, counted from scratch, every counter of the deleted rows went down.
   */
  @Test
  void theNewestCountedInvocationDeletedWhileDownLowersNoCounter() throws Exception {
    HookDatabase db = history();
    long c = db.startAgent("s2", "review", "security", T0.plusSeconds(700));
    db.finishAgent(c, T0.plusSeconds(760), "completed", 60.0, "opus");
    PollResult before = pollAndClose(settings());
    db.execute("DELETE FROM agent_invocations WHERE id = " + c);
    long d = db.startAgent("s2", "finalization", "writer", T0.plusSeconds(800));
    db.finishAgent(d, T0.plusSeconds(810), "completed", 10.0, "opus");
    PollResult after = pollAndClose(settings());

    assertTrue(after.state().restored());
    assertNoneLower(before.workflow(), after.workflow());
    assertEquals(1L, counted(after) - counted(before), "the new row, once");
  }

  @Test
  void aFileRenamedOverTheOldOneIsCountedFromScratch() throws Exception {
    history();
    pollAndClose(settings());
    Path other = dir.resolve("other.db");
    HookDatabase replacement = HookDatabase.create(other);
    long x = replacement.startAgent("z", "planning", "someone-else", T0);
    replacement.finishAgent(x, T0.plusSeconds(5), "completed", 5.0, "m");
    Files.move(other, db(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);

    PollResult after = pollAndClose(settings());
    assertFalse(after.state().restored());
    assertEquals(withoutState().workflow(), after.workflow());
  }

  @Test
  void aFileCopiedOverInPlaceOrRestoredFromAnOlderCopyIsCountedFromScratch() throws Exception {
    HookDatabase db = history();
    byte[] older = Files.readAllBytes(db());
    long c = db.startAgent("s2", "review", "security", T0.plusSeconds(700));
    db.finishAgent(c, T0.plusSeconds(760), "completed", 60.0, "opus");
    pollAndClose(settings());
    Object inode = Files.readAttributes(db(), java.nio.file.attribute.BasicFileAttributes.class).fileKey();

    overwriteInPlace(older); // as cp does: the same inode, fewer rows
    assertEquals(inode, Files.readAttributes(db(), java.nio.file.attribute.BasicFileAttributes.class).fileKey());
    PollResult restoredOlder = pollAndClose(settings());
    assertFalse(restoredOlder.state().restored());
    assertEquals(withoutState().workflow(), restoredOlder.workflow());

    Path other = dir.resolve("other.db");
    HookDatabase different = HookDatabase.create(other);
    for (int i = 0; i < 10; i++) { // more rows than the state counted, none of them the same
      long id = different.startAgent("o", "planning", "other-" + i, T0.plusSeconds(i));
      different.finishAgent(id, T0.plusSeconds(i + 1), "completed", 1.0, "m");
    }
    overwriteInPlace(Files.readAllBytes(other));
    PollResult copiedOver = pollAndClose(settings());
    assertFalse(copiedOver.state().restored());
    assertEquals(withoutState().workflow(), copiedOver.workflow());
  }

  @Test
  void aDamagedOrForeignStateFileIsCountedFromScratchWithoutFailing() throws Exception {
    history();
    pollAndClose(settings());
    byte[] good = Files.readAllBytes(stateFile());
    byte[] flipped = good.clone();
    flipped[flipped.length / 2] ^= 0x40;
    byte[] otherFormat = good.clone();
    otherFormat[11] = 99; // the format number's last byte
    for (byte[] bad : new byte[][] {flipped, java.util.Arrays.copyOf(good, good.length / 3), otherFormat,
        "not a state file".getBytes(java.nio.charset.StandardCharsets.US_ASCII), new byte[0]}) {
      Files.write(stateFile(), bad);
      PollResult result = pollAndClose(settings());
      assertTrue(result.database().up());
      assertFalse(result.state().restored());
      assertEquals(withoutState().workflow(), result.workflow());
    }
  }

  @Test
  void otherCountingSettingsCountFromScratch() throws Exception {
    history();
    pollAndClose(settings());
    ExporterSettings s = settings();
    ExporterSettings otherZone = new ExporterSettings(s.databasePath(), s.listen(), s.telemetryPath(), s.interval(),
        s.staleAfter(), ZoneOffset.UTC, s.maxLabelValues(), s.maxSeries(), s.build(), s.web(), s.stateFile());
    PollResult result = pollAndClose(otherZone);
    assertFalse(result.state().restored());
    assertTrue(pollAndClose(otherZone).state().restored(), "the state it wrote is its own");
  }

  /**
   * Said in one line, however many tries. Before: the lock, the read and every try to write (a
   * temporary file of another name each time, so never "the same failure") each had a line.
   */
  @Test
  void aStateFolderThatCannotBeWrittenIsCountedAndTheExporterGoesOn() throws Exception {
    history();
    Path blocked = Files.writeString(dir.resolve("a-file"), "not a folder");
    ExporterSettings s = TestSettings.withState(TestSettings.of(db()), blocked.resolve("db.state"));
    java.io.PrintStream stderr = System.err;
    java.io.ByteArrayOutputStream log = new java.io.ByteArrayOutputStream();
    System.setErr(new java.io.PrintStream(log, true, java.nio.charset.StandardCharsets.UTF_8));
    try (Poller poller = Exporter.newPoller(s, clock)) {
      PollResult result = poller.poll();
      assertTrue(result.database().up());
      dev.agentworkflow.exporter.model.StateStatus status = poller.keepState();
      for (int i = 0; i < 3; i++) {
        clock.advance(Duration.ofSeconds(10));
        result = poller.poll();
        status = poller.keepState();
      }
      assertTrue(result.database().up());
      assertEquals(0, status.writes());
      assertEquals(4, status.writeErrors(), "one try after each pause");
    } finally {
      System.setErr(stderr);
    }
    String lines = log.toString(java.nio.charset.StandardCharsets.UTF_8);
    assertEquals(1, LogLines.problems(lines).size(), lines);
    assertTrue(lines.contains("level=WARN source=StateKeeper.java:"), lines);
    assertTrue(lines.contains(" msg=\"state file " + blocked.resolve("db.state") + " cannot be created"), lines);
  }

  @Test
  void aSecondExporterOnTheSameStateFileGoesOnWithoutIt() throws Exception {
    history();
    try (Poller first = Exporter.newPoller(settings(), clock); Poller second = Exporter.newPoller(settings(), clock)) {
      PollResult a = first.poll();
      PollResult b = second.poll();
      assertTrue(a.state().enabled());
      assertFalse(b.state().enabled());
      assertEquals(a.workflow(), b.workflow());
    }
    assertTrue(pollAndClose(settings()).state().restored(), "the first one's state, whole");
  }

  @Test
  void statesAreWrittenAtMostEveryFewSecondsAndOnClose() throws Exception {
    HookDatabase db = history();
    try (Poller poller = Exporter.newPoller(settings(), clock)) {
      assertEquals(1, pollAndKeep(poller).writes());
      db.startAgent("s2", "review", "a1", T0.plusSeconds(800));
      assertEquals(1, pollAndKeep(poller).writes(), "a change within the pause is written later");
      assertEquals(1, pollAndKeep(poller).writes());
      clock.advance(StateKeeper.WRITE_EVERY);
      assertEquals(2, pollAndKeep(poller).writes(), "the pause is over: the change is written");
      clock.advance(StateKeeper.WRITE_EVERY);
      assertEquals(2, pollAndKeep(poller).writes(), "nothing changed: nothing written");
      db.startAgent("s2", "review", "a2", T0.plusSeconds(900));
      assertEquals(3, pollAndKeep(poller).writes(), "a change after a long quiet is written at once");
      db.startAgent("s2", "review", "a3", T0.plusSeconds(950));
      assertEquals(3, pollAndKeep(poller).writes());
    }
    PollResult restarted = pollAndClose(settings());
    assertTrue(restarted.state().restored());
    assertEquals(withoutState().workflow(), restarted.workflow(), "the change after the last write was written on close");
  }

  private void overwriteInPlace(byte[] bytes) throws Exception {
    try (RandomAccessFile file = new RandomAccessFile(db().toFile(), "rw")) {
      file.setLength(0);
      file.write(bytes);
    }
    Files.deleteIfExists(dir.resolve("agent_workflow.db-journal"));
  }

  private static long counted(PollResult poll) {
    return poll.workflow().agents().invocations().values().stream().mapToLong(Long::longValue).sum();
  }

  private static void assertNoneLower(WorkflowSnapshot before, WorkflowSnapshot after) {
    assertAtLeast(before.agents().invocations(), after.agents().invocations());
    assertAtLeast(before.agents().errors(), after.agents().errors());
    assertAtLeast(before.agents().phases(), after.agents().phases());
    before.agents().durations().forEach((labels, h) -> {
      HistogramSnapshot later = after.agents().durations().get(labels);
      assertTrue(later != null && later.count() >= h.count(), labels + " went down");
    });
    assertTrue(after.sessions().durations().count() >= before.sessions().durations().count());
  }

  private static <K> void assertAtLeast(Map<K, Long> before, Map<K, Long> after) {
    before.forEach((key, value) -> assertTrue(after.getOrDefault(key, 0L) >= value, key + " went down"));
  }
}
