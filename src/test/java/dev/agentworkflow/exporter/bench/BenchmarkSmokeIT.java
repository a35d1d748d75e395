package dev.agentworkflow.exporter.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The benchmark's every step on small files: generation, first load of the packaged jar (started by
 * its launcher, as the README starts it), restarts and {@code --once} with the state file and its
 * writes, steady polls, scrapes, memory, issue 14's steps on a small file with tool uses (the sqlite3
 * shell's scans too), issue 16's on a few small projects and their union, the report, and the files
 * put back as generated. It judges no figure: timing and memory belong to the full run on a quiet
 * machine.
 */
class BenchmarkSmokeIT {
  @TempDir
  Path dataDir;

  @Test
  void everyStepRunsTheFilesArePutBackAndAreReused() throws Exception {
    Benchmark.Config config = Benchmark.SMOKE;
    Report report = Benchmark.run(config, dataDir);

    for (Dataset dataset : config.datasets()) {
      long[] counted = tableCounts(dataset.file(dataDir));
      assertEquals(counted[0] + counted[1], report.load(dataset).rows(), dataset.name() + ": the scan saw every row");
      assertEquals(counted[2], counted[3], dataset.name() + ": the run's own rows were deleted again");
      Map<Integer, Distribution> steady = report.steady(dataset);
      assertEquals(config.changedRows(), List.copyOf(steady.keySet()));
      steady.values().forEach(polls -> assertEquals(config.polls(), polls.count()));
      assertTrue(report.load(dataset).residentKib() > 0);
      assertTrue(report.load(dataset).peakKib() >= report.load(dataset).residentKib());
      assertTrue(report.load(dataset).withoutState(), dataset.name() + ": the first loads counted from scratch");

      StateSteps.Figures state = report.state(dataset);
      assertEquals(config.restarts(), state.restarts().size());
      for (StateSteps.Restart restart : state.restarts()) {
        assertTrue(restart.restored(), dataset.name() + ": the restart went on from the state file");
        assertTrue(restart.sameCounts(), dataset.name() + ": the restart shows the first load's counts");
        assertTrue(restart.rowsSince() >= 0, dataset.name() + ": the restart logged the rows read since the state");
      }
      assertEquals(config.onceRuns(), state.onces().size());
      for (StateSteps.Once once : state.onces()) {
        assertEquals(0, once.exitCode());
        assertTrue(once.restored(), dataset.name() + ": --once went on from the state file");
        assertTrue(once.countsRight(), dataset.name() + ": --once counted the invocations finished since");
        assertTrue(once.rowsSince() >= StateSteps.ONCE_ROWS, dataset.name() + ": --once read the rows written since, "
            + once.rowsSince());
      }
      assertEquals(config.stateWrites(), state.writes().millis().count());
      assertTrue(state.writes().firstMillis() > 0);
      assertTrue(state.writes().sizeBytes() > 0);
    }
    assertEquals(config.clients(), report.scrapes().stream().map(ScrapeLoad.Result::clients).toList());
    report.scrapes().forEach(scrape -> assertTrue(scrape.latency().count() > 0));
    assertTrue(report.scrapes().get(0).series() > 1_000, "the wide catalog makes many series");
    assertTrue(report.soakedResidentKib() > 0);

    ToolUseSteps.Figures tools = report.toolUses();
    Dataset toolDataset = config.toolUses();
    long[] toolCounted = toolTableCounts(toolDataset.file(dataDir));
    ToolUseSteps.FirstLoad toolLoad = tools.load();
    assertEquals(toolCounted[0], toolLoad.rows().toolUses(),
        "the run's own tool uses were deleted again (the shell counted the table before the run wrote to it)");
    assertEquals(toolCounted[1], toolLoad.rows().toolUses(), "every generated tool use is finished");
    assertEquals((long) toolDataset.invocations() * toolDataset.toolUsesEach(), toolCounted[2],
        "each invocation made its tool uses");
    assertTrue(toolCounted[0] > toolCounted[2], "the main session made direct tool uses too");
    assertEquals(toolDataset.invocations(), toolCounted[3], "the file has the invocations asked for");
    assertEquals(toolCounted[4], toolCounted[5], "the run's own invocations were deleted again");
    assertEquals(config.serviceLoads() + 1, toolLoad.scans().size());
    assertEquals(config.serviceLoads(), toolLoad.services().size());
    toolLoad.scans().forEach(seconds -> assertTrue(seconds > 0));
    assertTrue(toolLoad.withoutState(), "the first loads with tool uses counted from scratch");
    assertTrue(toolLoad.residentKib() > 0);
    assertEquals(config.toolRounds(), List.copyOf(tools.steady().keySet()));
    tools.steady().values().forEach(polls -> assertEquals(config.polls(), polls.count()));
    assertTrue(toolLoad.countsRight(), "the first load counted every tool use: " + toolLoad.toolUsesCounted());
    assertTrue(tools.soak().up());
    assertTrue(tools.soak().lastKib() > 0);
    assertTrue(tools.soak().countsRight(), "the service counted every tool use finished since too: "
        + tools.soak().toolUsesCounted() + " of " + tools.soak().toolUsesFinished());

    assertEquals(List.of(0.0, 0.0, 0.0, 0.0), Datasets.ensure(dataDir, config.allDatasets()),
        "a second run reuses the generated files");

    ManyDatabasesSteps.Figures many = report.many();
    ManyDatabasesSteps.Plan plan = config.many();
    assertTrue(many != null, "the many databases' part ran to the end");
    List<Path> parts = plan.parts().stream().map(d -> d.file(dataDir)).toList();
    long[] unionCounted = tableCounts(plan.union(dataDir));
    long partRows = 0;
    long partSessions = 0;
    for (Path part : parts) {
      long[] counted = tableCounts(part);
      assertEquals(counted[2], counted[3], part + ": the run's own rows were deleted again");
      partRows += counted[0];
      partSessions += counted[1];
    }
    assertEquals(partRows, unionCounted[0], "the union has every project's invocation rows");
    assertEquals(partSessions, unionCounted[1], "the union has every project's sessions");
    assertEquals(unionCounted[0], many.invocationRows());
    assertEquals(unionCounted[2], unionCounted[3], "the union's own rows were deleted again");
    assertEquals(plan.loads(), many.union().size());
    assertEquals(plan.loads(), many.projects().size());
    assertTrue(many.countsRight(), "both services counted the same invocations, from scratch: " + many.union() + " "
        + many.projects());
    assertEquals((double) many.finished(), many.union().get(0).invocations(), "every finished invocation counted");
    assertEquals(plan.idleSamples(), many.idle().sumsMillis().count());
    assertEquals(plan.idleSamples() * plan.databases(), many.idle().eachMillis().count());
    assertEquals(0, many.idle().rowsRead(), "nothing was written while the idle polls were watched");
    assertTrue(many.lock().lockedErrors() >= 1, "the writer's lock made the locked database's polls fail");
    assertTrue(many.lock().others().gaps() >= plan.databases() - 1, "every other database was seen polling");
    assertTrue(many.lock().without().gaps() >= plan.databases() - 1);
    assertTrue(many.lock().lockedGapSeconds() >= plan.lock().toSeconds(), "no poll of the locked database in the lock");
    assertTrue(many.memory().allUp());
    assertTrue(many.memory().lastKib() > 0);
    assertTrue(many.memory().scrapesMillis().count() > 0);
    assertEquals(List.of(0.0), Datasets.ensure(dataDir, List.of(plan.parts().get(0))), "the projects are reused");
    assertEquals(0.0, Datasets.ensureUnion(plan.union(dataDir), parts), "the union is reused");

    String table = report.markdown();
    for (String row : new String[] {"| steady poll, 100 changed rows, 5k |", "| steady poll, 0 changed rows |",
        "| steady poll, 100 changed rows, 10k lean |", "| first load, 5k |", "| restart with its state, 5k |",
        "| `--once` with its state after 100 new rows, 5k |", "| state write, 5k |", "| scrape, 8 clients |",
        "| resident memory, 5k,", "| resident memory, 1k, first load as the README runs it (`bin/agent-workflow-exporter`) |",
        "**State file**", "| first load, 1k × 30 tool uses |",
        "| steady poll, 100 invocations, 3,000 tool uses changed, 1k × 30 tool uses |",
        "| steady poll, nothing changed, 1k × 30 tool uses |", "| resident memory, 1k × 30 tool uses,",
        "**Tool uses** (issue 14)", "| first complete scrape, 3 × 1k in one service |",
        "| poll of all 3 with nothing changed |", "| resident memory, 3 × 1k in one service,",
        "| one of 3 databases locked by a writer for 2 s |", "**Many databases** (issue 16)"}) {
      assertTrue(table.contains(row), row + " in\n" + table);
    }
  }

  /**
   * Tool uses; finished ones; those of an invocation; invocations (agent named, not subagent_stop);
   * invocation rows; the highest invocation id before the run's own rows (user_version, since the
   * count of rows equals it when nothing was deleted).
   */
  private static long[] toolTableCounts(Path file) throws Exception {
    try (Connection c = Datasets.connect(file); Statement s = c.createStatement()) {
      long[] counts = new long[6];
      String[] queries = {"SELECT count(*) FROM agent_tool_uses",
          "SELECT count(*) FROM agent_tool_uses WHERE status <> 'started' AND end_time IS NOT NULL",
          "SELECT count(*) FROM agent_tool_uses WHERE agent_invocation_id IS NOT NULL",
          "SELECT count(*) FROM agent_invocations WHERE agent_name IS NOT NULL",
          "SELECT count(*) FROM agent_invocations", "PRAGMA user_version"};
      for (int i = 0; i < queries.length; i++) {
        try (ResultSet rs = s.executeQuery(queries[i])) {
          counts[i] = rs.getLong(1);
        }
      }
      return counts;
    }
  }

  /** Invocation rows, session rows, highest invocation id, and the id recorded at generation. */
  private static long[] tableCounts(Path file) throws Exception {
    try (Connection c = Datasets.connect(file); Statement s = c.createStatement()) {
      long[] counts = new long[4];
      String[] queries = {"SELECT count(*) FROM agent_invocations", "SELECT count(*) FROM sessions",
          "SELECT max(id) FROM agent_invocations", "PRAGMA user_version"};
      for (int i = 0; i < queries.length; i++) {
        try (ResultSet rs = s.executeQuery(queries[i])) {
          counts[i] = rs.getLong(1);
        }
      }
      return counts;
    }
  }
}
