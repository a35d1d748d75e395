/**
 * Values only: rows as read from the database, label sets, and the immutable snapshots that a
 * poll publishes and a scrape renders. Nothing here does I/O or holds mutable state.
 */
package dev.agentworkflow.exporter.model;
