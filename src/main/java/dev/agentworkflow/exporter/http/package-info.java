/**
 * HTTP serving on the exporter's own non-blocking server: {@code /metrics} (simpleclient's text
 * and OpenMetrics writers), {@code /-/healthy}, {@code /-/ready}, and a status page on {@code /}.
 * Scrapes and the page render the published poll; they never touch the database.
 */
package dev.agentworkflow.exporter.http;
