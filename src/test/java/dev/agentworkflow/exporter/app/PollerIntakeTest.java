package dev.agentworkflow.exporter.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentworkflow.exporter.demo.DemoDatabase;
import dev.agentworkflow.exporter.model.PollResult;
import dev.agentworkflow.exporter.poll.LoadTurns;
import dev.agentworkflow.exporter.poll.Poller;
import dev.agentworkflow.exporter.support.HookDatabase;
import dev.agentworkflow.exporter.support.TestSettings;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An exporter of many databases takes each read's rows in on the polling thread rather than on a
 * second thread per database: the counts must not depend on where the rows were taken in.
 */
class PollerIntakeTest {
  @TempDir
  Path dir;

  @Test
  void rowsTakenInOnThePollingThreadCountTheSameAsRowsTakenInAlongside() throws Exception {
    Path file = dir.resolve("agent_workflow.db");
    Clock clock = Clock.fixed(Instant.parse("2026-11-30T12:00:00Z"), ZoneOffset.UTC);
    // some 3,000 invocations and their tool uses: many chunks of each table, the first of 100 rows
    new DemoDatabase(file, HookDatabase.ZONE, new Random(16), clock)
        .createOrReuse(new DemoDatabase.History(Duration.ofDays(7), 250, 0).withToolUses());

    PollResult alongside = firstPoll(file, Poller.Intake.ALONGSIDE, LoadTurns.NONE, clock);
    PollResult here = firstPoll(file, Poller.Intake.HERE, LoadTurns.NONE, clock);

    assertEquals(250, alongside.workflow().sessions().total());
    assertTrue(alongside.reads().rows().get("agent_tool_uses") > 10_000, alongside.reads().rows() + " rows read");
    assertEquals(alongside.workflow(), here.workflow());
    assertEquals(alongside.reads().rows(), here.reads().rows());
  }

  /**
   * Two databases loading at once with one turn between them: each gives the turn to the other
   * between two chunks once its slice is over, and counts what one database alone counts.
   */
  @Test
  void databasesTakingTurnsAtTheirLoadsCountWhatEachCountsAlone() throws Exception {
    Clock clock = Clock.fixed(Instant.parse("2026-11-30T12:00:00Z"), ZoneOffset.UTC);
    Path first = dir.resolve("a/agent_workflow.db");
    Path second = dir.resolve("b/agent_workflow.db");
    java.nio.file.Files.createDirectories(first.getParent());
    java.nio.file.Files.createDirectories(second.getParent());
    new DemoDatabase(first, HookDatabase.ZONE, new Random(16), clock)
        .createOrReuse(new DemoDatabase.History(Duration.ofDays(7), 250, 0).withToolUses());
    new DemoDatabase(second, HookDatabase.ZONE, new Random(17), clock)
        .createOrReuse(new DemoDatabase.History(Duration.ofDays(7), 250, 0).withToolUses());
    PollResult firstAlone = firstPoll(first, Poller.Intake.HERE, LoadTurns.NONE, clock);
    PollResult secondAlone = firstPoll(second, Poller.Intake.HERE, LoadTurns.NONE, clock);

    LoadTurns oneTurn = LoadTurns.perCore(1);
    java.util.concurrent.ExecutorService two = java.util.concurrent.Executors.newFixedThreadPool(2);
    try {
      var a = two.submit(() -> firstPoll(first, Poller.Intake.HERE, oneTurn, clock));
      var b = two.submit(() -> firstPoll(second, Poller.Intake.HERE, oneTurn, clock));
      assertEquals(firstAlone.workflow(), a.get().workflow());
      assertEquals(firstAlone.reads().rows(), a.get().reads().rows());
      assertEquals(secondAlone.workflow(), b.get().workflow());
      assertEquals(secondAlone.reads().rows(), b.get().reads().rows());
    } finally {
      two.shutdownNow();
    }
    try (LoadTurns.Turn free = oneTurn.take()) {
      free.passIfDue(); // the turn was given back by both: taken at once, nobody waiting for it
    }
  }

  /** While every turn is held by others' loads, a loaded database's steady poll still reads and counts. */
  @Test
  void aSteadyPollTakesNoTurn() throws Exception {
    Clock clock = Clock.fixed(Instant.parse("2026-11-30T12:00:00Z"), ZoneOffset.UTC);
    Path file = dir.resolve("agent_workflow.db");
    new DemoDatabase(file, HookDatabase.ZONE, new Random(18), clock)
        .createOrReuse(new DemoDatabase.History(Duration.ofDays(7), 50, 0).withToolUses());
    LoadTurns oneTurn = LoadTurns.perCore(1);
    try (Poller poller = Exporter.newPoller(TestSettings.of(file), 2, Poller.Intake.HERE, oneTurn,
        () -> dev.agentworkflow.exporter.custom.CustomMetrics.NONE, clock)) {
      long loaded = poller.poll().reads().rows().get("agent_invocations");
      HookDatabase hooks = HookDatabase.open(file);
      try (LoadTurns.Turn othersLoad = oneTurn.take()) {
        for (int i = 0; i < 5; i++) {
          hooks.startAgent("steady", "review", "security-reviewer", Instant.parse("2026-11-30T11:59:00Z"));
        }
        PollResult steady = assertTimeoutPreemptively(Duration.ofSeconds(30), poller::poll, "waited for a turn");
        assertEquals(loaded + 5, steady.reads().rows().get("agent_invocations"));
      }
    }
  }

  @Test
  void aSecondThreadPerDatabaseOnlyWhileEveryDatabaseCanHaveTwoCores() {
    assertEquals(Poller.Intake.ALONGSIDE, Exporter.intake(1, 1));
    assertEquals(Poller.Intake.ALONGSIDE, Exporter.intake(1, 2));
    assertEquals(Poller.Intake.HERE, Exporter.intake(2, 2));
    assertEquals(Poller.Intake.ALONGSIDE, Exporter.intake(2, 4));
    assertEquals(Poller.Intake.HERE, Exporter.intake(3, 4));
    assertEquals(Poller.Intake.HERE, Exporter.intake(50, 2));
    assertEquals(Poller.Intake.ALONGSIDE, Exporter.intake(50, 128));
  }

  private static PollResult firstPoll(Path file, Poller.Intake intake, LoadTurns turns, Clock clock) {
    try (Poller poller = Exporter.newPoller(TestSettings.of(file), 2, intake, turns,
        () -> dev.agentworkflow.exporter.custom.CustomMetrics.NONE, clock)) {
      return poller.poll();
    }
  }
}
