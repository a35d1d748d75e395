package dev.agentworkflow.exporter.poll;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentworkflow.exporter.app.Exporter;
import dev.agentworkflow.exporter.metrics.WorkflowCollector;
import dev.agentworkflow.exporter.model.HistogramSnapshot;
import dev.agentworkflow.exporter.model.PollResult;
import dev.agentworkflow.exporter.model.ToolLabels;
import dev.agentworkflow.exporter.model.ToolUseLabels;
import dev.agentworkflow.exporter.model.WorkflowSnapshot;
import dev.agentworkflow.exporter.support.HookDatabase;
import dev.agentworkflow.exporter.support.MutableClock;
import dev.agentworkflow.exporter.support.TestSettings;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tool uses ({@code agent_tool_uses}) and what each agent reports ({@code raw_output}), read by the
 * poller from real SQLite files written with the hooks' statements; every expected value is worked
 * out here, by hand or from the list of what was written, not by the exporter's code.
 */
class ToolUsageTest {
  private static final Instant T0 = Instant.parse("2025-08-15T12:00:00Z");
  private static final double[] TOOL_DURATION_BOUNDS = {0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600};
  private static final double[] TOOL_CALL_BOUNDS = {0, 1, 2, 5, 10, 20, 50, 100, 200, 500};
  private static final double[] TOKEN_BOUNDS =
      {1000, 5000, 10000, 25000, 50000, 100000, 150000, 200000, 500000, 1000000};

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
    poller = Exporter.newPoller(TestSettings.of(file), clock);
  }

  @AfterEach
  void tearDown() {
    poller.close();
  }

  private static Instant at(double seconds) {
    return T0.plusMillis((long) (seconds * 1000));
  }

  @Test
  void theHistogramBoundsAreTheIssuesOnes() {
    assertEquals(Arrays.toString(TOOL_DURATION_BOUNDS),
        Arrays.toString(WorkflowCollector.histogramBuckets().toolDuration()));
    assertEquals(Arrays.toString(TOOL_CALL_BOUNDS), Arrays.toString(WorkflowCollector.histogramBuckets().toolCalls()));
    assertEquals(Arrays.toString(TOKEN_BOUNDS), Arrays.toString(WorkflowCollector.histogramBuckets().contextTokens()));
  }

  @Test
  void aToolUseIsCountedOnceWhenItFinishesWithTheLabelsItHadThen() throws Exception {
    long agent = db.startAgent("s1", "development", "backend-developer", at(0));
    long read = db.startTool("s1", "backend-developer", agent, "Read", at(1), 1);
    long bash = db.startTool("s1", "backend-developer", agent, "Bash", at(2), 2);
    long direct = db.startTool("s1", "direct", null, "Grep", at(3), 1);

    WorkflowSnapshot running = poller.poll().workflow();
    assertEquals(Map.of(), running.tools().uses(), "running tool uses count nowhere");
    assertEquals(Map.of(), running.tools().durations());

    db.finishTool(read, at(1.25), "completed", 0.25);
    db.finishTool(bash, at(14), "error", 12.0);
    db.finishTool(direct, at(3.05), "completed", 0.05);
    WorkflowSnapshot done = poller.poll().workflow();
    Map<ToolUseLabels, Long> expectedUses = Map.of(
        new ToolUseLabels("backend-developer", "Read", "completed"), 1L,
        new ToolUseLabels("backend-developer", "Bash", "error"), 1L,
        new ToolUseLabels("direct", "Grep", "completed"), 1L);
    assertEquals(expectedUses, done.tools().uses());
    assertEquals(Map.of(new ToolLabels("backend-developer", "Bash"), 1L), done.tools().errors());
    assertHistogram(TOOL_DURATION_BOUNDS, List.of(0.25), done.tools().durations().get(new ToolLabels("backend-developer", "Read")));
    assertHistogram(TOOL_DURATION_BOUNDS, List.of(12.0), done.tools().durations().get(new ToolLabels("backend-developer", "Bash")));
    assertHistogram(TOOL_DURATION_BOUNDS, List.of(0.05), done.tools().durations().get(new ToolLabels("direct", "Grep")));

    // a second PostToolUse of a counted row, and polls with nothing new: nothing moves
    db.finishTool(read, at(30), "error", 29.0);
    for (int i = 0; i < 3; i++) {
      WorkflowSnapshot again = poller.poll().workflow();
      assertEquals(expectedUses, again.tools().uses());
      assertEquals(1, again.tools().durations().get(new ToolLabels("backend-developer", "Read")).count());
    }
  }

  @Test
  void oddToolRowsFollowTheCountingRules() throws Exception {
    // what other writers leave: each row is (agent, tool, status, start, end, duration as SQL text)
    record Odd(String agent, String tool, String status, String start, String end, String duration,
        String expectedAgent, String expectedTool, String expectedStatus, Double expectedDuration) {}
    List<Odd> odd = List.of(
        new Odd(null, "Read", "completed", "'2025-08-15T14:00:00'", "'2025-08-15T14:00:02'", "NULL",
            "unknown", "Read", "completed", 2.0), // NULL agent; duration from end - start (local time)
        new Odd("", "", "", "'2025-08-15T14:00:00'", "'2025-08-15T14:00:01'", "NULL",
            "unknown", "unknown", "unknown", 1.0), // empty everything; finished by its end time
        new Odd("unknown", "Edit", "FAILED", "NULL", "NULL", "0.3",
            "unknown", "Edit", "FAILED", 0.3), // 'unknown' agents count; FAILED (any case) is an error
        new Odd("tester", "Bash", "started", "'2025-08-15T14:00:00'", "'2025-08-15T14:00:07'", "NULL",
            "tester", "Bash", "started", 7.0), // 'started' with an end time: finished
        new Odd("tester", "Bash", "Timeout", "NULL", "NULL", "'2.5'",
            "tester", "Bash", "Timeout", 2.5), // a duration written as text
        new Odd("tester", "Bash", "completed", "NULL", "NULL", "'fast'",
            "tester", "Bash", "completed", null), // text that is no number: unknown, end - start does not stand in
        new Odd("tester", "Write", "completed", "'2025-08-15T14:00:05'", "'2025-08-15T14:00:00'", "NULL",
            "tester", "Write", "completed", null), // ends before it starts: unknown
        new Odd("tester", "Write", "completed", "NULL", "NULL", "-1",
            "tester", "Write", "completed", null), // negative: unknown
        new Odd("tester", "Write", "completed", "NULL", "NULL", "0",
            "tester", "Write", "completed", 0.0), // zero is a known duration
        new Odd("tester", "Glob", "running", "'2025-08-15T14:00:00'", "NULL", "NULL",
            null, null, null, null)); // still running: nowhere
    try (Connection c = db.connect()) {
      int sequence = 0;
      for (Odd row : odd) {
        try (PreparedStatement one = c.prepareStatement("""
            INSERT INTO agent_tool_uses (session_id, agent_name, tool_name, status, start_time, end_time,
                                         duration_seconds, sequence_number)
            VALUES ('s', ?, ?, ?, %s, %s, %s, ?)
            """.formatted(row.start(), row.end(), row.duration()))) {
          one.setString(1, row.agent());
          one.setString(2, row.tool());
          one.setString(3, row.status());
          one.setInt(4, ++sequence);
          one.executeUpdate();
        }
      }
    }
    // the database's timestamps are local time of the hooks' zone; the poller reads them in it
    WorkflowSnapshot w = poller.poll().workflow();

    Map<ToolUseLabels, Long> uses = new HashMap<>();
    Map<ToolLabels, Long> errors = new HashMap<>();
    Map<ToolLabels, List<Double>> durations = new HashMap<>();
    for (Odd row : odd) {
      if (row.expectedStatus() == null) {
        continue;
      }
      uses.merge(new ToolUseLabels(row.expectedAgent(), row.expectedTool(), row.expectedStatus()), 1L, Long::sum);
      ToolLabels tool = new ToolLabels(row.expectedAgent(), row.expectedTool());
      if (List.of("failed", "error", "timeout").contains(row.expectedStatus().toLowerCase(java.util.Locale.ROOT))) {
        errors.merge(tool, 1L, Long::sum);
      }
      if (row.expectedDuration() != null) {
        durations.computeIfAbsent(tool, t -> new ArrayList<>()).add(row.expectedDuration());
      }
    }
    assertEquals(uses, w.tools().uses());
    assertEquals(errors, w.tools().errors());
    assertEquals(durations.keySet(), w.tools().durations().keySet());
    durations.forEach((tool, observed) -> assertHistogram(TOOL_DURATION_BOUNDS, observed, w.tools().durations().get(tool)));
    assertEquals(1, w.tools().uses().keySet().stream().filter(l -> l.agentName().equals("unknown")
        && l.toolName().equals("Edit")).count());
  }

  @Test
  void whatEachAgentReportsIsObservedOnceOnlyWhenItIsAJsonNumberNotNegative() throws Exception {
    // (raw_output, totalToolUseCount observed, totalTokens observed): null means no observation
    record Report(String rawOutput, Double toolCalls, Double tokens) {}
    String sample = """
        {"content": [{"type": "text", "text": "## Summary ..."}],
         "totalDurationMs": 714259, "totalTokens": 128692, "totalToolUseCount": 97,
         "usage": {"input_tokens": 0, "cache_creation_input_tokens": 5142,
                   "cache_read_input_tokens": 123013,
                   "cache_creation": {"ephemeral_5m_input_tokens": 5142, "ephemeral_1h_input_tokens": 0},
                   "output_tokens": 537, "service_tier": "standard"}}
        """;
    String big = "{\"content\": [{\"type\": \"text\", \"text\": \"" + "x".repeat(1_000_000)
        + "\"}], \"totalToolUseCount\": 12, \"totalTokens\": 190000}";
    List<Report> reports = List.of(
        new Report(sample, 97.0, 128692.0),
        new Report(big, 12.0, 190000.0), // 1 MB: parsed in SQLite, never copied whole
        new Report("{\"totalToolUseCount\": 0, \"totalTokens\": 0}", 0.0, 0.0),
        new Report("{\"totalToolUseCount\": 2.5, \"totalTokens\": 1e308}", 2.5, 1e308), // finite, above every bound
        new Report("{\"totalToolUseCount\": 123456789012345678901234567890, \"totalTokens\": 1e400}",
            1.2345678901234568e29, null), // an integer past 64 bits is a number; 1e400 is no finite one
        new Report("## Summary: not JSON at all", null, null),
        new Report("[{\"totalToolUseCount\": 3, \"totalTokens\": 4}]", null, null), // an array, not an object
        new Report("{\"totalToolUseCount\": \"97\", \"totalTokens\": \"128692\"}", null, null), // strings
        new Report("{\"totalToolUseCount\": true, \"totalTokens\": false}", null, null), // booleans
        new Report("{\"totalToolUseCount\": -1, \"totalTokens\": -128692}", null, null), // negative
        new Report("{\"totalToolUseCount\": null, \"totalTokens\": {\"value\": 5}}", null, null),
        new Report("{\"content\": []}", null, null), // missing fields
        new Report("{\"nested\": {\"totalToolUseCount\": 3, \"totalTokens\": 4}}", null, null), // not top level
        new Report("\"{\\\"totalToolUseCount\\\": 3}\"", null, null), // a JSON string holding JSON
        new Report("{\"totalToolUseCount\": 3, \"totalTokens\": 4", null, null), // cut short: malformed
        new Report("{totalToolUseCount: 3, totalTokens: 4}", null, null), // JSON5 is not JSON
        new Report("", null, null),
        new Report(null, null, null),
        new Report("{\"totalToolUseCount\": 7}", 7.0, null)); // one field only
    List<Long> ids = new ArrayList<>();
    for (Report report : reports) {
      long id = db.startAgent("s1", "review", "reviewer", at(ids.size()));
      ids.add(id);
      db.finishAgent(id, at(ids.size() + 30), "completed", 30.0, "opus", report.rawOutput());
    }
    long blob = db.startAgent("s1", "review", "reviewer", at(100));
    db.execute("UPDATE agent_invocations SET end_time = '2025-08-15T14:05:00', status = 'completed', "
        + "raw_output = X'7B22746F74616C546F6B656E73223A357D' WHERE id = " + blob); // {"totalTokens":5} as a BLOB

    PollResult poll = poller.poll();
    assertTrue(poll.database().up(), "no row's raw_output fails the poll: " + poll.database().problem().orElse(""));
    List<Double> toolCalls = reports.stream().map(Report::toolCalls).filter(v -> v != null).toList();
    List<Double> tokens = reports.stream().map(Report::tokens).filter(v -> v != null).toList();
    assertHistogram(TOOL_CALL_BOUNDS, toolCalls, poll.workflow().agents().toolCallsPerInvocation().get("reviewer"));
    assertHistogram(TOKEN_BOUNDS, tokens, poll.workflow().agents().contextTokens().get("reviewer"));
    assertEquals(reports.size() + 1,
        poll.workflow().agents().invocations().values().stream().mapToLong(Long::longValue).sum());

    // read once, when counted: a second PostToolUse with another report changes nothing
    db.finishAgent(ids.get(0), at(500), "completed", 30.0, "opus", "{\"totalToolUseCount\": 1, \"totalTokens\": 1}");
    long running = db.startAgent("s1", "review", "reviewer", at(600));
    db.execute("UPDATE agent_invocations SET raw_output = '{\"totalToolUseCount\": 5, \"totalTokens\": 5000}' "
        + "WHERE id = " + running); // a report on a row still running: not counted yet, so not observed yet
    WorkflowSnapshot later = poller.poll().workflow();
    assertHistogram(TOOL_CALL_BOUNDS, toolCalls, later.agents().toolCallsPerInvocation().get("reviewer"));
    assertHistogram(TOKEN_BOUNDS, tokens, later.agents().contextTokens().get("reviewer"));
  }

  @Test
  void aDatabaseWithoutTheToolTableOrTheReportColumnHasNoSuchSeriesAndNoError() throws Exception {
    poller.close();
    Path old = dir.resolve("old.db");
    HookDatabase older = HookDatabase.createEmpty(old);
    // hooks from before the tool-operations hook and before raw_output
    older.execute("""
        CREATE TABLE agent_invocations (id INTEGER PRIMARY KEY AUTOINCREMENT, timestamp TIMESTAMP,
            session_id TEXT, event_type TEXT, phase TEXT, agent_name TEXT, model TEXT, start_time TIMESTAMP,
            end_time TIMESTAMP, duration_seconds REAL, status TEXT)
        """);
    older.execute("CREATE TABLE sessions (session_id TEXT PRIMARY KEY, start_time TIMESTAMP, end_time TIMESTAMP, "
        + "status TEXT)");
    older.execute("INSERT INTO agent_invocations (session_id, phase, agent_name, model, start_time, end_time, "
        + "duration_seconds, status) VALUES ('s', 'review', 'reviewer', 'opus', '2025-08-15T14:00:00', "
        + "'2025-08-15T14:00:30', 30, 'completed')");
    poller = Exporter.newPoller(TestSettings.of(old), clock);
    PollResult poll = poller.poll();
    assertTrue(poll.database().up(), poll.database().problem().orElse(""));
    assertEquals(1, poll.workflow().agents().invocations().size());
    assertEquals(Map.of(), poll.workflow().tools().uses());
    assertEquals(Map.of(), poll.workflow().agents().toolCallsPerInvocation());
    assertEquals(Map.of(), poll.workflow().agents().contextTokens());
    assertEquals(0L, poll.reads().rows().get("agent_tool_uses"));

    // the hook installed later: its table appears, and its rows are counted from then on
    HookDatabase.open(old).execute("""
        CREATE TABLE agent_tool_uses (id INTEGER PRIMARY KEY AUTOINCREMENT, timestamp TIMESTAMP, session_id TEXT,
            agent_name TEXT, agent_invocation_id INTEGER, tool_name TEXT, tool_input JSON, tool_output JSON,
            duration_seconds REAL, status TEXT, error TEXT, sequence_number INTEGER, start_time TIMESTAMP,
            end_time TIMESTAMP)
        """);
    long use = HookDatabase.open(old).startTool("s", "reviewer", 1L, "Read", at(40), 1);
    HookDatabase.open(old).finishTool(use, at(41), "completed", 1.0);
    assertEquals(Map.of(new ToolUseLabels("reviewer", "Read", "completed"), 1L),
        poller.poll().workflow().tools().uses());
  }

  @Test
  void aToolTableEmptiedAndMadeAgainKeepsWhatWasCountedAndCountsItsNewRows() throws Exception {
    long a = db.startTool("s1", "direct", null, "Read", at(1), 1);
    db.finishTool(a, at(2), "completed", 1.0);
    long b = db.startTool("s1", "direct", null, "Read", at(3), 2);
    db.finishTool(b, at(4), "completed", 1.0);
    assertEquals(2L, poller.poll().workflow().tools().uses().get(new ToolUseLabels("direct", "Read", "completed")));

    db.execute("DROP TABLE agent_tool_uses");
    try (Connection c = db.connect()) {
      db.hooks().createSchema(c); // the hook creates it again, its ids (and sqlite_sequence) from 1
    }
    long c = db.startTool("s2", "direct", null, "Read", at(10), 1);
    db.finishTool(c, at(11), "completed", 1.0);
    WorkflowSnapshot w = poller.poll().workflow();
    assertEquals(3L, w.tools().uses().get(new ToolUseLabels("direct", "Read", "completed")),
        "the two counted stay counted, the new table's row is counted once");
    assertEquals(3L, poller.poll().workflow().tools().uses().get(new ToolUseLabels("direct", "Read", "completed")));
  }

  @Test
  void aToolTableMissingForAWhileIsNotCountedAgainWhenItIsBack() throws Exception {
    long a = db.startTool("s1", "direct", null, "Read", at(1), 1);
    db.finishTool(a, at(2), "completed", 1.0);
    long b = db.startTool("s1", "direct", null, "Read", at(3), 2);
    db.finishTool(b, at(4), "completed", 1.0);
    long running = db.startTool("s1", "direct", null, "Bash", at(5), 3);
    assertEquals(2, totalToolUses(poller.poll().workflow()));

    db.execute("ALTER TABLE agent_tool_uses RENAME TO agent_tool_uses_migrating"); // a migration, half way
    PollResult whileMissing = poller.poll();
    assertTrue(whileMissing.database().up());
    assertEquals(2, totalToolUses(whileMissing.workflow()));
    db.execute("ALTER TABLE agent_tool_uses_migrating RENAME TO agent_tool_uses");
    db.finishTool(running, at(9), "completed", 4.0); // finished while the table was away

    assertEquals(3, totalToolUses(poller.poll().workflow()), "the two counted once, the running one when it finished");
    assertEquals(3, totalToolUses(poller.poll().workflow()));
  }

  @Test
  void toolUsesWithTheSameColumnsDoNotMakeRowsCountAgainWhenTheNewestIsDeleted() throws Exception {
    // another writer's table: no AUTOINCREMENT, times to the second, no sequence numbers
    db.execute("DROP TABLE agent_tool_uses");
    db.execute("""
        CREATE TABLE agent_tool_uses (id INTEGER PRIMARY KEY, session_id TEXT, agent_name TEXT, tool_name TEXT,
            status TEXT, start_time TIMESTAMP, end_time TIMESTAMP, duration_seconds REAL)
        """);
    for (String tool : List.of("Read", "Grep", "Glob", "Bash", "Edit", "Read")) {
      db.execute("INSERT INTO agent_tool_uses (session_id, agent_name, tool_name, status, start_time, end_time, "
          + "duration_seconds) VALUES ('s', 'tester', '" + tool + "', 'completed', '2025-08-15 14:00:00', "
          + "'2025-08-15 14:00:00', 0.5)");
    }
    assertEquals(6, totalToolUses(poller.poll().workflow()));

    db.execute("DELETE FROM agent_tool_uses WHERE id = 6"); // the newest, whose columns equal row 1's
    assertEquals(6, totalToolUses(poller.poll().workflow()), "rows 2 to 5 are not counted again");
    db.execute("INSERT INTO agent_tool_uses (session_id, agent_name, tool_name, status, start_time, end_time, "
        + "duration_seconds) VALUES ('s', 'tester', 'Write', 'completed', '2025-08-15 14:00:01', "
        + "'2025-08-15 14:00:01', 0.5)"); // id 6 again: a table without AUTOINCREMENT gives it anew
    WorkflowSnapshot w = poller.poll().workflow();
    assertEquals(7, totalToolUses(w), "the new row at the deleted one's id is counted");
    assertEquals(1L, w.tools().uses().get(new ToolUseLabels("tester", "Write", "completed")));
  }

  @Test
  void aToolTableRewrittenInPlaceKeepsWhatWasCountedAndCountsNoRowTwice() throws Exception {
    db.execute("DROP TABLE agent_tool_uses"); // an older hook: no sequence numbers
    db.execute("""
        CREATE TABLE agent_tool_uses (id INTEGER PRIMARY KEY AUTOINCREMENT, session_id TEXT, agent_name TEXT,
            tool_name TEXT, status TEXT, start_time TIMESTAMP, end_time TIMESTAMP, duration_seconds REAL)
        """);
    for (int i = 0; i < 3; i++) {
      db.execute("INSERT INTO agent_tool_uses (session_id, agent_name, tool_name, status, start_time, end_time, "
          + "duration_seconds) VALUES ('s', 'tester', 'Read', 'completed', '2025-08-15T14:00:0" + i + ".5', "
          + "'2025-08-15T14:00:0" + i + ".9', 0.4)");
    }
    assertEquals(3, totalToolUses(poller.poll().workflow()));

    // the newer hook's migration: every row's identity changes, at the same ids
    db.execute("ALTER TABLE agent_tool_uses ADD COLUMN sequence_number INTEGER DEFAULT 0");
    assertEquals(3, totalToolUses(poller.poll().workflow()), "nothing counted again");
    db.execute("INSERT INTO agent_tool_uses (session_id, agent_name, tool_name, status, start_time, end_time, "
        + "duration_seconds, sequence_number) VALUES ('s', 'tester', 'Edit', 'completed', '2025-08-15T14:01:00.5', "
        + "'2025-08-15T14:01:01.5', 1.0, 1)");
    assertEquals(4, totalToolUses(poller.poll().workflow()), "and the rows after it are counted");
  }

  private static long totalToolUses(WorkflowSnapshot w) {
    return w.tools().uses().values().stream().mapToLong(Long::longValue).sum();
  }

  /** The histogram of {@code observed} with upper-inclusive bounds, worked out here. */
  private static void assertHistogram(double[] bounds, List<Double> observed, HistogramSnapshot actual) {
    List<Long> cumulative = new ArrayList<>();
    for (double bound : bounds) {
      cumulative.add(observed.stream().filter(v -> v <= bound).count());
    }
    assertEquals(cumulative, actual.cumulativeCounts(), "buckets");
    assertEquals(observed.size(), actual.count(), "count");
    assertEquals(observed.stream().mapToDouble(Double::doubleValue).sum(), actual.sum(), 1e-9 * Math.max(1,
        Math.abs(actual.sum())), "sum");
  }
}
