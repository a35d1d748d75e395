package dev.agentworkflow.exporter.model;

/**
 * The state file, as the exporter's own metrics show it.
 *
 * @param enabled a state file is kept (not {@code --state-file none}, and not in use by another exporter)
 * @param restored this run started from the state file (it described this very file, counted the same way)
 * @param writes state files written since start
 * @param writeErrors attempts to write it that failed since start
 * @param sizeBytes the size of the state file last written or read; {@code NaN} before either
 */
public record StateStatus(boolean enabled, boolean restored, long writes, long writeErrors, double sizeBytes) {
  public static final StateStatus OFF = new StateStatus(false, false, 0, 0, Double.NaN);
}
