package dev.agentworkflow.exporter.app;

import dev.agentworkflow.exporter.custom.CustomMetrics;
import dev.agentworkflow.exporter.model.BuildInfo;
import dev.agentworkflow.exporter.project.DatabaseSources;
import dev.agentworkflow.exporter.state.StateLocation;
import dev.agentworkflow.exporter.webconfig.WebConfig;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Optional;

/**
 * Everything the exporter needs to run, already validated by the command line.
 *
 * @param databasePath the SQLite file, as the user gave it (shown as given in labels and pages); with
 *     several databases, the one a poller is opened for ({@link #forDatabase})
 * @param listen where to serve HTTP; port 0 picks a free one
 * @param telemetryPath the path of the metrics, {@code /metrics} unless --web.telemetry-path says otherwise
 * @param interval time between the end of a poll and the start of the next
 * @param staleAfter how long an unfinished invocation counts as running
 * @param timezone zone of timestamps written without an offset
 * @param maxLabelValues distinct values per label before new ones read as {@code other}
 * @param maxSeries label combinations per metric family before new ones are counted under the
 *     family's one overflow series (labels all {@code other})
 * @param build the exporter's version and build, for build_info and the status page
 * @param web TLS, basic auth, headers and rate limit of the HTTP server ({@link WebConfig#NONE}: plain HTTP)
 * @param stateFile where the state survives restarts; empty: nowhere (every start counts from scratch)
 * @param databases every database to read; with several, each has its state file in {@link
 *     DatabaseSources#stateFolder()}
 * @param customMetrics the user-defined metrics read at start from --metrics-config ({@link CustomMetrics#NONE}
 *     without one); the file is reloaded when it changes
 */
public record ExporterSettings(
    Path databasePath,
    InetSocketAddress listen,
    String telemetryPath,
    Duration interval,
    Duration staleAfter,
    ZoneId timezone,
    int maxLabelValues,
    int maxSeries,
    BuildInfo build,
    WebConfig web,
    Optional<Path> stateFile,
    DatabaseSources databases,
    CustomMetrics customMetrics) {

  /** The settings of an exporter without user-defined metrics. */
  public ExporterSettings(Path databasePath, InetSocketAddress listen, String telemetryPath, Duration interval,
      Duration staleAfter, ZoneId timezone, int maxLabelValues, int maxSeries, BuildInfo build, WebConfig web,
      Optional<Path> stateFile, DatabaseSources databases) {
    this(databasePath, listen, telemetryPath, interval, staleAfter, timezone, maxLabelValues, maxSeries, build, web,
        stateFile, databases, CustomMetrics.NONE);
  }

  /** The settings of an exporter of one database. */
  public ExporterSettings(Path databasePath, InetSocketAddress listen, String telemetryPath, Duration interval,
      Duration staleAfter, ZoneId timezone, int maxLabelValues, int maxSeries, BuildInfo build, WebConfig web,
      Optional<Path> stateFile) {
    this(databasePath, listen, telemetryPath, interval, staleAfter, timezone, maxLabelValues, maxSeries, build, web,
        stateFile, DatabaseSources.one(databasePath));
  }

  /**
   * The settings a poller of {@code database} counts with: these, for that file and its state file
   * (its own --state-file when it is the only one, else a file of its own in the state folder).
   */
  public ExporterSettings forDatabase(Path database) {
    Optional<Path> state = databases.labelled()
        ? databases.stateFolder().map(folder -> StateLocation.inFolder(folder, database))
        : stateFile;
    return new ExporterSettings(database, listen, telemetryPath, interval, staleAfter, timezone, maxLabelValues,
        maxSeries, build, web, state, databases, customMetrics);
  }

  /** These settings with the user-defined metrics read from --metrics-config. */
  public ExporterSettings withCustomMetrics(CustomMetrics metrics) {
    return new ExporterSettings(databasePath, listen, telemetryPath, interval, staleAfter, timezone, maxLabelValues,
        maxSeries, build, web, stateFile, databases, metrics);
  }

  /** The metrics' path when none is given. */
  public static final String DEFAULT_TELEMETRY_PATH = "/metrics";

  /** The exporter's version, e.g. {@code 0.1.0}. */
  public String version() {
    return build.version();
  }
}
