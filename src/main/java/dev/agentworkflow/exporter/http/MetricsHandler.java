package dev.agentworkflow.exporter.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.exporter.common.TextFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code /metrics}: the registry in the text format or OpenMetrics, as the {@code Accept} header
 * asks; gzip when the client accepts it; {@code ?name[]=…} keeps only the named families, as
 * simpleclient's server does. The body is rendered in full before the response starts, so a
 * failure never leaves half a scrape on the wire. Whole expositions come from the {@link
 * ExpositionCache}; filtered ones, rare, are rendered for each request.
 */
final class MetricsHandler implements HttpHandler {
  private final CollectorRegistry registry;
  private final ExpositionCache cache;

  MetricsHandler(CollectorRegistry registry, ExpositionCache cache) {
    this.registry = registry;
    this.cache = cache;
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!exchange.getRequestURI().getPath().equals("/metrics")) {
        Responses.notFound(exchange);
        return;
      }
      String contentType = TextFormat.chooseContentType(exchange.getRequestHeaders().getFirst("Accept"));
      Set<String> names = requestedNames(exchange.getRequestURI().getRawQuery());
      boolean head = exchange.getRequestMethod().equals("HEAD");
      boolean gzip = acceptsGzip(exchange.getRequestHeaders().get("Accept-Encoding")) && !head;
      byte[] body;
      if (names.isEmpty()) {
        ExpositionCache.Rendered rendered = cache.get(contentType);
        body = gzip ? rendered.gzipped() : rendered.plain();
      } else {
        byte[] plain = filtered(contentType, names);
        body = gzip ? ExpositionCache.gzip(plain) : plain;
      }
      exchange.getResponseHeaders().set("Content-Type", contentType);
      if (gzip) {
        exchange.getResponseHeaders().set("Content-Encoding", "gzip");
      }
      exchange.sendResponseHeaders(200, head ? -1 : body.length);
      if (!head) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(body);
        }
      }
    }
  }

  private byte[] filtered(String contentType, Set<String> names) throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream(4 * 1024);
    try (Writer writer = new OutputStreamWriter(body, StandardCharsets.UTF_8)) {
      TextFormat.writeFormat(contentType, writer, registry.filteredMetricFamilySamples(names));
    }
    return body.toByteArray();
  }

  private static Set<String> requestedNames(String rawQuery) {
    Set<String> names = new HashSet<>();
    if (rawQuery != null) {
      for (String pair : rawQuery.split("&")) {
        int eq = pair.indexOf('=');
        if (eq > 0 && URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8).equals("name[]")) {
          names.add(URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
      }
    }
    return names;
  }

  private static boolean acceptsGzip(List<String> acceptEncoding) {
    if (acceptEncoding != null) {
      for (String header : acceptEncoding) {
        for (String encoding : header.split(",")) {
          if (encoding.strip().toLowerCase(java.util.Locale.ROOT).startsWith("gzip")) {
            return true;
          }
        }
      }
    }
    return false;
  }
}
