package dev.agentworkflow.exporter.support;

import dev.agentworkflow.exporter.app.ExporterSettings;
import dev.agentworkflow.exporter.webconfig.WebConfig;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** Settings for an exporter in a test: loopback, a free port, the hooks' zone, the defaults otherwise. */
public final class TestSettings {
  private TestSettings() {}

  public static ExporterSettings of(Path database, Duration interval) {
    return new ExporterSettings(database, new InetSocketAddress("127.0.0.1", 0), interval, Duration.ofHours(6),
        HookDatabase.ZONE, 500, 2000, "test", WebConfig.NONE, Optional.empty());
  }

  /** The same settings with a web configuration (TLS, basic auth, headers, rate limit). */
  public static ExporterSettings withWeb(ExporterSettings s, WebConfig web) {
    return new ExporterSettings(s.databasePath(), s.listen(), s.interval(), s.staleAfter(), s.timezone(),
        s.maxLabelValues(), s.maxSeries(), s.version(), web, s.stateFile());
  }

  /** The same settings with another --max-series. */
  public static ExporterSettings withMaxSeries(ExporterSettings s, int maxSeries) {
    return new ExporterSettings(s.databasePath(), s.listen(), s.interval(), s.staleAfter(), s.timezone(),
        s.maxLabelValues(), maxSeries, s.version(), s.web(), s.stateFile());
  }

  /** The same settings with a state file. */
  public static ExporterSettings withState(ExporterSettings s, Path stateFile) {
    return new ExporterSettings(s.databasePath(), s.listen(), s.interval(), s.staleAfter(), s.timezone(),
        s.maxLabelValues(), s.maxSeries(), s.version(), s.web(), Optional.of(stateFile));
  }

  /** For tests that poll by hand: the scheduled polls are an hour apart. */
  public static ExporterSettings of(Path database) {
    return of(database, Duration.ofHours(1));
  }
}
