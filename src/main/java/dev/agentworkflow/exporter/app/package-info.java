/** The one place that wires the exporter together: database, poller, metrics, HTTP. */
package dev.agentworkflow.exporter.app;
