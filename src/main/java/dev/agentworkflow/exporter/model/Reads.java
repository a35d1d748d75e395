package dev.agentworkflow.exporter.model;

import java.util.Map;

/**
 * What the polls read from the database since the exporter started.
 *
 * @param rows rows read, by table
 * @param longestSeconds the longest time one statement held SQLite's shared lock
 * @param rescans passes over a whole table, by table, to know its rows again after a schema change,
 *     a lost connection or ids going backwards
 */
public record Reads(Map<String, Long> rows, double longestSeconds, Map<String, Long> rescans) {
  public Reads {
    rows = Map.copyOf(rows);
    rescans = Map.copyOf(rescans);
  }
}
