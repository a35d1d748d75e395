package dev.agentworkflow.exporter.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentworkflow.exporter.model.AgentFigures;
import dev.agentworkflow.exporter.model.Bounds;
import dev.agentworkflow.exporter.model.CustomResult;
import dev.agentworkflow.exporter.model.DatabaseStatus;
import dev.agentworkflow.exporter.model.HistogramSnapshot;
import dev.agentworkflow.exporter.model.InvocationLabels;
import dev.agentworkflow.exporter.model.PollHistory;
import dev.agentworkflow.exporter.model.PollResult;
import dev.agentworkflow.exporter.model.ProjectPoll;
import dev.agentworkflow.exporter.model.PublishedPolls;
import dev.agentworkflow.exporter.model.Reads;
import dev.agentworkflow.exporter.model.SessionFigures;
import dev.agentworkflow.exporter.model.StateStatus;
import dev.agentworkflow.exporter.model.ToolFigures;
import dev.agentworkflow.exporter.model.ToolUseLabels;
import dev.agentworkflow.exporter.model.WorkflowSnapshot;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The status page as it renders a published poll: each figure exactly, the three states (before
 * the first poll, up, down), values escaped, and one rendering per poll. That the figures equal a
 * scrape of the same poll is checked in a real browser against a real exporter (StatusPageIT).
 */
class LandingPageTest {
  private static final HistogramSnapshot NO_SESSIONS = new HistogramSnapshot(List.of(), List.of(), 0, 0);
  private static final Request GET = new Request("GET", "/", "", true, Map.of());

  private final AtomicReference<Optional<PollResult>> published = new AtomicReference<>(Optional.empty());

  private static WorkflowSnapshot workflow() {
    return new WorkflowSnapshot(
        new AgentFigures(
            Map.of(new InvocationLabels("architect", "planning", "completed", "opus"), 1200L,
                new InvocationLabels("coder", "development", "failed", "sonnet"), 34L,
                new InvocationLabels("other", "other", "other", "other"), 1L),
            Map.of(), Map.of(), Map.of(), Map.of(), Map.of(), Map.of(), Map.of(), 3, 1.5, 2),
        new ToolFigures(Map.of(new ToolUseLabels("coder", "Bash", "success"), 1_000_000L,
            new ToolUseLabels("direct", "Read", "error"), 5L), Map.of(), Map.of()),
        new SessionFigures(1, NO_SESSIONS, 407),
        Bounds.NONE);
  }

  private static PollResult up() {
    return new PollResult(workflow(), new DatabaseStatus(true, OptionalLong.of(4_198_400), Optional.empty()),
        new PollHistory(0.0123456, 2, LAST_SUCCESS),
        new Reads(Map.of("agent_invocations", 2_470L, "agent_tool_uses", 2_000_010L, "sessions", 812L), 0.001,
            Map.of()),
        StateStatus.OFF, CustomResult.NONE);
  }

  private static final Optional<Instant> LAST_SUCCESS = Optional.of(Instant.ofEpochMilli(1_755_259_200_123L));
  private static final Reads NOTHING_READ = new Reads(Map.of(), 0, Map.of());
  private static final PollResult NOTHING_YET = new PollResult(WorkflowSnapshot.empty(NO_SESSIONS), down("no poll yet"),
      new PollHistory(0, 0, Optional.empty()), NOTHING_READ, StateStatus.OFF, CustomResult.NONE);

  private static DatabaseStatus down(String problem) {
    return new DatabaseStatus(false, OptionalLong.empty(), Optional.of(problem));
  }

  /** The polls of one database at {@code path}, one value per poll published, as the exporter publishes them. */
  private Supplier<PublishedPolls> latest(String path) {
    Map<PollResult, PublishedPolls> made = new IdentityHashMap<>();
    return () -> made.computeIfAbsent(published.get().orElse(NOTHING_YET), poll -> PublishedPolls.one(path, poll));
  }

  private String page(String path) {
    LandingPage page = new LandingPage("1.2.3", "/metrics", latest(path), () -> published.get().isPresent());
    Response response = page.answer(GET);
    assertEquals(200, response.status());
    assertEquals("text/html; charset=utf-8", response.headers().get("Content-Type"));
    return new String(response.body(), StandardCharsets.UTF_8);
  }

  /** The content of the cell with this id. */
  private static String cell(String html, String id) {
    Matcher m = Pattern.compile("<td id=\"" + Pattern.quote(id) + "\"[^>]*>(.*?)</td>").matcher(html);
    assertTrue(m.find(), "no cell " + id + " in " + html);
    String content = m.group(1);
    assertFalse(m.find(), "two cells " + id);
    return content;
  }

  @Test
  void everyFigureOfAPollThatReadTheDatabase() {
    published.set(Optional.of(up()));
    String html = page("logs/agent_workflow.db");
    assertTrue(html.contains("<p id=\"state\" class=\"state up\">Database up: the last poll read it.</p>"), html);
    assertEquals("<code>logs/agent_workflow.db</code>", cell(html, "database-path"));
    assertEquals("yes", cell(html, "database-up"));
    assertEquals("4,198,400 bytes", cell(html, "database-size"));
    assertEquals("<time datetime=\"2025-08-15T12:00:00.123Z\">2025-08-15 12:00:00.123 UTC</time>",
        cell(html, "last-success"));
    assertEquals("<data value=\"0.0123456\">12.3 ms</data>", cell(html, "poll-duration"));
    assertEquals("2", cell(html, "poll-errors"));
    assertEquals("2,003,292", cell(html, "rows-read"));
    assertEquals("2,470", cell(html, "rows-read-agent_invocations"));
    assertEquals("2,000,010", cell(html, "rows-read-agent_tool_uses"));
    assertEquals("812", cell(html, "rows-read-sessions"));
    assertEquals("1,235", cell(html, "invocations"));
    assertEquals("2", cell(html, "running"));
    assertEquals("1,000,005", cell(html, "tool-uses"));
    assertEquals("407", cell(html, "sessions"));
    assertEquals("1", cell(html, "active-sessions"));
    assertEquals("3", cell(html, "agents"));
    assertEquals("1.2.3", cell(html, "version"));
    assertTrue(html.contains("<td id=\"invocations\" class=\"n\">1,235</td><td class=\"metric\">"
        + "<code>sum(agent_invocation_total)</code></td>"), "each figure names its metric");
    assertTrue(html.contains("<a href=\"./metrics\">Metrics</a>"), html);
    assertTrue(html.contains("<a href=\"./-/healthy\">Health</a>"), html);
    assertTrue(html.contains("<a href=\"./-/ready\">Readiness</a>"), html);
    assertTrue(html.contains("<code>docs/metrics.md</code>"), html);
    assertFalse(html.contains("<script"), "no scripts");
    assertFalse(html.contains("http:") || html.contains("https:") || html.contains("src="), "nothing from elsewhere");
  }

  @Test
  void beforeTheFirstPollOnlyWhatIsKnownWithoutOne() {
    String html = page("logs/agent_workflow.db");
    assertTrue(html.contains("<p id=\"state\" class=\"state waiting\">Not ready: the first poll of the database has "
        + "not finished.</p>"), html);
    assertEquals("<code>logs/agent_workflow.db</code>", cell(html, "database-path"));
    assertEquals("1.2.3", cell(html, "version"));
    assertFalse(html.contains("id=\"rows-read\""), html);
    assertFalse(html.contains("id=\"database-up\""), html);
  }

  @Test
  void aDatabaseThatCannotBeReadSaysWhyAndKeepsTheLastFigures() {
    PollResult last = up();
    published.set(Optional.of(new PollResult(last.workflow(), down("database is locked"),
        new PollHistory(1.0042, 3, last.history().lastSuccess()), new Reads(last.reads().rows(), 0.001, Map.of()),
        StateStatus.OFF, CustomResult.NONE)));
    String html = page("logs/agent_workflow.db");
    assertTrue(html.contains("<p id=\"state\" class=\"state down\">Database down: database is locked. The figures "
        + "below are those of the last successful poll.</p>"), html);
    assertEquals("no", cell(html, "database-up"));
    assertEquals("unknown", cell(html, "database-size"));
    assertEquals("<data value=\"1.0042\">1.00 s</data>", cell(html, "poll-duration"));
    assertEquals("3", cell(html, "poll-errors"));
    assertEquals("1,235", cell(html, "invocations"));

    published.set(Optional.of(new PollResult(WorkflowSnapshot.empty(NO_SESSIONS),
        down("the database file logs/agent_workflow.db does not exist"), new PollHistory(0.0004, 1, Optional.empty()),
        new Reads(Map.of("agent_invocations", 0L, "agent_tool_uses", 0L, "sessions", 0L), 0, Map.of()),
        StateStatus.OFF, CustomResult.NONE)));
    html = page("logs/agent_workflow.db");
    assertTrue(html.contains("Database down: the database file logs/agent_workflow.db does not exist. No poll has "
        + "read it yet.</p>"), html);
    assertEquals("never", cell(html, "last-success"));
    assertEquals("<data value=\"4.0E-4\">0.4 ms</data>", cell(html, "poll-duration"));
    assertEquals("0", cell(html, "rows-read"));
  }

  @Test
  void valuesAreEscaped() {
    String hostile = "/tmp/<script>alert('x')</script>&\"db\".db";
    PollResult last = up();
    published.set(Optional.of(new PollResult(last.workflow(), down("the database file " + hostile + " does not exist"),
        new PollHistory(0.001, 1, Optional.empty()), NOTHING_READ, StateStatus.OFF, CustomResult.NONE)));
    LandingPage page = new LandingPage("<b>1</b>", "/x\"><script>", latest(hostile), () -> published.get().isPresent());
    String html = new String(page.answer(GET).body(), StandardCharsets.UTF_8);
    assertFalse(html.contains("<script"), html);
    assertFalse(html.contains("<b>"), html);
    String escaped = "/tmp/&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;db&quot;.db";
    assertEquals("<code>" + escaped + "</code>", cell(html, "database-path"));
    assertTrue(html.contains("Database down: the database file " + escaped + " does not exist."), html);
    assertEquals("&lt;b&gt;1&lt;/b&gt;", cell(html, "version"));
    assertTrue(html.contains("<a href=\"./x&quot;&gt;&lt;script&gt;\">Metrics</a>"), html);
  }

  @Test
  void aMetricsPathElsewhereIsLinkedRelativeToThePage() {
    LandingPage page = new LandingPage("1", "/internal/metrics", latest("db"), () -> published.get().isPresent());
    String html = new String(page.answer(GET).body(), StandardCharsets.UTF_8);
    assertTrue(html.contains("<a href=\"./internal/metrics\">Metrics</a> <code>/internal/metrics</code>"), html);
  }

  @Test
  void renderedOncePerPublishedPoll() {
    LandingPage page = new LandingPage("1", "/metrics", latest("db"), () -> published.get().isPresent());
    byte[] waiting = page.answer(GET).body();
    assertSame(waiting, page.answer(GET).body());
    PollResult first = up();
    published.set(Optional.of(first));
    byte[] shown = page.answer(GET).body();
    assertNotSame(waiting, shown);
    assertSame(shown, page.answer(GET).body());
    published.set(Optional.of(new PollResult(first.workflow(),
        new DatabaseStatus(true, OptionalLong.of(4_198_400), Optional.empty()),
        new PollHistory(0.0123456, 2, LAST_SUCCESS), new Reads(first.reads().rows(), 0.001, Map.of()), StateStatus.OFF,
        CustomResult.NONE)));
    assertNotSame(shown, page.answer(GET).body(), "another poll, even with the same figures, is rendered again");
  }

  private String projectsPage(PublishedPolls polls, boolean ready) {
    Response response = new LandingPage("1.2.3", "/metrics", () -> polls, () -> ready).answer(GET);
    return new String(response.body(), StandardCharsets.UTF_8);
  }

  @Test
  void withSeveralDatabasesARowPerProjectSaysWhichIsDownAndWhy() {
    PollResult down = new PollResult(WorkflowSnapshot.empty(NO_SESSIONS),
        down("cannot read /srv/b.db: [SQLITE_NOTADB] file is not a database"),
        new PollHistory(1.0, 4, Optional.empty()), NOTHING_READ, StateStatus.OFF, CustomResult.NONE);
    PublishedPolls polls = new PublishedPolls(List.of(new ProjectPoll("alpha", "/srv/alpha/logs/agent_workflow.db", up()),
        new ProjectPoll("b<eta>", "/srv/b.db", down)), true, 1);
    String html = projectsPage(polls, true);
    assertTrue(html.contains("<p id=\"state\" class=\"state down\">2 databases: 1 up, 1 down.</p>"), html);
    assertTrue(html.contains("<p id=\"clashes\" class=\"state down\">1 found by --db-glob not read"), html);
    assertTrue(html.contains("<tr id=\"project-1\" data-project=\"alpha\"><th>alpha</th><td><code>/srv/alpha/logs/agent_workflow.db"
        + "</code></td>"), html);
    assertEquals("yes", cell(html, "project-1-up"));
    assertEquals("<time datetime=\"2025-08-15T12:00:00.123Z\">2025-08-15 12:00:00.123 UTC</time>",
        cell(html, "project-1-last-success"));
    assertEquals("2", cell(html, "project-1-poll-errors"));
    assertEquals("1,235", cell(html, "project-1-invocations"));
    assertEquals("2", cell(html, "project-1-running"));
    assertEquals("1,000,005", cell(html, "project-1-tool-uses"));
    assertEquals("407", cell(html, "project-1-sessions"));
    assertEquals("", cell(html, "project-1-problem"));
    assertEquals("no", cell(html, "project-2-up"), "a folder's name is escaped wherever it is written");
    assertEquals("never", cell(html, "project-2-last-success"));
    assertEquals("4", cell(html, "project-2-poll-errors"));
    assertEquals("cannot read /srv/b.db: [SQLITE_NOTADB] file is not a database",
        cell(html, "project-2-problem"));
    assertTrue(html.contains("<tr id=\"project-2\" data-project=\"b&lt;eta&gt;\"><th>b&lt;eta&gt;</th>"), html);
    assertFalse(html.contains("<eta>"), html);
    assertEquals("1.2.3", cell(html, "version"));
    assertTrue(html.contains("<a href=\"./metrics\">Metrics</a>"), html);
    assertFalse(html.contains("<script"), "no scripts");

    String all = projectsPage(new PublishedPolls(List.of(new ProjectPoll("alpha", "/a.db", up())), true, 0), true);
    assertTrue(all.contains("<p id=\"state\" class=\"state up\">1 database: 1 up, 0 down.</p>"), all);
    assertFalse(all.contains("id=\"clashes\""), all);

    String none = projectsPage(new PublishedPolls(List.of(), true, 0), true);
    assertTrue(none.contains("<p id=\"state\" class=\"state down\">No database to read: --db-glob finds none now.</p>"),
        none);
  }

  @Test
  void withSeveralDatabasesNoFiguresBeforeEveryFirstPoll() {
    String html = projectsPage(new PublishedPolls(List.of(new ProjectPoll("alpha", "/a.db", up())), true, 0), false);
    assertTrue(html.contains("<p id=\"state\" class=\"state waiting\">Not ready: the first poll of every database "
        + "has not finished.</p>"), html);
    assertTrue(html.contains("<tr id=\"project-1\" data-project=\"alpha\"><th>alpha</th><td><code>/a.db</code></td><td colspan=\"8\">"
        + "</td></tr>"), html);
    assertFalse(html.contains("project-1-up"), html);
  }
}
