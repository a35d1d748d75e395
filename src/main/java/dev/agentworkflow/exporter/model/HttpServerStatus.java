package dev.agentworkflow.exporter.model;

import java.util.Map;

/**
 * What the HTTP server did to protect itself since start; both counts change only when a client
 * misbehaves or the server is under more load than it serves.
 *
 * @param connectionsClosed connections the server closed, by reason ({@code request_timeout},
 *     {@code idle_timeout}, {@code response_timeout}, {@code evicted}, {@code refused}, {@code bad_request})
 * @param requestsRefused requests answered without being served, by reason ({@code unauthorized},
 *     {@code auth_busy}, {@code rate_limited}, {@code overloaded})
 */
public record HttpServerStatus(Map<String, Long> connectionsClosed, Map<String, Long> requestsRefused) {
  public HttpServerStatus {
    connectionsClosed = Map.copyOf(connectionsClosed);
    requestsRefused = Map.copyOf(requestsRefused);
  }
}
