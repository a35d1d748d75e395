package dev.agentworkflow.exporter.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo's tool uses, read back from the database it writes: the tool-operations hook's rows
 * inside the runs of their invocations, and each agent's report agreeing with them.
 */
class DemoToolUsesTest {
  private static final Instant NOW = Instant.parse("2025-08-15T12:00:00Z");
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;

  /** A tool use row, as written. */
  record ToolUse(long id, String sessionId, String agent, Long invocationId, String tool, String input, String output,
      Double duration, String status, String error, int sequence, LocalDateTime start, LocalDateTime end) {}

  /** An invocation row, as written. */
  record Invocation(long id, String sessionId, String agent, LocalDateTime start, LocalDateTime end,
      String rawOutput) {}

  private Path create(String name, long seed, DemoDatabase.History history) throws Exception {
    DemoDatabase demo = new DemoDatabase(dir.resolve(name), ZoneOffset.UTC, new Random(seed),
        Clock.fixed(NOW, ZoneOffset.UTC));
    assertTrue(demo.createOrReuse(history));
    return demo.path();
  }

  @Test
  void eachFinishedInvocationReportsExactlyTheToolUsesWrittenDuringItsRun() throws Exception {
    Path db = create("day.db", 7, DemoDatabase.History.DAY);
    Map<Long, Invocation> invocations = invocations(db);
    Map<Long, List<ToolUse>> byInvocation = new HashMap<>();
    for (ToolUse use : toolUses(db)) {
      if (use.invocationId() != null) {
        byInvocation.computeIfAbsent(use.invocationId(), k -> new ArrayList<>()).add(use);
      }
    }
    int reports = 0;
    for (Invocation invocation : invocations.values()) {
      List<ToolUse> uses = byInvocation.getOrDefault(invocation.id(), List.of());
      for (int i = 0; i < uses.size(); i++) {
        ToolUse use = uses.get(i);
        assertEquals(invocation.sessionId(), use.sessionId());
        assertEquals(invocation.agent(), use.agent());
        assertEquals(i + 1, use.sequence(), "sequence numbers count the run's calls from 1, in order");
        assertTrue(use.start().isAfter(invocation.start()), use + " starts after " + invocation);
        if (i > 0) {
          assertFalse(use.start().isBefore(uses.get(i - 1).end()), "one call after another: " + use);
        }
      }
      if (invocation.end() == null) {
        assertNull(invocation.rawOutput(), "still running at the history's end");
        continue;
      }
      reports++;
      assertFalse(uses.isEmpty(), "every agent calls a tool: " + invocation);
      for (ToolUse use : uses) {
        assertTrue(use.end().isBefore(invocation.end()), use + " ends before " + invocation);
      }
      JsonNode report = JSON.readTree(invocation.rawOutput());
      assertEquals(uses.size(), report.get("totalToolUseCount").intValue(), invocation.rawOutput());
      JsonNode usage = report.get("usage");
      assertEquals(usage.get("input_tokens").intValue() + usage.get("cache_creation_input_tokens").intValue()
          + usage.get("cache_read_input_tokens").intValue() + usage.get("output_tokens").intValue(),
          report.get("totalTokens").intValue(), invocation.rawOutput());
      assertTrue(report.get("totalTokens").intValue() < 200_000, "within the context window: " + invocation);
      assertEquals(usage.get("cache_creation_input_tokens").intValue(),
          usage.get("cache_creation").get("ephemeral_5m_input_tokens").intValue());
      assertEquals(Duration.between(invocation.start(), invocation.end()).toMillis(),
          report.get("totalDurationMs").longValue(), 1, invocation.rawOutput());
      assertTrue(report.get("content").get(0).get("text").textValue().startsWith("## Summary"));
    }
    assertEquals(609, reports, "seed 7's day: every invocation finished by its end");
  }

  @Test
  void toolUsesAreTheHooksRowsWithTheirDurationsErrorsAndDirectCalls() throws Exception {
    Path db = create("day.db", 7, DemoDatabase.History.DAY);
    List<ToolUse> uses = toolUses(db);
    Set<String> tools = new TreeSet<>();
    Map<String, Integer> directSequence = new HashMap<>();
    int errors = 0;
    double longestBash = 0;
    for (ToolUse use : uses) {
      tools.add(use.tool());
      JSON.readTree(use.input()); // valid JSON
      assertEquals(use.agent().equals("direct"), use.invocationId() == null, use.toString());
      if (use.invocationId() == null) {
        int expected = directSequence.merge(use.sessionId(), 1, Integer::sum);
        assertEquals(expected, use.sequence(), "the main session's calls count from 1 per session: " + use);
      }
      if (use.status().equals("started")) { // still running at the history's end
        assertNull(use.end());
        assertNull(use.duration());
        continue;
      }
      assertEquals(ChronoUnit.MICROS.between(use.start(), use.end()) / 1e6, use.duration(), 0.0,
          "the hook's end - start: " + use);
      if (use.status().equals("error")) {
        errors++;
        assertNotNull(use.error(), use.toString());
        assertNull(use.output(), use.toString());
      } else {
        assertEquals("completed", use.status(), use.toString());
        assertNull(use.error(), use.toString());
        JSON.readTree(use.output());
      }
      if (use.tool().equals("Bash")) {
        longestBash = Math.max(longestBash, use.duration());
      }
    }
    assertEquals(Set.of("Bash", "Edit", "Glob", "Grep", "Read", "TodoWrite", "WebFetch", "WebSearch", "Write",
        "mcp__atlassian__getJiraIssue", "mcp__atlassian__searchJiraIssuesUsingJql", "mcp__github__create_pull_request"),
        tools);
    assertEquals(48, directSequence.size(), "the main session of every session calls tools itself");
    assertTrue(errors > 0 && errors < uses.size() / 10, errors + " failed of " + uses.size());
    assertTrue(longestBash > 20, "Bash sometimes takes tens of seconds, longest " + longestBash);
  }

  @Test
  void theBackendDevelopersContextNearsTheWindowAndNoOtherAgentsDoes() throws Exception {
    // What the dashboard's context panel and the AgentContextNearLimit alert show on the demo: with
    // all runs at most 200k tokens, the p95 of the 150k and 200k buckets is above 180k exactly
    // when more than 1 run in 8 is above 150k.
    Map<String, int[]> aboveAndAll = new TreeMap<>();
    for (Invocation invocation : invocations(create("day.db", 7, DemoDatabase.History.DAY)).values()) {
      if (invocation.rawOutput() != null) {
        int tokens = JSON.readTree(invocation.rawOutput()).get("totalTokens").intValue();
        int[] counts = aboveAndAll.computeIfAbsent(invocation.agent(), k -> new int[2]);
        counts[0] += tokens > 150_000 ? 1 : 0;
        counts[1]++;
      }
    }
    Set<String> nearTheWindow = new TreeSet<>();
    aboveAndAll.forEach((agent, counts) -> {
      if (counts[0] * 8 > counts[1]) {
        nearTheWindow.add(agent);
      }
    });
    assertEquals(Set.of("backend-developer"), nearTheWindow, "runs above 150k tokens, of all: "
        + aboveAndAll.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()[0] + "/" + e.getValue()[1])
            .toList());
  }

  @Test
  void theSameSeedWritesTheSameDatabase() throws Exception {
    Path a = create("a.db", 7, DemoDatabase.History.DAY);
    Path b = create("b.db", 7, DemoDatabase.History.DAY);
    for (String table : List.of("sessions", "agent_invocations", "agent_tool_uses")) {
      String all = "SELECT * FROM " + table + " ORDER BY rowid";
      assertEquals(rows(a, all), rows(b, all), table);
    }
  }

  @Test
  void toolUsesChangeNoSessionAndNoInvocationButItsReport() throws Exception {
    // the benchmark's datasets and the big first-load tests are written without tool uses, as before
    Path without = create("without.db", 7, new DemoDatabase.History(Duration.ofHours(24), 48, 0));
    Path with = create("with.db", 7, DemoDatabase.History.DAY);
    String sessions = "SELECT * FROM sessions ORDER BY rowid";
    assertEquals(rows(without, sessions), rows(with, sessions));
    String invocationsButTheirOutput = "SELECT id, timestamp, session_id, event_type, phase, agent_name, agent_type, "
        + "model, prompt, parent_agent, ticket_id, start_time, end_time, duration_seconds, status, error, "
        + "result_summary, raw_input FROM agent_invocations ORDER BY id";
    assertEquals(rows(without, invocationsButTheirOutput), rows(with, invocationsButTheirOutput));
    assertEquals(List.of(List.of("0")), rows(without, "SELECT count(*) FROM agent_tool_uses"));
    assertEquals(List.of(List.of("{\"result\":\"done\"}")),
        rows(without, "SELECT DISTINCT raw_output FROM agent_invocations WHERE raw_output IS NOT NULL"));
  }

  @Test
  void liveSessionsFitTheirToolCallsIntoTheirFasterRuns() {
    // live agents run ten times faster than the history's: their calls are shortened alike
    Random random = new Random(3);
    for (int session = 0; session < 20; session++) {
      Map<Integer, SessionPlan.AgentStarted> started = new HashMap<>();
      Map<Integer, SessionPlan.AgentEnded> ended = new HashMap<>();
      List<SessionPlan.ToolStarted> toolStarts = new ArrayList<>();
      int toolEnds = 0;
      Instant previous = Instant.MIN;
      for (SessionPlan.Event event : SessionPlan.create(random, "live-" + session, NOW, session * 100,
          LiveActivity.LIVE)) {
        assertFalse(event.at().isBefore(previous), "in time order");
        previous = event.at();
        if (event instanceof SessionPlan.AgentStarted e) {
          started.put(e.key(), e);
        } else if (event instanceof SessionPlan.AgentEnded e) {
          ended.put(e.key(), e);
        } else if (event instanceof SessionPlan.ToolStarted e) {
          if (e.invocationKey() != null) {
            assertTrue(started.containsKey(e.invocationKey()) && !ended.containsKey(e.invocationKey()),
                "a call starts while its agent runs: " + e);
          }
          toolStarts.add(e);
        } else if (event instanceof SessionPlan.ToolEnded e) {
          toolEnds++;
          assertTrue(toolStarts.contains(e.start()), "a call ends after it starts");
          if (e.start().invocationKey() != null) {
            assertFalse(ended.containsKey(e.start().invocationKey()), "a call ends before its agent: " + e);
          }
          assertEquals(ChronoUnit.MICROS.between(e.start().at().truncatedTo(ChronoUnit.MICROS),
              e.at().truncatedTo(ChronoUnit.MICROS)) / 1e6, e.durationSeconds(), 0.0);
        }
      }
      assertEquals(toolStarts.size(), toolEnds);
      assertEquals(started.keySet(), ended.keySet());
      for (SessionPlan.AgentEnded e : ended.values()) {
        long calls = toolStarts.stream().filter(s -> Integer.valueOf(e.key()).equals(s.invocationKey())).count();
        assertEquals(calls, readTree(e.rawOutput()).get("totalToolUseCount").longValue());
      }
    }
  }

  private static JsonNode readTree(String json) {
    try {
      return JSON.readTree(json);
    } catch (Exception e) {
      throw new AssertionError(json, e);
    }
  }

  private static Map<Long, Invocation> invocations(Path db) throws Exception {
    Map<Long, Invocation> invocations = new TreeMap<>();
    try (Connection c = connect(db); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT id, session_id, agent_name, start_time, end_time, raw_output "
            + "FROM agent_invocations WHERE agent_name IS NOT NULL")) {
      while (rs.next()) {
        invocations.put(rs.getLong(1), new Invocation(rs.getLong(1), rs.getString(2), rs.getString(3),
            time(rs.getString(4)), time(rs.getString(5)), rs.getString(6)));
      }
    }
    return invocations;
  }

  /** Every tool use, in the order they were written. */
  private static List<ToolUse> toolUses(Path db) throws Exception {
    List<ToolUse> uses = new ArrayList<>();
    try (Connection c = connect(db); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT id, session_id, agent_name, agent_invocation_id, tool_name, tool_input, "
            + "tool_output, duration_seconds, status, error, sequence_number, start_time, end_time, timestamp "
            + "FROM agent_tool_uses ORDER BY id")) {
      while (rs.next()) {
        assertEquals(rs.getString("start_time"), rs.getString("timestamp"));
        Long invocationId = rs.getLong(4);
        if (rs.wasNull()) {
          invocationId = null;
        }
        Double duration = rs.getDouble(8);
        if (rs.wasNull()) {
          duration = null;
        }
        uses.add(new ToolUse(rs.getLong(1), rs.getString(2), rs.getString(3), invocationId, rs.getString(5),
            rs.getString(6), rs.getString(7), duration, rs.getString(9), rs.getString(10), rs.getInt(11),
            time(rs.getString(12)), time(rs.getString(13))));
      }
    }
    assertFalse(uses.isEmpty());
    return uses;
  }

  private static List<List<String>> rows(Path db, String sql) throws Exception {
    List<List<String>> rows = new ArrayList<>();
    try (Connection c = connect(db); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      ResultSetMetaData meta = rs.getMetaData();
      while (rs.next()) {
        List<String> row = new ArrayList<>();
        for (int i = 1; i <= meta.getColumnCount(); i++) {
          row.add(rs.getString(i));
        }
        rows.add(row);
      }
    }
    return rows;
  }

  private static LocalDateTime time(String isoformat) {
    return isoformat == null ? null : LocalDateTime.parse(isoformat);
  }

  private static Connection connect(Path db) throws Exception {
    return DriverManager.getConnection("jdbc:sqlite:file:" + db + "?mode=ro");
  }
}
