package dev.agentworkflow.exporter.model;

/**
 * Per table, the rows that needed following but were not, because as many as the heap holds were
 * followed already: new running invocations and tool uses, and session rows active or not yet seen
 * ending. Three {@code long}s in a row, unlike the other records of a snapshot: each is the same
 * figure of another table, built in one place from calls named as its components.
 */
public record Untracked(long invocations, long toolUses, long sessions) {
  public static final Untracked NONE = new Untracked(0, 0, 0);
}
