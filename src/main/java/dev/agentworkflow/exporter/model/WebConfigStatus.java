package dev.agentworkflow.exporter.model;

import java.time.Instant;

/**
 * How the last reload of the web configuration file went.
 *
 * @param lastReloadSuccessful false while a changed file cannot be used (the previous one stays in force)
 * @param lastSuccess when the file in force was read
 */
public record WebConfigStatus(boolean lastReloadSuccessful, Instant lastSuccess) {}
