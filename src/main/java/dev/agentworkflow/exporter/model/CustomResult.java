package dev.agentworkflow.exporter.model;

import java.util.List;

/**
 * What one poll publishes of the user-defined metrics of one database.
 *
 * @param families the families, row metrics first, each in the order of the configuration
 * @param runs how each metric's statements ran, in the same order
 */
public record CustomResult(List<CustomFamily> families, List<CustomRuns> runs) {
  public static final CustomResult NONE = new CustomResult(List.of(), List.of());

  public CustomResult {
    families = List.copyOf(families);
    runs = List.copyOf(runs);
  }
}
