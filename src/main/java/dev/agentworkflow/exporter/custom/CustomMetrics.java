package dev.agentworkflow.exporter.custom;

import java.util.List;
import java.util.Optional;

/**
 * The user-defined metrics in force: read from {@code file}, or none.
 *
 * @param file where they were read from; empty when there is no --metrics-config
 * @param rows the row metrics, in file order
 * @param queries the query metrics, in file order
 */
public record CustomMetrics(Optional<String> file, List<RowMetric> rows, List<QueryMetric> queries) {
  public static final CustomMetrics NONE = new CustomMetrics(Optional.empty(), List.of(), List.of());

  public CustomMetrics {
    rows = List.copyOf(rows);
    queries = List.copyOf(queries);
  }

  public boolean isEmpty() {
    return rows.isEmpty() && queries.isEmpty();
  }
}
