package dev.agentworkflow.exporter.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentworkflow.exporter.custom.CustomMetrics;
import dev.agentworkflow.exporter.custom.CustomMetricsFile;
import dev.agentworkflow.exporter.model.CustomFamily;
import dev.agentworkflow.exporter.model.CustomRuns;
import dev.agentworkflow.exporter.model.PollResult;
import dev.agentworkflow.exporter.poll.LoadTurns;
import dev.agentworkflow.exporter.poll.Poller;
import dev.agentworkflow.exporter.support.Exposition;
import dev.agentworkflow.exporter.support.HookDatabase;
import dev.agentworkflow.exporter.support.MutableClock;
import dev.agentworkflow.exporter.support.Scraper;
import dev.agentworkflow.exporter.support.TestSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example configuration (config/custom-metrics.example.yml) over real SQLite files written with
 * the hooks' statements, and by another writer for the columns the hooks leave empty (ticket_id,
 * parent_agent). Every expected value is computed here with plain SQL on the same file, not by the
 * exporter's code: after a first read, after rows finish later, and across a restart.
 */
class CustomMetricsTest {
  private static final Instant T0 = Instant.parse("2025-08-15T12:00:00Z");
  private static final Path EXAMPLE = Path.of("config/custom-metrics.example.yml");
  private static final String FINISHED = """
      (end_time IS NOT NULL
       OR lower(coalesce(status, '')) NOT IN ('', 'started', 'running', 'pending', 'in_progress'))
      """;
  private static final String INVOCATION = "(agent_name IS NOT NULL AND agent_name NOT IN ('', 'unknown'))";
  private static final double[] TOOL_BUCKETS = {0.1, 0.5, 1, 5, 30, 120};

  @TempDir
  Path dir;

  private Path file;
  private HookDatabase db;
  private final MutableClock clock = new MutableClock(T0.plusSeconds(3600));
  private CustomMetrics example;

  @BeforeEach
  void setUp() throws Exception {
    file = dir.resolve("agent_workflow.db");
    db = HookDatabase.create(file);
    example = CustomMetricsFile.read(EXAMPLE, Set.of());
  }

  private Poller poller(CustomMetrics metrics, Path stateFile) {
    var settings = TestSettings.of(file);
    if (stateFile != null) {
      settings = TestSettings.withState(settings, stateFile);
    }
    return Exporter.newPoller(settings.withCustomMetrics(metrics), clock);
  }

  private static Instant at(double seconds) {
    return T0.plusMillis((long) (seconds * 1000));
  }

  @Test
  void everyExampleMetricEqualsPlainSqlOnTheSameFile() throws Exception {
    writeHistory(0);
    try (Poller poller = poller(example, null)) {
      assertExampleEqualsPlainSql(poller.poll(), Map.of());

      // the running rows finish, new ones come, a counted row is read again: each counted once; the
      // query metrics run again a minute later, on their own thread, and the next poll publishes them
      finishRunning();
      writeHistory(1000);
      clock.advance(Duration.ofSeconds(61));
      PollResult started = poller.poll();
      assertExampleEqualsPlainSql(pollOnceQueriesRanAgain(poller, started), Map.of());
      assertExampleEqualsPlainSql(poller.poll(), Map.of());
    }
  }

  /**
   * The same comparison through a real exporter and HTTP: what Prometheus would scrape, series by
   * series, against plain SQL on the file.
   */
  @Test
  void theScrapeShowsWhatPlainSqlCounts() throws Exception {
    writeHistory(0);
    finishRunning();
    try (Exporter exporter = Exporter.start(TestSettings.of(file).withCustomMetrics(example), clock)) {
      exporter.pollNow();
      Exposition scrape = new Scraper(exporter.port()).metrics();
      assertEquals(scraped(ticketInvocations("1"), "ticket_id", "status"),
          scrape.all().entrySet().stream().filter(e -> e.getKey().startsWith("agent_ticket_invocations_total"))
              .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)));
      handoffs("1").forEach((labels, n) -> assertEquals(n, scrape.value("agent_handoffs_total",
          "parent_agent", labels.get(0), "agent_name", labels.get(1)), labels.toString()));
      Map<String, List<Double>> observed = sqlObservations();
      observed.forEach((tool, values) -> {
        assertEquals(values.size(), scrape.value("agent_tool_call_seconds_count", "tool_name", tool), tool);
        assertEquals(values.stream().filter(v -> v <= 0.5).count(),
            scrape.value("agent_tool_call_seconds_bucket", "tool_name", tool, "le", "0.5"), tool);
      });
      assertEquals(1.0, scrape.value("agent_sessions_per_cwd", "cwd", "/home/dev/shop"));
      assertEquals(1.0, scrape.value("agent_sessions_per_cwd", "cwd", "unknown"));
      assertEquals(0.0, scrape.value("agent_workflow_exporter_custom_metric_errors_total", "metric",
          "agent_handoffs_total"));
    }
  }

  /** Plain SQL's counts keyed as the scrape names its series. */
  private static Map<String, Double> scraped(Map<List<String>, Double> counts, String... labels) {
    Map<String, Double> series = new HashMap<>();
    counts.forEach((values, n) -> {
      String[] pairs = new String[2 * labels.length];
      for (int i = 0; i < labels.length; i++) {
        pairs[2 * i] = labels[i];
        pairs[2 * i + 1] = values.get(i);
      }
      series.put(Exposition.key("agent_ticket_invocations_total", pairs), n);
    });
    return series;
  }

  /**
   * The statements a row metric keeps prepared between polls hold no lock: right after a poll a
   * writer that does not wait at all (busy timeout 0) commits, in the rollback journal the hooks use.
   */
  @Test
  void betweenPollsTheExporterHoldsNoLockAWriterWouldWaitFor() throws Exception {
    writeHistory(0);
    try (Poller poller = poller(example, null)) {
      for (int i = 0; i < 3; i++) {
        poller.poll();
        try (Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + file);
            java.sql.Statement s = c.createStatement()) {
          s.execute("PRAGMA busy_timeout = 0");
          s.execute("BEGIN IMMEDIATE");
          s.execute("UPDATE agent_invocations SET status = status WHERE id = 1");
          s.execute("COMMIT"); // SQLITE_BUSY here if a statement of the exporter still held its shared lock
        }
        writeHistory(100 * (i + 1));
      }
    }
  }

  @Test
  void aCountedRowKeepsTheLabelsItHadWhenItWasCounted() throws Exception {
    long id = db.startAgent("s1", "development", "backend-developer", at(0));
    setTicket(id, "T-1", "architect");
    db.finishAgent(id, at(10), "completed", 10.0, "opus");
    try (Poller poller = poller(example, null)) {
      assertEquals(Map.of(List.of("T-1", "completed"), 1.0), values(poller.poll(), "agent_ticket_invocations_total"));
      setTicket(id, "T-2", "planner"); // another writer relabels a counted row: nothing moves
      db.finishAgent(id, at(20), "failed", 20.0, "opus");
      assertEquals(Map.of(List.of("T-1", "completed"), 1.0), values(poller.poll(), "agent_ticket_invocations_total"));
      assertEquals(Map.of(List.of("architect", "backend-developer"), 1.0), values(poller.poll(), "agent_handoffs_total"));
    }
  }

  @Test
  void rowMetricsGoOnExactlyAcrossARestartEvenWhenCountedRowsWereDeleted() throws Exception {
    Path state = dir.resolve("state").resolve("exporter.state");
    Files.createDirectories(state.getParent());
    writeHistory(0);
    Map<String, Map<List<String>, Double>> before;
    try (Poller poller = poller(example, state)) {
      PollResult first = poller.poll();
      before = rowMetricValues(first);
      assertExampleEqualsPlainSql(first, Map.of());
    }
    // while the exporter is down: the finished rows are deleted (a user clears old history), the
    // running ones finish, new ones come. A count from scratch would lose the deleted rows.
    long highestBefore = highestId("agent_invocations");
    long highestToolBefore = highestId("agent_tool_uses");
    Set<Long> runningBefore = runningIds("agent_invocations");
    Set<Long> runningToolsBefore = runningIds("agent_tool_uses");
    db.execute("DELETE FROM agent_invocations WHERE NOT (status = 'started')");
    db.execute("DELETE FROM agent_tool_uses WHERE NOT (status = 'started')");
    finishRunning();
    writeHistory(1000);
    try (Poller poller = poller(example, state)) {
      Map<String, Map<List<String>, Double>> after = rowMetricValues(poller.poll());
      // expected: what was counted before, plus what plain SQL counts among the rows that were
      // running then or are new since
      String newInvocations = "(id > " + highestBefore + " OR id IN " + ids(runningBefore) + ")";
      String newTools = "(id > " + highestToolBefore + " OR id IN " + ids(runningToolsBefore) + ")";
      assertEquals(plus(before.get("agent_ticket_invocations_total"), ticketInvocations(newInvocations)),
          after.get("agent_ticket_invocations_total"));
      assertEquals(plus(before.get("agent_ticket_failures_total"), ticketFailures(newInvocations)),
          after.get("agent_ticket_failures_total"));
      assertEquals(plus(before.get("agent_handoffs_total"), handoffs(newInvocations)), after.get("agent_handoffs_total"));
      assertEquals(plus(before.get("agent_tool_call_seconds"), toolCallCounts(newTools)),
          after.get("agent_tool_call_seconds"));
    }
  }

  @Test
  void aReloadKeepsAMetricWhoseCountingIsTheSameAndCountsAChangedOneAgainFromItsTable() throws Exception {
    writeHistory(0);
    AtomicReference<CustomMetrics> inForce = new AtomicReference<>(example);
    try (Poller poller = Exporter.newPoller(TestSettings.of(file).withCustomMetrics(example), 1,
        Poller.Intake.HERE, LoadTurns.NONE, inForce::get, clock)) {
      Map<List<String>, Double> handoffs = values(poller.poll(), "agent_handoffs_total");
      db.execute("DELETE FROM agent_invocations WHERE status <> 'started'");
      // the help text changes: what was counted stays, though its rows are gone
      inForce.set(CustomMetricsFile.read(write("""
          row_metrics:
            - name: agent_handoffs_total
              help: Hand-offs, in other words
              type: counter
              table: agent_invocations
              finished: >-
                end_time IS NOT NULL
                OR lower(coalesce(status, '')) NOT IN ('', 'started', 'running', 'pending', 'in_progress')
              where: agent_name IS NOT NULL AND agent_name NOT IN ('', 'unknown')
              labels:
                parent_agent: parent_agent
                agent_name: agent_name
          """), Set.of()));
      PollResult kept = poller.poll();
      assertEquals(handoffs, values(kept, "agent_handoffs_total"));
      assertEquals("Hand-offs, in other words", family(kept, "agent_handoffs_total").help());
      assertEquals(List.of("agent_handoffs_total"), kept.custom().families().stream().map(CustomFamily::name).toList());
      // what it counts changes: counted again from the table as it is now
      inForce.set(CustomMetricsFile.read(write("""
          row_metrics:
            - name: agent_handoffs_total
              help: Hand-offs of every row
              type: counter
              table: agent_invocations
              finished: "1"
              labels:
                parent_agent: parent_agent
                agent_name: agent_name
          """), Set.of()));
      assertEquals(sqlCounts("""
          SELECT coalesce(nullif(parent_agent, ''), 'unknown'), coalesce(nullif(agent_name, ''), 'unknown'), count(*)
            FROM agent_invocations GROUP BY 1, 2
          """), values(poller.poll(), "agent_handoffs_total"));
    }
  }

  @Test
  void oddValuesFollowTheRulesOfTheirKind() throws Exception {
    // value: NULL, text, a blob and negative numbers are no increment of a counter; a histogram
    // observes any finite number, negative ones too; labels of NULL or '' read unknown
    db.execute("""
        CREATE TABLE events (id INTEGER PRIMARY KEY, kind TEXT, amount, done INTEGER)""");
    db.execute("""
        INSERT INTO events (kind, amount, done) VALUES
          ('a', 2, 1), ('a', 2.5, 1), ('a', NULL, 1), ('a', 'three', 1), ('a', X'00', 1), ('a', -4, 1),
          (NULL, 1, 1), ('', 1, 1), ('b', 7, 0)""");
    CustomMetrics metrics = CustomMetricsFile.read(write("""
        row_metrics:
          - name: event_amount_total
            help: Amounts
            type: counter
            table: events
            finished: done = 1
            labels: {kind: kind}
            value: amount
          - name: event_amounts
            help: Amounts
            type: histogram
            table: events
            finished: done = 1
            labels: {kind: kind}
            value: amount
            buckets: [0, 2, 5]
        """), Set.of());
    try (Poller poller = poller(metrics, null)) {
      PollResult result = poller.poll();
      assertEquals(Map.of(List.of("a"), 4.5, List.of("unknown"), 2.0), values(result, "event_amount_total"));
      CustomFamily histogram = family(result, "event_amounts");
      assertEquals(2, histogram.histograms().size());
      var a = histogram.histograms().get(0).histogram();
      assertEquals(List.of("a"), histogram.histograms().get(0).labelValues());
      assertEquals(List.of(1L, 2L, 3L), a.cumulativeCounts()); // -4 | 2 | 2.5
      assertEquals(3, a.count());
      assertEquals(0.5, a.sum());
      db.execute("UPDATE events SET done = 1 WHERE kind = 'b'"); // finishes later: counted now
      assertEquals(Map.of(List.of("a"), 4.5, List.of("b"), 7.0, List.of("unknown"), 2.0),
          values(poller.poll(), "event_amount_total"));
      CustomRuns runs = poller.poll().custom().runs().get(0);
      assertEquals(new CustomRuns("event_amount_total", runs.lastRunSeconds(), 0, 0, 10), runs);
    }
  }

  /**
   * Polls until every query metric has run again since {@code before} (each run adds its rows to
   * its rows read), at most for 10 s: a query runs beside the polls, and the poll after it publishes it.
   */
  private static PollResult pollOnceQueriesRanAgain(Poller poller, PollResult before) throws Exception {
    Map<String, Long> rowsBefore = new HashMap<>();
    before.custom().runs().forEach(r -> rowsBefore.put(r.metric(), r.rowsRead()));
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (true) {
      PollResult result = poller.poll();
      boolean ran = result.custom().runs().stream().filter(r -> r.metric().startsWith("agent_session"))
          .allMatch(r -> r.rowsRead() > rowsBefore.get(r.metric()));
      if (ran || System.nanoTime() > deadline) {
        return result;
      }
      Thread.sleep(10);
    }
  }

  /**
   * A table of another writer, without AUTOINCREMENT: emptied and written again, its ids start
   * below those counted. What was counted stays, no row is counted twice, and the rows after those
   * found there are counted.
   */
  @Test
  void idsGoingBackwardsKeepWhatWasCountedAndCountWhatComesAfter() throws Exception {
    db.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, kind TEXT)");
    db.execute("INSERT INTO events (kind) VALUES ('a'), ('a'), ('b'), ('a')");
    CustomMetrics metrics = CustomMetricsFile.read(write("""
        row_metrics:
          - name: events_total
            help: Events
            type: counter
            table: events
            finished: "1"
            labels: {kind: kind}
        """), Set.of());
    try (Poller poller = poller(metrics, null)) {
      assertEquals(Map.of(List.of("a"), 3.0, List.of("b"), 1.0), values(poller.poll(), "events_total"));
      // emptied and seen empty: every row from then on is new
      db.execute("DELETE FROM events");
      assertEquals(Map.of(List.of("a"), 3.0, List.of("b"), 1.0), values(poller.poll(), "events_total"));
      db.execute("INSERT INTO events (kind) VALUES ('c')");
      assertEquals(Map.of(List.of("a"), 3.0, List.of("b"), 1.0, List.of("c"), 1.0),
          values(poller.poll(), "events_total"));
      // emptied and written again between two polls: the rows found there are taken as read
      db.execute("DELETE FROM events");
      db.execute("INSERT INTO events (kind) VALUES ('d')");
      assertEquals(Map.of(List.of("a"), 3.0, List.of("b"), 1.0, List.of("c"), 1.0),
          values(poller.poll(), "events_total"));
      db.execute("INSERT INTO events (kind) VALUES ('e')");
      assertEquals(Map.of(List.of("a"), 3.0, List.of("b"), 1.0, List.of("c"), 1.0, List.of("e"), 1.0),
          values(poller.poll(), "events_total"));
    }
  }

  /**
   * The label limit applies to user-defined metrics: past --max-label-values distinct values a
   * label reads other, for row metrics (counted there) and query metrics (rows added up there).
   */
  @Test
  void theLabelLimitAppliesToRowAndQueryMetrics() throws Exception {
    db.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, kind TEXT)");
    db.execute("INSERT INTO events (kind) VALUES ('a'), ('b'), ('a'), ('c'), ('d'), ('d')");
    CustomMetrics metrics = CustomMetricsFile.read(write("""
        row_metrics:
          - name: events_total
            help: Events
            type: counter
            table: events
            finished: "1"
            labels: {kind: kind}
        query_metrics:
          - name: events_now
            help: Events in the table
            type: gauge
            query: SELECT kind, count(*) AS n FROM events GROUP BY kind ORDER BY kind
            key_labels: [kind]
            value: n
        """), Set.of());
    var base = TestSettings.of(file);
    var twoValues = new dev.agentworkflow.exporter.app.ExporterSettings(base.databasePath(), base.listen(),
        base.telemetryPath(), base.interval(), base.staleAfter(), base.timezone(), 2, base.maxSeries(), base.build(),
        base.web(), base.stateFile()).withCustomMetrics(metrics);
    try (Poller poller = Exporter.newPoller(twoValues, clock)) {
      PollResult result = poller.poll();
      assertEquals(Map.of(List.of("a"), 2.0, List.of("b"), 1.0, List.of("other"), 3.0), values(result, "events_total"));
      assertEquals(Map.of(List.of("a"), 2.0, List.of("b"), 1.0, List.of("other"), 3.0), values(result, "events_now"));
    }
  }

  /**
   * A table missing for a poll (renamed while a migration runs) says nothing of its rows: when it is
   * back, nothing counted is counted again.
   */
  @Test
  void aTableMissingForAMomentIsNotCountedAgainWhenItIsBack() throws Exception {
    db.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, kind TEXT)");
    db.execute("INSERT INTO events (kind) VALUES ('a'), ('b')");
    CustomMetrics metrics = CustomMetricsFile.read(write("""
        row_metrics:
          - name: events_total
            help: Events
            type: counter
            table: events
            finished: "1"
            labels: {kind: kind}
        """), Set.of());
    try (Poller poller = poller(metrics, null)) {
      assertEquals(Map.of(List.of("a"), 1.0, List.of("b"), 1.0), values(poller.poll(), "events_total"));
      db.execute("ALTER TABLE events RENAME TO events_during_migration");
      PollResult missing = poller.poll();
      assertEquals(Map.of(List.of("a"), 1.0, List.of("b"), 1.0), values(missing, "events_total"));
      assertEquals(0, missing.custom().runs().get(0).errors(), "a missing table is no error");
      db.execute("ALTER TABLE events_during_migration RENAME TO events");
      db.execute("INSERT INTO events (kind) VALUES ('c')");
      assertEquals(Map.of(List.of("a"), 1.0, List.of("b"), 1.0, List.of("c"), 1.0),
          values(poller.poll(), "events_total"));
    }
  }

  /**
   * An expression that fails on one row (json_extract of text that is not JSON) stops its metric at
   * that row, counted and logged; once the row is fixed the metric goes on (the statements SQLite's
   * driver dropped after the failure are prepared again).
   */
  @Test
  void aMetricStoppedByARowThatBreaksItsExpressionGoesOnOnceTheRowIsFixed() throws Exception {
    db.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, payload TEXT)");
    // the broken row first: its statement fails at its first step, after which the driver drops it
    db.execute("INSERT INTO events (payload) VALUES ('not json'), ('{\"n\": 2}'), ('{\"n\": 3}')");
    CustomMetrics metrics = CustomMetricsFile.read(write("""
        row_metrics:
          - name: event_n_total
            help: The n of each event
            type: counter
            table: events
            finished: "1"
            value: json_extract(payload, '$.n')
        """), Set.of());
    try (Poller poller = poller(metrics, null)) {
      PollResult stopped = poller.poll();
      assertEquals(1, stopped.custom().runs().get(0).errors());
      assertEquals(Map.of(), values(stopped, "event_n_total"), "the first chunk failed whole: nothing counted");
      assertEquals(2, poller.poll().custom().runs().get(0).errors(), "still stopped at the row, counted again");
      db.execute("UPDATE events SET payload = '{\"n\": 0}' WHERE id = 1");
      PollResult fixed = poller.poll();
      assertEquals(Map.of(List.of(), 5.0), values(fixed, "event_n_total"));
      assertEquals(2, fixed.custom().runs().get(0).errors());
    }
  }

  /**
   * A reload that changes only a query metric's help keeps its last run's series; one that changes
   * its query shows none until it has run again.
   */
  @Test
  void aReloadKeepsTheSeriesOfAQueryWhoseReadingIsTheSame() throws Exception {
    writeHistory(0);
    String query = """
        query_metrics:
          - name: sessions_now
            help: %s
            type: gauge
            query: %s
            value: n
            interval: 1h
        """;
    AtomicReference<CustomMetrics> inForce = new AtomicReference<>(CustomMetricsFile.read(
        write(query.formatted("Sessions", "SELECT count(*) AS n FROM sessions")), Set.of()));
    try (Poller poller = Exporter.newPoller(TestSettings.of(file), 1, Poller.Intake.HERE, LoadTurns.NONE, inForce::get, clock)) {
      assertEquals(Map.of(List.of(), 2.0), values(poller.poll(), "sessions_now"));
      inForce.set(CustomMetricsFile.read(write("# a comment moves every line\n"
          + query.formatted("Sessions, said otherwise", "SELECT count(*) AS n FROM sessions")), Set.of()));
      PollResult kept = poller.poll();
      assertEquals(Map.of(List.of(), 2.0), values(kept, "sessions_now"));
      assertEquals("Sessions, said otherwise", family(kept, "sessions_now").help());
      inForce.set(CustomMetricsFile.read(write(query.formatted("Sessions", "SELECT 10 * count(*) AS n FROM sessions")),
          Set.of()));
      PollResult rerun = poller.poll(); // starts the changed query; the poll after it publishes it
      assertTrue(Map.of(List.of(), 20.0).equals(values(rerun, "sessions_now"))
          || values(rerun, "sessions_now").isEmpty(), "no series of the old query: " + values(rerun, "sessions_now"));
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (!values(poller.poll(), "sessions_now").equals(Map.of(List.of(), 20.0)) && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertEquals(Map.of(List.of(), 20.0), values(poller.poll(), "sessions_now"));
    }
  }

  // ---- what the test writes ----

  /** Sessions, invocations and tool uses, some finished and some running, with odd values among them. */
  private void writeHistory(double t) throws Exception {
    String s1 = "s-" + (int) t + "-1";
    String s2 = "s-" + (int) t + "-2";
    try (Connection c = db.connect()) {
      db.hooks().startSession(c, s1, at(t), "/home/dev/shop", "{}");
      db.hooks().startSession(c, s2, at(t + 1), t == 0 ? null : "", "{}");
    }
    long a1 = db.startAgent(s1, "requirements", "jira-analyst", at(t + 2));
    long a2 = db.startAgent(s1, "development", "backend-developer", at(t + 3));
    long a3 = db.startAgent(s2, "review", "security-reviewer", at(t + 4));
    long a4 = db.startAgent(s2, "review", "unknown", at(t + 5)); // not an invocation
    long a5 = db.startAgent(s2, "development", "test-developer", at(t + 6)); // stays running
    db.subagentStop(s1, at(t + 7));
    setTicket(a1, "T-1", null);
    setTicket(a2, "T-1", "jira-analyst");
    setTicket(a3, "", "backend-developer");
    setTicket(a5, "T-2", "backend-developer");
    db.finishAgent(a1, at(t + 20), "completed", 18.0, "opus");
    db.finishAgent(a2, at(t + 40), "failed", 37.0, "sonnet");
    db.finishAgent(a3, at(t + 50), "ERROR", null, "sonnet");
    db.finishAgent(a4, at(t + 55), "completed", 50.0, "sonnet");
    long r = db.startTool(s1, "backend-developer", a2, "Read", at(t + 10), 1);
    long b = db.startTool(s1, "backend-developer", a2, "Bash", at(t + 11), 2);
    long g = db.startTool(s2, "direct", null, "Grep", at(t + 12), 1);
    long e = db.startTool(s2, "security-reviewer", a3, "Edit", at(t + 13), 1);
    db.startTool(s2, "test-developer", a5, "Bash", at(t + 14), 1); // stays running
    db.finishTool(r, at(t + 10.2), "completed", 0.2);
    db.finishTool(b, at(t + 70), "error", 59.0);
    db.finishTool(g, at(t + 12.05), "completed", null);
    db.finishTool(e, at(t + 14), "completed", 1.0);
    db.execute("UPDATE agent_tool_uses SET duration_seconds = 'slow' WHERE id = " + e); // text: no observation
  }

  private void finishRunning() throws Exception {
    for (long id : runningIds("agent_invocations")) {
      db.finishAgent(id, at(500), "timeout", 400.0, "opus");
    }
    for (long id : runningIds("agent_tool_uses")) {
      db.finishTool(id, at(500), "completed", 3.0);
    }
  }

  /** Another writer fills the columns the hooks leave empty. */
  private void setTicket(long id, String ticket, String parent) throws Exception {
    try (Connection c = db.connect();
        PreparedStatement s = c.prepareStatement("UPDATE agent_invocations SET ticket_id = ?, parent_agent = ? WHERE id = ?")) {
      s.setString(1, ticket);
      s.setString(2, parent);
      s.setLong(3, id);
      s.executeUpdate();
    }
  }

  private Path write(String yaml) throws Exception {
    Path config = Files.createTempFile(dir, "metrics", ".yml");
    Files.writeString(config, yaml);
    return config;
  }

  // ---- plain SQL, as a user would count ----

  private void assertExampleEqualsPlainSql(PollResult result, Map<String, Object> unused) throws Exception {
    assertEquals(ticketInvocations("1"), values(result, "agent_ticket_invocations_total"));
    assertEquals(ticketFailures("1"), values(result, "agent_ticket_failures_total"));
    assertEquals(handoffs("1"), values(result, "agent_handoffs_total"));
    assertEquals(toolCallCounts("1"), rowMetricValues(result).get("agent_tool_call_seconds"));
    CustomFamily durations = family(result, "agent_tool_call_seconds");
    Map<String, List<Double>> observed = sqlObservations();
    assertEquals(observed.keySet().stream().sorted().map(List::of).toList(),
        durations.histograms().stream().map(CustomFamily.HistogramSeries::labelValues).toList());
    for (CustomFamily.HistogramSeries series : durations.histograms()) {
      List<Double> values = observed.get(series.labelValues().get(0));
      List<Long> cumulative = new ArrayList<>();
      for (double bound : TOOL_BUCKETS) {
        cumulative.add(values.stream().filter(v -> v <= bound).count());
      }
      assertEquals(cumulative, series.histogram().cumulativeCounts(), series.labelValues().toString());
      assertEquals(values.size(), series.histogram().count());
      assertEquals(values.stream().mapToDouble(Double::doubleValue).sum(), series.histogram().sum(), 1e-9);
    }
    assertEquals(sqlCounts("""
        SELECT session_id, count(*) FROM agent_tool_uses
         WHERE id IN (SELECT id FROM agent_tool_uses ORDER BY id DESC LIMIT 5000) GROUP BY session_id
        """), values(result, "agent_session_recent_tool_uses"));
    assertEquals(sqlCounts("""
        SELECT coalesce(nullif(cwd, ''), 'unknown'), count(*) FROM sessions GROUP BY 1
        """), values(result, "agent_sessions_per_cwd"));
    for (CustomRuns runs : result.custom().runs()) {
      assertEquals(0, runs.errors(), runs.toString());
    }
  }

  private Map<List<String>, Double> ticketInvocations(String rows) throws Exception {
    return sqlCounts("SELECT coalesce(nullif(ticket_id, ''), 'unknown'), coalesce(nullif(status, ''), 'unknown'), "
        + "count(*) FROM agent_invocations WHERE " + FINISHED + " AND " + INVOCATION + " AND " + rows
        + " GROUP BY 1, 2");
  }

  private Map<List<String>, Double> ticketFailures(String rows) throws Exception {
    return sqlCounts("SELECT coalesce(nullif(ticket_id, ''), 'unknown'), count(*) FROM agent_invocations WHERE "
        + FINISHED + " AND " + INVOCATION + " AND lower(status) IN ('failed', 'error', 'timeout') AND " + rows
        + " GROUP BY 1");
  }

  private Map<List<String>, Double> handoffs(String rows) throws Exception {
    return sqlCounts("SELECT coalesce(nullif(parent_agent, ''), 'unknown'), agent_name, count(*) FROM "
        + "agent_invocations WHERE " + FINISHED + " AND " + INVOCATION + " AND " + rows + " GROUP BY 1, 2");
  }

  /** Observations per tool: its count, as rowMetricValues gives a histogram's. */
  private Map<List<String>, Double> toolCallCounts(String rows) throws Exception {
    return sqlCounts("SELECT coalesce(nullif(tool_name, ''), 'unknown'), count(*) FROM agent_tool_uses WHERE "
        + FINISHED + " AND typeof(duration_seconds) IN ('integer', 'real') AND " + rows + " GROUP BY 1");
  }

  private Map<String, List<Double>> sqlObservations() throws Exception {
    Map<String, List<Double>> observed = new HashMap<>();
    try (Connection c = db.connect(); PreparedStatement s = c.prepareStatement("SELECT tool_name, duration_seconds "
        + "FROM agent_tool_uses WHERE " + FINISHED + " AND typeof(duration_seconds) IN ('integer', 'real')");
        ResultSet rs = s.executeQuery()) {
      while (rs.next()) {
        observed.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getDouble(2));
      }
    }
    return observed;
  }

  /** The rows of {@code sql}: label columns, then a count, as a map. */
  private Map<List<String>, Double> sqlCounts(String sql) throws Exception {
    Map<List<String>, Double> counts = new HashMap<>();
    try (Connection c = db.connect(); PreparedStatement s = c.prepareStatement(sql); ResultSet rs = s.executeQuery()) {
      int columns = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        List<String> labels = new ArrayList<>();
        for (int i = 1; i < columns; i++) {
          labels.add(rs.getString(i));
        }
        counts.put(labels, rs.getDouble(columns));
      }
    }
    return counts;
  }

  private long highestId(String table) throws Exception {
    return sqlCounts("SELECT max(id) FROM " + table).values().iterator().next().longValue();
  }

  private Set<Long> runningIds(String table) throws Exception {
    Set<Long> ids = new java.util.TreeSet<>();
    try (Connection c = db.connect(); PreparedStatement s = c.prepareStatement("SELECT id FROM " + table
        + " WHERE status = 'started' AND (" + (table.equals("agent_invocations") ? INVOCATION : "1") + ")");
        ResultSet rs = s.executeQuery()) {
      while (rs.next()) {
        ids.add(rs.getLong(1));
      }
    }
    return ids;
  }

  private static String ids(Set<Long> ids) {
    return "(" + String.join(", ", ids.stream().map(String::valueOf).toList()) + ")";
  }

  private static Map<List<String>, Double> plus(Map<List<String>, Double> a, Map<List<String>, Double> b) {
    Map<List<String>, Double> sum = new HashMap<>(a);
    b.forEach((k, v) -> sum.merge(k, v, Double::sum));
    return sum;
  }

  // ---- what the poll published ----

  private static CustomFamily family(PollResult result, String name) {
    return result.custom().families().stream().filter(f -> f.name().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no family " + name + " in " + result.custom().families()));
  }

  /** A counter's or gauge's series, or a histogram's counts, by label values. */
  private static Map<List<String>, Double> values(PollResult result, String name) {
    CustomFamily family = family(result, name);
    Map<List<String>, Double> values = new HashMap<>();
    family.values().forEach(s -> values.put(s.labelValues(), s.value()));
    family.histograms().forEach(s -> values.put(s.labelValues(), (double) s.histogram().count()));
    return values;
  }

  private static Map<String, Map<List<String>, Double>> rowMetricValues(PollResult result) {
    Map<String, Map<List<String>, Double>> all = new HashMap<>();
    for (CustomFamily family : result.custom().families()) {
      all.put(family.name(), values(result, family.name()));
    }
    return all;
  }

  static {
    assertTrue(Arrays.stream(TOOL_BUCKETS).allMatch(b -> b > 0));
  }
}
