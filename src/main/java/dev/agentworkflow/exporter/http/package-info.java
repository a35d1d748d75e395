/**
 * HTTP serving on the JDK's server: {@code /metrics} (simpleclient's text and OpenMetrics
 * writers), {@code /-/healthy}, and a landing page on {@code /}. Scrapes never touch the database.
 */
package dev.agentworkflow.exporter.http;
