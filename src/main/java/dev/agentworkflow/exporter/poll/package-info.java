/**
 * The incremental collector: one poll reads what changed since the last one into the trackers
 * and publishes an immutable {@code PollResult}; the scheduler runs polls on one named thread.
 */
package dev.agentworkflow.exporter.poll;
