package dev.agentworkflow.exporter.http;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A whole response, made before a byte of it is written, so a failure never leaves half an answer
 * on the wire. The body array may be shared (cached expositions): it is never changed.
 *
 * @param headers in order; {@code Content-Length}, {@code Date} and {@code Connection} are added when written
 */
record Response(int status, Map<String, String> headers, byte[] body) {
  static final String TEXT = "text/plain; charset=utf-8";

  Response {
    headers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(headers));
  }

  static Response text(int status, String text) {
    return new Response(status, Map.of("Content-Type", TEXT), text.getBytes(StandardCharsets.UTF_8));
  }

  static Response notFound(String telemetryPath) {
    return text(404, "Not Found. The metrics are at " + telemetryPath + ".\n");
  }

  /** The same response with one more header (or one replaced). */
  Response with(String name, String value) {
    Map<String, String> more = new LinkedHashMap<>(headers);
    more.put(name, value);
    return new Response(status, more, body);
  }

  /** The same response with the given headers put first, as the web configuration's extra headers are. */
  Response withAll(Map<String, String> extra) {
    if (extra.isEmpty()) {
      return this;
    }
    Map<String, String> all = new LinkedHashMap<>(extra);
    all.putAll(headers);
    return new Response(status, all, body);
  }
}
