/**
 * Values only: rows as read from the database, label sets, and the immutable snapshots that a
 * poll publishes and a scrape renders. Nothing here does I/O or holds mutable state.
 *
 * <p>What a poll publishes is made of small records, each built in one place by what owns its
 * figures: a {@link WorkflowSnapshot} of the trackers' {@link AgentFigures}, {@link ToolFigures}
 * and {@link SessionFigures} and the {@link Bounds} they left out; a {@link PollResult} of the
 * poller's {@link DatabaseStatus}, {@link PollHistory} and {@link Reads}. In these records no two
 * neighbouring components have one type, so two figures passed in each other's place do not
 * compile ({@link Untracked}, the same count for three tables, is the one exception), and a figure
 * that may be absent is an {@code Optional}, not {@code NaN} or {@code null}. (They were one
 * record of 18 and one of 12 positional components, with runs of {@code long}s and {@code
 * double}s that a swap would have passed through silently.)
 */
package dev.agentworkflow.exporter.model;
