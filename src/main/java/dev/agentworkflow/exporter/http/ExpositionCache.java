package dev.agentworkflow.exporter.http;

import io.prometheus.client.Collector.MetricFamilySamples;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.exporter.common.TextFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.zip.GZIPOutputStream;

/**
 * The exposition, rendered once per change of what it shows and kept as bytes, plain and gzipped,
 * per format. What it shows changes only when a poll publishes (every --interval seconds) or a
 * status of the exporter itself changes: between two, every scrape is the same bytes, so
 * concurrent scrapers share one rendering instead of each rendering thousands of series. The
 * collected families are kept too, so a scrape that asks for some families by name
 * ({@code ?name[]=}) renders only those, and the same question asked again is answered from here.
 */
final class ExpositionCache {
  private static final int FILTERED_KEPT = 32;

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
  private List<MetricFamilySamples> families;
  private final Map<String, Rendered> whole = new HashMap<>();
  private final Map<String, Rendered> filtered = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Rendered> eldest) {
      return size() > FILTERED_KEPT;
    }
  };

  /**
   * @param inputs the objects the exposition is made from; a new object in any place (compared by
   *     identity: they are immutable snapshots) means it must be rendered again
   */
  ExpositionCache(CollectorRegistry registry, Supplier<List<Object>> inputs) {
    this.registry = registry;
    this.inputs = inputs;
  }

  /** The exposition in this format, all of it or only the samples named; rendered now only if not yet. */
  synchronized Rendered get(String contentType, Set<String> names) {
    List<Object> now = inputs.get();
    if (families == null || !sameObjects(now, renderedFrom)) {
      renderedFrom = now;
      families = Collections.list(registry.metricFamilySamples());
      whole.clear();
      filtered.clear();
    }
    if (names.isEmpty()) {
      return whole.computeIfAbsent(contentType, type -> new Rendered(render(type, families)));
    }
    String key = contentType + '\0' + String.join("\0", new TreeSet<>(names));
    return filtered.computeIfAbsent(key, k -> new Rendered(render(contentType, only(names))));
  }

  /** The families with only the samples named, as simpleclient's {@code ?name[]=} filter keeps them. */
  private List<MetricFamilySamples> only(Set<String> names) {
    List<MetricFamilySamples> kept = new ArrayList<>();
    for (MetricFamilySamples family : families) {
      MetricFamilySamples some = family.filter(names::contains);
      if (some != null) {
        kept.add(some);
      }
    }
    return kept;
  }

  private static byte[] render(String contentType, List<MetricFamilySamples> families) {
    ByteArrayOutputStream body = new ByteArrayOutputStream(64 * 1024);
    try (Writer writer = new OutputStreamWriter(body, StandardCharsets.UTF_8)) {
      TextFormat.writeFormat(contentType, writer, Collections.enumeration(families));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot happen: in memory", e);
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
