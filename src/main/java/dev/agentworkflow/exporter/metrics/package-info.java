/**
 * Every metric's name, type, help text and labels, and the collector that renders the latest
 * published {@code PollResult} into Prometheus samples, all from one snapshot per scrape.
 */
package dev.agentworkflow.exporter.metrics;
