/**
 * Reading the workflow database: a read-only connection that is reopened when the file changes
 * identity, the SQL of each table next to the code that maps its rows, and timestamp parsing.
 * Every query is short: large backlogs are read in chunks, each its own read transaction.
 */
package dev.agentworkflow.exporter.db;
