package dev.agentworkflow.exporter.monitoring;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** config/grafana-dashboard.json, read as JSON. */
final class Dashboard {
  static final Path FILE = Path.of("config/grafana-dashboard.json");

  record Query(String panel, String expr) {}

  private Dashboard() {}

  static JsonNode read() throws IOException {
    return read(FILE);
  }

  static JsonNode read(Path file) throws IOException {
    return new ObjectMapper().readTree(file.toFile());
  }

  /** Every panel that is not a row, rows' nested panels included. */
  static List<JsonNode> panels(JsonNode dashboard) {
    List<JsonNode> panels = new ArrayList<>();
    for (JsonNode p : dashboard.get("panels")) {
      if (p.path("type").asText().equals("row")) {
        p.path("panels").forEach(panels::add);
      } else {
        panels.add(p);
      }
    }
    return panels;
  }

  static List<Query> queries(JsonNode dashboard) {
    List<Query> queries = new ArrayList<>();
    for (JsonNode panel : panels(dashboard)) {
      for (JsonNode target : panel.path("targets")) {
        queries.add(new Query(panel.path("title").asText(), target.path("expr").asText()));
      }
    }
    return queries;
  }
}
