/**
 * The web configuration file of the Prometheus exporter-toolkit ({@code --web-config-file}, the
 * file every official exporter reads with {@code --web.config.file}): TLS, basic auth users,
 * extra response headers and a rate limit. Read and checked once at start, where every problem is
 * reported with the key that has it; the {@code http} package applies the result.
 */
package dev.agentworkflow.exporter.webconfig;
