package dev.agentworkflow.exporter.http;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One request as read off a connection: its head only (a body is read and dropped: no path takes
 * one).
 *
 * @param method as sent, e.g. {@code GET}
 * @param path the target's path, not decoded, e.g. {@code /metrics}
 * @param rawQuery the target's query without the {@code ?}, not decoded; empty when there is none
 * @param http11 HTTP/1.1 (keep-alive by default) rather than HTTP/1.0
 * @param headers by lower-case name, values in arrival order
 */
record Request(String method, String path, String rawQuery, boolean http11, Map<String, List<String>> headers) {
  Request {
    Map<String, List<String>> copy = new java.util.LinkedHashMap<>();
    headers.forEach((name, values) -> copy.put(name, List.copyOf(values)));
    headers = java.util.Collections.unmodifiableMap(copy);
  }

  /** The first value of a header, by name in any case. */
  Optional<String> header(String name) {
    List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
    return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
  }

  /** All values of a header, comma-separated lists joined, by name in any case. */
  String joined(String name) {
    List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
    return values == null ? "" : String.join(",", values);
  }

  boolean isHead() {
    return method.equals("HEAD");
  }

  /** Whether the client lets the connection stay open after the response. */
  boolean keepAlive() {
    String connection = joined("Connection").toLowerCase(Locale.ROOT);
    return http11 ? !connection.contains("close") : false;
  }
}
