package dev.agentworkflow.exporter.http;

import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.exporter.common.TextFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.zip.GZIPOutputStream;

/**
 * The whole exposition, rendered once per change of what it shows and kept as bytes, plain and
 * gzipped, per format. What it shows changes only when a poll publishes (every --interval
 * seconds) or the web configuration's status changes: between two, every scrape is the same
 * bytes, so concurrent scrapers share one rendering instead of each rendering thousands of series.
 */
final class ExpositionCache {
  /** One format's bytes; the gzipped ones are made on the first request that asks for them. */
  static final class Rendered {
    private final byte[] plain;
    private byte[] gzipped;

    private Rendered(byte[] plain) {
      this.plain = plain;
    }

    byte[] plain() {
      return plain;
    }

    synchronized byte[] gzipped() {
      if (gzipped == null) {
        gzipped = gzip(plain);
      }
      return gzipped;
    }
  }

  private final CollectorRegistry registry;
  private final Supplier<List<Object>> inputs;
  private List<Object> renderedFrom = List.of();
  private final Map<String, Rendered> byContentType = new HashMap<>();

  /**
   * @param inputs the objects the exposition is made from; a new object in any place (compared by
   *     identity: they are immutable snapshots) means it must be rendered again
   */
  ExpositionCache(CollectorRegistry registry, Supplier<List<Object>> inputs) {
    this.registry = registry;
    this.inputs = inputs;
  }

  /** The exposition in this format, rendered now only if its inputs changed since last time. */
  synchronized Rendered get(String contentType) throws IOException {
    List<Object> now = inputs.get();
    if (!sameObjects(now, renderedFrom)) {
      byContentType.clear();
      renderedFrom = now;
    }
    Rendered rendered = byContentType.get(contentType);
    if (rendered == null) {
      rendered = new Rendered(render(contentType));
      byContentType.put(contentType, rendered);
    }
    return rendered;
  }

  private byte[] render(String contentType) throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream(64 * 1024);
    try (Writer writer = new OutputStreamWriter(body, StandardCharsets.UTF_8)) {
      TextFormat.writeFormat(contentType, writer, registry.metricFamilySamples());
    }
    return body.toByteArray();
  }

  static byte[] gzip(byte[] plain) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(plain.length / 8 + 64);
    try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
      gzip.write(plain);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot happen: in memory", e);
    }
    return out.toByteArray();
  }

  private static boolean sameObjects(List<Object> a, List<Object> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      if (a.get(i) != b.get(i)) {
        return false;
      }
    }
    return true;
  }
}
