package dev.agentworkflow.exporter.cli;

/** Something outside the options keeps the exporter from starting (a port in use); one line to print. */
final class StartupException extends Exception {
  StartupException(String message, Throwable cause) {
    super(message, cause);
  }
}
