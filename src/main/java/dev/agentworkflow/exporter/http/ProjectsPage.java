package dev.agentworkflow.exporter.http;

import static dev.agentworkflow.exporter.http.LandingPage.count;
import static dev.agentworkflow.exporter.http.LandingPage.escape;
import static dev.agentworkflow.exporter.http.LandingPage.sum;

import dev.agentworkflow.exporter.model.PollResult;
import dev.agentworkflow.exporter.model.ProjectPoll;
import dev.agentworkflow.exporter.model.PublishedPolls;

/**
 * The status page of an exporter of several databases: how many are up, and a row per project with
 * the figures that tell one that needs looking at (up, last successful poll, failed polls, why it is
 * down) beside what it counted. Each column names its metric, with the row's {@code project} label,
 * as the one-database page does; the same escaping, no scripts.
 */
final class ProjectsPage {
  private ProjectsPage() {}

  static String render(String version, String metricsPath, PublishedPolls polls, boolean ready) {
    StringBuilder html = LandingPage.head();
    int up = 0;
    for (ProjectPoll project : polls.projects()) {
      up += project.poll().database().up() ? 1 : 0;
    }
    int down = polls.projects().size() - up;
    if (polls.projects().isEmpty()) {
      html.append("<p id=\"state\" class=\"state down\">No database to read: --db-glob finds none now.</p>\n");
    } else if (!ready) {
      html.append("<p id=\"state\" class=\"state waiting\">Not ready: the first poll of every database has not "
          + "finished.</p>\n");
    } else {
      html.append("<p id=\"state\" class=\"state ").append(down == 0 ? "up" : "down").append("\">")
          .append(polls.projects().size()).append(polls.projects().size() == 1 ? " database" : " databases")
          .append(": ").append(up).append(" up, ").append(down).append(" down.</p>\n");
    }
    if (polls.nameClashes() > 0) {
      html.append("<p id=\"clashes\" class=\"state down\">").append(polls.nameClashes())
          .append(" found by --db-glob not read: their project name is taken (the log names them; "
              + "<code>agent_workflow_exporter_database_name_clashes</code>).</p>\n");
    }
    html.append("""
        <table id="projects">
        <thead><tr><th>Project</th><th>Database</th><th>Up</th><th>Last successful poll</th><th>Failed polls</th>\
        <th>Invocations finished</th><th>Running</th><th>Tool uses finished</th><th>Sessions</th><th>Problem</th></tr>
        <tr><td class="metric" colspan="2"><code>agent_workflow_database_info{project,path}</code></td>\
        <td class="metric"><code>agent_workflow_database_up</code></td>\
        <td class="metric"><code>agent_workflow_exporter_last_poll_success_timestamp_seconds</code></td>\
        <td class="metric"><code>agent_workflow_exporter_poll_errors_total</code></td>\
        <td class="metric"><code>sum(agent_invocation_total)</code></td>\
        <td class="metric"><code>parallel_executions_current</code></td>\
        <td class="metric"><code>sum(agent_tool_usage_total)</code></td>\
        <td class="metric"><code>total_sessions</code></td><td></td></tr></thead>
        <tbody>
        """);
    for (int i = 0; i < polls.projects().size(); i++) {
      row(html, i + 1, polls.projects().get(i), ready);
    }
    html.append("</tbody>\n</table>\n<table>\n<tbody>\n<tr><th>Version</th><td id=\"version\">").append(escape(version))
        .append("</td><td class=\"metric\"><code>agent_workflow_exporter_build_info{version}</code></td></tr>\n")
        .append("</tbody>\n</table>\n");
    return LandingPage.links(html, metricsPath);
  }

  /**
   * A project's row. Ids are made of the row's number, since a folder's name may hold anything
   * (spaces, or "a-up" beside a project "a"); the name is in {@code data-project}.
   */
  private static void row(StringBuilder html, int number, ProjectPoll project, boolean ready) {
    PollResult poll = project.poll();
    String id = "project-" + number;
    html.append("<tr id=\"").append(id).append("\" data-project=\"").append(escape(project.project()))
        .append("\"><th>").append(escape(project.project())).append("</th><td><code>")
        .append(escape(project.path())).append("</code></td>");
    if (!ready) {
      html.append("<td colspan=\"8\"></td></tr>\n");
      return;
    }
    cell(html, id + "-up", "", poll.database().up() ? "yes" : "no");
    String when = poll.history().lastSuccess()
        .map(at -> "<time datetime=\"" + LandingPage.MACHINE_TIME.format(at) + "\">"
            + LandingPage.SHOWN_TIME.format(at) + "</time>")
        .orElse("never");
    cell(html, id + "-last-success", "", when);
    cell(html, id + "-poll-errors", "n", count(poll.history().errors()));
    cell(html, id + "-invocations", "n", count(sum(poll.workflow().agents().invocations())));
    cell(html, id + "-running", "n", count(poll.workflow().agents().parallelExecutions()));
    cell(html, id + "-tool-uses", "n", count(sum(poll.workflow().tools().uses())));
    cell(html, id + "-sessions", "n", count(poll.workflow().sessions().total()));
    cell(html, id + "-problem", "", poll.database().problem().map(LandingPage::escape).orElse(""));
    html.append("</tr>\n");
  }

  private static void cell(StringBuilder html, String id, String cssClass, String value) {
    html.append("<td id=\"").append(id).append('"').append(cssClass.isEmpty() ? "" : " class=\"" + cssClass + "\"")
        .append('>').append(value).append("</td>");
  }
}
