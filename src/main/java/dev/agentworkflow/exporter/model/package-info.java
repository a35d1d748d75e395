/**
 * Values only: rows as read from the database, label sets, and the immutable snapshots that a
 * poll publishes and a scrape renders. Nothing here does I/O or holds mutable state.
 *
 * <p>A {@link WorkflowSnapshot} is made of small records, each built in one place by the tracker
 * that owns its figures ({@link AgentFigures}, {@link ToolFigures}, {@link SessionFigures}) and
 * the {@link Bounds} they left out. Their components are ordered so that no two neighbours have
 * one type: two figures passed in each other's place do not compile. {@link Untracked}, the same
 * count for three tables, is the one exception. (The snapshot was one record of 18 positional
 * components, with runs of {@code long}s that a swap would have passed through silently.)
 */
package dev.agentworkflow.exporter.model;
