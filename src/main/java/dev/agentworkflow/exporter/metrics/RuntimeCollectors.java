package dev.agentworkflow.exporter.metrics;

import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.hotspot.BufferPoolsExports;
import io.prometheus.client.hotspot.ClassLoadingExports;
import io.prometheus.client.hotspot.GarbageCollectorExports;
import io.prometheus.client.hotspot.MemoryPoolsExports;
import io.prometheus.client.hotspot.StandardExports;
import io.prometheus.client.hotspot.ThreadExports;
import io.prometheus.client.hotspot.VersionInfoExports;

/**
 * The {@code process_*} and {@code jvm_*} metrics of client_java's hotspot module, on a registry of
 * one exporter's own (never the default registry: many exporters may run in one JVM). They are read
 * from the JVM and {@code /proc} on every scrape, unlike the workflow's, which change once a poll.
 *
 * <p>All of {@code DefaultExports} but {@code MemoryAllocationExports}: that one adds a listener to
 * the JVM's garbage collectors that is never removed, so every exporter started in a JVM would
 * leave one behind, and it counts only allocations after it was made.
 *
 * <pre>{@code
 * CollectorRegistry runtime = RuntimeCollectors.newRegistry();
 * }</pre>
 */
public final class RuntimeCollectors {
  private RuntimeCollectors() {}

  public static CollectorRegistry newRegistry() {
    CollectorRegistry registry = new CollectorRegistry();
    new StandardExports().register(registry);
    new MemoryPoolsExports().register(registry);
    new BufferPoolsExports().register(registry);
    new GarbageCollectorExports().register(registry);
    new ThreadExports().register(registry);
    new ClassLoadingExports().register(registry);
    new VersionInfoExports().register(registry);
    return registry;
  }
}
