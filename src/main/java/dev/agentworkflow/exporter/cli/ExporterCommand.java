package dev.agentworkflow.exporter.cli;

import dev.agentworkflow.exporter.app.ExporterSettings;
import dev.agentworkflow.exporter.app.OneShot;
import dev.agentworkflow.exporter.app.TextfileTarget;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.time.Clock;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.UsageMessageSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The exporter's main command: serve the metrics of one database, or several, until stopped. */
@Command(
    name = "agent-workflow-exporter",
    mixinStandardHelpOptions = true,
    versionProvider = BuildVersion.class,
    sortOptions = false,
    abbreviateSynopsis = true, // the full synopsis wraps with picocli's BreakIterator, which breaks "--web." from "listen-address"
    usageHelpAutoWidth = true,
    description = {
      "Exports the agent workflow database (SQLite, written by the workflow's hooks) as Prometheus metrics.",
      "Polls the database every --interval seconds, read-only, reading only what changed; "
          + "serves /metrics (or --web.telemetry-path), a status page on /, /-/healthy and /-/ready "
          + "(503 until the first poll has finished)."
    },
    subcommands = {DemoCommand.class, ShipCommand.class},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:stopped by SIGTERM or SIGINT; with --once or --textfile: the database was read",
      "1:could not start (the port is in use, the address is not this host's, a port below 1024 without "
          + "the privilege); with --once or --textfile: the database "
          + "could not be read, or the file not written",
      "2:invalid option or value"
    },
    footerHeading = "%nEnvironment:%n",
    footer = {
      "Each option can be set by the environment variable named after it, as shown; a flag wins.",
      "%nSignals:",
      "SIGTERM, SIGINT  stop; the process exits 0",
      "SIGHUP           reload the configuration files (--web-config-file), go on"})
public final class ExporterCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Mixin
  DatabaseOptions databases;

  @Option(names = "--once",
      description = "Read the database once, print the metrics to stdout in the text format and exit, "
          + "instead of serving them.")
  boolean once;

  @Option(names = "--textfile", paramLabel = "PATH",
      description = "Read the database once and write the metrics to PATH atomically (temporary file, then "
          + "rename), as node_exporter's textfile collector reads them (name it *.prom); then exit.")
  Path textfile;

  @Mixin
  ServeOptions serve;

  /** The command line with environment defaults and one-line error handling. */
  public static CommandLine commandLine(Map<String, String> environment) {
    CommandLine commandLine = new CommandLine(new ExporterCommand());
    commandLine.registerConverter(Path.class, new PathConverter());
    commandLine.setDefaultValueProvider(new EnvironmentDefaults(environment));
    for (CommandLine command : List.of(commandLine, commandLine.getSubcommands().get("demo"),
        commandLine.getSubcommands().get("ship"))) {
      command.getHelpSectionMap().put(UsageMessageSpec.SECTION_KEY_OPTION_LIST, new OptionList());
    }
    commandLine.setParameterExceptionHandler((e, args) -> {
      PrintWriter err = e.getCommandLine().getErr();
      err.println("agent-workflow-exporter: " + OneLine.escape(e.getMessage()) + " (see --help)");
      err.flush();
      return ExitCodes.USAGE;
    });
    commandLine.setExecutionExceptionHandler((e, cmd, parsed) -> {
      if (e instanceof StartupException) {
        cmd.getErr().println("agent-workflow-exporter: " + OneLine.escape(e.getMessage()));
        cmd.getErr().flush();
        return ExitCodes.CANNOT_START;
      }
      throw e;
    });
    return commandLine;
  }

  @Override
  public Integer call() throws Exception {
    serve.applyLogging();
    ExporterSettings settings = serve.settings(databases.sources());
    if (textfile != null) {
      Optional<String> problem = TextfileTarget.problem(textfile);
      if (problem.isPresent()) {
        throw new ParameterException(spec.commandLine(), "--textfile " + textfile + ": " + problem.get()
            + "; give a regular file, or a new file in an existing folder");
      }
    }
    if (once || textfile != null) {
      return oneShot(settings);
    }
    Logger log = LoggerFactory.getLogger(ExporterCommand.class);
    Foreground.serve(settings, exporter -> log.info(
        "agent-workflow-exporter {} serving {}://{}{}, reading {} every {}s (timestamps without offset in {}){}",
        settings.version(), exporter.scheme(), Foreground.authority(settings.listen().getHostString(), exporter.port()),
        settings.telemetryPath(), settings.databases().describe(), settings.interval().toSeconds(), settings.timezone(),
        settings.web().summary()));
    return ExitCodes.OK;
  }

  private int oneShot(ExporterSettings settings) {
    OneShot.Output output = OneShot.run(settings, Clock.systemUTC());
    PrintWriter err = spec.commandLine().getErr();
    if (!output.hasText()) {
      err.println("agent-workflow-exporter: " + OneLine.escape(output.problem()) + "; no metrics written");
      err.flush();
      return ExitCodes.CANNOT_START;
    }
    // With several databases the metrics of all are written, those not read with database_up 0;
    // the exit code still says that one was not read.
    int exit = output.databaseRead() ? ExitCodes.OK : ExitCodes.CANNOT_START;
    if (!output.databaseRead()) {
      err.println("agent-workflow-exporter: " + OneLine.escape(output.problem()));
      err.flush();
    }
    if (textfile == null) {
      PrintWriter out = spec.commandLine().getOut();
      out.print(output.text());
      out.flush();
      return exit;
    }
    try {
      OneShot.writeAtomically(textfile, output.text());
      return exit;
    } catch (IOException e) {
      err.println("agent-workflow-exporter: " + OneLine.escape("cannot write " + textfile + ": " + reason(e)));
      err.flush();
      return ExitCodes.CANNOT_START;
    }
  }

  /** What went wrong, without the temporary file's name that a bare file system exception consists of. */
  private static String reason(IOException e) {
    if (e instanceof AccessDeniedException) {
      return "permission denied (the exporter's user must be allowed to create files in its folder)";
    }
    if (e instanceof FileSystemException f && f.getReason() != null) {
      return f.getReason();
    }
    return e.getMessage();
  }
}
