package dev.agentworkflow.exporter.model;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * One row as a row metric reads it: what its SQL expressions gave.
 *
 * @param rowId the row's id
 * @param finished the metric's {@code finished} condition holds: the row is counted now, if not before
 * @param countsNow the row is finished and the metric's {@code where} condition holds (always, without
 *     one): the metric counts it, unless it counted it before; only then are its labels and value
 *     fetched ({@code null} labels and {@code NaN} otherwise)
 * @param labels each label's value in the metric's order; {@code null} where SQL gave NULL
 * @param value the value expression as a number; {@code NaN} when it gave NULL or anything but a number
 */
public record CustomRow(long rowId, boolean finished, boolean countsNow, List<String> labels, double value) {
  public CustomRow {
    labels = Collections.unmodifiableList(Arrays.asList(labels.toArray(new String[0])));
  }
}
