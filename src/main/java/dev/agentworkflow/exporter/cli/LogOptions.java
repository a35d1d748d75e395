package dev.agentworkflow.exporter.cli;

import dev.agentworkflow.exporter.log.LineLoggers;
import dev.agentworkflow.exporter.log.LogFormat;
import dev.agentworkflow.exporter.log.LogLevel;
import picocli.CommandLine.Option;

/** How the process logs: the options of every command that runs for a while (the exporter, {@code demo}, {@code ship}). */
final class LogOptions {
  @Option(names = {"--log-level", "--log.level"}, paramLabel = "LEVEL", defaultValue = "info",
      converter = LogLevelConverter.class,
      description = "error, warn, info or debug; lines go to stderr "
          + "(env AGENT_WORKFLOW_EXPORTER_LOG_LEVEL, default ${DEFAULT-VALUE}).")
  LogLevel logLevel;

  @Option(names = {"--log-format", "--log.format"}, paramLabel = "FORMAT", defaultValue = "logfmt",
      converter = LogFormatConverter.class,
      description = "logfmt or json, one line per event, as official exporters write them "
          + "(env AGENT_WORKFLOW_EXPORTER_LOG_FORMAT, default ${DEFAULT-VALUE}).")
  LogFormat logFormat;

  /** Sets the level and format of this process's log lines; before anything is logged. */
  void apply() {
    LineLoggers.configure(logLevel, logFormat);
  }
}
