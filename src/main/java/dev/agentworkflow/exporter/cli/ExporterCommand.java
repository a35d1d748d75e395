package dev.agentworkflow.exporter.cli;

import dev.agentworkflow.exporter.app.ExporterSettings;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The exporter's main command: serve the metrics of one database until stopped. */
@Command(
    name = "agent-workflow-exporter",
    mixinStandardHelpOptions = true,
    versionProvider = ManifestVersion.class,
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = {
      "Exports the agent workflow database (SQLite, written by the workflow's hooks) as Prometheus metrics.",
      "Polls the database every --interval seconds, read-only, reading only what changed; "
          + "serves /metrics, a landing page on / and /-/healthy."
    },
    subcommands = DemoCommand.class,
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:stopped by SIGTERM or SIGINT",
      "1:could not start (e.g. the port is in use)",
      "2:invalid option or value"
    },
    footerHeading = "%nEnvironment:%n",
    footer = "Each option can be set by the environment variable named after it, as shown; a flag wins.")
public final class ExporterCommand implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(ExporterCommand.class);

  @Option(names = "--db", paramLabel = "PATH", defaultValue = "logs/agent_workflow.db",
      description = "The SQLite database, relative to the working directory; it need not exist yet "
          + "(env AGENT_WORKFLOW_EXPORTER_DB, default ${DEFAULT-VALUE}).")
  Path database;

  @Mixin
  ServeOptions serve;

  /** The command line with environment defaults and one-line error handling. */
  public static CommandLine commandLine(Map<String, String> environment) {
    CommandLine commandLine = new CommandLine(new ExporterCommand());
    commandLine.setDefaultValueProvider(new EnvironmentDefaults(environment));
    commandLine.setParameterExceptionHandler((e, args) -> {
      PrintWriter err = e.getCommandLine().getErr();
      err.println("agent-workflow-exporter: " + e.getMessage() + " (see --help)");
      err.flush();
      return ExitCodes.USAGE;
    });
    commandLine.setExecutionExceptionHandler((e, cmd, parsed) -> {
      if (e instanceof StartupException) {
        cmd.getErr().println("agent-workflow-exporter: " + e.getMessage());
        cmd.getErr().flush();
        return ExitCodes.CANNOT_START;
      }
      throw e;
    });
    return commandLine;
  }

  @Override
  public Integer call() throws Exception {
    ExporterSettings settings = serve.settings(database);
    Foreground.serve(settings, exporter -> log.info(
        "agent-workflow-exporter {} serving http://{}:{}/metrics, reading {} every {}s (timestamps without offset in {})",
        settings.version(), settings.listen().getHostString(), exporter.port(), settings.databasePath(),
        settings.interval().toSeconds(), settings.timezone()));
    return ExitCodes.OK;
  }
}
