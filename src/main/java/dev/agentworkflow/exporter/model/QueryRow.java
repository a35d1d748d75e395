package dev.agentworkflow.exporter.model;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * One row of a query metric's result.
 *
 * @param labels the key label columns' values in the metric's order, {@code null} where NULL
 * @param value the value column as a number; {@code NaN} when NULL or not a number
 */
public record QueryRow(List<String> labels, double value) {
  public QueryRow {
    labels = Collections.unmodifiableList(Arrays.asList(labels.toArray(new String[0])));
  }
}
