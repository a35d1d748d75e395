package dev.agentworkflow.exporter.cli;

import dev.agentworkflow.exporter.app.Exporter;
import dev.agentworkflow.exporter.app.ExporterSettings;
import dev.agentworkflow.exporter.custom.CustomMetrics;
import dev.agentworkflow.exporter.custom.CustomMetricsException;
import dev.agentworkflow.exporter.project.DatabaseSources;
import dev.agentworkflow.exporter.state.StateLocation;
import dev.agentworkflow.exporter.webconfig.WebConfig;
import dev.agentworkflow.exporter.webconfig.WebConfigException;
import dev.agentworkflow.exporter.webconfig.WebConfigFile;
import java.net.InetSocketAddress;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The options of a running exporter, shared by the main command and {@code demo}. */
final class ServeOptions {
  @Spec(Spec.Target.MIXEE)
  CommandSpec spec;

  @Option(names = "--port", paramLabel = "N", defaultValue = "9090",
      description = "HTTP port; 0 picks a free one (env AGENT_WORKFLOW_EXPORTER_PORT, default ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--bind", paramLabel = "ADDR", defaultValue = "0.0.0.0",
      description = "Address to listen on; 127.0.0.1 keeps it to this host "
          + "(env AGENT_WORKFLOW_EXPORTER_BIND, default ${DEFAULT-VALUE}).")
  String bind;

  @Option(names = "--web.listen-address", paramLabel = "[HOST]:PORT", converter = ListenAddressConverter.class,
      description = "Address and port in one, as official exporters take them: :9091 (every address), "
          + "127.0.0.1:9091, [::1]:9091; instead of --bind and --port, not with them "
          + "(env AGENT_WORKFLOW_EXPORTER_WEB_LISTEN_ADDRESS).")
  InetSocketAddress listenAddress;

  @Option(names = {"--web-telemetry-path", "--web.telemetry-path"}, paramLabel = "PATH",
      defaultValue = ExporterSettings.DEFAULT_TELEMETRY_PATH,
      description = "Path of the metrics; / is the status page and /-/ the exporter's own "
          + "(env AGENT_WORKFLOW_EXPORTER_WEB_TELEMETRY_PATH, default ${DEFAULT-VALUE}).")
  String telemetryPath;

  @Option(names = "--interval", paramLabel = "SECONDS", defaultValue = "15",
      description = "Seconds between polls of the database, at least 1 "
          + "(env AGENT_WORKFLOW_EXPORTER_INTERVAL, default ${DEFAULT-VALUE}).")
  int intervalSeconds;

  @Option(names = "--stale-after", paramLabel = "DURATION", defaultValue = "6h", converter = DurationConverter.class,
      description = "An invocation still running after this long no longer counts in parallel_executions_current: "
          + "90m, 6h, 1d and the like, at most 365d (env AGENT_WORKFLOW_EXPORTER_STALE_AFTER, default ${DEFAULT-VALUE}).")
  Duration staleAfter;

  @Option(names = "--timezone", paramLabel = "ZONE", converter = ZoneConverter.class,
      description = "Zone of timestamps written without an offset, such as Europe/Berlin or UTC "
          + "(env AGENT_WORKFLOW_EXPORTER_TIMEZONE, default: this machine's zone, from TZ or /etc/localtime).")
  ZoneId timezone;

  @Option(names = "--max-label-values", paramLabel = "N", defaultValue = "500",
      description = "Distinct values kept per label (agent_name, phase, status, model); later ones are reported as "
          + "'other' and counted in agent_workflow_exporter_label_overflow_total "
          + "(env AGENT_WORKFLOW_EXPORTER_MAX_LABEL_VALUES, default ${DEFAULT-VALUE}).")
  int maxLabelValues;

  @Option(names = "--max-series", paramLabel = "N", defaultValue = "2000",
      description = "Label combinations kept per metric family (agent_invocation_total, agent_error_total, "
          + "agent_duration_seconds, ...); later ones are counted under one series whose labels read 'other' and in "
          + "agent_workflow_exporter_series_overflow_total (env AGENT_WORKFLOW_EXPORTER_MAX_SERIES, "
          + "default ${DEFAULT-VALUE}).")
  int maxSeries;

  @Option(names = {"--web-config-file", "--web.config.file"}, paramLabel = "PATH",
      description = "TLS, basic auth and response headers, in the web configuration format of Prometheus's "
          + "exporter-toolkit (the file official exporters read with --web.config.file); see docs/security.md "
          + "(env AGENT_WORKFLOW_EXPORTER_WEB_CONFIG_FILE).")
  Path webConfigFile;

  @Option(names = "--metrics-config", paramLabel = "FILE",
      description = "Metrics of your own, defined in YAML with SQL: counters and histograms fed once per row, gauges "
          + "from a SELECT; reloaded when the file changes; see docs/custom-metrics.md "
          + "(env AGENT_WORKFLOW_EXPORTER_METRICS_CONFIG).")
  Path metricsConfig;

  @Option(names = "--state-file", paramLabel = "PATH|none",
      description = "Where the counts survive a restart: a file of the exporter's own, never beside the database; "
          + "'none' turns it off. Default: a file per database in $STATE_DIRECTORY (systemd's StateDirectory=), "
          + "else in ${XDG_STATE_HOME:-$HOME/.local/state}/agent-workflow-exporter/ "
          + "(env AGENT_WORKFLOW_EXPORTER_STATE_FILE).")
  String stateFile;

  @Mixin
  LogOptions log;

  /** Sets the level and format of this process's log lines; before anything is logged. */
  void applyLogging() {
    log.apply();
  }

  /** The validated settings of an exporter of one database; a bad value is a {@link ParameterException} (exit 2). */
  ExporterSettings settings(Path database) {
    return settings(DatabaseSources.one(database));
  }

  /** The validated settings; a bad value is a {@link ParameterException} (exit 2). */
  ExporterSettings settings(DatabaseSources databases) {
    if (port < 0 || port > 65535) {
      throw new ParameterException(spec.commandLine(), "--port must be between 0 and 65535, got " + port);
    }
    if (intervalSeconds < 1) {
      throw new ParameterException(spec.commandLine(), "--interval must be at least 1 second, got " + intervalSeconds);
    }
    if (maxLabelValues < 1) {
      throw new ParameterException(spec.commandLine(), "--max-label-values must be at least 1, got " + maxLabelValues);
    }
    if (maxSeries < 1) {
      throw new ParameterException(spec.commandLine(), "--max-series must be at least 1, got " + maxSeries);
    }
    Path first = databases.named().isEmpty() ? Path.of(DatabaseOptions.DEFAULT_DATABASE)
        : databases.named().get(0).path();
    Optional<Path> state;
    DatabaseSources sources = databases;
    if (databases.store().isPresent()) {
      state = Optional.empty(); // the store keeps every row: an exporter reads it whole at start
      if (metricsConfig != null) {
        throw new ParameterException(spec.commandLine(), "--metrics-config is not read with --db postgresql://… yet: "
            + "its SQL is SQLite's; give it with --db PATH");
      }
    } else if (databases.labelled()) {
      state = Optional.empty();
      sources = new DatabaseSources(databases.named(), databases.globs(), databases.lookEvery(), stateFolder());
    } else {
      state = stateFile(first);
    }
    ExporterSettings settings = new ExporterSettings(first, listen(), telemetryPath(),
        Duration.ofSeconds(intervalSeconds), staleAfter, timezone != null ? timezone : ZoneId.systemDefault(),
        maxLabelValues, maxSeries, BuildVersion.read(), web(), state, sources);
    return metricsConfig == null ? settings : settings.withCustomMetrics(customMetrics(settings));
  }

  /** --metrics-config, read and checked against the databases named; any problem is one line, FILE:LINE: what. */
  private CustomMetrics customMetrics(ExporterSettings settings) {
    try {
      return Exporter.readCustomMetrics(metricsConfig, settings);
    } catch (CustomMetricsException e) {
      throw new ParameterException(spec.commandLine(), "--metrics-config " + e.getMessage());
    }
  }

  /**
   * With several databases, each has a state file of its own, named by a hash of its path, in the
   * default folder: one --state-file cannot hold them, so a path is refused; {@code none} turns them off.
   */
  private Optional<Path> stateFolder() {
    if (stateFile == null) {
      return StateLocation.defaultFolder(environment());
    }
    if (stateFile.equals(StateLocation.NONE)) {
      return Optional.empty();
    }
    throw new ParameterException(spec.commandLine(), "--state-file " + stateFile + " names one file, and several "
        + "databases are read: each keeps its own in $STATE_DIRECTORY, else in "
        + "${XDG_STATE_HOME:-$HOME/.local/state}/agent-workflow-exporter/; leave --state-file out, or give none");
  }

  /**
   * --web.listen-address, or --bind and --port. The two are spellings of one setting: giving both, in
   * any mix of flags and variables, is refused rather than one silently overriding the other (a
   * variable's 127.0.0.1 dropped by a flag's :9091 would expose the metrics to the network).
   */
  private InetSocketAddress listen() {
    if (listenAddress != null) {
      String other = givenAs("--port").or(() -> givenAs("--bind")).orElse(null);
      if (other != null) {
        throw new ParameterException(spec.commandLine(), givenAs("--web.listen-address").orElseThrow() + " and "
            + other + " both set the address to listen on; keep one of them");
      }
      return listenAddress;
    }
    if (bind.isEmpty()) {
      throw new ParameterException(spec.commandLine(),
          "--bind is empty; give an address such as 127.0.0.1, or 0.0.0.0 for all of this host's");
    }
    InetSocketAddress listen = new InetSocketAddress(bind, port);
    if (listen.isUnresolved()) {
      throw new ParameterException(spec.commandLine(), "--bind: cannot resolve address '" + bind + "'");
    }
    return listen;
  }

  /** How an option was given, {@code --port} or {@code AGENT_WORKFLOW_EXPORTER_PORT}; empty when it was not. */
  private Optional<String> givenAs(String option) {
    if (spec.commandLine().getParseResult().hasMatchedOption(option)) {
      return Optional.of(option);
    }
    String variable = EnvironmentDefaults.variableFor(option);
    return environment().containsKey(variable) ? Optional.of(variable) : Optional.empty();
  }

  /**
   * --web.telemetry-path: a path a client sends as it is (no escapes: requests are matched before any
   * decoding), that is neither the status page nor under /-/, where health and readiness are.
   */
  private String telemetryPath() {
    String option = "--web.telemetry-path";
    if (telemetryPath.isEmpty()) {
      throw new ParameterException(spec.commandLine(), option + " is empty; give a path such as /metrics");
    }
    if (!telemetryPath.startsWith("/")) {
      throw new ParameterException(spec.commandLine(), option + " must start with /, got '" + telemetryPath + "'");
    }
    if (telemetryPath.equals("/") || telemetryPath.startsWith("/-/")) {
      throw new ParameterException(spec.commandLine(), option + " " + telemetryPath + " is taken: / is the landing "
          + "page, and paths under /-/ are the exporter's own (/-/healthy, /-/ready); give another, e.g. /metrics");
    }
    for (int i = 0; i < telemetryPath.length(); i++) {
      char c = telemetryPath.charAt(i);
      if (!(c < 0x80 && (Character.isLetterOrDigit(c) || "-._~!$&'()*+,;=:@/".indexOf(c) >= 0))) {
        throw new ParameterException(spec.commandLine(), option + " '" + telemetryPath + "' holds '" + c
            + "', which a URL path cannot hold as it is; use letters, digits and - . _ ~ ! $ & ' ( ) * + , ; = : @ /");
      }
    }
    return telemetryPath;
  }

  private Map<String, String> environment() {
    return spec.commandLine().getDefaultValueProvider() instanceof EnvironmentDefaults env
        ? env.environment() : Map.of();
  }

  private Optional<Path> stateFile(Path database) {
    if (stateFile != null && stateFile.isEmpty()) {
      throw new ParameterException(spec.commandLine(), "--state-file is empty; give a path, or none");
    }
    Optional<Path> file;
    try {
      file = StateLocation.resolve(stateFile, database, environment());
    } catch (java.nio.file.InvalidPathException e) {
      throw new ParameterException(spec.commandLine(), "--state-file: " + e.getMessage());
    }
    Path databaseFolder = database.toAbsolutePath().normalize().getParent();
    if (file.isPresent() && databaseFolder != null
        && databaseFolder.equals(file.get().toAbsolutePath().normalize().getParent())) {
      throw new ParameterException(spec.commandLine(), "--state-file " + file.get() + " is in the database's folder, "
          + "which is the hooks': the exporter writes nothing there; give a path in another folder");
    }
    return file;
  }

  private WebConfig web() {
    if (webConfigFile == null) {
      return WebConfig.NONE;
    }
    try {
      return WebConfigFile.read(webConfigFile);
    } catch (WebConfigException e) {
      throw new ParameterException(spec.commandLine(), "--web-config-file " + e.getMessage());
    } catch (InvalidPathException e) { // a path named in the file, under a locale that cannot encode it
      throw new ParameterException(spec.commandLine(),
          "--web-config-file " + webConfigFile + ": " + PathConverter.unrepresentable(e.getInput()));
    }
  }
}
