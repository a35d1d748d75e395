package dev.agentworkflow.exporter.monitoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The dashboard against Grafana's own JSON schema and the rules of Grafana's dashboard-linter
 * (all but its rate-interval rule: windows here follow the time range or the Window selector, see
 * docs/monitoring.md), and every metric it names against what the exporter exposes (the golden
 * exposition). What its queries return on real data: {@link DashboardQueriesIT}.
 */
class DashboardTest {
  private static final Pattern METRIC = Pattern.compile("\\b([a-z_][a-z0-9_]*)\\s*\\{");
  private static final Pattern RANGE_FUNCTION = Pattern.compile("\\b(rate|irate|increase)\\s*\\(");
  private final JsonNode dashboard = Dashboard.read();
  private final Set<String> exposed = new TreeSet<>();
  /** Samples of counters and histograms: numbers that only go up, to be shown as rates. */
  private final Set<String> counters = new TreeSet<>();

  DashboardTest() throws Exception {
    for (String line : Files.readAllLines(Path.of("src/test/resources/golden/metrics.txt"))) {
      if (line.startsWith("# TYPE ")) {
        String[] words = line.split(" ");
        if (words[3].equals("counter")) {
          counters.add(words[2]);
        } else if (words[3].equals("histogram")) {
          counters.addAll(List.of(words[2] + "_bucket", words[2] + "_count", words[2] + "_sum"));
        }
      } else if (!line.startsWith("#") && !line.isBlank()) {
        exposed.add(line.split("[{ ]")[0]);
      }
    }
  }

  @Test
  void validatesAgainstGrafanasDashboardSchema() throws Exception {
    ObjectNode copy = dashboard.deepCopy();
    // import-only keys, not part of the stored dashboard model (see the schema's README)
    copy.remove(List.of("__inputs", "__requires", "__elements"));
    JsonSchema schema;
    try (InputStream in = getClass().getResourceAsStream("/grafana/dashboard.jsonschema.json")) {
      schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7).getSchema(in);
    }
    Set<ValidationMessage> problems = schema.validate(copy);
    assertEquals(Set.of(), problems);
  }

  @Test
  void isImportableWithADatasourceInputAndTheFourVariables() {
    JsonNode input = dashboard.get("__inputs").get(0);
    assertEquals("DS_PROMETHEUS", input.get("name").asText());
    assertEquals("datasource", input.get("type").asText());
    assertEquals("prometheus", input.get("pluginId").asText());

    JsonNode variables = dashboard.get("templating").get("list");
    JsonNode datasource = variables.get(0);
    assertEquals("datasource", datasource.get("name").asText());
    assertEquals("datasource", datasource.get("type").asText());
    assertEquals("prometheus", datasource.get("query").asText());
    assertEquals("${DS_PROMETHEUS}", datasource.get("current").get("value").asText());
    JsonNode instance = variables.get(1);
    assertEquals("instance", instance.get("name").asText());
    assertTrue(instance.get("multi").asBoolean());
    assertTrue(instance.get("includeAll").asBoolean());
    assertEquals("${datasource}", instance.get("datasource").get("uid").asText());
    JsonNode project = variables.get(2);
    assertEquals("project", project.get("name").asText());
    assertEquals("query", project.get("type").asText());
    assertEquals("label_values(agent_workflow_database_up{instance=~\"$instance\"}, project)",
        project.get("query").asText());
    assertEquals(project.get("query").asText(), project.get("definition").asText());
    assertTrue(project.get("multi").asBoolean());
    assertTrue(project.get("includeAll").asBoolean());
    // project=~".*" also matches a series without the label: an exporter that reads one database
    assertEquals(".*", project.get("allValue").asText());
    assertEquals("$__all", project.get("current").get("value").get(0).asText());
    assertEquals("${datasource}", project.get("datasource").get("uid").asText());
    JsonNode window = variables.get(3);
    assertEquals("window", window.get("name").asText());
    assertEquals("interval", window.get("type").asText());
    assertEquals("1h", window.get("current").get("value").asText());
    assertEquals(List.of("15m", "30m", "1h", "3h", "6h", "12h", "1d"), List.of(window.get("query").asText().split(",")));
    assertFalse(window.path("auto").asBoolean(), "a fixed window, not one that shrinks with the time range");
    assertEquals(4, variables.size());
    assertEquals("now-6h", dashboard.get("time").get("from").asText());
  }

  @Test
  void hasTheGuidesPanelGroupsAndAnExporterHealthRow() {
    List<String> rows = new ArrayList<>();
    dashboard.get("panels").forEach(p -> {
      if (p.get("type").asText().equals("row")) {
        rows.add(p.get("title").asText());
      }
    });
    assertEquals(List.of("Overview", "Agent performance", "Execution time and rate", "Tools", "System",
        "Exporter health"), rows);
    Set<String> titles = Dashboard.panels(dashboard).stream().map(p -> p.get("title").asText())
        .collect(Collectors.toCollection(TreeSet::new));
    for (String title : List.of("Invocations per hour", "Unique agents", "Sessions", "Success rate",
        "p95 execution time per agent", "Agent performance", "Phase distribution", "Average execution time by agent",
        "Invocation rate", "Top tools by use", "Tool error share", "p95 tool duration", "Tool calls per invocation",
        "p95 context size per agent (tokens)", "Parallel executions", "Active sessions", "Agents per session",
        "Database readable", "Poll duration", "Poll errors", "Errors per agent", "Session durations",
        "Last run per agent", "Database size", "Last successful poll")) {
      assertTrue(titles.contains(title), title + " in " + titles);
    }
    JsonNode donut = Dashboard.panels(dashboard).stream()
        .filter(p -> p.get("title").asText().equals("Phase distribution")).findFirst().orElseThrow();
    assertEquals("donut", donut.get("options").get("pieType").asText());
  }

  @Test
  void everyPanelHasATitleADescriptionAndAUnit() {
    for (JsonNode panel : Dashboard.panels(dashboard)) {
      String title = panel.path("title").asText();
      assertFalse(title.isBlank(), "a panel without a title: " + panel);
      assertFalse(panel.path("description").asText().isBlank(), title + ": no description");
      assertFalse(panel.path("fieldConfig").path("defaults").path("unit").asText().isBlank(), title + ": no unit");
    }
  }

  @Test
  void everyQueryUsesTheDatasourceVariableAndFiltersByInstanceAndProject() {
    for (JsonNode panel : Dashboard.panels(dashboard)) {
      String title = panel.path("title").asText();
      assertEquals("${datasource}", panel.path("datasource").path("uid").asText(), title);
      assertTrue(panel.path("targets").size() > 0, title + ": no query");
      for (JsonNode target : panel.path("targets")) {
        assertEquals("${datasource}", target.path("datasource").path("uid").asText(), title);
        String expr = target.path("expr").asText();
        Matcher m = METRIC.matcher(expr);
        int selectors = 0;
        while (m.find()) {
          selectors++;
          String selector = expr.substring(m.end(), expr.indexOf('}', m.end()));
          assertTrue(selector.contains("instance=~\"$instance\""), title + ": " + m.group(1) + " not filtered by $instance");
          assertTrue(selector.contains("project=~\"$project\""), title + ": " + m.group(1) + " not filtered by $project");
        }
        assertTrue(selectors > 0, title + ": no metric selector in " + expr);
      }
    }
  }

  /**
   * Agents finish a few times an hour: a window of $__rate_interval (a minute or two) is empty most
   * of the time. Every window is the selected time range (stats, tables, bar charts) or the Window
   * selector (time series), and every counter is shown through rate() or increase().
   */
  @Test
  void everyWindowIsTheTimeRangeOrTheWindowSelectorAndNoCounterIsShownRaw() {
    for (Dashboard.Query q : Dashboard.queries(dashboard)) {
      Matcher ranges = Pattern.compile("\\[([^\\]]+)\\]").matcher(q.expr());
      while (ranges.find()) {
        assertTrue(Set.of("$__range", "$window").contains(ranges.group(1)), q.panel() + ": " + q.expr());
      }
      assertFalse(q.expr().contains("__interval") || q.expr().contains("__rate_interval"), q.panel() + ": " + q.expr());
      Matcher m = METRIC.matcher(q.expr());
      while (m.find()) {
        String metric = m.group(1);
        if (counters.contains(metric)) {
          String before = q.expr().substring(0, m.start());
          Matcher function = RANGE_FUNCTION.matcher(before);
          int lastFunctionEnd = -1;
          while (function.find()) {
            lastFunctionEnd = function.end();
          }
          assertTrue(lastFunctionEnd >= 0 && before.substring(lastFunctionEnd).isBlank(),
              q.panel() + ": counter " + metric + " not inside rate() or increase(): " + q.expr());
        }
      }
    }
  }

  @Test
  void everyMetricNamedIsOneTheExporterExposes() {
    assertTrue(counters.contains("agent_invocation_total") && !counters.contains("active_sessions_count"));
    List<String> queries = new ArrayList<>(Dashboard.queries(dashboard).stream().map(Dashboard.Query::expr).toList());
    queries.add(dashboard.get("templating").get("list").get(1).get("definition").asText());
    queries.add(dashboard.get("templating").get("list").get(2).get("definition").asText());
    for (String expr : queries) {
      Matcher m = Pattern.compile("\\b([a-z_][a-z0-9_]*)\\s*[{,)]").matcher(expr);
      while (m.find()) {
        String name = m.group(1);
        // functions, Grafana's variables and the label names that by (...) groups on are not metrics
        boolean variable = m.start() > 0 && expr.charAt(m.start() - 1) == '$';
        if (name.contains("_") && !variable && !Set.of("label_values", "histogram_quantile", "clamp_min").contains(name)
            && !Set.of("agent_name", "tool_name", "instance", "project").contains(name)) {
          assertTrue(exposed.contains(name), name + " is not exposed; in " + expr);
        }
      }
    }
  }

  /**
   * An exporter that reads several databases gives each one's series a {@code project} label: a
   * panel per agent or tool keeps the projects apart (each grouping by agent, tool or exporter
   * groups by project too) and its legend or table names the project. With one database there is
   * no such label: {@code by (project, agent_name)} groups as {@code by (agent_name)} did, and
   * Grafana writes a missing label in a legend as nothing ({@link GrafanaRequests#legend}).
   */
  @Test
  void everyPanelPerAgentToolOrExporterKeepsProjectsApartAndNamesThem() {
    Pattern grouping = Pattern.compile("\\b(by|on) ?\\(([^)]*)\\)");
    for (JsonNode panel : Dashboard.panels(dashboard)) {
      String title = panel.path("title").asText();
      for (JsonNode target : panel.path("targets")) {
        String expr = target.path("expr").asText();
        Matcher m = grouping.matcher(expr);
        while (m.find()) {
          List<String> labels = List.of(m.group(2).split(",\\s*"));
          if (labels.contains("agent_name") || labels.contains("tool_name") || labels.contains("instance")) {
            assertTrue(labels.contains("project"), title + ": " + m.group() + " in " + expr);
          }
        }
        String legend = target.path("legendFormat").asText();
        if (legend.matches(".*\\{\\{(agent_name|tool_name|instance)}}.*")) {
          assertTrue(legend.endsWith(" {{project}}"), title + ": legend " + legend);
        }
      }
      for (JsonNode transformation : panel.path("transformations")) {
        if (transformation.path("id").asText().equals("organize")) {
          assertEquals("Project", transformation.path("options").path("renameByName").path("project").asText(), title);
          assertEquals(0, transformation.path("options").path("indexByName").path("project").asInt(-1), title);
        }
      }
    }
  }

  /**
   * A quantile or a mean of no observations is NaN, and so is 0 / 0: every quantile keeps only
   * what had observations in its window ({@code and on(...) ... > 0}), and every division by a
   * query divides by {@code (... > 0)}.
   */
  @Test
  void everyQuantileAndEveryDivisionLeavesOutWhatHadNoObservations() {
    for (Dashboard.Query q : Dashboard.queries(dashboard)) {
      String expr = q.expr();
      if (expr.contains("histogram_quantile(")) {
        assertTrue(Pattern.compile("\\) and on\\([a-z_, ]*\\) sum( by \\([a-z_, ]+\\) )?\\(increase\\([a-z_]+_count\\{")
            .matcher(expr).find() && expr.endsWith("> 0"), q.panel() + ": " + expr);
        Matcher by = Pattern.compile("histogram_quantile\\([0-9.]+, sum by \\(([a-z_, ]*)\\)").matcher(expr);
        Matcher on = Pattern.compile("\\) and on\\(([a-z_, ]*)\\)").matcher(expr);
        assertTrue(by.find() && on.find(), q.panel() + ": " + expr);
        // the quantile is kept where its own group had observations, not where another project's had
        assertEquals(by.group(1).replaceAll(",? ?le$", "").replaceAll("^le$", ""), on.group(1), q.panel() + ": " + expr);
      }
      for (int slash = expr.indexOf(" / "); slash >= 0; slash = expr.indexOf(" / ", slash + 1)) {
        String divisor = expr.substring(slash + 3);
        if (divisor.startsWith("$__range_s") || Character.isDigit(divisor.charAt(0))) {
          continue; // a number
        }
        assertTrue(divisor.startsWith("("), q.panel() + ": divides by " + divisor);
        int depth = 0;
        int end = 0;
        for (int i = 0; i < divisor.length(); i++) {
          depth += divisor.charAt(i) == '(' ? 1 : divisor.charAt(i) == ')' ? -1 : 0;
          if (depth == 0) {
            end = i;
            break;
          }
        }
        assertTrue(divisor.substring(0, end + 1).endsWith(" > 0)"), q.panel() + ": divides by " + divisor);
      }
    }
  }
}
