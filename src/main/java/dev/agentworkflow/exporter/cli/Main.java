package dev.agentworkflow.exporter.cli;

/** {@code java -jar exporter.jar [options] [demo]}. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    System.setErr(new LogStream(System.err)); // before anything logs: log lines stay one line each
    System.exit(ExporterCommand.commandLine(System.getenv()).execute(args));
  }
}
