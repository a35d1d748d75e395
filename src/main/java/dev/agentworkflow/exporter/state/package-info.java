/**
 * What survives a restart: the whole tracker of one database, written atomically to a state file
 * of its own (never in the database's folder, never anything in the database), locked so that two
 * exporters cannot share it, and read back at start only when it describes the very same file,
 * counted the same way. Depends on {@code track} for what to write; knows nothing of SQL.
 */
package dev.agentworkflow.exporter.state;
