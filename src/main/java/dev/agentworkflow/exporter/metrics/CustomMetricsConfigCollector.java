package dev.agentworkflow.exporter.metrics;

import dev.agentworkflow.exporter.custom.LiveCustomMetrics;
import io.prometheus.client.GaugeMetricFamily;
import io.prometheus.client.Predicate;
import java.util.List;
import java.util.function.Supplier;

/**
 * Whether the metrics configuration file's last change could be used, named as Prometheus names its
 * own configuration reloads; only registered when the exporter runs with --metrics-config.
 */
public final class CustomMetricsConfigCollector extends SnapshotCollector<LiveCustomMetrics.Status> {
  private final Supplier<LiveCustomMetrics.Status> status;

  public CustomMetricsConfigCollector(Supplier<LiveCustomMetrics.Status> status) {
    this.status = status;
  }

  @Override
  public LiveCustomMetrics.Status snapshot() {
    return status.get();
  }

  @Override
  public List<MetricFamilySamples> families(LiveCustomMetrics.Status now, Predicate<String> sampleNameFilter) {
    return List.of(
        new GaugeMetricFamily("agent_workflow_exporter_metrics_config_last_reload_successful",
            "1 if the user-defined metrics in force are the --metrics-config file as it is now; 0 while a changed "
                + "file cannot be used and the previous one stays in force",
            now.lastReloadSuccessful() ? 1 : 0),
        new GaugeMetricFamily("agent_workflow_exporter_metrics_config_last_reload_success_timestamp_seconds",
            "When the user-defined metrics in force were read, in seconds since the epoch",
            now.lastSuccess().toEpochMilli() / 1000.0));
  }
}
