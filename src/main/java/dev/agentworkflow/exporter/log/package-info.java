/**
 * Log lines as official exporters print them (promslog): logfmt by default, JSON with
 * {@code --log.format=json}, one line per event on stderr. Our own SLF4J 2 provider, found by
 * {@link java.util.ServiceLoader}; the rest of the code logs through SLF4J and never sees this
 * package. The level and the format are the process's: set once by the command line.
 */
package dev.agentworkflow.exporter.log;
