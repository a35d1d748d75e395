/**
 * The incremental state: what has been counted, what is still open. Pure Java, no JDBC: feed
 * rows in, read a snapshot out. The counting rules of {@code database.md} live here.
 */
package dev.agentworkflow.exporter.track;
