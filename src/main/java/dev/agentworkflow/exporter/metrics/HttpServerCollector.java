package dev.agentworkflow.exporter.metrics;

import dev.agentworkflow.exporter.model.HttpServerStatus;
import io.prometheus.client.CounterMetricFamily;
import io.prometheus.client.Predicate;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/** What the HTTP server refused or cut short: both stay at 0 unless clients misbehave or it is overloaded. */
public final class HttpServerCollector extends SnapshotCollector<HttpServerStatus> {
  private final Supplier<HttpServerStatus> status;

  public HttpServerCollector(Supplier<HttpServerStatus> status) {
    this.status = status;
  }

  @Override
  public HttpServerStatus snapshot() {
    return status.get();
  }

  @Override
  public List<MetricFamilySamples> families(HttpServerStatus now, Predicate<String> sampleNameFilter) {
    return List.of(
        counter("agent_workflow_exporter_http_connections_closed_total",
            "Connections the HTTP server closed itself, by reason: request_timeout (a request or TLS handshake "
                + "not complete in time), idle_timeout, response_timeout, evicted (to make room at the connection "
                + "cap), refused (at the cap, none to evict), bad_request",
            now.connectionsClosed()),
        counter("agent_workflow_exporter_http_requests_refused_total",
            "Requests answered without being served, by reason: unauthorized (401), auth_busy (401 without a "
                + "password check: too many checks at once), rate_limited (429), overloaded (503)",
            now.requestsRefused()));
  }

  private static CounterMetricFamily counter(String name, String help, Map<String, Long> byReason) {
    CounterMetricFamily family = new CounterMetricFamily(name, help, List.of("reason"));
    new TreeMap<>(byReason).forEach((reason, count) -> family.addMetric(List.of(reason), count));
    return family;
  }
}
