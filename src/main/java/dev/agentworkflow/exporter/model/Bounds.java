package dev.agentworkflow.exporter.model;

import java.util.Map;

/**
 * What the tracker's bounds left out of the figures: the values folded into {@code other}, the
 * observations counted under a family's overflow series, and the rows not followed. Immutable.
 *
 * @param labelOverflow per label: finished invocations and tool uses counted with the label's value
 *     reported as {@code other} (past {@code --max-label-values}, or too long)
 * @param untracked per table: rows not followed
 * @param seriesOverflow per metric family: observations counted under its one overflow series (past
 *     {@code --max-series})
 */
public record Bounds(Map<String, Long> labelOverflow, Untracked untracked, Map<String, Long> seriesOverflow) {
  public static final Bounds NONE = new Bounds(Map.of(), Untracked.NONE, Map.of());

  public Bounds {
    labelOverflow = Map.copyOf(labelOverflow);
    seriesOverflow = Map.copyOf(seriesOverflow);
  }
}
