package dev.agentworkflow.exporter.metrics;

import dev.agentworkflow.exporter.model.CustomFamily;
import dev.agentworkflow.exporter.model.CustomRuns;
import dev.agentworkflow.exporter.model.ProjectPoll;
import io.prometheus.client.Collector.MetricFamilySamples;
import io.prometheus.client.Collector.Type;
import io.prometheus.client.CounterMetricFamily;
import io.prometheus.client.GaugeMetricFamily;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The user-defined metrics' families ({@code --metrics-config}) and how their statements ran, as
 * {@link WorkflowCollector} slices: one per family name any database has, in the configuration's
 * order, joined over the databases as the built-in families are.
 */
final class CustomFamilies {
  private static final String AS_OF = " (as of the last poll)";

  private CustomFamilies() {}

  static List<WorkflowCollector.Slice> slices(List<ProjectPoll> projects) {
    // the first database's family of each name says its kind and labels; a database that still
    // publishes another kind under that name (a reload it has not polled since) is left out of it
    Map<String, CustomFamily> first = new LinkedHashMap<>();
    boolean runs = false;
    for (ProjectPoll project : projects) {
      project.poll().custom().families().forEach(family -> first.putIfAbsent(family.name(), family));
      runs |= !project.poll().custom().runs().isEmpty();
    }
    if (first.isEmpty() && !runs) {
      return List.of();
    }
    List<WorkflowCollector.Slice> slices = new ArrayList<>();
    for (CustomFamily reference : first.values()) {
      slices.add((project, scope) -> project.poll().custom().families().stream()
          .filter(family -> family.name().equals(reference.name()) && family.kind() == reference.kind()
              && family.labelNames().equals(reference.labelNames()))
          .findFirst().map(family -> family(family, scope)).orElse(null));
    }
    slices.add((project, scope) -> runs(project, scope, "agent_workflow_exporter_custom_metric_last_run_seconds",
        "How long the last run of a user-defined metric's statements took", false, CustomRuns::lastRunSeconds));
    slices.add((project, scope) -> runs(project, scope, "agent_workflow_exporter_custom_metric_errors_total",
        "Runs of a user-defined metric's statements that failed, timeouts included", true,
        r -> r.errors()));
    slices.add((project, scope) -> runs(project, scope, "agent_workflow_exporter_custom_metric_timeouts_total",
        "Statements of a user-defined metric interrupted because they ran past its timeout", true,
        r -> r.timeouts()));
    slices.add((project, scope) -> runs(project, scope, "agent_workflow_exporter_custom_metric_rows_read_total",
        "Rows the statements of a user-defined metric returned", true, r -> r.rowsRead()));
    return slices;
  }

  private static MetricFamilySamples family(CustomFamily family, WorkflowCollector.Scope scope) {
    List<String> labels = scope.names(family.labelNames());
    String help = family.help() + AS_OF;
    switch (family.kind()) {
      case COUNTER -> {
        CounterMetricFamily counter = new CounterMetricFamily(family.name(), help, labels);
        family.values().forEach(series -> counter.addMetric(scope.values(series.labelValues()), series.value()));
        return counter;
      }
      case GAUGE -> {
        GaugeMetricFamily gauge = new GaugeMetricFamily(family.name(), help, labels);
        family.values().forEach(series -> gauge.addMetric(scope.values(series.labelValues()), series.value()));
        return gauge;
      }
      default -> {
        List<MetricFamilySamples.Sample> samples = new ArrayList<>();
        family.histograms().forEach(series -> WorkflowCollector.histogramSamples(family.name(), labels,
            scope.values(series.labelValues()), series.histogram(), samples));
        return new MetricFamilySamples(family.name(), Type.HISTOGRAM, help, samples);
      }
    }
  }

  private static MetricFamilySamples runs(ProjectPoll project, WorkflowCollector.Scope scope, String name, String help,
      boolean counter, ToDoubleFunction<CustomRuns> value) {
    List<CustomRuns> runs = project.poll().custom().runs();
    if (runs.isEmpty()) {
      return null;
    }
    List<String> labels = scope.names("metric");
    if (counter) {
      CounterMetricFamily family = new CounterMetricFamily(name, help, labels);
      runs.forEach(r -> family.addMetric(scope.values(List.of(r.metric())), value.applyAsDouble(r)));
      return family;
    }
    GaugeMetricFamily family = new GaugeMetricFamily(name, help, labels);
    for (CustomRuns r : runs) {
      double v = value.applyAsDouble(r);
      if (!Double.isNaN(v)) { // not run yet: no series rather than NaN
        family.addMetric(scope.values(List.of(r.metric())), v);
      }
    }
    return family;
  }
}
