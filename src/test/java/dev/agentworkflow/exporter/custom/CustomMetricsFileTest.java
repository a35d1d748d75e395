package dev.agentworkflow.exporter.custom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The metrics configuration file: what it reads, and a corpus of bad files, each refused with its
 * one line {@code FILE:LINE: what is wrong}, the line being that of the value at fault.
 */
class CustomMetricsFileTest {
  private static final String COUNTER = """
      row_metrics:
        - name: ticket_runs_total
          help: Runs per ticket
          type: counter
          table: agent_invocations
          finished: status <> 'started'
      """;

  private static CustomMetrics parse(String text) throws CustomMetricsException {
    return CustomMetricsFile.parse("m.yml", text, Set.of("agent_invocation_total", "agent_invocation"));
  }

  @Test
  void aRowCounterAndAQueryGaugeAreReadWithTheirDefaults() throws Exception {
    CustomMetrics metrics = parse(COUNTER + """
          labels:
            ticket: coalesce(ticket_id, 'none')
            status: status
          interval: 30s
      query_metrics:
        - name: sessions_per_cwd
          help: Sessions per folder
          type: gauge
          query: SELECT cwd, count(*) AS n FROM sessions GROUP BY cwd;
          key_labels: [cwd]
          value: n
          timeout: 500ms
      """);
    RowMetric row = metrics.rows().get(0);
    assertEquals(new RowMetric("ticket_runs_total", "Runs per ticket", false, "agent_invocations",
        "status <> 'started'", Optional.empty(),
        List.of(new RowMetric.Label("ticket", "coalesce(ticket_id, 'none')"), new RowMetric.Label("status", "status")),
        "1", List.of(), Optional.of(Duration.ofSeconds(30)), Duration.ofMillis(500), 2), row);
    QueryMetric query = metrics.queries().get(0);
    assertEquals(new QueryMetric("sessions_per_cwd", "Sessions per folder", false,
        "SELECT cwd, count(*) AS n FROM sessions GROUP BY cwd;", List.of("cwd"), "n", Optional.empty(),
        Duration.ofMillis(500), 12), query);
  }

  @Test
  void anEmptyFileDefinesNoMetrics() throws Exception {
    assertEquals(List.of(), parse("").rows());
    assertEquals(List.of(), parse("# nothing yet\n").queries());
  }

  @Test
  void theCountingKeyChangesWithWhatIsCountedAndNotWithTheHelp() throws Exception {
    String key = parse(COUNTER).rows().get(0).countingKey();
    assertEquals(key, parse(COUNTER.replace("Runs per ticket", "Other words")).rows().get(0).countingKey());
    assertEquals(key, parse(COUNTER + "    timeout: 2s\n    interval: 1m\n").rows().get(0).countingKey());
    assertEquals(false, key.equals(parse(COUNTER.replace("<> 'started'", "= 'completed'")).rows().get(0)
        .countingKey()));
    assertEquals(false, key.equals(parse(COUNTER + "    value: 2\n").rows().get(0).countingKey()));
  }

  static Stream<Arguments> badFiles() {
    return Stream.of(
        Arguments.of("row_metrics: [\n", "m.yml:2: not valid YAML: "),
        Arguments.of("- a\n- b\n", "m.yml:1: the file must be a mapping of keys, not a list"),
        Arguments.of("metrics: []\n", "m.yml:1: unknown key 'metrics'; the keys allowed here are query_metrics, "
            + "row_metrics"),
        Arguments.of("row_metrics: {}\n", "m.yml:1: row_metrics must be a list, not a mapping"),
        Arguments.of(COUNTER + "    colour: red\n", "m.yml:7: unknown key 'colour'; the keys allowed here are "
            + "buckets, finished, help, interval, labels, name, table, timeout, type, value, where"),
        Arguments.of(COUNTER.replace("  - name: ticket_runs_total\n    help:", "  - help:"), "m.yml:2: name is missing; every metric "
            + "needs a name"),
        Arguments.of(COUNTER.replace("ticket_runs_total", "ticket-runs_total"), "m.yml:2: 'ticket-runs_total' is not a "
            + "valid Prometheus metric name (letters, digits, _ and :, not starting with a digit or __)"),
        Arguments.of(COUNTER.replace("ticket_runs_total", "ticket_runs"), "m.yml:2: 'ticket_runs': a counter's name "
            + "ends in _total"),
        Arguments.of(COUNTER.replace("ticket_runs_total", "agent_workflow_exporter_runs_total"), "m.yml:2: "
            + "'agent_workflow_exporter_runs_total': names starting with agent_workflow_exporter_ are the exporter's own"),
        Arguments.of(COUNTER.replace("ticket_runs_total", "agent_invocation_total"), "m.yml:2: 'agent_invocation_total' "
            + "clashes with a built-in metric (agent_invocation_total)"),
        Arguments.of(COUNTER + COUNTER.substring("row_metrics:\n".length()), "m.yml:7: 'ticket_runs_total' clashes "
            + "with the metric at line 2"),
        Arguments.of(COUNTER.replace("type: counter", "type: gauge"), "m.yml:4: type 'gauge' is not one of counter, "
            + "histogram (a gauge is a query metric)"),
        Arguments.of(COUNTER.replace("    help: Runs per ticket\n", ""), "m.yml:2: help is missing; say in a few words "
            + "what the metric counts"),
        Arguments.of(COUNTER.replace("agent_invocations", "agent invocations"), "m.yml:5: table 'agent invocations' is "
            + "not a plain table name (letters, digits and _)"),
        Arguments.of(COUNTER.replace("    finished: status <> 'started'\n", ""), "m.yml:2: finished is missing; say "
            + "when a row is finished and counted, e.g. \"status <> 'started'\" (or 1 for rows that never change)"),
        Arguments.of(COUNTER.replace("status <> 'started'", "status <> 'started') OR (1"), "m.yml:6: finished: a ')' "
            + "closes more than was opened"),
        Arguments.of(COUNTER.replace("status <> 'started'", "1; DELETE FROM sessions"), "m.yml:6: finished: an "
            + "expression cannot hold ';'"),
        Arguments.of(COUNTER.replace("status <> 'started'", "status -- finished?"), "m.yml:6: finished: an expression "
            + "cannot hold a comment"),
        Arguments.of(COUNTER + "    labels:\n      project: status\n", "m.yml:8: label 'project' is the exporter's: it "
            + "names the database when there are several"),
        Arguments.of(COUNTER + "    labels:\n      __x: status\n", "m.yml:8: '__x' is not a valid label name (letters, "
            + "digits and _, not starting with a digit or __)"),
        Arguments.of(COUNTER + "    labels:\n      who: (SELECT name FROM x\n", "m.yml:8: labels.who: a '(' is not "
            + "closed"),
        Arguments.of(COUNTER + "    buckets: [1, 2]\n", "m.yml:7: buckets belong to a histogram, not a counter"),
        Arguments.of(COUNTER.replace("type: counter", "type: histogram").replace("_total", "_seconds"),
            "m.yml:2: value is missing; a histogram observes the value of an SQL expression per row"),
        Arguments.of(COUNTER.replace("type: counter", "type: histogram").replace("_total", "_seconds")
            + "    value: duration_seconds\n", "m.yml:2: buckets is missing; a histogram needs its upper bounds, "
            + "e.g. [1, 5, 10, 60]"),
        Arguments.of(COUNTER.replace("type: counter", "type: histogram").replace("_total", "_seconds")
            + "    value: duration_seconds\n    buckets: [1, 5, 5]\n", "m.yml:8: buckets must ascend: 5.0 after 5.0"),
        Arguments.of(COUNTER.replace("type: counter", "type: histogram").replace("_total", "_seconds")
            + "    value: duration_seconds\n    buckets: [1, fast]\n", "m.yml:8: buckets must be a number, not 'fast'"),
        Arguments.of(COUNTER.replace("type: counter", "type: histogram").replace("_total", "_bucket")
            + "    value: duration_seconds\n    buckets: [1]\n", "m.yml:2: 'ticket_runs_bucket' ends in _bucket, "
            + "which a sample of another metric would end in; choose another name"),
        Arguments.of(COUNTER + "    interval: 500ms\n", "m.yml:7: interval must be at least 1s"),
        Arguments.of(COUNTER + "    interval: soon\n", "m.yml:7: interval 'soon' is not a duration such as 500ms, "
            + "10s or 1m"),
        Arguments.of(COUNTER + "    timeout: 10s\n", "m.yml:7: timeout 10s is longer than 3s: while a statement runs, "
            + "the hooks' writers wait for it, 5 s at most, and then lose their row"),
        Arguments.of("query_metrics:\n  - name: q\n    help: h\n    type: gauge\n    query: DELETE FROM sessions\n"
            + "    value: n\n", "m.yml:5: the query must be one SELECT (or WITH … SELECT), not DELETE"),
        Arguments.of("query_metrics:\n  - name: q\n    help: h\n    type: gauge\n    query: SELECT 1 AS n; SELECT 2\n"
            + "    value: n\n", "m.yml:5: the query holds more than one statement; give one SELECT per metric"),
        Arguments.of("query_metrics:\n  - name: q\n    help: h\n    type: gauge\n"
            + "    query: WITH x AS (SELECT 1) INSERT INTO sessions SELECT * FROM x\n    value: n\n",
            "m.yml:5: INSERT is refused: a metric only reads (one SELECT, no statement that writes, attaches or "
                + "changes settings)"),
        Arguments.of("query_metrics:\n  - name: q\n    help: h\n    type: gauge\n"
            + "    query: SELECT load_extension('x') AS n\n    value: n\n", "m.yml:5: LOAD_EXTENSION is refused: a metric "
            + "only reads (one SELECT, no statement that writes, attaches or changes settings)"),
        Arguments.of("query_metrics:\n  - name: q\n    help: h\n    type: gauge\n    query: PRAGMA query_only = 0\n"
            + "    value: n\n", "m.yml:5: the query must be one SELECT (or WITH … SELECT), not PRAGMA"),
        Arguments.of(COUNTER.replace("status <> 'started'", "status <> ?"), "m.yml:6: finished: a bind parameter (?) "
            + "is refused: nothing would bind it"),
        Arguments.of("query_metrics:\n  - name: q\n    help: h\n    type: gauge\n    query: SELECT :n AS n\n"
            + "    value: n\n", "m.yml:5: a bind parameter (:name) is refused: nothing would bind it"),
        Arguments.of("row_metrics:\n  - name: runs_total\n    help: h\n    type: counter\n    table: t\n"
            + "    finished: \"1\"\nquery_metrics:\n  - name: runs\n    help: h\n    type: gauge\n    query: SELECT 1 AS n\n"
            + "    value: n\n", "m.yml:8: 'runs' clashes with the metric at line 2"),
        Arguments.of("query_metrics:\n  - name: q\n    help: h\n    type: gauge\n    query: SELECT 'x\n    value: n\n",
            "m.yml:5: a ' is not closed"),
        Arguments.of("query_metrics:\n  - name: q\n    help: h\n    type: gauge\n    query: SELECT 1 AS n\n",
            "m.yml:2: value is missing; name the column that holds each series' value"),
        Arguments.of("query_metrics:\n  - name: q\n    help: h\n    type: gauge\n    query: SELECT 1 AS n\n"
            + "    value: n\n    key_labels: [a, a]\n", "m.yml:7: key label 'a' is listed twice"),
        Arguments.of("query_metrics:\n  - name: q\n    help: h\n    type: summary\n    query: SELECT 1 AS n\n"
            + "    value: n\n", "m.yml:4: type 'summary' is not one of gauge, counter (a histogram is a row metric)"),
        Arguments.of("query_metrics:\n  - name: q\n    help: \"two\\nlines\"\n    type: gauge\n    query: SELECT 1 AS n\n"
            + "    value: n\n", "m.yml:3: help must be one line"));
  }

  @ParameterizedTest
  @MethodSource("badFiles")
  void aBadFileIsRefusedWithItsLineAndWhatIsWrong(String text, String message) {
    CustomMetricsException e = assertThrows(CustomMetricsException.class, () -> parse(text));
    if (message.endsWith("not valid YAML: ")) {
      assertEquals(true, e.getMessage().startsWith(message), e.getMessage());
    } else {
      assertEquals(message, e.getMessage());
    }
    assertEquals(1, e.getMessage().lines().count());
  }

  @Test
  void wordsInsideLiteralsAndQuotedNamesAreNotRefused() throws Exception {
    CustomMetrics metrics = parse("""
        query_metrics:
          - name: q
            help: h
            type: gauge
            query: |
              -- counts what is not deleted; DROP nothing
              SELECT 'DELETE; ATTACH' AS "update", replace(cwd, '/', '-') AS n FROM sessions
            key_labels: [update]
            value: n
        """);
    assertEquals(1, metrics.queries().size());
  }
}
