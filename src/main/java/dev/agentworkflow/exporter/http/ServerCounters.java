package dev.agentworkflow.exporter.http;

import dev.agentworkflow.exporter.model.HttpServerStatus;
import java.util.HashMap;
import java.util.Map;

/**
 * Counts what the server refused or cut short. {@link #status()} returns the same object until a
 * count changes, so the exposition is rendered again only then.
 */
final class ServerCounters {
  /** Why a connection was closed by the server. */
  enum Closed {
    REQUEST_TIMEOUT, IDLE_TIMEOUT, RESPONSE_TIMEOUT, EVICTED, REFUSED, BAD_REQUEST;

    String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** Why a request was answered without being served. */
  enum Refused {
    UNAUTHORIZED, AUTH_BUSY, RATE_LIMITED, OVERLOADED;

    String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  private final Map<String, Long> closed = new HashMap<>();
  private final Map<String, Long> refused = new HashMap<>();
  private HttpServerStatus status;

  ServerCounters() {
    for (Closed reason : Closed.values()) {
      closed.put(reason.label(), 0L);
    }
    for (Refused reason : Refused.values()) {
      refused.put(reason.label(), 0L);
    }
  }

  synchronized void closed(Closed reason) {
    closed.merge(reason.label(), 1L, Long::sum);
    status = null;
  }

  synchronized void refused(Refused reason) {
    refused.merge(reason.label(), 1L, Long::sum);
    status = null;
  }

  synchronized HttpServerStatus status() {
    if (status == null) {
      status = new HttpServerStatus(closed, refused);
    }
    return status;
  }
}
