package dev.agentworkflow.exporter.cli;

/** The process's exit codes, as listed in {@code --help}. */
final class ExitCodes {
  static final int OK = 0;
  static final int CANNOT_START = 1;
  static final int USAGE = 2;

  private ExitCodes() {}
}
