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
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * The exposition, rendered once per change of what it shows and kept as bytes, plain and gzipped,
 * per format. What it shows changes only when a poll publishes (every --interval seconds) or a
 * status of the exporter itself changes: between two, every scrape is the same bytes, so
 * concurrent scrapers share one rendering instead of each rendering thousands of series. The
 * collected families are kept too, so a scrape that asks for some families by name
 * ({@code ?name[]=}) renders only those, and the same question asked again is answered from here.
 *
 * <p>The {@code process_*} and {@code jvm_*} families of the live registry change all the time: each
 * scrape collects and renders them anew (a few KB) and appends them to the kept bytes; gzipped,
 * as a second deflate stream after the kept one ({@link GzipJoin}), so a scrape never compresses
 * the whole exposition again.
 */
final class ExpositionCache {
  private static final int FILTERED_KEPT = 32;
  private static final byte[] OPENMETRICS_END = "# EOF\n".getBytes(StandardCharsets.UTF_8);

  /** One format's kept bytes (without OpenMetrics' closing {@code # EOF}); gzipped on the first request that asks. */
  static final class Rendered {
    private final byte[] plain;
    private GzipJoin.Start gzipped;

    private Rendered(byte[] plain) {
      this.plain = plain;
    }

    byte[] plain() {
      return plain;
    }

    synchronized GzipJoin.Start gzipped() {
      if (gzipped == null) {
        gzipped = GzipJoin.start(plain);
      }
      return gzipped;
    }
  }

  private final CollectorRegistry registry;
  private final Supplier<List<Object>> inputs;
  private final CollectorRegistry live;
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
   * @param registry what is rendered once per change of {@code inputs}
   * @param inputs the objects the exposition is made from; a new object in any place (compared by
   *     identity: they are immutable snapshots) means it must be rendered again
   * @param live what is collected at every scrape, after the rest; its family names differ from the registry's
   */
  ExpositionCache(CollectorRegistry registry, Supplier<List<Object>> inputs, CollectorRegistry live) {
    this.registry = registry;
    this.inputs = inputs;
    this.live = live;
  }

  /** The body of an answer in this format, all of it or only the samples named, plain or gzipped. */
  byte[] body(String contentType, Set<String> names, boolean gzip) {
    Rendered kept = get(contentType, names);
    byte[] fresh = render(contentType, only(names, Collections.list(live.metricFamilySamples())), 8 * 1024);
    if (gzip) {
      return GzipJoin.join(kept.gzipped(), fresh);
    }
    byte[] body = Arrays.copyOf(kept.plain(), kept.plain().length + fresh.length);
    System.arraycopy(fresh, 0, body, kept.plain().length, fresh.length);
    return body;
  }

  /** The kept bytes in this format, all of them or only the samples named; rendered now only if not yet. */
  private synchronized Rendered get(String contentType, Set<String> names) {
    List<Object> now = inputs.get();
    if (families == null || !sameObjects(now, renderedFrom)) {
      renderedFrom = now;
      families = Collections.list(registry.metricFamilySamples());
      whole.clear();
      filtered.clear();
    }
    if (names.isEmpty()) {
      return whole.computeIfAbsent(contentType, type -> new Rendered(withoutEnd(render(type, families, 64 * 1024))));
    }
    String key = contentType + '\0' + String.join("\0", new TreeSet<>(names));
    return filtered.computeIfAbsent(key, k -> new Rendered(withoutEnd(render(contentType, only(names, families), 8 * 1024))));
  }

  /**
   * The families with only the samples named, as simpleclient's {@code ?name[]=} filter keeps them;
   * all of them when no name is given.
   */
  private static List<MetricFamilySamples> only(Set<String> names, List<MetricFamilySamples> families) {
    if (names.isEmpty()) {
      return families;
    }
    List<MetricFamilySamples> kept = new ArrayList<>();
    for (MetricFamilySamples family : families) {
      MetricFamilySamples some = family.filter(names::contains);
      if (some != null) {
        kept.add(some);
      }
    }
    return kept;
  }

  private static byte[] render(String contentType, List<MetricFamilySamples> families, int expectedBytes) {
    ByteArrayOutputStream body = new ByteArrayOutputStream(expectedBytes);
    try (Writer writer = new OutputStreamWriter(body, StandardCharsets.UTF_8)) {
      TextFormat.writeFormat(contentType, writer, Collections.enumeration(families));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot happen: in memory", e);
    }
    return body.toByteArray();
  }

  /** OpenMetrics ends with {@code # EOF}: the kept part leaves it to the part appended after it. */
  private static byte[] withoutEnd(byte[] rendered) {
    int end = rendered.length - OPENMETRICS_END.length;
    return end >= 0 && Arrays.equals(rendered, end, rendered.length, OPENMETRICS_END, 0, OPENMETRICS_END.length)
        ? Arrays.copyOf(rendered, end) : rendered;
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
