package dev.agentworkflow.exporter.cli;

/** {@code java -jar exporter.jar [options] [demo]}. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    System.exit(ExporterCommand.commandLine(System.getenv()).execute(args));
  }
}
