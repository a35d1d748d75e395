package dev.agentworkflow.exporter.http;

import io.prometheus.client.exporter.common.TextFormat;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The metrics ({@code /metrics} unless --web.telemetry-path says otherwise): the text format, or OpenMetrics when the {@code Accept} header asks for it;
 * gzip when {@code Accept-Encoding} allows it (a q-value of 0 refuses it); {@code ?name[]=…} keeps
 * only the named samples, as simpleclient's server does. Everything comes from the {@link
 * ExpositionCache}: no request renders what another already has.
 */
final class MetricsHandler {
  private final ExpositionCache cache;

  MetricsHandler(ExpositionCache cache) {
    this.cache = cache;
  }

  Response answer(Request request) {
    String contentType = wantsOpenMetrics(request.joined("Accept"))
        ? TextFormat.CONTENT_TYPE_OPENMETRICS_100 : TextFormat.CONTENT_TYPE_004;
    boolean gzip = acceptsGzip(request.joined("Accept-Encoding"));
    byte[] body = cache.body(contentType, requestedNames(request.rawQuery()), gzip);
    if (body == null) {
      return new Response(406, Map.of("Content-Type", Response.TEXT, "Vary", "Accept-Encoding"),
          ("Not Acceptable: the metrics are over " + cache.plainLimitBytes() / (1024 * 1024) + " MB as plain text "
              + "and are sent gzipped only: ask with Accept-Encoding: gzip (curl --compressed), as Prometheus does, "
              + "or for some families with ?name[]=NAME.\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Content-Type", contentType);
    if (gzip) {
      headers.put("Content-Encoding", "gzip");
    }
    headers.put("Vary", "Accept, Accept-Encoding");
    return new Response(200, headers, body);
  }

  /** Whether a media range of {@code application/openmetrics-text} is accepted (q above 0). */
  static boolean wantsOpenMetrics(String accept) {
    for (String range : accept.split(",")) {
      String[] parts = range.split(";");
      if (parts.length > 0 && parts[0].strip().equalsIgnoreCase("application/openmetrics-text") && quality(parts) > 0) {
        return true;
      }
    }
    return false;
  }

  /** Whether gzip is acceptable: named (or {@code *}, when gzip is not named) with a q-value above 0. */
  static boolean acceptsGzip(String acceptEncoding) {
    Double gzip = null;
    Double any = null;
    for (String coding : acceptEncoding.split(",")) {
      String[] parts = coding.split(";");
      String name = parts.length == 0 ? "" : parts[0].strip().toLowerCase(Locale.ROOT);
      if (name.equals("gzip") || name.equals("x-gzip")) {
        gzip = Math.max(gzip == null ? 0 : gzip, quality(parts));
      } else if (name.equals("*")) {
        any = quality(parts);
      }
    }
    return gzip != null ? gzip > 0 : any != null && any > 0;
  }

  /** The q parameter of a header element (1 when absent, 0 when unreadable). */
  private static double quality(String[] parts) {
    for (int i = 1; i < parts.length; i++) {
      String parameter = parts[i].strip();
      if (parameter.regionMatches(true, 0, "q=", 0, 2)) {
        try {
          double q = Double.parseDouble(parameter.substring(2).strip());
          return q >= 0 && q <= 1 ? q : 0;
        } catch (NumberFormatException e) {
          return 0;
        }
      }
    }
    return 1;
  }

  private static Set<String> requestedNames(String rawQuery) {
    Set<String> names = new HashSet<>();
    for (String pair : rawQuery.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0 && decode(pair.substring(0, eq)).equals("name[]")) {
        names.add(decode(pair.substring(eq + 1)));
      }
    }
    return names;
  }

  private static String decode(String s) {
    try {
      return URLDecoder.decode(s, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return s; // a malformed escape: taken as written, which names no family
    }
  }
}
