package dev.agentworkflow.exporter.http;

import dev.agentworkflow.exporter.model.DatabaseStatus;
import dev.agentworkflow.exporter.model.PollHistory;
import dev.agentworkflow.exporter.model.PollResult;
import dev.agentworkflow.exporter.model.PublishedPolls;
import dev.agentworkflow.exporter.model.WorkflowSnapshot;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * {@code /}: the status page. Whether the database is up, when it was last read and how long the
 * last poll took, what was read and counted, the version, and links. Every figure comes from the
 * published poll that {@code /metrics} renders, never from the poller or the database, and each
 * row names its metric, so the page and a scrape of the same poll agree (docs/monitoring.md, "The
 * status page"). Plain HTML with a little inline CSS: no scripts, nothing loaded from elsewhere,
 * every value escaped. Rendered once per published poll and kept, as the exposition is.
 *
 * <pre>{@code
 * LandingPage page = new LandingPage("1.0", "/metrics", polling::latest, polling::ready);
 * Response response = page.answer(request);
 * }</pre>
 */
final class LandingPage {
  /** The metric reference: the project has no public address to link to yet, so the page names the file. */
  static final String METRICS_REFERENCE = "docs/metrics.md";

  static final DateTimeFormatter SHOWN_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS 'UTC'", Locale.ROOT).withZone(ZoneOffset.UTC);
  /** To the millisecond, as the metric has it, even when that is .000 ({@link Instant#toString()} would drop it). */
  static final DateTimeFormatter MACHINE_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);
  private static final String STYLE = """
      body{font-family:system-ui,sans-serif;color:#222;max-width:62em;margin:1.5em auto;padding:0 1em}
      h1{font-size:1.6em;margin-bottom:.3em}
      .state{padding:.6em .9em;border-radius:4px;font-weight:600}
      .up{background:#e2f3df;color:#1d5718}
      .down{background:#fbe2df;color:#8a1c12}
      .waiting{background:#fff3d4;color:#684c00}
      table{border-collapse:collapse;margin:1em 0}
      th,td{text-align:left;padding:.3em 1.2em .3em 0;border-bottom:1px solid #ddd;vertical-align:baseline}
      tbody th{white-space:nowrap}
      thead th{border-bottom:2px solid #bbb}
      th.part{font-weight:normal;padding-left:1.2em}
      td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
      td.metric{color:#555;font-size:.85em}
      #database-path{word-break:break-all;max-width:24em}
      """;

  private final String version;
  private final String metricsPath;
  private final Supplier<PublishedPolls> latest;
  private final BooleanSupplier ready;
  private final AtomicReference<Rendered> rendered = new AtomicReference<>();

  /** The page as last rendered, and the polls it shows, before or after every first poll finished. */
  private record Rendered(PublishedPolls from, boolean ready, byte[] page) {}

  /**
   * @param metricsPath where the metrics are served, e.g. {@code /metrics}; linked relative to the page
   * @param latest the polls {@code /metrics} shows
   * @param ready whether every database's first poll has finished; until then no figures are shown
   */
  LandingPage(String version, String metricsPath, Supplier<PublishedPolls> latest, BooleanSupplier ready) {
    this.version = version;
    this.metricsPath = metricsPath;
    this.latest = latest;
    this.ready = ready;
  }

  /**
   * The metrics' path as a link relative to {@code /}, so that it works behind a proxy's prefix:
   * "./" first, so that no path is read as a scheme ({@code /a:b}) or a host ({@code //x}).
   */
  static String link(String metricsPath) {
    return "." + metricsPath;
  }

  Response answer(Request request) {
    boolean isReady = ready.getAsBoolean(); // before latest: a poll published in between is shown, not lost
    PublishedPolls polls = latest.get();
    Rendered last = rendered.get();
    if (last == null || last.from() != polls || last.ready() != isReady) {
      String html = polls.labelled() ? ProjectsPage.render(version, metricsPath, polls, isReady)
          : render(polls.projects().isEmpty() ? "" : polls.projects().get(0).path(),
              isReady && !polls.projects().isEmpty() ? polls.only() : null);
      last = new Rendered(polls, isReady, html.getBytes(StandardCharsets.UTF_8));
      rendered.set(last);
    }
    return new Response(200, Map.of("Content-Type", "text/html; charset=utf-8"), last.page());
  }

  private String render(String databasePath, PollResult poll) {
    StringBuilder html = head();
    html.append(state(poll));
    html.append("<table>\n<thead><tr><th>What</th><th>Value</th><th>Metric</th></tr></thead>\n<tbody>\n");
    row(html, "Database", "database-path", "", "<code>" + escape(databasePath) + "</code>",
        "agent_workflow_database_info{path}");
    if (poll != null) {
      figures(html, poll);
    }
    row(html, "Version", "version", "", escape(version), "agent_workflow_exporter_build_info{version}");
    html.append("</tbody>\n</table>\n");
    return links(html, metricsPath);
  }

  /** The page up to and with its heading. */
  static StringBuilder head() {
    StringBuilder html = new StringBuilder(4096);
    html.append("""
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Agent Workflow Exporter</title>
        <style>
        """).append(STYLE).append("""
        </style>
        </head>
        <body>
        <h1>Agent Workflow Exporter</h1>
        """);
    return html;
  }

  /** The links and the end of the page. */
  static String links(StringBuilder html, String metricsPath) {
    String metricsLink = escape(link(metricsPath));
    html.append("<ul id=\"links\">\n")
        .append("<li><a href=\"").append(metricsLink).append("\">Metrics</a> <code>").append(escape(metricsPath))
        .append("</code></li>\n")
        .append("<li><a href=\"./-/healthy\">Health</a> <code>/-/healthy</code>: 200 while the exporter runs</li>\n")
        .append("<li><a href=\"./-/ready\">Readiness</a> <code>/-/ready</code>: 200 once the first poll has finished"
            + "</li>\n")
        .append("</ul>\n")
        .append("<p>What each metric means and when it changes: <code>").append(METRICS_REFERENCE)
        .append("</code>, in the source tree and the release archive.</p>\n")
        .append("</body>\n</html>\n");
    return html.toString();
  }

  private static String state(PollResult poll) {
    if (poll == null) {
      return "<p id=\"state\" class=\"state waiting\">Not ready: the first poll of the database has not finished."
          + "</p>\n";
    }
    if (poll.database().up()) {
      return "<p id=\"state\" class=\"state up\">Database up: the last poll read it.</p>\n";
    }
    String problem = poll.database().problem().orElse("the last poll could not read it");
    if (problem.endsWith(".")) {
      problem = problem.substring(0, problem.length() - 1);
    }
    String figures = poll.history().lastSuccess().isEmpty()
        ? "No poll has read it yet." : "The figures below are those of the last successful poll.";
    return "<p id=\"state\" class=\"state down\">Database down: " + escape(problem) + ". " + figures + "</p>\n";
  }

  private static void figures(StringBuilder html, PollResult poll) {
    WorkflowSnapshot w = poll.workflow();
    DatabaseStatus database = poll.database();
    row(html, "Database up", "database-up", "", database.up() ? "yes" : "no", "agent_workflow_database_up");
    row(html, "Database size", "database-size", "n", database.sizeBytes().isEmpty() ? "unknown"
        : count(database.sizeBytes().getAsLong()) + " bytes", "agent_workflow_database_size_bytes");
    PollHistory history = poll.history();
    String when = history.lastSuccess()
        .map(at -> "<time datetime=\"" + MACHINE_TIME.format(at) + "\">" + SHOWN_TIME.format(at) + "</time>")
        .orElse("never");
    row(html, "Last successful poll", "last-success", "", when,
        "agent_workflow_exporter_last_poll_success_timestamp_seconds");
    row(html, "Last poll took", "poll-duration", "n", "<data value=\"" + history.lastDurationSeconds() + "\">"
        + duration(history.lastDurationSeconds()) + "</data>", "agent_workflow_exporter_poll_duration_seconds");
    row(html, "Failed polls", "poll-errors", "n", count(history.errors()),
        "agent_workflow_exporter_poll_errors_total");
    Map<String, Long> rowsRead = poll.reads().rows();
    row(html, "Rows read", "rows-read", "n", count(sum(rowsRead)), "sum(agent_workflow_exporter_rows_read_total)");
    new TreeMap<>(rowsRead).forEach((table, rows) -> headedRow(html, "<th class=\"part\">from " + escape(table)
        + "</th>", "rows-read-" + escape(table), "n", count(rows), "agent_workflow_exporter_rows_read_total{table=\""
            + escape(table) + "\"}"));
    row(html, "Invocations finished", "invocations", "n", count(sum(w.agents().invocations())),
        "sum(agent_invocation_total)");
    row(html, "Invocations running", "running", "n", count(w.agents().parallelExecutions()),
        "parallel_executions_current");
    row(html, "Tool uses finished", "tool-uses", "n", count(sum(w.tools().uses())), "sum(agent_tool_usage_total)");
    row(html, "Sessions", "sessions", "n", count(w.sessions().total()), "total_sessions");
    row(html, "Sessions active", "active-sessions", "n", count(w.sessions().active()), "active_sessions_count");
    row(html, "Agents", "agents", "n", count(w.agents().uniqueAgents()), "total_unique_agents");
  }

  /** One figure: what it is, its value (HTML, escaped already) and the metric that has the same value. */
  private static void row(StringBuilder html, String what, String id, String cssClass, String value, String metric) {
    headedRow(html, "<th>" + what + "</th>", id, cssClass, value, metric);
  }

  /** A figure whose header cell is given whole. */
  private static void headedRow(StringBuilder html, String header, String id, String cssClass, String value,
      String metric) {
    html.append("<tr>").append(header).append("<td id=\"").append(id).append('"')
        .append(cssClass.isEmpty() ? "" : " class=\"" + cssClass + "\"").append('>').append(value)
        .append("</td><td class=\"metric\"><code>").append(escape(metric)).append("</code></td></tr>\n");
  }

  static long sum(Map<?, Long> counts) {
    long total = 0;
    for (long n : counts.values()) {
      total += n;
    }
    return total;
  }

  static String count(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }

  /** Milliseconds below a second, seconds above; the exact value is in the element's {@code value}. */
  static String duration(double seconds) {
    return seconds < 1 ? String.format(Locale.ROOT, "%.1f ms", seconds * 1000)
        : String.format(Locale.ROOT, "%.2f s", seconds);
  }

  static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;")
        .replace("'", "&#39;");
  }
}
