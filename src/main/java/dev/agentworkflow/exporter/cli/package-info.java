/**
 * The command line: options, their environment variables and validation, exit codes, and
 * running in the foreground until SIGTERM or SIGINT. The only package that calls
 * {@code System.exit}, and only from {@link dev.agentworkflow.exporter.cli.Main}.
 */
package dev.agentworkflow.exporter.cli;
