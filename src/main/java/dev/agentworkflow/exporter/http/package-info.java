/**
 * HTTP serving: {@code /metrics} and {@code /-/healthy} from simpleclient's HTTPServer on a server
 * we bind ourselves, and a landing page on {@code /}. Scrapes never touch the database.
 */
package dev.agentworkflow.exporter.http;
