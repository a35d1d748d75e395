package dev.agentworkflow.exporter.support;

import dev.agentworkflow.exporter.app.ExporterSettings;
import dev.agentworkflow.exporter.project.DatabaseSources;
import dev.agentworkflow.exporter.model.BuildInfo;
import dev.agentworkflow.exporter.webconfig.WebConfig;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** Settings for an exporter in a test: loopback, a free port, the hooks' zone, the defaults otherwise. */
public final class TestSettings {
  private TestSettings() {}

  /** A build of this version, from an unknown revision and branch, running on this JVM. */
  public static BuildInfo build(String version) {
    return new BuildInfo(version, "unknown", "unknown", "unknown", "unknown", System.getProperty("java.version"),
        "linux/amd64");
  }

  public static ExporterSettings of(Path database, Duration interval) {
    return new ExporterSettings(database, new InetSocketAddress("127.0.0.1", 0),
        ExporterSettings.DEFAULT_TELEMETRY_PATH, interval, Duration.ofHours(6), HookDatabase.ZONE, 500, 2000,
        build("test"), WebConfig.NONE, Optional.empty());
  }

  /** The same settings with a web configuration (TLS, basic auth, headers, rate limit). */
  public static ExporterSettings withWeb(ExporterSettings s, WebConfig web) {
    return new ExporterSettings(s.databasePath(), s.listen(), s.telemetryPath(), s.interval(), s.staleAfter(),
        s.timezone(), s.maxLabelValues(), s.maxSeries(), s.build(), web, s.stateFile());
  }

  /** The same settings with another --max-series. */
  public static ExporterSettings withMaxSeries(ExporterSettings s, int maxSeries) {
    return new ExporterSettings(s.databasePath(), s.listen(), s.telemetryPath(), s.interval(), s.staleAfter(),
        s.timezone(), s.maxLabelValues(), maxSeries, s.build(), s.web(), s.stateFile());
  }

  /** The same settings with a state file. */
  public static ExporterSettings withState(ExporterSettings s, Path stateFile) {
    return new ExporterSettings(s.databasePath(), s.listen(), s.telemetryPath(), s.interval(), s.staleAfter(),
        s.timezone(), s.maxLabelValues(), s.maxSeries(), s.build(), s.web(), Optional.of(stateFile));
  }

  /** The same settings with another --web.telemetry-path. */
  public static ExporterSettings withTelemetryPath(ExporterSettings s, String telemetryPath) {
    return new ExporterSettings(s.databasePath(), s.listen(), telemetryPath, s.interval(), s.staleAfter(),
        s.timezone(), s.maxLabelValues(), s.maxSeries(), s.build(), s.web(), s.stateFile());
  }

  /** The same settings reading {@code sources} (several files, or the PostgreSQL store). */
  public static ExporterSettings withSources(ExporterSettings s, DatabaseSources sources) {
    return new ExporterSettings(s.databasePath(), s.listen(), s.telemetryPath(), s.interval(), s.staleAfter(),
        s.timezone(), s.maxLabelValues(), s.maxSeries(), s.build(), s.web(), Optional.empty(), sources);
  }

  /** For tests that poll by hand: the scheduled polls are an hour apart. */
  public static ExporterSettings of(Path database) {
    return of(database, Duration.ofHours(1));
  }
}
