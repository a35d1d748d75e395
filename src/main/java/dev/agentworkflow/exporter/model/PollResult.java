package dev.agentworkflow.exporter.model;

import java.util.Map;

/**
 * What one poll publishes: the workflow figures plus the exporter's view of its own health.
 *
 * @param workflow the last good figures (kept when a poll fails)
 * @param databaseUp whether the last poll read the database
 * @param databaseSizeBytes size of the database file, {@code NaN} when it cannot be read
 * @param pollDurationSeconds how long the last poll took
 * @param pollErrors polls that failed since start
 * @param lastSuccessEpochSeconds when a poll last succeeded, {@code NaN} before the first
 * @param rowsRead rows read from the database since start, by table
 * @param tableRescans passes over a whole table since start, by table, to know its rows again after
 *     a schema change, a lost connection or ids going backwards
 * @param longestReadSeconds the longest time one statement held SQLite's shared lock since start
 * @param problem why the last poll did not read the database, one line; {@code null} when it did
 * @param state the state file: kept or not, read back at start or not, written how often
 * @param custom the user-defined metrics ({@code --metrics-config}) and how their statements ran
 */
public record PollResult(
    WorkflowSnapshot workflow,
    boolean databaseUp,
    double databaseSizeBytes,
    double pollDurationSeconds,
    long pollErrors,
    double lastSuccessEpochSeconds,
    Map<String, Long> rowsRead,
    Map<String, Long> tableRescans,
    double longestReadSeconds,
    String problem,
    StateStatus state,
    CustomResult custom) {

  /** A poll of an exporter without user-defined metrics. */
  public PollResult(WorkflowSnapshot workflow, boolean databaseUp, double databaseSizeBytes, double pollDurationSeconds,
      long pollErrors, double lastSuccessEpochSeconds, Map<String, Long> rowsRead, Map<String, Long> tableRescans,
      double longestReadSeconds, String problem, StateStatus state) {
    this(workflow, databaseUp, databaseSizeBytes, pollDurationSeconds, pollErrors, lastSuccessEpochSeconds, rowsRead,
        tableRescans, longestReadSeconds, problem, state, CustomResult.NONE);
  }

  public PollResult {
    rowsRead = Map.copyOf(rowsRead);
    tableRescans = Map.copyOf(tableRescans);
  }
}
