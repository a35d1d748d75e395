/**
 * Shipping a machine's SQLite log to the team's PostgreSQL store: {@link
 * dev.agentworkflow.exporter.ship.Shipper} reads what changed in the file, as the exporter reads
 * it, and upserts it into the store ({@code db.StoreWriter}), which holds the cursor. See
 * docs/postgresql.md.
 */
package dev.agentworkflow.exporter.ship;
