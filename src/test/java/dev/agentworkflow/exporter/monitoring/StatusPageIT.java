package dev.agentworkflow.exporter.monitoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentworkflow.exporter.app.Exporter;
import dev.agentworkflow.exporter.app.ExporterSettings;
import dev.agentworkflow.exporter.demo.DemoDatabase;
import dev.agentworkflow.exporter.demo.LiveActivity;
import dev.agentworkflow.exporter.support.TestSettings;
import dev.agentworkflow.exporter.support.Await;
import dev.agentworkflow.exporter.support.Chromium;
import dev.agentworkflow.exporter.support.Exposition;
import dev.agentworkflow.exporter.support.Scraper;
import dev.agentworkflow.exporter.webconfig.WebConfig;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The status page in a real browser while the demo runs: chromium renders {@code /}, and every
 * figure on it equals the metric it names in a scrape of the same poll. Polls happen only when
 * the test asks for one (the interval is an hour), so none falls between a page and the scrapes
 * around it; that they are of one poll is checked too, by the poll's time and duration on both
 * sides. The page is then loaded again after the demo wrote more, and a screenshot of it is kept
 * as {@code target/status-page.png}.
 */
class StatusPageIT {
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final Path SCREENSHOT = Path.of("target/status-page.png");
  private static final String LAST_SUCCESS = "agent_workflow_exporter_last_poll_success_timestamp_seconds";
  private static final String POLL_DURATION = "agent_workflow_exporter_poll_duration_seconds";
  private static final String ROWS_READ = "agent_workflow_exporter_rows_read_total";

  @TempDir
  Path dir;

  private LiveActivity live;
  private Exporter exporter;
  private Path database;

  @BeforeEach
  void start() throws Exception {
    DemoDatabase demo = new DemoDatabase(dir.resolve("demo/agent_workflow.db"), ZoneId.systemDefault(), new Random(11),
        Clock.systemUTC());
    demo.createOrReuse(DemoDatabase.History.DAY);
    database = demo.path();
    live = demo.startLiveActivity();
    exporter = Exporter.start(new ExporterSettings(database, new InetSocketAddress("127.0.0.1", 0),
        ExporterSettings.DEFAULT_TELEMETRY_PATH, Duration.ofHours(1), Duration.ofHours(6), ZoneId.systemDefault(), 500,
        2000, TestSettings.build("status-page-it"), WebConfig.NONE, Optional.empty()), Clock.systemUTC());
  }

  @AfterEach
  void stop() {
    if (exporter != null) {
      exporter.close();
    }
    if (live != null) {
      live.close();
    }
  }

  @Test
  void theRenderedFiguresAreThoseOfTheMetricsOfTheSamePoll() throws Exception {
    assertTrue(exporter.awaitFirstPoll(WAIT));
    Chromium chromium = new Chromium(dir);
    Scraper scraper = new Scraper(exporter.port());
    String url = "http://127.0.0.1:" + exporter.port() + "/";

    Exposition first = renderedAsScraped(chromium, scraper, url, false);

    // the demo goes on writing; the next poll that reads some of it is shown as the metrics show it
    double rowsBefore = first.sum(ROWS_READ);
    Await.until("a poll that reads what the live demo wrote", WAIT, () -> {
      exporter.pollNow();
      return scraper.metrics().sum(ROWS_READ) > rowsBefore;
    });
    Exposition later = renderedAsScraped(chromium, scraper, url, true);
    assertTrue(later.value(LAST_SUCCESS) > first.value(LAST_SUCCESS));
  }

  /**
   * Loads the page between two scrapes, requires all three to show one poll, and compares each
   * figure with its metric; returns the scrape.
   */
  private Exposition renderedAsScraped(Chromium chromium, Scraper scraper, String url, boolean screenshot)
      throws Exception {
    Exposition before = scraper.metrics();
    String dom = chromium.dom(url);
    if (screenshot) {
      chromium.screenshot(url, SCREENSHOT);
    }
    Exposition m = scraper.metrics();
    assertEquals(before.value(LAST_SUCCESS), m.value(LAST_SUCCESS), "a poll fell between the scrapes");
    assertEquals(before.value(POLL_DURATION), m.value(POLL_DURATION), "a poll fell between the scrapes");

    assertFalse(dom.contains("<script") || dom.contains("<img") || dom.contains("<link") || dom.contains("src="),
        "nothing but the page itself: " + dom);
    assertTrue(dom.contains("<p id=\"state\" class=\"state up\">Database up: the last poll read it.</p>"), dom);

    assertEquals(database.toString(), text(cell(dom, "database-path")));
    assertEquals(1, m.value("agent_workflow_database_info", "path", database.toString()));
    assertEquals("yes", text(cell(dom, "database-up")));
    assertEquals(1, m.value("agent_workflow_database_up"));
    String size = text(cell(dom, "database-size"));
    assertTrue(size.endsWith(" bytes"), size);
    assertEquals(m.value("agent_workflow_database_size_bytes"), number(size.substring(0, size.length() - 6)));

    // the time, to the millisecond, and the duration exactly as the metric has them
    Matcher time = Pattern.compile("<time datetime=\"([^\"]+)\">([^<]+) UTC</time>").matcher(cell(dom, "last-success"));
    assertTrue(time.matches(), cell(dom, "last-success"));
    assertEquals(m.value(LAST_SUCCESS), Instant.parse(time.group(1)).toEpochMilli() / 1000.0);
    assertEquals(time.group(1).replace('T', ' ').replace("Z", ""), time.group(2), "the time shown is the datetime's");
    Matcher duration = Pattern.compile("<data value=\"([^\"]+)\">([0-9.]+) (ms|s)</data>")
        .matcher(cell(dom, "poll-duration"));
    assertTrue(duration.matches(), cell(dom, "poll-duration"));
    double seconds = Double.parseDouble(duration.group(1));
    assertEquals(m.value(POLL_DURATION), seconds);
    double shown = Double.parseDouble(duration.group(2)) / (duration.group(3).equals("ms") ? 1000 : 1);
    assertEquals(seconds, shown, duration.group(3).equals("ms") ? 0.00005 : 0.005, "the rounded figure shown");

    assertEquals(m.value("agent_workflow_exporter_poll_errors_total"), number(text(cell(dom, "poll-errors"))));
    assertEquals(m.sum(ROWS_READ), number(text(cell(dom, "rows-read"))));
    for (String table : List.of("agent_invocations", "agent_tool_uses", "sessions")) {
      assertEquals(m.value(ROWS_READ, "table", table), number(text(cell(dom, "rows-read-" + table))), table);
    }
    assertEquals(m.sum("agent_invocation_total"), number(text(cell(dom, "invocations"))));
    assertEquals(m.value("parallel_executions_current"), number(text(cell(dom, "running"))));
    assertEquals(m.sum("agent_tool_usage_total"), number(text(cell(dom, "tool-uses"))));
    assertEquals(m.value("total_sessions"), number(text(cell(dom, "sessions"))));
    assertEquals(m.value("active_sessions_count"), number(text(cell(dom, "active-sessions"))));
    assertEquals(m.value("total_unique_agents"), number(text(cell(dom, "agents"))));
    List<String> buildInfo = m.seriesOf("agent_workflow_exporter_build_info");
    assertEquals(1, buildInfo.size(), buildInfo.toString());
    assertTrue(buildInfo.get(0).contains("version=\"" + text(cell(dom, "version")) + "\""), buildInfo.get(0));
    assertTrue(m.sum("agent_invocation_total") > 0 && m.sum("agent_tool_usage_total") > 0, "the demo's day is there");
    return m;
  }

  /** The content of the table cell with this id, as the browser serialised it. */
  private static String cell(String dom, String id) {
    Matcher m = Pattern.compile("<td id=\"" + Pattern.quote(id) + "\"[^>]*>(.*?)</td>").matcher(dom);
    assertTrue(m.find(), "no cell " + id + " in " + dom);
    return m.group(1);
  }

  /** What a reader sees of a cell: its text without tags, entities resolved. */
  private static String text(String html) {
    return html.replaceAll("<[^>]*>", "").replace("&nbsp;", "\u00a0").replace("&lt;", "<").replace("&gt;", ">")
        .replace("&quot;", "\"").replace("&#39;", "'").replace("&amp;", "&");
  }

  /** A count as the page shows it, thousands separated by commas. */
  private static double number(String shown) {
    assertTrue(shown.matches("\\d{1,3}(,\\d{3})*"), "a count: " + shown);
    return Long.parseLong(shown.replace(",", ""));
  }
}
