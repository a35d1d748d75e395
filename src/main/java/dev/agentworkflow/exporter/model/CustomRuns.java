package dev.agentworkflow.exporter.model;

/**
 * How one user-defined metric's statements ran, since start (and, for a row metric, since its
 * state was first written).
 *
 * @param metric the metric's name
 * @param lastRunSeconds how long its last run took (a row metric's: the reads of one poll); {@code NaN} before the first
 * @param errors runs that failed, timeouts included
 * @param timeouts statements interrupted because they ran past the metric's timeout
 * @param rowsRead rows its statements returned
 */
public record CustomRuns(String metric, double lastRunSeconds, long errors, long timeouts, long rowsRead) {}
