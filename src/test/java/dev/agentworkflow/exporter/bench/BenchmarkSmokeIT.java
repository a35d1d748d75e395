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
 * The benchmark's every step on small files: generation, first load against the packaged jar,
 * restarts and {@code --once} with the state file and its writes, steady polls, scrapes, memory,
 * the report, and the files put back as generated. It judges no
 * figure: timing belongs to the full run on a quiet machine.
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

    assertEquals(List.of(0.0, 0.0, 0.0), Datasets.ensure(dataDir, config.datasets()),
        "a second run reuses the generated files");

    String table = report.markdown();
    for (String row : new String[] {"| steady poll, 100 changed rows, 5k |", "| steady poll, 0 changed rows |",
        "| steady poll, 100 changed rows, 10k lean |", "| first load, 5k |", "| restart with its state, 5k |",
        "| `--once` with its state after 100 new rows, 5k |", "| state write, 5k |", "| scrape, 8 clients |",
        "| resident memory, 5k,", "**State file**"}) {
      assertTrue(table.contains(row), row + " in\n" + table);
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
