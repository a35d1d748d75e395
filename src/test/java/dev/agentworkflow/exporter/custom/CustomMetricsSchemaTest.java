package dev.agentworkflow.exporter.custom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * config/custom-metrics.schema.json, the editors' check of a metrics configuration, against the
 * example file and against bad documents that {@link CustomMetricsFile} refuses as well: the schema
 * and the reader agree on each.
 */
final class CustomMetricsSchemaTest {
  private static final Path SCHEMA = Path.of("config/custom-metrics.schema.json");
  private static final Path EXAMPLE = Path.of("config/custom-metrics.example.yml");
  /** One valid metric of each kind; each bad document below changes one thing in one of them. */
  private static final String ROW_COUNTER = """
      row_metrics:
        - name: ticket_runs_total
          help: Runs per ticket
          type: counter
          table: agent_invocations
          finished: status <> 'started'
      """;
  private static final String ROW_HISTOGRAM = """
      row_metrics:
        - name: tool_call_seconds
          help: Tool call durations
          type: histogram
          table: agent_tool_uses
          finished: end_time IS NOT NULL
          value: duration_seconds
          buckets: [1, 5, 30]
      """;
  private static final String QUERY_GAUGE = """
      query_metrics:
        - name: sessions_per_cwd
          help: Sessions per folder
          type: gauge
          query: SELECT cwd, count(*) AS n FROM sessions GROUP BY cwd
          key_labels: [cwd]
          value: n
      """;

  private final JsonSchema schema;

  CustomMetricsSchemaTest() throws IOException {
    try (InputStream in = Files.newInputStream(SCHEMA)) {
      schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7).getSchema(in);
    }
  }

  @Test
  void theExampleFileValidates() throws IOException {
    assertEquals(Set.of(), validate(Files.readString(EXAMPLE, StandardCharsets.UTF_8)));
  }

  @Test
  void theReaderAcceptsTheExampleFile() throws Exception {
    CustomMetrics metrics = CustomMetricsFile.parse(EXAMPLE.toString(),
        Files.readString(EXAMPLE, StandardCharsets.UTF_8), Set.of());
    assertEquals(List.of("agent_ticket_invocations_total", "agent_ticket_failures_total", "agent_handoffs_total",
        "agent_tool_call_seconds"), metrics.rows().stream().map(RowMetric::name).toList());
    assertEquals(List.of("agent_session_recent_tool_uses", "agent_sessions_per_cwd"),
        metrics.queries().stream().map(QueryMetric::name).toList());
  }

  @Test
  void theBaseDocumentsAreValidForBoth() throws Exception {
    for (String document : List.of(ROW_COUNTER, ROW_HISTOGRAM, QUERY_GAUGE)) {
      assertEquals(Set.of(), validate(document), document);
      CustomMetricsFile.parse("m.yml", document, Set.of());
    }
  }

  @Test
  void anUnknownKeyInARowMetricIsRefused() throws IOException {
    assertRefused(ROW_COUNTER + "    colour: red\n", "$.row_metrics[0]", "'colour'", "unknown key 'colour'");
  }

  @Test
  void aCounterWhoseNameLacksTotalIsRefused() throws IOException {
    assertRefused(ROW_COUNTER.replace("ticket_runs_total", "ticket_runs"), "$.row_metrics[0].name",
        "$.row_metrics[0].name", "'ticket_runs': a counter's name ends in _total");
  }

  @Test
  void aHistogramWithoutBucketsIsRefused() throws IOException {
    assertRefused(ROW_HISTOGRAM.replace("    buckets: [1, 5, 30]\n", ""), "$.row_metrics[0]", "'buckets'",
        "buckets is missing");
  }

  @Test
  void aQueryMetricWithoutValueIsRefused() throws IOException {
    assertRefused(QUERY_GAUGE.replace("    value: n\n", ""), "$.query_metrics[0]", "'value'", "value is missing");
  }

  @Test
  void aSummaryIsNoType() throws IOException {
    assertRefused(ROW_COUNTER.replace("type: counter", "type: summary"), "$.row_metrics[0].type",
        "$.row_metrics[0].type", "type 'summary' is not one of counter, histogram");
  }

  /**
   * The schema finds at least one problem, every one of them within {@code metric} and one naming
   * {@code property}; the reader refuses the document saying {@code readerSays}.
   */
  private void assertRefused(String document, String metric, String property, String readerSays) throws IOException {
    Set<ValidationMessage> problems = validate(document);
    assertFalse(problems.isEmpty(), document);
    for (ValidationMessage problem : problems) {
      assertTrue(problem.getInstanceLocation().toString().startsWith(metric), problem.getMessage());
    }
    assertTrue(problems.stream().anyMatch(problem -> problem.getMessage().contains(property)), problems::toString);
    CustomMetricsException refused = assertThrows(CustomMetricsException.class,
        () -> CustomMetricsFile.parse("m.yml", document, Set.of()));
    assertTrue(refused.getMessage().contains(readerSays), refused.getMessage());
  }

  private Set<ValidationMessage> validate(String yaml) throws IOException {
    Object document = new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml);
    JsonNode json = new ObjectMapper().valueToTree(document);
    return schema.validate(json);
  }
}
