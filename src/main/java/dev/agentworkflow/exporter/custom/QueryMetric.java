package dev.agentworkflow.exporter.custom;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A gauge (or a counter the query itself keeps monotonic) set from the rows of one SELECT, run
 * every interval: one series per row, labelled by its {@code keyLabels} columns, valued by its
 * {@code value} column.
 *
 * @param name the family's name (a counter's ends in {@code _total})
 * @param help the family's help text
 * @param counter a counter (else a gauge)
 * @param query one read-only SELECT
 * @param keyLabels the columns that label a series, each a label of the same name
 * @param value the column that holds the value
 * @param interval how often it runs; empty: every poll interval
 * @param timeout how long it may run before it is interrupted
 * @param line where it starts in the file
 */
public record QueryMetric(
    String name,
    String help,
    boolean counter,
    String query,
    List<String> keyLabels,
    String value,
    Optional<Duration> interval,
    Duration timeout,
    int line) {

  public QueryMetric {
    keyLabels = List.copyOf(keyLabels);
  }
}
