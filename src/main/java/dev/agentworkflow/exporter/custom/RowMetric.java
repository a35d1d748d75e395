package dev.agentworkflow.exporter.custom;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A counter or histogram fed once per row of a table that grows, read as the built-in metrics are:
 * rows after the highest id seen, and the rows seen unfinished again until they finish.
 *
 * @param name the family's name (a counter's ends in {@code _total})
 * @param help the family's help text
 * @param histogram a histogram (else a counter)
 * @param table the table read, by its rowid (an INTEGER PRIMARY KEY: ids never renumbered)
 * @param finished SQL condition: the row is counted the first time it is read with this true
 * @param where SQL condition, evaluated with the labels when the row is counted: false means never counted
 * @param labels label names and the SQL expression of each, in file order
 * @param value SQL expression: a counter's increment, a histogram's observation; not a finite number
 *     (or negative, for a counter) means no observation
 * @param buckets a histogram's upper bounds, ascending; empty for a counter
 * @param interval how often it is read, at most; empty: on every poll
 * @param timeout how long one statement may run before it is interrupted
 * @param line where it starts in the file
 */
public record RowMetric(
    String name,
    String help,
    boolean histogram,
    String table,
    String finished,
    Optional<String> where,
    List<Label> labels,
    String value,
    List<Double> buckets,
    Optional<Duration> interval,
    Duration timeout,
    int line) {

  public RowMetric {
    labels = List.copyOf(labels);
    buckets = List.copyOf(buckets);
  }

  /** A label and the SQL expression of its value. */
  public record Label(String name, String expression) {}

  public List<String> labelNames() {
    return labels.stream().map(Label::name).toList();
  }

  /**
   * Everything that decides what is counted, as one text: a metric whose counting changed is
   * counted again from the table; one whose help, interval or timeout changed goes on.
   */
  public String countingKey() {
    StringBuilder key = new StringBuilder()
        .append(name).append('\0').append(histogram).append('\0').append(table).append('\0').append(finished)
        .append('\0').append(where.orElse("")).append('\0').append(value).append('\0').append(buckets);
    for (Label label : labels) {
      key.append('\0').append(label.name()).append('=').append(label.expression());
    }
    return key.toString();
  }
}
