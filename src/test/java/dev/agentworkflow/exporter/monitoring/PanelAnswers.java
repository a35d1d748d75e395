package dev.agentworkflow.exporter.monitoring;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentworkflow.exporter.support.PrometheusServer;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What a real Prometheus answers to the requests of a dashboard's panels, and what is wrong with an answer. */
final class PanelAnswers {
  private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\((.+), *([a-zA-Z_][a-zA-Z0-9_]*)\\)");

  private PanelAnswers() {}

  /** The answer to one request: {@code /api/v1/query} for an instant one, {@code /api/v1/query_range} else. */
  static JsonNode answer(PrometheusServer prometheus, GrafanaRequests.Request request) throws Exception {
    return request.instant() ? instant(prometheus, request.expr(), request.end()) : rangeQuery(prometheus, request);
  }

  /** What is wrong with one request's answer: an error, no data, or values that are NaN or infinite. */
  static List<String> problems(PrometheusServer prometheus, GrafanaRequests.Request request) throws Exception {
    JsonNode answer = answer(prometheus, request);
    if (!answer.path("status").asText().equals("success")) {
      return List.of(request.describe() + " -> " + answer.path("error").asText());
    }
    int values = 0;
    int notFinite = 0;
    List<String> examples = new ArrayList<>();
    for (JsonNode series : answer.path("data").path("result")) {
      List<JsonNode> points = new ArrayList<>();
      if (series.has("values")) {
        series.get("values").forEach(points::add);
      } else {
        points.add(series.get("value"));
      }
      for (JsonNode point : points) {
        values++;
        double value = Double.parseDouble(point.get(1).asText().replace("Inf", "Infinity"));
        if (!Double.isFinite(value)) {
          notFinite++;
          if (examples.size() < 3) {
            examples.add(point.get(1).asText() + " for " + series.get("metric"));
          }
        }
      }
    }
    if (values == 0) {
      return List.of(request.describe() + " -> no data");
    }
    if (notFinite > 0) {
      return List.of(request.describe() + " -> " + notFinite + " of " + values + " values NaN or infinite, e.g. "
          + examples);
    }
    return List.of();
  }

  /**
   * The values a query variable of the dashboard offers, asked as Grafana asks a Prometheus that
   * has the label values API: its {@code label_values(SELECTOR, LABEL)} becomes
   * {@code /api/v1/label/LABEL/values?match[]=SELECTOR} over the dashboard's time range.
   */
  static List<String> variableValues(PrometheusServer prometheus, GrafanaRequests grafana, JsonNode dashboard,
      String name, Instant now) throws Exception {
    for (JsonNode variable : dashboard.path("templating").path("list")) {
      if (variable.path("name").asText().equals(name)) {
        Matcher m = LABEL_VALUES.matcher(grafana.interpolate(variable.path("query").asText()));
        if (!m.matches()) {
          throw new IllegalArgumentException("not label_values(SELECTOR, LABEL): " + variable.path("query"));
        }
        JsonNode answer = prometheus.get("/api/v1/label/" + m.group(2) + "/values?match[]=" + encode(m.group(1))
            + "&start=" + now.minus(grafana.range()).getEpochSecond() + "&end=" + now.getEpochSecond());
        if (!answer.path("status").asText().equals("success")) {
          throw new AssertionError("the " + name + " variable's query failed: " + answer);
        }
        List<String> values = new ArrayList<>();
        answer.path("data").forEach(v -> values.add(v.asText()));
        return values;
      }
    }
    throw new IllegalArgumentException("no variable " + name);
  }

  static JsonNode rangeQuery(PrometheusServer prometheus, GrafanaRequests.Request request) throws Exception {
    return prometheus.get("/api/v1/query_range?query=" + encode(request.expr()) + "&start="
        + request.start().getEpochSecond() + "&end=" + request.end().getEpochSecond() + "&step="
        + request.step().toSeconds());
  }

  static JsonNode instant(PrometheusServer prometheus, String expr, Instant at) throws Exception {
    return prometheus.get("/api/v1/query?query=" + encode(expr) + "&time=" + at.getEpochSecond()
        + (at.getNano() == 0 ? "" : String.format(".%09d", at.getNano())));
  }

  static String encode(String expr) {
    return URLEncoder.encode(expr, StandardCharsets.UTF_8);
  }
}
