package dev.agentworkflow.exporter.metrics;

import dev.agentworkflow.exporter.model.WebConfigStatus;
import io.prometheus.client.GaugeMetricFamily;
import io.prometheus.client.Predicate;
import java.util.List;
import java.util.function.Supplier;

/**
 * Whether the web configuration file's last change could be used, named as Prometheus names its
 * own configuration reloads; only registered when the exporter runs with a web configuration file.
 */
public final class WebConfigCollector extends SnapshotCollector<WebConfigStatus> {
  private final Supplier<WebConfigStatus> status;

  public WebConfigCollector(Supplier<WebConfigStatus> status) {
    this.status = status;
  }

  @Override
  public WebConfigStatus snapshot() {
    return status.get();
  }

  @Override
  public List<MetricFamilySamples> families(WebConfigStatus now, Predicate<String> sampleNameFilter) {
    return List.of(
        new GaugeMetricFamily("agent_workflow_exporter_web_config_last_reload_successful",
            "1 if the web configuration file in force is the file as it is now; 0 while a changed file cannot be "
                + "used and the previous one stays in force",
            now.lastReloadSuccessful() ? 1 : 0),
        new GaugeMetricFamily("agent_workflow_exporter_web_config_last_reload_success_timestamp_seconds",
            "When the web configuration in force was read, in seconds since the epoch",
            now.lastSuccess().toEpochMilli() / 1000.0));
  }
}
